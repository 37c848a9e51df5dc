-- The worker API (docs/pipeline.md, "Workers"): fail_task gives up on an attempt. Fenced by the
-- lease's token like every write back (aicrm_private.lease_of, private/tasks/lease.sql).
-- SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

-- The worker gives up on this attempt: failures + 1 and the error in the transition's details.
-- Retryable and under the tenant's escalate_after_failures (a decision setting, default 3): back
-- to queued, not claimable for 10 s * 2^(failures - 1), at most 15 minutes. Otherwise escalated.
-- Either way the lease ends.
create or replace function aicrm.fail_task(
    p_task_id uuid,
    p_lease_token uuid,
    p_error jsonb,
    p_retryable boolean default true
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_task aicrm.project_tasks;
    v_failures integer;
    v_max integer;
    v_backoff integer;
    v_at timestamptz;
begin
    if jsonb_typeof(p_error) is distinct from 'object' or octet_length(p_error::text) > 16384 then
        raise exception using errcode = 'AC001', message = 'error: must be a JSON object of at most 16 KiB',
            hint = 'Pass {"kind": "timeout", "message": "..."}.', column = 'error';
    end if;
    if p_retryable is null then
        raise exception using errcode = 'AC001', message = 'retryable: is required',
            hint = 'Pass true when another attempt may succeed (a timeout), false when it cannot.', column = 'retryable';
    end if;
    v_task := aicrm_private.lease_of(p_task_id, p_lease_token);
    v_failures := v_task.failures + 1;
    v_max := coalesce((aicrm.get_decision_settings() ->> 'escalate_after_failures')::integer, 3);

    if p_retryable and v_failures < v_max then
        v_backoff := least(10 * power(2, v_failures - 1), 900)::integer;
        v_at := now() + make_interval(secs => v_backoff);
        perform aicrm_private.transition_task(p_task_id, 'queued', v_task.lease_holder,
            format('failed (%s of %s); retry in %s s', v_failures, v_max, v_backoff), null,
            jsonb_build_object('error', p_error, 'failures', v_failures, 'retryable', true, 'available_at', v_at),
            'release_task');
    else
        v_at := null;
        -- From evaluating, the one way to escalated is record_evaluation's: a worker that cannot
        -- evaluate (its metrics failed) escalates through that rule (task_state_transition_rules).
        perform aicrm_private.transition_task(p_task_id, 'escalated', v_task.lease_holder,
            case when p_retryable then format('failed %s times', v_failures) else 'failed, not retryable' end, null,
            jsonb_build_object('error', p_error, 'failures', v_failures, 'retryable', p_retryable),
            case when v_task.execution_state = 'evaluating' then 'record_evaluation' else 'fail_task' end);
    end if;
    update aicrm.project_tasks as t
    set failures = v_failures, available_at = coalesce(v_at, t.available_at),
        lease_holder = null, lease_token = null, lease_until = null
    where t.tenant_id = v_task.tenant_id and t.task_id = v_task.task_id;
    return jsonb_build_object('execution_state', case when v_at is null then 'escalated' else 'queued' end,
                              'failures', v_failures, 'available_at', v_at);
end
$$;

revoke execute on function aicrm.fail_task(uuid, uuid, jsonb, boolean) from public;
grant execute on function aicrm.fail_task(uuid, uuid, jsonb, boolean) to aicrm_worker;
