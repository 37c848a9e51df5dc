-- The task state machine (docs/pipeline.md): the one way a task's execution_state changes.

-- A draft's status (project_deliverables.status) follows its task's decisions, here, where every
-- path that moves a task passes (the rules, a person, a worker, the publisher): draft (no verdict
-- yet), approved (to be published), published (delivered), rejected (never to be published:
-- turned down by the rules or a person, replaced by a later version, or its task cancelled). The
-- decision's who and why are in the task's transitions, success_evaluation and
-- deliverable_reviews. Only rows whose status changes are written.
--   -> approved: the approved draft (details approved_deliverable_id, else deliverable_id, else the
--      latest) approved; any other undecided or approved version rejected (the version a person
--      edited);
--   -> delivered: the approved version published;
--   -> awaiting_review: the latest version undecided again (a person decides on it);
--   -> queued, generating: the latest version rejected: the next draft replaces it (a retry,
--      changes requested, sent back, released by its worker);
--   -> rejected, cancelled: the latest version rejected.
-- Other transitions change no draft (publishing keeps its approved draft, an escalation its draft).
create or replace function aicrm_private.sync_deliverable_status(
    p_tenant uuid, p_task_id uuid, p_to_state text, p_details jsonb
)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_latest uuid;
    v_chosen uuid;
begin
    if p_to_state not in ('approved', 'delivered', 'awaiting_review', 'queued', 'generating', 'rejected', 'cancelled') then
        return;
    end if;
    select d.deliverable_id into v_latest
    from aicrm.project_deliverables d
    where d.tenant_id = p_tenant and d.task_id = p_task_id
    order by d.version desc
    limit 1;
    if v_latest is null then
        return;  -- no draft yet
    end if;
    v_chosen := case when p_to_state = 'approved' then coalesce(
        (p_details ->> 'approved_deliverable_id')::uuid, (p_details ->> 'deliverable_id')::uuid, v_latest) end;
    update aicrm.project_deliverables d
    set status = x.status
    from (
        select d2.deliverable_id, case
            when p_to_state = 'approved' and d2.deliverable_id = v_chosen then 'approved'
            when p_to_state = 'approved' and d2.status in ('draft', 'approved') then 'rejected'
            when p_to_state = 'delivered' and d2.status = 'approved' then 'published'
            when p_to_state = 'awaiting_review' and d2.deliverable_id = v_latest then 'draft'
            when p_to_state in ('queued', 'generating', 'rejected', 'cancelled') and d2.deliverable_id = v_latest
                 and d2.status in ('draft', 'approved') then 'rejected'
            end as status
        from aicrm.project_deliverables d2
        where d2.tenant_id = p_tenant and d2.task_id = p_task_id
    ) x
    where d.tenant_id = p_tenant and d.task_id = p_task_id and d.deliverable_id = x.deliverable_id
      and x.status is not null and x.status is distinct from d.status;
end
$$;

revoke execute on function aicrm_private.sync_deliverable_status(uuid, uuid, text, jsonb) from public;

