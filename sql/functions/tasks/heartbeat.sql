-- The worker API (docs/pipeline.md, "Workers"): heartbeat keeps a lease alive. Fenced by the
-- lease's token like every write back (aicrm_private.lease_of, private/tasks/lease.sql).
-- SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

-- Keeps a lease alive: lease_until becomes now + p_lease_seconds. Returns the new lease_until.
create or replace function aicrm.heartbeat(p_task_id uuid, p_lease_token uuid, p_lease_seconds integer default 300)
returns timestamptz
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_lease interval := aicrm_private.lease_interval(p_lease_seconds);
    v_task aicrm.project_tasks := aicrm_private.lease_of(p_task_id, p_lease_token);
    v_until timestamptz := clock_timestamp() + v_lease;
begin
    update aicrm.project_tasks as t
    set lease_until = v_until
    where t.tenant_id = v_task.tenant_id and t.task_id = v_task.task_id;
    return v_until;
end
$$;

revoke execute on function aicrm.heartbeat(uuid, uuid, integer) from public;
grant execute on function aicrm.heartbeat(uuid, uuid, integer) to aicrm_worker;
