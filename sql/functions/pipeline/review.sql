-- Human review (docs/pipeline.md, "Human review"): what a person decides on a task waiting for
-- one (a draft the rules sent to review, or an escalated task), and why it waits (review_queue).

-- What a person changed in a draft, word by word: the lower-case words (words_of) removed and
-- added, each with how many times, most first. The learning loop reads what people cut and add.
create or replace function aicrm_private.edit_diff(p_before text, p_after text)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with before as (
        select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_before)), ' ') w
        where w <> '' group by w
    ),
    after as (
        select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_after)), ' ') w
        where w <> '' group by w
    ),
    delta as (
        select coalesce(a.w, b.w) as w, coalesce(a.n, 0) - coalesce(b.n, 0) as n
        from after a full join before b on b.w = a.w
    )
    select jsonb_build_object(
        'removed', coalesce((select jsonb_object_agg(d.w, -d.n order by -d.n desc, d.w)
                             from (select * from delta where n < 0 order by n, w limit 50) d), '{}'),
        'added', coalesce((select jsonb_object_agg(d.w, d.n order by d.n desc, d.w)
                           from (select * from delta where n > 0 order by n desc, w limit 50) d), '{}'),
        'words_before', (select coalesce(sum(n), 0) from before),
        'words_after', (select coalesce(sum(n), 0) from after))
$$;

