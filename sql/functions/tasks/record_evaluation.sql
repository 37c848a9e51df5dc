-- A draft's evaluation: record_evaluation scores a stored draft with the runner's text metrics,
-- stores the scorecard on it, and hands the scorecard to the decision rules (evaluate_decision) in
-- the same transaction. Ad-hoc scoring that stores nothing: quality/evaluate_content.sql; the
-- scorecard itself: private/quality/score_content.sql.

-- Scores a draft, stores the scorecard (content_quality, quality_score, quality_passed,
-- evaluated_at) and the decision (success_evaluation), and returns
-- {deliverable_id, scorecard, decision, task: {execution_state, attempts}}. Evaluating a draft
-- again replaces both (a new decision is recorded; earlier ones stay in ai_decisions).
--
-- In the pipeline (the task is evaluating and this is its latest draft) the call is the worker's
-- and fenced by its lease (p_lease_token, as every write back: aicrm_private.lease_of), and the
-- decision is applied in the same transaction: approve -> approved, review -> awaiting_review,
-- retry -> generating (the same worker keeps the lease and writes again with the fixes), reject
-- -> rejected, escalate -> escalated, request_input -> input_required with a request for each of
-- the scorecard's profile gaps to the role the rule names (aicrm_private.request_task_input; with
-- no gap, escalated); anything else (a route or select action) -> awaiting_review. An approval
-- the tenant's spot checks draw (spot_check.share; aicrm_private.hold_for_spot_check) goes to
-- awaiting_review instead, recorded in aicrm.spot_checks; the decision (its spot_check and
-- explanation say so) and the ai_decisions row stay the rules' approve.
-- Leaving the leased states ends the lease. Any other draft is scored and decided on only.
--
-- SECURITY DEFINER: no role may write a scorecard or a decision onto a draft by hand (the worker
-- has no UPDATE on deliverables); row-level security is forced, so the owner too sees only the
-- caller's tenant.
create or replace function aicrm.record_evaluation(
    p_deliverable_id uuid,
    p_text_metrics jsonb,
    p_lease_token uuid default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
    v_row record;
    v_latest boolean;
    v_card jsonb;
    v_decision jsonb;
    v_to text;
    v_unchanged boolean;
    v_spot jsonb;
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
    -- The task is locked before its draft (the order of submit_draft and the lease fence), so its
    -- state cannot change under the decision.
    select t.* into v_task
    from aicrm.project_tasks t
    where t.tenant_id = v_tenant
      and t.task_id = (select d.task_id from aicrm.project_deliverables d
                       where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id)
    for update;
    if not found then
        raise exception using errcode = 'AC002', message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id),
            hint = 'Pass the id of a draft of this tenant.', column = 'deliverable_id';
    end if;
    select d.deliverable_id, d.task_id, d.version, d.subject, d.content, d.content_format,
           (select count(*) from aicrm.project_deliverables x
            where x.tenant_id = v_tenant and x.task_id = d.task_id) as attempts,
           (select max(x.version) from aicrm.project_deliverables x
            where x.tenant_id = v_tenant and x.task_id = d.task_id) as latest_version
    into v_row
    from aicrm.project_deliverables d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id
    for update;
    v_latest := v_row.version = v_row.latest_version;

    -- The worker's call: the lease is required while the task is evaluating this draft, and a
    -- worker passing one is held to it even when the task moved on.
    if p_lease_token is null and v_task.execution_state = 'evaluating' and v_latest then
        raise exception using errcode = 'AC005',
            message = format('lease_token: task %s is being evaluated under a lease', v_task.task_id),
            hint = 'Pass the lease_token of the worker that submitted the draft.', column = 'lease_token';
    end if;
    if p_lease_token is not null then
        perform aicrm_private.lease_of(v_task.task_id, p_lease_token);
        if v_task.execution_state <> 'evaluating' then
            raise exception using errcode = 'AC005',
                message = format('execution_state: task %s is %s, not evaluating', v_task.task_id, v_task.execution_state),
                hint = 'Submit the draft with aicrm.submit_draft first.', column = 'execution_state';
        end if;
        if not v_latest then
            raise exception using errcode = 'AC005',
                message = format('deliverable_id: version %s is not the latest draft of task %s (version %s is)',
                                 v_row.version, v_task.task_id, v_row.latest_version),
                hint = 'Evaluate the draft submit_draft returned last.', column = 'deliverable_id';
        end if;
    end if;

    v_card := aicrm_private.score_content(v_row.content, v_row.subject, v_task.channel, v_task.customer_id,
        v_task.ai_instructions, v_task.quality_thresholds, p_text_metrics, v_row.content_format);

    -- A rewrite that fails exactly the checks its previous draft failed changed nothing: the rules
    -- stop retrying it (quality.failures_unchanged).
    select coalesce(v_card -> 'checks_failed' <> '[]'::jsonb and p.content_quality -> 'checks_failed' = v_card -> 'checks_failed',
                    false)
    into v_unchanged
    from aicrm.project_deliverables p
    where p.tenant_id = v_tenant and p.task_id = v_row.task_id and p.version = v_row.version - 1;

    -- The decision sees the scores, not the whole scorecard (docs/decision-rules.md, the context),
    -- why the draft fails and what it passed, which its explanation names.
    v_decision := aicrm.evaluate_decision(jsonb_build_object(
        'quality', aicrm_private.quality_context(v_card, coalesce(v_unchanged, false)),
        'task', jsonb_build_object('task_id', v_task.task_id, 'channel', v_task.channel, 'task_type', v_task.task_type,
            'priority', v_task.priority, 'attempts', v_row.attempts, 'failures', v_task.failures),
        'customer', jsonb_build_object('customer_id', v_task.customer_id),
        'deliverable', jsonb_build_object('deliverable_id', v_row.deliverable_id, 'version', v_row.version)));

    update aicrm.project_deliverables d
    set content_quality = v_card,
        quality_score = (v_card ->> 'overall')::numeric,
        quality_passed = (v_card ->> 'passed')::boolean,
        evaluated_at = now(),
        success_evaluation = v_decision - 'inputs'
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;

    if p_lease_token is not null then
        v_to := case v_decision #>> '{action,type}'
            when 'approve' then 'approved' when 'retry' then 'generating' when 'reject' then 'rejected'
            when 'escalate' then 'escalated' when 'request_input' then 'input_required' else 'awaiting_review' end;
        -- request_input asks for the profile's gaps; with none a person could fill, a person decides
        if v_to = 'input_required' and jsonb_array_length(coalesce(v_card -> 'profile_gaps', '[]')) = 0 then
            v_to := 'escalated';
        end if;
        -- A spot check (docs/learning.md): an approval whose draw falls under the tenant's share
        -- waits for a person; the decision stays the rules' approve, its explanation says why.
        if v_to = 'approved' then
            v_spot := aicrm_private.hold_for_spot_check(v_task, p_deliverable_id, (v_decision ->> 'decision_id')::uuid);
            if v_spot is not null then
                v_to := 'awaiting_review';
                v_decision := v_decision || jsonb_build_object('spot_check', v_spot,
                    'explanation', concat_ws(' ', v_decision ->> 'explanation',
                        format('Held for a spot check (draw %s below the share %s): a person confirms before it is sent.',
                               v_spot -> 'drawn', v_spot -> 'share')));
                update aicrm.project_deliverables d
                set success_evaluation = v_decision - 'inputs'
                where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
            end if;
        end if;
        perform aicrm_private.transition_task(v_task.task_id, v_to, 'rules', v_decision ->> 'explanation', 'evaluating',
            jsonb_strip_nulls(jsonb_build_object('deliverable_id', p_deliverable_id,
                'decision_id', v_decision -> 'decision_id', 'rule', v_decision #> '{rule,name}',
                'action', v_decision -> 'action', 'overall', v_card -> 'overall', 'spot_check', v_spot)),
            'record_evaluation');
        if v_to = 'input_required' then
            perform aicrm_private.request_task_input(v_task, v_card, v_decision, p_deliverable_id);
        end if;
        if v_to <> 'generating' then
            update aicrm.project_tasks t
            set lease_holder = null, lease_token = null, lease_until = null
            where t.tenant_id = v_tenant and t.task_id = v_task.task_id;
        end if;
    end if;

    return jsonb_build_object('deliverable_id', p_deliverable_id, 'scorecard', v_card, 'decision', v_decision,
        'task', (select jsonb_build_object('execution_state', t.execution_state, 'attempts', t.attempts)
                 from aicrm.project_tasks t where t.tenant_id = v_tenant and t.task_id = v_task.task_id));
end
$$;

revoke execute on function aicrm.record_evaluation(uuid, jsonb, uuid) from public;
grant execute on function aicrm.record_evaluation(uuid, jsonb, uuid) to aicrm_app, aicrm_worker;
