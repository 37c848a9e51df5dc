-- The task state machine's public form (docs/pipeline.md); the machine itself is
-- aicrm_private.transition_task (private/tasks/transition_task.sql).

-- The public form: transitions any caller may make (a rule without via): queue a draft task,
-- cancel, send an escalated task back, start writing after reading the context.
create or replace function aicrm.transition_task_state(
    p_task_id uuid,
    p_to_state text,
    p_actor text,
    p_reason text default null,
    p_expected_state text default null,
    p_details jsonb default '{}'
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    return aicrm_private.transition_task(p_task_id, p_to_state, p_actor, p_reason, p_expected_state, p_details, null);
end
$$;

revoke execute on function aicrm.transition_task_state(uuid, text, text, text, text, jsonb) from public;
grant execute on function aicrm.transition_task_state(uuid, text, text, text, text, jsonb) to aicrm_app, aicrm_worker;
