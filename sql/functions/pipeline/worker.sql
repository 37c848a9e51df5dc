-- The worker API (docs/pipeline.md, "Workers"): a worker claims a task with a lease, keeps it
-- alive with heartbeats and writes back only through these functions, each fenced by the lease's
-- token. A lease that runs out is reclaimed by the next claim with a new token, so the worker
-- that lost it can write nothing more: every write back locks the task and compares tokens first.
-- All SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

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

-- The fence. Locks the task (of the caller's tenant) and returns it if p_lease_token is its current
-- lease; otherwise refuses with AC005: the lease expired and was reclaimed (a new token), or the
-- task left the leased states (evaluated, failed, released, cancelled). A lease that ran out but
-- was not reclaimed yet still holds: nobody else has the task.
create or replace function aicrm_private.lease_of(p_task_id uuid, p_lease_token uuid)
returns aicrm.project_tasks
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
begin
    if p_task_id is null then
        raise exception using errcode = 'AC001', message = 'task_id: is required',
            hint = 'Pass the task_id claim_next_task returned.', column = 'task_id';
    end if;
    if p_lease_token is null then
        raise exception using errcode = 'AC001', message = 'lease_token: is required',
            hint = 'Pass the lease_token claim_next_task returned.', column = 'lease_token';
    end if;
    select t.* into v_task
    from aicrm.project_tasks t
    where t.tenant_id = v_tenant and t.task_id = p_task_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', message = format('task_id: no task %s in this tenant', p_task_id),
            hint = 'Set the tenant claim_next_task returned (tenant_id) before writing back.', column = 'task_id';
    end if;
    if v_task.lease_token is null
       or not (select s.leased from aicrm.task_states s where s.state = v_task.execution_state) then
        raise exception using errcode = 'AC005',
            message = format('lease_token: task %s is %s, not held under a lease', p_task_id, v_task.execution_state),
            hint = 'Stop working on it; claim the next task with aicrm.claim_next_task.', column = 'lease_token';
    end if;
    if v_task.lease_token <> p_lease_token then
        raise exception using errcode = 'AC005',
            message = format('lease_token: the lease on task %s is held by another worker (or expired and was reclaimed)',
                             p_task_id),
            hint = 'Stop working on it; claim the next task with aicrm.claim_next_task.', column = 'lease_token';
    end if;
    return v_task;
end
$$;

revoke execute on function aicrm_private.lease_of(uuid, uuid) from public;

-- Claims one task of any tenant (of the caller's tenant only, when one is set): first a task whose
-- lease ran out (its worker died or hung; sent back to queued by 'system'), else the queued task of
-- the best priority that waited longest. FOR UPDATE SKIP LOCKED: concurrent workers never wait
-- for each other or get the same task. The tenant becomes the task's for the rest of the
-- transaction. Returns null when there is nothing to claim.
--
-- Seeing every tenant's queue is what the project_tasks_claim policy allows aicrm_owner, and only
-- while aicrm_private.claiming holds the key in aicrm_private.claim_key: set here for the two
-- queries below and cleared before anything else runs (transaction-local, so an error reverts it).
create or replace function aicrm.claim_next_task(p_worker_id text, p_lease_seconds integer default 300)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_only_tenant uuid := aicrm_private.current_tenant_id();
    v_lease interval := aicrm_private.lease_interval(p_lease_seconds);
    v_pick record;
    v_token uuid := gen_random_uuid();
    v_until timestamptz;
    v_task aicrm.project_tasks;
    v_draft jsonb;
    v_failures integer;
    -- A value, not the volatile clock_timestamp() itself, so that it is an index condition.
    v_now timestamptz := clock_timestamp();
begin
    if nullif(btrim(p_worker_id), '') is null or char_length(p_worker_id) > 200 then
        raise exception using errcode = 'AC001', message = 'worker_id: is required (at most 200 characters)',
            hint = 'Name the worker, e.g. host:pid; it is recorded as the actor of what it does.', column = 'worker_id';
    end if;

    <<pick>>
    loop
        perform set_config('aicrm_private.claiming', (select k.key::text from aicrm_private.claim_key as k), true);
        -- project_tasks_leases_idx: lease_until < ... implies the index's "lease_until is not null".
        select t.tenant_id, t.task_id, t.lease_holder, t.lease_until, t.execution_state, true as expired into v_pick
        from aicrm.project_tasks as t
        where t.lease_until < v_now
          and t.execution_state in ('gathering_context', 'generating', 'evaluating')
          and (v_only_tenant is null or t.tenant_id = v_only_tenant)
        order by t.lease_until
        limit 1
        for update skip locked;
        if not found then
            -- project_tasks_queue_idx: (priority, available_at) where execution_state = 'queued'.
            select t.tenant_id, t.task_id, null::text as lease_holder, null::timestamptz as lease_until,
                   t.execution_state, false as expired
            into v_pick
            from aicrm.project_tasks as t
            where t.execution_state = 'queued'
              and t.available_at <= now()
              and (v_only_tenant is null or t.tenant_id = v_only_tenant)
            order by t.priority, t.available_at
            limit 1
            for update skip locked;
        end if;
        perform set_config('aicrm_private.claiming', '', true);
        if v_pick.task_id is null then
            return null;
        end if;
        perform set_config('aicrm.tenant_id', v_pick.tenant_id::text, true);
        exit pick when not v_pick.expired;

        -- Its worker died or hung: a failure. A task that has failed escalate_after_failures times
        -- (a decision setting, default 3) goes to a person instead of taking down the next worker.
        update aicrm.project_tasks as t
        set failures = t.failures + 1
        where t.tenant_id = v_pick.tenant_id and t.task_id = v_pick.task_id
        returning t.failures into v_failures;
        if v_failures >= coalesce((aicrm.get_decision_settings() ->> 'escalate_after_failures')::integer, 3) then
            perform aicrm_private.transition_task(v_pick.task_id, 'escalated', 'system',
                format('lease of %s expired; %s failures', v_pick.lease_holder, v_failures), null,
                jsonb_build_object('lease_holder', v_pick.lease_holder, 'lease_until', v_pick.lease_until,
                                   'failures', v_failures),
                case when v_pick.execution_state = 'evaluating' then 'record_evaluation' else 'fail_task' end);
            v_pick := null;
            continue pick;  -- and look for another task
        end if;
        perform aicrm_private.transition_task(v_pick.task_id, 'queued', 'system',
            format('lease of %s expired', v_pick.lease_holder), null,
            jsonb_build_object('lease_holder', v_pick.lease_holder, 'lease_until', v_pick.lease_until,
                               'failures', v_failures), 'release_task');
        exit pick;
    end loop;
    v_until := clock_timestamp() + v_lease;
    perform aicrm_private.transition_task(v_pick.task_id, 'gathering_context', p_worker_id, 'claimed', 'queued',
        jsonb_build_object('lease_until', v_until), 'claim_next_task');
    update aicrm.project_tasks as t
    set lease_holder = p_worker_id, lease_token = v_token, lease_until = v_until
    where t.tenant_id = v_pick.tenant_id and t.task_id = v_pick.task_id
    returning t.* into v_task;

    -- The draft to improve on a retry (the task came back after its worker failed or died, or a
    -- person asked for changes: their reason comes first among the fixes).
    select jsonb_build_object('deliverable_id', d.deliverable_id, 'version', d.version, 'subject', d.subject,
                              'content', d.content,
                              'fixes', coalesce((
                                  select jsonb_build_array(jsonb_build_object('code', 'reviewer_request',
                                      'dimension', 'review', 'severity', 'major', 'message', r.reason,
                                      'reviewer', r.reviewer))
                                  from aicrm.deliverable_reviews as r
                                  where r.tenant_id = d.tenant_id and r.deliverable_id = d.deliverable_id
                                    and r.decision = 'request_changes'
                                  order by r.created_at desc
                                  limit 1), '[]'::jsonb) || coalesce(d.content_quality -> 'fixes', '[]'::jsonb))
    into v_draft
    from aicrm.project_deliverables as d
    where d.tenant_id = v_task.tenant_id and d.task_id = v_task.task_id
    order by d.version desc
    limit 1;
    -- A task that failed before its first draft and that a person sent back with a note
    -- (review_task's request_changes on an escalated task): no draft to improve, the note still
    -- reaches the writer, as the first fix.
    if v_draft is null then
        select jsonb_build_object('deliverable_id', null, 'version', null, 'subject', null, 'content', null,
                                  'fixes', jsonb_build_array(jsonb_build_object('code', 'reviewer_request',
                                      'dimension', 'review', 'severity', 'major', 'message', r.reason,
                                      'reviewer', r.reviewer)))
        into v_draft
        from aicrm.deliverable_reviews as r
        where r.tenant_id = v_task.tenant_id and r.task_id = v_task.task_id and r.deliverable_id is null
          and r.decision = 'request_changes'
        order by r.created_at desc
        limit 1;
    end if;

    return jsonb_build_object(
        'tenant_id', v_task.tenant_id,
        'task_id', v_task.task_id,
        'lease_token', v_token,
        'lease_until', v_until,
        'attempt', v_task.attempts + 1,
        'task', jsonb_build_object('customer_id', v_task.customer_id, 'channel', v_task.channel,
            'task_type', v_task.task_type, 'title', v_task.title, 'priority', v_task.priority,
            'ai_instructions', v_task.ai_instructions, 'quality_thresholds', v_task.quality_thresholds),
        'last_draft', v_draft);
end
$$;

revoke execute on function aicrm.claim_next_task(text, integer) from public;
grant execute on function aicrm.claim_next_task(text, integer) to aicrm_worker;

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

-- Stores the next version of the task's draft with what produced it (p_meta: context version,
-- template, examples, rules version, provider, model, tokens, cost, latency) and moves the task
-- generating -> evaluating. p_idempotency_key: a repeat of a call that was answered (a worker
-- retrying after a lost answer) returns the draft that call created ("created": false), whatever
-- the task's state, and writes nothing; the same key with another draft is refused.
create or replace function aicrm.submit_draft(
    p_task_id uuid,
    p_lease_token uuid,
    p_content text,
    p_subject text default null,
    p_content_format text default 'text',
    p_meta jsonb default '{}',
    p_idempotency_key text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
    v_existing record;
    v_id uuid;
    v_version integer;
begin
    if p_idempotency_key is not null and (btrim(p_idempotency_key) = '' or char_length(p_idempotency_key) > 200) then
        raise exception using errcode = 'AC001', message = 'idempotency_key: must be 1-200 characters',
            hint = 'Use a key unique to this draft, e.g. the task id and attempt.', column = 'idempotency_key';
    end if;
    if jsonb_typeof(p_meta) is distinct from 'object' or octet_length(p_meta::text) > 65536 then
        raise exception using errcode = 'AC001', message = 'meta: must be a JSON object of at most 64 KiB',
            hint = 'Pass what produced the draft: {"context_version": 3, "model": "...", "prompt_tokens": 812, ...}.',
            column = 'meta';
    end if;

    if p_idempotency_key is not null then
        -- The task's lock first, so that a concurrent repeat waits for this call and finds its draft.
        perform from aicrm.project_tasks as t where t.tenant_id = v_tenant and t.task_id = p_task_id for update;
        select d.deliverable_id, d.version, d.subject, d.content into v_existing
        from aicrm.project_deliverables as d
        where d.tenant_id = v_tenant and d.task_id = p_task_id and d.idempotency_key = p_idempotency_key;
        if found then
            if (v_existing.content, v_existing.subject) is distinct from (p_content, p_subject) then
                raise exception using errcode = 'AC005',
                    message = format('idempotency_key: %s was used for another draft (version %s)', p_idempotency_key,
                                     v_existing.version),
                    hint = 'Use a new key for a new draft.', column = 'idempotency_key';
            end if;
            return jsonb_build_object('deliverable_id', v_existing.deliverable_id, 'version', v_existing.version,
                                      'created', false);
        end if;
    end if;

    v_task := aicrm_private.lease_of(p_task_id, p_lease_token);
    if v_task.execution_state <> 'generating' then
        raise exception using errcode = 'AC005',
            message = format('execution_state: task %s is %s; a draft is submitted while generating', p_task_id,
                             v_task.execution_state),
            hint = 'After reading the context, call aicrm.start_generating.',
            column = 'execution_state';
    end if;
    select coalesce(max(d.version), 0) + 1 into v_version
    from aicrm.project_deliverables as d
    where d.tenant_id = v_tenant and d.task_id = p_task_id;
    -- The row trigger validates the draft (content, subject, content_format), naming the field.
    insert into aicrm.project_deliverables (
        tenant_id, task_id, version, subject, content, content_format, created_by, idempotency_key, provenance)
    values (
        v_tenant, p_task_id, v_version, p_subject, p_content, p_content_format, v_task.lease_holder,
        p_idempotency_key, p_meta)
    returning deliverable_id into v_id;
    perform aicrm_private.transition_task(p_task_id, 'evaluating', v_task.lease_holder, 'draft submitted', 'generating',
        jsonb_build_object('deliverable_id', v_id, 'version', v_version), 'submit_draft');
    return jsonb_build_object('deliverable_id', v_id, 'version', v_version, 'created', true);
end
$$;

revoke execute on function aicrm.submit_draft(uuid, uuid, text, text, text, jsonb, text) from public;
grant execute on function aicrm.submit_draft(uuid, uuid, text, text, text, jsonb, text) to aicrm_worker;

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
