-- Human review by draft: review_deliverable (one decision) and review_deliverables (several, all
-- or nothing), both through review_task (tasks/review_task.sql).

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
-- edited_content?, edited_subject?, reason?, text_metrics?, confirm_findings?, changes?}, ...]
-- (review_task's parameters; changes: request_changes's structured edits, by draft; a
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
            if v_item ? 'changes' then  -- structured edits: request_changes (by draft)
                if v_item ->> 'decision' is distinct from 'request_changes' then
                    raise exception using errcode = 'AC001', column = 'changes',
                        message = 'changes: only a request_changes decision carries changes';
                end if;
                v_out := v_out || aicrm.request_changes((v_item ->> 'deliverable_id')::uuid,
                    (v_item ->> 'version')::integer, v_item -> 'changes', v_item ->> 'reason', p_reviewer);
                v_index := v_index + 1;
                continue;
            end if;
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

-- A person sends a draft back with changes a writer can act on (docs/pipeline.md, "Requested
-- changes"): review_task's request_changes on the draft (p_deliverable_id, p_version: the task's
-- latest), with p_changes, 1-20 edits (schema review.changes): {"type": "add_key_point", "text"},
-- {"type": "remove", "text"} (a phrase or a line of the draft), {"type": "shorten", "max_words"},
-- {"type": "change_cta", "text"}, {"type": "use_phrase", "text"}, {"type": "avoid_phrase",
-- "text"}; and/or p_reason, free text (given to model writers verbatim, fenced as the reviewer's).
-- The edits are kept on the review (deliverable_reviews.changes) and aicrm.get_draft_brief hands
-- them to the next draft's writer. Errors: review_task's, and AC001 changes[i].<field> (a type
-- without its text or max_words, a phrase to remove that the draft does not contain, an unknown
-- field); AC001 changes when neither edits nor a reason are given. All or nothing.
create or replace function aicrm.request_changes(
    p_deliverable_id uuid,
    p_version integer,
    p_changes jsonb,
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
    v_content text;
    v_item record;
    v_field text;
    v_result jsonb;
begin
    if p_changes is null and nullif(btrim(coalesce(p_reason, '')), '') is null then
        raise exception using errcode = 'AC001', column = 'changes',
            message = 'changes: give the edits to make, a reason, or both',
            hint = 'For example [{"type": "add_key_point", "text": "Open until 8 pm on Fridays"}].';
    end if;
    if p_changes is not null then
        perform aicrm_private.assert_json_valid('review.changes', p_changes, 'changes');
        select d.content into v_content from aicrm.project_deliverables as d
        where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
        for v_item in select c.value, c.ordinality - 1 as i from jsonb_array_elements(p_changes) with ordinality as c loop
            v_field := format('changes[%s]', v_item.i);
            if v_item.value ->> 'type' = 'shorten' then
                if v_item.value ? 'text' or not v_item.value ? 'max_words' then
                    raise exception using errcode = 'AC001', column = v_field || '.max_words',
                        message = v_field || '.max_words: shorten takes max_words (and no text)';
                end if;
            elsif v_item.value ? 'max_words' or not v_item.value ? 'text' then
                raise exception using errcode = 'AC001', column = v_field || '.text',
                    message = format('%s.text: %s takes a text (and no max_words)', v_field, v_item.value ->> 'type');
            elsif v_item.value ->> 'type' = 'remove' and v_content is not null
                  and strpos(lower(v_content), lower(v_item.value ->> 'text')) = 0 then
                raise exception using errcode = 'AC001', column = v_field || '.text',
                    message = format('%s.text: the draft does not contain %L', v_field, v_item.value ->> 'text'),
                    hint = 'Quote the phrase or line to remove as the draft writes it.';
            end if;
        end loop;
    end if;
    v_result := aicrm.review_deliverable(p_deliverable_id, p_version, 'request_changes', null,
        coalesce(nullif(btrim(coalesce(p_reason, '')), ''), 'changes requested'), p_reviewer);
    if p_changes is not null then
        update aicrm.deliverable_reviews as r
        set changes = p_changes
        where r.tenant_id = v_tenant and r.review_id = (v_result ->> 'review_id')::uuid;
        v_result := v_result || jsonb_build_object('changes', p_changes);
    end if;
    return v_result;
end
$$;

revoke execute on function aicrm.request_changes(uuid, integer, jsonb, text, text) from public;
grant execute on function aicrm.request_changes(uuid, integer, jsonb, text, text) to aicrm_app;
