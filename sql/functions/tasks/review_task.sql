-- Human review (docs/pipeline.md, "Human review"): review_task, what a person decides on a task
-- waiting for one (a draft the rules sent to review, or an escalated task). Why it waits and what
-- the reviewer reads: private/tasks/review.sql.

-- A person's decision on a task waiting for one: a draft the rules sent to review
-- (awaiting_review) or an escalated task, with or without a draft. p_version must be the version
-- they read and the task's latest (null for a task with no draft): a draft replaced since is
-- refused, so nobody decides on what they did not see.
--   approve -> approved: the latest draft as it is, or p_edited_content, which becomes the next
--     version (the first, for a task with no draft; with p_edited_subject, or the draft's subject)
--     and is scored first like any draft: the SQL
--     scorecard (compliance, structure, lengths, brand) with p_text_metrics, the runner's
--     readability and sentiment (runner.scoring.text_metrics), when given; without them those two
--     are n/a and the confidence lower, as for any draft scored without metrics. The scorecard is
--     stored on the edited version. An approval of a text with critical or major findings
--     (review_findings: of the edit's scorecard, or of the draft's stored one) is refused unless
--     p_confirm_findings, and the findings confirmed are recorded.
--   reject -> rejected; cancel -> cancelled; request_changes -> queued, the reason kept for the
--     writer (claim_next_task puts it first among the fixes). A reason is required for these.
-- Recorded in aicrm.deliverable_reviews (with the edit's word diff) and in the task's transitions;
-- the audit log keeps both. A draft held for a spot check gets its verdict (aicrm.spot_checks:
-- approve as it is = agreement; an edit, request_changes or reject = false_approval; cancel = no
-- verdict), returned as spot_check_verdict.
create or replace function aicrm.review_task(
    p_task_id uuid,
    p_version integer,
    p_decision text,
    p_edited_content text default null,
    p_reason text default null,
    p_reviewer text default current_user,
    p_text_metrics jsonb default null,
    p_confirm_findings boolean default false,
    p_edited_subject text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task record;
    v_draft record;
    v_card jsonb;
    v_findings jsonb := '[]';
    v_confirm jsonb := '[]';
    v_approved uuid;
    v_diff jsonb;
    v_review uuid;
    v_to text;
    v_subject text;
    v_spot text;
begin
    if p_decision is null or p_decision not in ('approve', 'reject', 'request_changes', 'cancel') then
        raise exception using errcode = 'AC001',
            message = format('decision: %s is not a decision', coalesce(quote_literal(p_decision), 'null')),
            hint = 'Use approve, reject, request_changes or cancel.', column = 'decision';
    end if;
    if p_edited_content is not null and p_decision <> 'approve' then
        raise exception using errcode = 'AC001', message = 'edited_content: only an approval carries an edit',
            hint = 'To have the writer change it, use request_changes with a reason.', column = 'edited_content';
    end if;
    if p_edited_subject is not null and p_edited_content is null then
        raise exception using errcode = 'AC001', message = 'edited_subject: an edited subject comes with the edited text',
            hint = 'Pass p_edited_content too (the text as it is, if only the subject changes).', column = 'edited_subject';
    end if;
    if p_text_metrics is not null and p_edited_content is null then
        raise exception using errcode = 'AC001', message = 'text_metrics: only an edit is scored here',
            hint = 'Pass the metrics of p_edited_content (runner.scoring.text_metrics), or none.', column = 'text_metrics';
    end if;
    if p_decision in ('reject', 'request_changes', 'cancel') and nullif(btrim(p_reason), '') is null then
        raise exception using errcode = 'AC001', message = format('reason: a %s needs a reason', replace(p_decision, '_', ' ')),
            hint = case p_decision when 'request_changes' then 'Say what to change: the writer reads it.'
                       else 'Say why: it is kept with the decision for the learning loop.' end,
            column = 'reason';
    end if;
    if nullif(btrim(p_reviewer), '') is null or char_length(p_reviewer) > 200 then
        raise exception using errcode = 'AC001', message = 'reviewer: is required (at most 200 characters)',
            hint = 'Name the person deciding.', column = 'reviewer';
    end if;
    if p_task_id is null then
        raise exception using errcode = 'AC001', message = 'task_id: is required',
            hint = 'Pass a task review_queue lists.', column = 'task_id';
    end if;
    -- The task first (the order every writer of a task takes), then its latest draft.
    select t.task_id, t.execution_state, t.channel, t.customer_id, t.ai_instructions, t.quality_thresholds,
           s.needs_human
    into v_task
    from aicrm.project_tasks t
    join aicrm.task_states s on s.state = t.execution_state
    where t.tenant_id = v_tenant and t.task_id = p_task_id
    for update of t;
    if not found then
        raise exception using errcode = 'AC002', message = format('task_id: no task %s in this tenant', p_task_id),
            hint = 'Pass a task of this tenant (review_queue lists those waiting).', column = 'task_id';
    end if;
    select d.deliverable_id, d.version, d.subject, d.content, d.content_format, d.content_quality into v_draft
    from aicrm.project_deliverables d
    where d.tenant_id = v_tenant and d.task_id = p_task_id
    order by d.version desc
    limit 1;
    if v_draft.deliverable_id is null and p_version is not null then
        raise exception using errcode = 'AC005',
            message = format('version: you reviewed version %s; the task has no draft', p_version),
            hint = 'Read the task again (review_queue) and decide on what it shows.', column = 'version';
    end if;
    if v_draft.deliverable_id is not null and p_version is null then
        raise exception using errcode = 'AC001', message = 'version: is required',
            hint = format('Pass the version you read (review_queue shows it; the latest is %s).', v_draft.version),
            column = 'version';
    end if;
    if v_draft.version <> p_version then
        raise exception using errcode = 'AC005',
            message = format('version: you reviewed version %s; the task''s draft is version %s', p_version, v_draft.version),
            hint = 'Read the current draft and decide on it.', column = 'version';
    end if;
    if not v_task.needs_human then
        raise exception using errcode = 'AC005',
            message = format('execution_state: the task is %s, not waiting for a person', v_task.execution_state),
            hint = 'Only a task in review or escalated (review_queue) is decided here.', column = 'execution_state';
    end if;

    if p_decision = 'approve' and p_edited_content is null then
        if v_draft.deliverable_id is null then
            raise exception using errcode = 'AC001', message = 'edited_content: the task has no draft to approve',
                hint = 'Write the text to approve (p_edited_content), or request_changes to have it written.',
                column = 'edited_content';
        end if;
        -- A draft delivered or failed once is not published twice (an escalated failed delivery).
        if exists (select from aicrm.outbox o where o.tenant_id = v_tenant and o.deliverable_id = v_draft.deliverable_id) then
            raise exception using errcode = 'AC005',
                message = format('version: version %s went to the outbox already', v_draft.version),
                hint = 'Approve an edit (a new version), or request_changes to have it rewritten.', column = 'version';
        end if;
        v_approved := v_draft.deliverable_id;
        v_card := v_draft.content_quality;
    elsif p_decision = 'approve' then
        v_diff := aicrm_private.edit_diff(coalesce(v_draft.content, ''), p_edited_content);
        v_subject := coalesce(p_edited_subject, v_draft.subject);
        -- The row trigger validates the edit (empty, too long: AC001 content, AC001 subject).
        insert into aicrm.project_deliverables (tenant_id, task_id, version, subject, content, content_format, created_by,
                                                provenance)
        values (v_tenant, p_task_id, coalesce(v_draft.version, 0) + 1, v_subject, p_edited_content,
                coalesce(v_draft.content_format, 'text'), p_reviewer,
                jsonb_build_object('edited_from_version', v_draft.version, 'editor', p_reviewer))
        returning deliverable_id into v_approved;
        -- The scorecard the worker's evaluation computes (record_evaluation), of the edited text.
        v_card := aicrm_private.score_content(p_edited_content, v_subject, v_task.channel, v_task.customer_id,
            v_task.ai_instructions, v_task.quality_thresholds, p_text_metrics, coalesce(v_draft.content_format, 'text'));
        update aicrm.project_deliverables d
        set content_quality = v_card,
            quality_score = (v_card ->> 'overall')::numeric,
            quality_passed = (v_card ->> 'passed')::boolean,
            evaluated_at = now()
        where d.tenant_id = v_tenant and d.deliverable_id = v_approved;
    end if;
    if p_decision = 'approve' then
        v_findings := aicrm_private.review_findings(v_card);
        v_confirm := jsonb_path_query_array(v_findings, '$[*] ? (@.severity == "critical" || @.severity == "major")');
        if v_confirm <> '[]'::jsonb and not coalesce(p_confirm_findings, false) then
            raise exception using errcode = 'AC001',
                message = format('confirm_findings: the %s has %s critical or major finding(s): %s',
                    case when p_edited_content is null then 'draft' else 'edited text' end, jsonb_array_length(v_confirm),
                    (select string_agg(format('%s %s (%s)', f ->> 'dimension', f ->> 'check', f ->> 'detail'), '; ')
                     from jsonb_array_elements(v_confirm) f)),
                detail = v_confirm::text,
                hint = 'Fix the text, or approve it with them: p_confirm_findings => true (recorded with your decision).',
                column = 'confirm_findings';
        end if;
    end if;

    insert into aicrm.deliverable_reviews (tenant_id, task_id, deliverable_id, version, reviewer, decision, reason, edited,
                                           approved_deliverable_id, edit_diff, from_state, confirmed_findings)
    values (v_tenant, p_task_id, v_draft.deliverable_id, v_draft.version, p_reviewer, p_decision, p_reason,
            p_edited_content is not null, v_approved, v_diff, v_task.execution_state, nullif(v_confirm, '[]'::jsonb))
    returning review_id into v_review;
    -- A held draft's review is its spot check's verdict (docs/learning.md, "Spot checks").
    v_spot := aicrm_private.record_spot_check_verdict(v_draft.deliverable_id, p_decision, p_edited_content is not null,
        p_reviewer, v_review);
    v_to := case p_decision when 'approve' then 'approved' when 'reject' then 'rejected' when 'cancel' then 'cancelled'
            else 'queued' end;
    -- A person sent an escalated task back: its failures count from 0 again (the transitions keep
    -- the history), so it is not escalated again at its next failure.
    if v_to = 'queued' and v_task.execution_state = 'escalated' then
        update aicrm.project_tasks t set failures = 0 where t.tenant_id = v_tenant and t.task_id = p_task_id;
    end if;
    perform aicrm_private.transition_task(p_task_id, v_to, p_reviewer, coalesce(p_reason, p_decision),
        v_task.execution_state,
        jsonb_strip_nulls(jsonb_build_object('review_id', v_review, 'deliverable_id', v_draft.deliverable_id,
            'version', v_draft.version, 'approved_deliverable_id', v_approved,
            'confirmed_findings', nullif(v_confirm, '[]'::jsonb))),
        'review_task');
    return jsonb_build_object('review_id', v_review, 'task_id', p_task_id, 'from_state', v_task.execution_state,
                              'execution_state', v_to, 'approved_deliverable_id', v_approved, 'edit_diff', v_diff,
                              'scorecard', case when p_edited_content is not null then v_card end,
                              'findings', v_findings, 'confirmed_findings', nullif(v_confirm, '[]'::jsonb),
                              'spot_check_verdict', v_spot);
end
$$;

revoke execute on function aicrm.review_task(uuid, integer, text, text, text, text, jsonb, boolean, text) from public;
grant execute on function aicrm.review_task(uuid, integer, text, text, text, text, jsonb, boolean, text) to aicrm_app;
