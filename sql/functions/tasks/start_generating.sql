-- The worker API (docs/pipeline.md, "Workers"): start_generating, gathering_context -> generating. Fenced by the
-- lease's token like every write back (aicrm_private.lease_of, private/tasks/lease.sql).
-- SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

-- The worker has read the context and starts writing: gathering_context -> generating, fenced like
-- every write back (a worker that lost its lease cannot move the task its successor holds).
create or replace function aicrm.start_generating(p_task_id uuid, p_lease_token uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_task aicrm.project_tasks := aicrm_private.lease_of(p_task_id, p_lease_token);
begin
    if v_task.execution_state <> 'gathering_context' then
        raise exception using errcode = 'AC005',
            message = format('execution_state: task %s is %s, not gathering_context', p_task_id, v_task.execution_state),
            hint = 'Writing starts once, after the claim; a retry writes again from evaluating.',
            column = 'execution_state';
    end if;
    return aicrm_private.transition_task(p_task_id, 'generating', v_task.lease_holder, 'context read', 'gathering_context',
        '{}', 'start_generating');
end
$$;

revoke execute on function aicrm.start_generating(uuid, uuid) from public;
grant execute on function aicrm.start_generating(uuid, uuid) to aicrm_worker;
