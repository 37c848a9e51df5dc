-- Human review (docs/pipeline.md): the decision of a person on a draft in review.

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

-- A person's decision on the draft a task in review waits on. p_version must be the version they
-- read, and the task's latest: a draft replaced since (a newer version) is refused, so nobody
-- approves what they did not see. approve (with p_edited_content: the edit becomes the next
-- version, and that version is approved) -> approved; reject -> rejected; request_changes ->
-- queued, the reason kept for the writer. Recorded in aicrm.deliverable_reviews (with the edit's
-- word diff) and in the task's transitions; the audit log keeps both.
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
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_draft record;
    v_latest integer;
    v_state text;
    v_approved uuid;
    v_diff jsonb;
    v_review uuid;
    v_to text;
begin
    if p_decision is null or p_decision not in ('approve', 'reject', 'request_changes') then
        raise exception using errcode = 'AC001',
            message = format('decision: %s is not a decision', coalesce(quote_literal(p_decision), 'null')),
            hint = 'Use approve, reject or request_changes.', column = 'decision';
    end if;
    if p_edited_content is not null and p_decision <> 'approve' then
        raise exception using errcode = 'AC001', message = 'edited_content: only an approval carries an edit',
            hint = 'To have the writer change it, use request_changes with a reason.', column = 'edited_content';
    end if;
    if p_decision in ('reject', 'request_changes') and nullif(btrim(p_reason), '') is null then
        raise exception using errcode = 'AC001', message = format('reason: a %s needs a reason', replace(p_decision, '_', ' ')),
            hint = 'Say what is wrong: the writer and the learning loop read it.', column = 'reason';
    end if;
    if nullif(btrim(p_reviewer), '') is null or char_length(p_reviewer) > 200 then
        raise exception using errcode = 'AC001', message = 'reviewer: is required (at most 200 characters)',
            hint = 'Name the person deciding.', column = 'reviewer';
    end if;
    if p_version is null then
        raise exception using errcode = 'AC001', message = 'version: is required',
            hint = 'Pass the version you read (review_queue shows it).', column = 'version';
    end if;
    select d.deliverable_id, d.task_id, d.version, d.subject, d.content, d.content_format into v_draft
    from aicrm.project_deliverables d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id),
            hint = 'Pass a draft of this tenant (review_queue lists those waiting).', column = 'deliverable_id';
    end if;
    -- The task first (the order every writer of a task takes), then the versions.
    select t.execution_state into v_state
    from aicrm.project_tasks t where t.tenant_id = v_tenant and t.task_id = v_draft.task_id for update;
    select max(d.version) into v_latest
    from aicrm.project_deliverables d where d.tenant_id = v_tenant and d.task_id = v_draft.task_id;
    if v_draft.version <> p_version or v_latest <> p_version then
        raise exception using errcode = 'AC005',
            message = format('version: you reviewed version %s; the task''s draft is version %s', p_version, v_latest),
            hint = 'Read the current draft and decide on it.', column = 'version';
    end if;
    if v_state <> 'awaiting_review' then
        raise exception using errcode = 'AC005',
            message = format('execution_state: the task is %s, not awaiting_review', v_state),
            hint = 'Only a draft the rules sent to review is decided here.', column = 'execution_state';
    end if;

    v_approved := case when p_decision = 'approve' and p_edited_content is null then v_draft.deliverable_id end;
    if p_decision = 'approve' and p_edited_content is not null then
        v_diff := aicrm_private.edit_diff(v_draft.content, p_edited_content);
        -- The row trigger validates the edit (empty, too long: AC001 content).
        insert into aicrm.project_deliverables (tenant_id, task_id, version, subject, content, content_format, created_by,
                                                provenance)
        values (v_tenant, v_draft.task_id, v_latest + 1, v_draft.subject, p_edited_content, v_draft.content_format,
                p_reviewer, jsonb_build_object('edited_from_version', v_draft.version, 'editor', p_reviewer))
        returning deliverable_id into v_approved;
    end if;
    insert into aicrm.deliverable_reviews (tenant_id, task_id, deliverable_id, version, reviewer, decision, reason, edited,
                                           approved_deliverable_id, edit_diff)
    values (v_tenant, v_draft.task_id, v_draft.deliverable_id, v_draft.version, p_reviewer, p_decision, p_reason,
            p_edited_content is not null, v_approved, v_diff)
    returning review_id into v_review;
    v_to := case p_decision when 'approve' then 'approved' when 'reject' then 'rejected' else 'queued' end;
    perform aicrm_private.transition_task(v_draft.task_id, v_to, p_reviewer, coalesce(p_reason, p_decision), 'awaiting_review',
        jsonb_build_object('review_id', v_review, 'deliverable_id', v_draft.deliverable_id, 'version', v_draft.version,
                           'approved_deliverable_id', v_approved),
        'review_deliverable');
    return jsonb_build_object('review_id', v_review, 'task_id', v_draft.task_id, 'execution_state', v_to,
                              'approved_deliverable_id', v_approved, 'edit_diff', v_diff);
end
$$;

revoke execute on function aicrm.review_deliverable(uuid, integer, text, text, text, text) from public;
grant execute on function aicrm.review_deliverable(uuid, integer, text, text, text, text) to aicrm_app;

-- Several decisions at once: p_reviews is [{deliverable_id, version, decision, edited_content?,
-- reason?}, ...]. All or nothing: one refused item refuses the batch, the error naming its index
-- (reviews[2].version).
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
            v_out := v_out || aicrm.review_deliverable((v_item ->> 'deliverable_id')::uuid, (v_item ->> 'version')::integer,
                v_item ->> 'decision', v_item ->> 'edited_content', v_item ->> 'reason', p_reviewer);
        exception
            when sqlstate 'AC001' or sqlstate 'AC002' or sqlstate 'AC005' or sqlstate 'AC006' then
                get stacked diagnostics v_code = returned_sqlstate, v_column = column_name, v_message = message_text,
                    v_hint = pg_exception_hint;
                raise exception using errcode = v_code,
                    message = format('reviews[%s].%s', v_index, v_message), hint = v_hint,
                    column = format('reviews[%s].%s', v_index, coalesce(nullif(v_column, ''), 'item'));
            when invalid_text_representation then
                raise exception using errcode = 'AC001',
                    message = format('reviews[%s]: deliverable_id must be a uuid and version an integer', v_index),
                    hint = 'Pass the values review_queue shows.', column = format('reviews[%s]', v_index);
        end;
        v_index := v_index + 1;
    end loop;
    return v_out;
end
$$;

revoke execute on function aicrm.review_deliverables(jsonb, text) from public;
grant execute on function aicrm.review_deliverables(jsonb, text) to aicrm_app;
