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