grant execute on function aicrm_private.edit_diff(text, text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- What a person should know before putting their name on a text: the scorecard's failing checks,
-- worst first, each {severity, dimension, check, detail, ...}. Compliance violations keep their
-- severity and structure checks theirs, except a text over a limit (more than one SMS segment,
-- more words or characters than the task allows), which is major here: the rules would send such
-- a draft back to the writer with a fix, but a person's approval publishes the text as it is
-- (scored_severity keeps the scorecard's own). A failed criterion (overall_min, sentiment_target,
-- ...) is minor: it says why the draft did not pass; the checks behind it are listed themselves.
-- A draft never scored (null) has no findings. Used by review_queue and review_task alike.
create or replace function aicrm_private.review_findings(p_card jsonb)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select coalesce(jsonb_agg(f.finding order by f.rank, f.ord), '[]')
    from (
        select jsonb_strip_nulls(jsonb_build_object('severity', v ->> 'severity', 'dimension', 'compliance',
                   'check', v ->> 'rule', 'pack', v ->> 'pack', 'field', v ->> 'field', 'detail', v ->> 'message',
                   'fix', v ->> 'fix')) as finding,
               case v ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end as rank,
               x.ord
        from jsonb_array_elements(coalesce(p_card #> '{details,compliance,violations}', '[]')) with ordinality x (v, ord)
        union all
        select jsonb_strip_nulls(jsonb_build_object(
                   'severity', case when o.over_limit then 'major' else c ->> 'severity' end,
                   'scored_severity', case when o.over_limit and c ->> 'severity' <> 'major' then c ->> 'severity' end,
                   'dimension', 'structure', 'check', c ->> 'check', 'detail', c ->> 'detail')),
               case when o.over_limit or c ->> 'severity' = 'major' then 1 else 2 end,
               1000 + x.ord
        from jsonb_array_elements(coalesce(p_card #> '{details,structure,checks}', '[]')) with ordinality x (c, ord)
        cross join lateral (
            -- The length check fails both ways; its "shorten" fix (with word_count) says it is over.
            select c ->> 'check' = 'sms_segments'
                   or (c ->> 'check' = 'length' and jsonb_path_exists(p_card,
                       '$.fixes[*] ? (@.dimension == "structure" && @.code == "shorten" && exists(@.params.word_count))'))
                   as over_limit
        ) o
        where (c ->> 'passed')::boolean is false
        union all
        select jsonb_build_object('severity', 'minor', 'dimension', 'criterion', 'check', k ->> 'criterion',
                   'detail', format('%s, expected %s', k -> 'actual', k -> 'expected')),
               2,
               2000 + x.ord
        from jsonb_array_elements(coalesce(p_card -> 'criteria', '[]')) with ordinality x (k, ord)
        where (k ->> 'passed')::boolean is false
          and k ->> 'criterion' not in ('no_major_violation', 'no_major_structure_issue')
    ) f
$$;

revoke execute on function aicrm_private.review_findings(jsonb) from public;
grant execute on function aicrm_private.review_findings(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Why a task waits for a person, in plain words (review_queue.reason): what put it there (the
-- worker's error, a failed delivery, a lost lease, the rule and its explanation, or who moved it),
-- then whether there is a draft at all, then the failing checks (review_findings), worst first.
-- p_actor, p_reason, p_details: the transition into the state; p_evaluation: the latest draft's
-- success_evaluation; p_version: its version (null: no draft).
create or replace function aicrm_private.waiting_reason(
    p_state text,
    p_actor text,
    p_reason text,
    p_details jsonb,
    p_evaluation jsonb,
    p_findings jsonb,
    p_version integer,
    p_scored boolean
)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select concat_ws(' ',
        case
            when p_details ? 'error' then format('The worker gave up (%s): %s.', p_reason,
                coalesce(nullif(concat_ws(': ', p_details #>> '{error,kind}', p_details #>> '{error,message}'), ''),
                         p_details ->> 'error'))
            when p_details ? 'outbox_id' then format('Delivery failed (%s)%s.', p_reason,
                coalesce(': ' || nullif(p_details ->> 'response', '{}'), ''))
            when p_actor = 'system' then format('Its worker stopped answering (%s).', p_reason)
            when p_actor = 'rules' and p_evaluation is not null then format('%s by %s: %s',
                case p_state when 'escalated' then 'Escalated' else 'Sent to review' end,
                coalesce(format('the rule "%s"', p_evaluation #>> '{rule,name}'), 'the rules (no rule matched)'),
                coalesce(p_evaluation ->> 'explanation', p_reason))
            else format('%s by %s%s.', case p_state when 'escalated' then 'Escalated' else 'Sent to review' end,
                        p_actor, coalesce(': ' || p_reason, ''))
        end,
        case
            when p_version is null then 'No draft was written.'
            when not p_scored then format('Draft version %s was not scored.', p_version)
        end,
        (select 'Failing: ' || string_agg(format('%s %s %s (%s)', f ->> 'severity', f ->> 'dimension', f ->> 'check',
                                                 f ->> 'detail'), '; ' order by n)
                || case when jsonb_array_length(p_findings) > 5
                        then format('; and %s more', jsonb_array_length(p_findings) - 5) else '' end || '.'
         from jsonb_array_elements(p_findings) with ordinality x (f, n)
         where n <= 5))
$$;

revoke execute on function aicrm_private.waiting_reason(text, text, text, jsonb, jsonb, jsonb, integer, boolean) from public;
grant execute on function aicrm_private.waiting_reason(text, text, text, jsonb, jsonb, jsonb, integer, boolean)
to aicrm_app, aicrm_worker, aicrm_readonly;

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
-- the audit log keeps both.
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
                              'findings', v_findings, 'confirmed_findings', nullif(v_confirm, '[]'::jsonb));
end
$$;

revoke execute on function aicrm.review_task(uuid, integer, text, text, text, text, jsonb, boolean, text) from public;
grant execute on function aicrm.review_task(uuid, integer, text, text, text, text, jsonb, boolean, text) to aicrm_app;

-- The task of a draft a person read, checking they read that version (AC002 deliverable_id,
-- AC001/AC005 version): what review_deliverable and review_deliverables name a decision by.
create or replace function aicrm_private.task_of_draft(p_deliverable_id uuid, p_version integer)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task uuid;
    v_version integer;
begin
    if p_version is null then
        raise exception using errcode = 'AC001', message = 'version: is required',
            hint = 'Pass the version you read (review_queue shows it).', column = 'version';
    end if;
    select d.task_id, d.version into v_task, v_version
    from aicrm.project_deliverables d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id),
            hint = 'Pass a draft of this tenant (review_queue lists those waiting).', column = 'deliverable_id';
    end if;
    if v_version <> p_version then
        raise exception using errcode = 'AC005',
            message = format('version: you reviewed version %s; this draft is version %s', p_version, v_version),
            hint = 'Read the current draft and decide on it.', column = 'version';
    end if;
    return v_task;
end
$$;

revoke execute on function aicrm_private.task_of_draft(uuid, integer) from public;

-- The first signature, by draft: review_task on the draft's task (p_version must be this draft's
-- version and the task's latest). It has no text metrics and no confirmation: an edit is scored
-- in SQL only (readability and sentiment n/a), and an approval whose text has critical or major
-- findings is refused (AC001 confirm_findings); review_task confirms them.
create or replace function aicrm.review_deliverable(
    p_deliverable_id uuid,
    p_version integer,
    p_decision text,
    p_edited_content text default null,
    p_reason text default null,
    p_reviewer text default current_user
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    return aicrm.review_task(p_task_id => aicrm_private.task_of_draft(p_deliverable_id, p_version),
        p_version => p_version, p_decision => p_decision, p_edited_content => p_edited_content, p_reason => p_reason,
        p_reviewer => p_reviewer);
end
$$;

revoke execute on function aicrm.review_deliverable(uuid, integer, text, text, text, text) from public;
grant execute on function aicrm.review_deliverable(uuid, integer, text, text, text, text) to aicrm_app;

-- Several decisions at once: p_reviews is [{deliverable_id | task_id, version, decision,
-- edited_content?, edited_subject?, reason?, text_metrics?, confirm_findings?}, ...] (review_task's parameters; a
-- task_id for a task with no draft). All or nothing: one refused item refuses the batch, the
-- error naming its index (reviews[2].version).
create or replace function aicrm.review_deliverables(p_reviews jsonb, p_reviewer text default current_user)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_item jsonb;
    v_index integer := 0;
    v_out jsonb := '[]';
    v_column text;
    v_message text;
    v_detail text;
    v_hint text;
    v_code text;
begin
    if jsonb_typeof(p_reviews) is distinct from 'array' or jsonb_array_length(p_reviews) = 0
       or jsonb_array_length(p_reviews) > 500 then
        raise exception using errcode = 'AC001', message = 'reviews: must be an array of 1-500 decisions',
            hint = 'Pass [{"deliverable_id": ..., "version": ..., "decision": "approve"}, ...].', column = 'reviews';
    end if;
    for v_item in select jsonb_array_elements(p_reviews) loop
        begin
            v_out := v_out || aicrm.review_task(
                p_task_id => case when v_item ? 'task_id' then (v_item ->> 'task_id')::uuid
                                  else aicrm_private.task_of_draft((v_item ->> 'deliverable_id')::uuid,
                                                                   (v_item ->> 'version')::integer) end,
                p_version => (v_item ->> 'version')::integer, p_decision => v_item ->> 'decision',
                p_edited_content => v_item ->> 'edited_content', p_reason => v_item ->> 'reason',
                p_reviewer => p_reviewer, p_text_metrics => nullif(v_item -> 'text_metrics', 'null'::jsonb),
                p_confirm_findings => coalesce((v_item ->> 'confirm_findings')::boolean, false),
                p_edited_subject => v_item ->> 'edited_subject');
        exception
            when sqlstate 'AC001' or sqlstate 'AC002' or sqlstate 'AC005' or sqlstate 'AC006' then
                get stacked diagnostics v_code = returned_sqlstate, v_column = column_name, v_message = message_text,
                    v_detail = pg_exception_detail, v_hint = pg_exception_hint;
                raise exception using errcode = v_code,
                    message = format('reviews[%s].%s', v_index, v_message), detail = v_detail, hint = v_hint,
                    column = format('reviews[%s].%s', v_index, coalesce(nullif(v_column, ''), 'item'));
            when invalid_text_representation then
                raise exception using errcode = 'AC001',
                    message = format('reviews[%s]: task_id and deliverable_id must be uuids, version an integer and'
                                     ' confirm_findings a boolean', v_index),
                    hint = 'Pass the values review_queue shows.', column = format('reviews[%s]', v_index);
        end;
        v_index := v_index + 1;
    end loop;
    return v_out;
end
$$;

revoke execute on function aicrm.review_deliverables(jsonb, text) from public;
grant execute on function aicrm.review_deliverables(jsonb, text) to aicrm_app;