-- Moves a task of the caller's tenant to p_to_state if aicrm.task_state_transition_rules allows it
-- from the state it is in, and records the transition. p_via names the API function making it
-- (a rule with a via may be used only through that function); p_expected_state, when given, must
-- be the task's state (compare-and-set: of two callers racing from the same state, the second is
-- refused). The task's row is locked first, so concurrent transitions of one task take turns.
create or replace function aicrm_private.transition_task(
    p_task_id uuid,
    p_to_state text,
    p_actor text,
    p_reason text,
    p_expected_state text,
    p_details jsonb,
    p_via text
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_from text;
    v_rule record;
    v_at timestamptz := clock_timestamp();
    v_id bigint;
begin
    if p_task_id is null then
        raise exception using errcode = 'AC001', message = 'task_id: is required',
            hint = 'Pass the id of a task of this tenant.', column = 'task_id';
    end if;
    if p_to_state is null or not exists (select from aicrm.task_states s where s.state = p_to_state) then
        raise exception using errcode = 'AC001',
            message = format('to_state: %s is not a state', coalesce(quote_literal(p_to_state), 'null')),
            hint = format('Use one of %s.', (select string_agg(s.state, ', ' order by s.state) from aicrm.task_states s)),
            column = 'to_state';
    end if;
    if nullif(btrim(p_actor), '') is null or char_length(p_actor) > 200 then
        raise exception using errcode = 'AC001', message = 'actor: is required (at most 200 characters)',
            hint = 'Say who makes the transition: a worker id, a user, "rules".', column = 'actor';
    end if;
    if jsonb_typeof(coalesce(p_details, '{}')) <> 'object' then
        raise exception using errcode = 'AC001', message = 'details: must be a JSON object',
            hint = 'Pass {} or an object of facts about the transition.', column = 'details';
    end if;

    select t.execution_state into v_from
    from aicrm.project_tasks t
    where t.tenant_id = v_tenant and t.task_id = p_task_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', message = format('task_id: no task %s in this tenant', p_task_id),
            hint = 'Pass the id of a task of this tenant.', column = 'task_id';
    end if;
    if p_expected_state is not null and v_from <> p_expected_state then
        raise exception using errcode = 'AC005',
            message = format('execution_state: the task is %s, not %s', v_from, p_expected_state),
            hint = 'Someone moved it first; read its state again.', column = 'execution_state';
    end if;
    select r.*, s.leased as to_leased into v_rule
    from aicrm.task_state_transition_rules r
    join aicrm.task_states s on s.state = r.to_state
    where r.from_state = v_from and r.to_state = p_to_state;
    if not found then
        raise exception using errcode = 'AC005',
            message = format('execution_state: %s -> %s is not allowed', v_from, p_to_state),
            hint = coalesce('From ' || v_from || ' a task may go to ' || (
                select string_agg(r.to_state, ', ' order by r.to_state)
                from aicrm.task_state_transition_rules r where r.from_state = v_from) || '.',
                format('%s is a final state.', v_from)),
            column = 'execution_state';
    end if;
    if v_rule.via is not null and v_rule.via is distinct from p_via then
        raise exception using errcode = 'AC006',
            message = format('execution_state: %s -> %s is made by aicrm.%s only', v_from, p_to_state, v_rule.via),
            hint = format('Call aicrm.%s.', v_rule.via), column = 'execution_state';
    end if;

    update aicrm.project_tasks t
    set execution_state = p_to_state,
        state_changed_at = v_at,
        attempts = t.attempts + case when p_to_state = 'generating' then 1 else 0 end,
        blockers = case
            when p_to_state in ('awaiting_review', 'escalated') then
                case when v_from in ('awaiting_review', 'escalated') then '[]'::jsonb else t.blockers end
                || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                    'state', p_to_state, 'actor', p_actor, 'reason', p_reason, 'since', v_at)))
            when v_from in ('awaiting_review', 'escalated') then '[]'::jsonb
            else t.blockers end,
        -- A lease ends with the leased states (claim_next_task sets a new one after its transition).
        lease_holder = case when v_rule.to_leased then t.lease_holder end,
        lease_token = case when v_rule.to_leased then t.lease_token end,
        lease_until = case when v_rule.to_leased then t.lease_until end
    where t.tenant_id = v_tenant and t.task_id = p_task_id;

    insert into aicrm.task_state_transitions (tenant_id, task_id, from_state, to_state, actor, reason, details, created_at)
    values (v_tenant, p_task_id, v_from, p_to_state, p_actor, p_reason, coalesce(p_details, '{}'), v_at)
    returning transition_id into v_id;

    perform aicrm_private.sync_deliverable_status(v_tenant, p_task_id, p_to_state, p_details);
    -- The task's thread records who handed it to whom (private/messaging/task_handoffs.sql).
    perform aicrm_private.record_task_handoff(v_tenant, p_task_id, v_from, p_to_state, p_actor, p_reason,
        coalesce(p_details, '{}'));
    -- An approved draft waits in the outbox for a publisher (publishing/): every path to
    -- approved (the rules, a person) puts the draft it approved there.
    if p_to_state = 'approved' then
        perform aicrm_private.enqueue_publication(p_task_id,
            coalesce((p_details ->> 'approved_deliverable_id')::uuid, (p_details ->> 'deliverable_id')::uuid), p_actor);
    end if;
    -- Idle workers LISTEN here and claim at once. The payload names nothing: any role may listen.
    if p_to_state = 'queued' then
        perform pg_notify('aicrm_task_queued', '');
    end if;

    return jsonb_build_object('task_id', p_task_id, 'transition_id', v_id, 'from_state', v_from,
                              'to_state', p_to_state, 'actor', p_actor, 'reason', p_reason, 'at', v_at);
end
$$;

revoke execute on function aicrm_private.transition_task(uuid, text, text, text, text, jsonb, text) from public;
