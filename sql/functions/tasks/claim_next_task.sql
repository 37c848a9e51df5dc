-- The worker API (docs/pipeline.md, "Workers"): a worker claims a task with a lease (here), keeps it
-- alive with heartbeats and writes back only through heartbeat, start_generating, submit_draft,
-- fail_task, release_task and record_evaluation, each fenced by the lease's token (private/tasks/
-- lease.sql). A lease that runs out is reclaimed by the next claim with a new token, so the worker
-- that lost it can write nothing more. All SECURITY DEFINER: the worker role has no write privilege
-- on tasks or deliverables.

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
