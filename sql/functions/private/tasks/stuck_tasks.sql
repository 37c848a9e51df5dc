-- The scheduled job detect-stuck-tasks (docs/operations.md): a task a worker has held under a
-- live lease for longer than the tenant's threshold for its state (the decision setting
-- stuck_after_minutes: gathering_context 15, generating 30, evaluating 15 by default) goes to a
-- person, with the reason and the evidence in its transition, and its lease ends, so the worker's
-- next write back is refused (its token is gone). A worker that keeps its lease alive while its
-- model call hangs is what this catches. A task whose lease expired is left alone: the next claim
-- takes it back to the queue (claim_next_task), counting a failure. Waiting states (queued, in
-- review, escalated, publishing) are not escalated: their delays are the alerts' to report.
--
-- Every tenant's tasks, oldest first, at most p_limit a call; tasks another transaction has
-- locked are skipped (the next run sees them). Returns how many it escalated. SECURITY DEFINER
-- (row-level security is forced on the owner too: it sets each tenant in turn) and executable by
-- no role but the owner; the job is aicrm.detect_stuck_tasks (sql/functions/tasks/).
create or replace function aicrm_private.escalate_stuck_tasks(p_limit integer)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid;
    v_after jsonb;
    v_task record;
    v_done bigint := 0;
begin
    if p_limit is null or p_limit < 1 or p_limit > 100000 then
        raise exception using errcode = 'AC001', message = 'limit: must be an integer from 1 to 100000',
            hint = 'Pass how many stuck tasks one call may escalate, e.g. 500.', column = 'limit';
    end if;
    for v_tenant in select t.tenant_id from aicrm.tenants t order by t.tenant_id loop
        exit when v_done >= p_limit;
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        -- The defaults overlaid with the states the tenant set (a setting is one JSON value: a
        -- tenant that sets generating's threshold keeps the others').
        v_after := coalesce((select d.value from aicrm.decision_setting_defaults d where d.setting_key = 'stuck_after_minutes'), '{}')
            || coalesce(aicrm.get_decision_settings() -> 'stuck_after_minutes', '{}');
        for v_task in
            select t.task_id, t.execution_state, t.state_changed_at, t.lease_holder, t.lease_until,
                   (v_after ->> t.execution_state)::integer as after_minutes
            from aicrm.project_tasks t
            where t.tenant_id = v_tenant
              and t.execution_state in ('gathering_context', 'generating', 'evaluating')
              and t.lease_until > clock_timestamp()
              and t.state_changed_at < clock_timestamp()
                  - make_interval(mins => coalesce((v_after ->> t.execution_state)::integer, 2147483647 / 60))
            order by t.state_changed_at
            limit p_limit - v_done
            for update of t skip locked
        loop
            perform aicrm_private.transition_task(v_task.task_id, 'escalated', 'system',
                format('stuck: %s for %s min under the live lease of %s (threshold %s min)', v_task.execution_state,
                       floor(extract(epoch from clock_timestamp() - v_task.state_changed_at) / 60), v_task.lease_holder,
                       v_task.after_minutes),
                v_task.execution_state,
                jsonb_build_object('stuck', true, 'state', v_task.execution_state, 'since', v_task.state_changed_at,
                                   'threshold_minutes', v_task.after_minutes, 'lease_holder', v_task.lease_holder,
                                   'lease_until', v_task.lease_until),
                -- the system's way to escalated from each state (as claim_next_task's and fail_task's)
                case when v_task.execution_state = 'evaluating' then 'record_evaluation' else 'fail_task' end);
            update aicrm.project_tasks as t
            set lease_holder = null, lease_token = null, lease_until = null
            where t.tenant_id = v_tenant and t.task_id = v_task.task_id;
            v_done := v_done + 1;
        end loop;
    end loop;
    return v_done;
end
$$;

revoke execute on function aicrm_private.escalate_stuck_tasks(integer) from public;
