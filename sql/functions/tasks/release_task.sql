-- The worker API (docs/pipeline.md, "Workers"): release_task gives a task back. Fenced by the
-- lease's token like every write back (aicrm_private.lease_of, private/tasks/lease.sql).
-- SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

-- Gives a task back (a worker shutting down): queued and claimable at once, the lease ended,
-- failures unchanged.
create or replace function aicrm.release_task(p_task_id uuid, p_lease_token uuid, p_reason text default 'released')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_task aicrm.project_tasks;
begin
    if nullif(btrim(p_reason), '') is null or char_length(p_reason) > 500 then
        raise exception using errcode = 'AC001', message = 'reason: is required (at most 500 characters)',
            hint = 'Say why, e.g. "worker shutting down".', column = 'reason';
    end if;
    v_task := aicrm_private.lease_of(p_task_id, p_lease_token);
    perform aicrm_private.transition_task(p_task_id, 'queued', v_task.lease_holder, p_reason, null, '{}', 'release_task');
    update aicrm.project_tasks as t
    set available_at = now(), lease_holder = null, lease_token = null, lease_until = null
    where t.tenant_id = v_task.tenant_id and t.task_id = v_task.task_id;
    return jsonb_build_object('execution_state', 'queued', 'available_at', now());
end
$$;

revoke execute on function aicrm.release_task(uuid, uuid, text) from public;
grant execute on function aicrm.release_task(uuid, uuid, text) to aicrm_worker;
