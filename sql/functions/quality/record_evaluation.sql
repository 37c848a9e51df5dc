-- The quality API. evaluate_content scores ad-hoc content (aicrm evaluate) and stores nothing;
-- record_evaluation scores a stored draft with the runner's text metrics, stores the scorecard on
-- it, and hands the scorecard to the decision rules (evaluate_decision) in the same transaction.

create or replace function aicrm.evaluate_content(
    p_content text,
    p_channel text,
    p_subject text default null,
    p_customer_id uuid default null,
    p_instructions jsonb default '{}',
    p_text_metrics jsonb default null,
    p_content_format text default 'text'
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return aicrm_private.score_content(p_content, p_subject, p_channel, p_customer_id, p_instructions, '{}',
                                       p_text_metrics, p_content_format);
end
$$;

grant execute on function aicrm.evaluate_content(text, text, text, uuid, jsonb, jsonb, text) to aicrm_app, aicrm_worker;

-- Scores a draft, stores the scorecard (content_quality, quality_score, quality_passed,
-- evaluated_at) and the decision (success_evaluation), and returns
-- {deliverable_id, scorecard, decision}. Evaluating a draft again replaces both (a new decision is
-- recorded; earlier ones stay in ai_decisions). Applying the decision to the task's state is the
-- pipeline's (transition_task_state). SECURITY DEFINER: no role may write a scorecard or a
-- decision onto a draft by hand (the worker has no UPDATE on deliverables); row-level security
-- is forced, so the owner too sees only the caller's tenant.
create or replace function aicrm.record_evaluation(p_deliverable_id uuid, p_text_metrics jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row record;
    v_card jsonb;
    v_decision jsonb;
begin
    if p_deliverable_id is null then
        raise exception using errcode = 'AC001', message = 'deliverable_id: is required',
            hint = 'Pass the id of the draft to evaluate.', column = 'deliverable_id';
    end if;
    if jsonb_typeof(p_text_metrics) is distinct from 'object' then
        raise exception using errcode = 'AC001', message = 'text_metrics: must be a JSON object',
            hint = 'Pass what runner.scoring.text_metrics() returns: {"readability": {...}, "sentiment": {...}, ...}.',
            column = 'text_metrics';
    end if;
    select d.deliverable_id, d.task_id, d.version, d.subject, d.content, d.content_format,
           t.channel, t.task_type, t.priority, t.customer_id, t.ai_instructions, t.quality_thresholds,
           (select count(*) from aicrm.project_deliverables x
            where x.tenant_id = v_tenant and x.task_id = d.task_id) as attempts
    into v_row
    from aicrm.project_deliverables d
    join aicrm.project_tasks t on t.tenant_id = d.tenant_id and t.task_id = d.task_id
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id
    for update of d;
    if not found then
        raise exception using errcode = 'AC002', message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id),
            hint = 'Pass the id of a draft of this tenant.', column = 'deliverable_id';
    end if;

    v_card := aicrm_private.score_content(v_row.content, v_row.subject, v_row.channel, v_row.customer_id,
        v_row.ai_instructions, v_row.quality_thresholds, p_text_metrics, v_row.content_format);

    -- The decision sees the scores, not the whole scorecard (docs/decision-rules.md, the context).
    v_decision := aicrm.evaluate_decision(jsonb_build_object(
        'quality', jsonb_build_object(
            'overall', v_card -> 'overall', 'confidence', v_card -> 'confidence', 'passed', v_card -> 'passed',
            'readability', v_card -> 'readability', 'sentiment', v_card -> 'sentiment',
            'brand_alignment', v_card -> 'brand_alignment', 'compliance', v_card -> 'compliance',
            'structure', v_card -> 'structure', 'violations', v_card -> 'violations'),
        'task', jsonb_build_object('task_id', v_row.task_id, 'channel', v_row.channel, 'task_type', v_row.task_type,
            'priority', v_row.priority, 'attempts', v_row.attempts, 'failures', 0),
        'customer', jsonb_build_object('customer_id', v_row.customer_id),
        'deliverable', jsonb_build_object('deliverable_id', v_row.deliverable_id, 'version', v_row.version)));

    update aicrm.project_deliverables d
    set content_quality = v_card,
        quality_score = (v_card ->> 'overall')::numeric,
        quality_passed = (v_card ->> 'passed')::boolean,
        evaluated_at = now(),
        success_evaluation = v_decision - 'inputs'
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;

    return jsonb_build_object('deliverable_id', p_deliverable_id, 'scorecard', v_card, 'decision', v_decision);
end
$$;

grant execute on function aicrm.record_evaluation(uuid, jsonb) to aicrm_app, aicrm_worker;
