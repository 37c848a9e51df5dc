-- Leases (docs/pipeline.md, "Workers" and "Publishing"): a worker holds a task, and a publisher a
-- delivery, under a lease whose token its claim returned (claim_next_task, claim_next_delivery_v2),
-- and writes back only under it. A lease that runs out is reclaimed by the next claim with a new
-- token, so whoever lost it can write nothing more: every write back locks its row and passes the
-- one fence, check_lease, first (lease_of for tasks, here; held_delivery for deliveries,
-- private/publishing/held_delivery.sql).

-- A lease length from the caller: 5 s to a day (a hung worker must not hold a task forever, and a
-- lease shorter than a heartbeat's round trip would expire under a live worker).
create or replace function aicrm_private.lease_interval(p_lease_seconds integer)
returns interval
language plpgsql
immutable
set search_path = ''
as $$
begin
    if p_lease_seconds is null or p_lease_seconds not between 5 and 86400 then
        raise exception using errcode = 'AC001',
            message = format('lease_seconds: %s is not 5-86400', coalesce(p_lease_seconds::text, 'null')),
            hint = 'Pass a lease of 5 seconds to a day, longer than the time between heartbeats.',
            column = 'lease_seconds';
    end if;
    return make_interval(secs => p_lease_seconds);
end
$$;

revoke execute on function aicrm_private.lease_interval(integer) from public;

-- The fence of every write back under a lease, for tasks (p_kind 'task') and deliveries
-- ('delivery'). The caller has locked its row of the caller's tenant and passes what it found:
-- p_found, the row's state, whether that state is held under a lease (p_leased) and its lease
-- token. Refuses, in this order: no id or no token (AC001); no such row in the tenant (AC002); a
-- row not held under a lease (AC005: it left the leased states, or was recorded or released) or
-- held under another token (AC005: the lease expired and was reclaimed, or another worker has
-- it). A lease that ran out but was not reclaimed yet still holds: nobody else has the row.
create or replace function aicrm_private.check_lease(
    p_kind text,
    p_id uuid,
    p_lease_token uuid,
    p_found boolean,
    p_state text,
    p_leased boolean,
    p_held_token uuid
)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_task boolean := p_kind = 'task';
    v_field text := case when v_task then 'task_id' else 'outbox_id' end;
    v_claim text := case when v_task then 'claim_next_task' else 'claim_next_delivery_v2' end;
begin
    if p_id is null then
        raise exception using errcode = 'AC001', message = v_field || ': is required',
            hint = format('Pass the %s %s returned.', v_field, v_claim), column = v_field;
    end if;
    if p_lease_token is null then
        raise exception using errcode = 'AC001', message = 'lease_token: is required',
            hint = format('Pass the lease_token %s returned.', v_claim), column = 'lease_token';
    end if;
    if not p_found then
        raise exception using errcode = 'AC002',
            message = format('%s: no %s %s in this tenant', v_field, case when v_task then 'task' else 'outbox row' end,
                             p_id),
            hint = case when v_task then 'Set the tenant claim_next_task returned (tenant_id) before writing back.'
                        else 'Set the tenant claim_next_delivery_v2 returned.' end,
            column = v_field;
    end if;
    if p_held_token is null or not coalesce(p_leased, false) or p_held_token <> p_lease_token then
        raise exception using errcode = 'AC005',
            message = case
                when not v_task then
                    format('lease_token: the delivery of %s is not held by this lease (it is %s)', p_id, p_state)
                when p_held_token is null or not coalesce(p_leased, false) then
                    format('lease_token: task %s is %s, not held under a lease', p_id, p_state)
                else format('lease_token: the lease on task %s is held by another worker (or expired and was reclaimed)',
                            p_id) end,
            hint = case when v_task then 'Stop working on it; claim the next task with aicrm.claim_next_task.'
                        else 'Stop: another publisher has it, or it was recorded or released already.' end,
            column = 'lease_token';
    end if;
end
$$;

revoke execute on function aicrm_private.check_lease(text, uuid, uuid, boolean, text, boolean, uuid) from public;

-- A task under its lease: the task of the caller's tenant, locked, when p_lease_token is its lease
-- (check_lease; the leased states are those aicrm.task_states marks leased).
create or replace function aicrm_private.lease_of(p_task_id uuid, p_lease_token uuid)
returns aicrm.project_tasks
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
begin
    select t.* into v_task
    from aicrm.project_tasks t
    where t.tenant_id = v_tenant and t.task_id = p_task_id
    for update;
    perform aicrm_private.check_lease('task', p_task_id, p_lease_token, found, v_task.execution_state,
        (select s.leased from aicrm.task_states s where s.state = v_task.execution_state), v_task.lease_token);
    return v_task;
end
$$;

revoke execute on function aicrm_private.lease_of(uuid, uuid) from public;
