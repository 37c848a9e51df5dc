-- Publishing (docs/pipeline.md, "Publishing"): an approved draft waits in the outbox; a publisher
-- claims it with a lease (any tenant's, as claim_next_task does), delivers it and records the
-- outcome. Exactly one delivery is recorded as delivered per outbox row; the receiver gets the
-- outbox id as an idempotency key, so a delivery repeated after a crash is recognised. Whatever
-- makes a row pending (an approval, a failure backing off, a release) notifies aicrm_delivery_queued.

-- Puts a task's approved draft in the outbox (once: a second approval of the same draft adds
-- nothing). Called by transition_task when a task becomes approved.
create or replace function aicrm_private.enqueue_publication(p_task_id uuid, p_deliverable_id uuid, p_actor text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_id uuid;
begin
    insert into aicrm.outbox (tenant_id, task_id, deliverable_id, channel, payload)
    select t.tenant_id, t.task_id, d.deliverable_id, t.channel,
           jsonb_build_object(
               'tenant_id', t.tenant_id, 'task_id', t.task_id, 'deliverable_id', d.deliverable_id,
               'version', d.version, 'customer_id', t.customer_id, 'customer_name', c.name,
               'channel', t.channel, 'task_type', t.task_type, 'title', t.title,
               'subject', d.subject, 'content', d.content, 'content_format', d.content_format,
               'approved_by', p_actor, 'approved_at', now(),
               -- The merge tags the text holds, for a receiver that sends it to fill per recipient
               -- (over SMTP aicrm fills them: aicrm.email_messages).
               'merge_tags', to_jsonb(aicrm_private.merge_tags_in(concat_ws(' ', d.subject, d.content))))
           -- An email goes to the task's own recipients when it names some (ai_instructions.recipients,
           -- checked by task.ai_instructions); without them the publisher's configured address.
           || case when t.channel = 'email' and jsonb_typeof(t.ai_instructions -> 'recipients') = 'array'
                   then jsonb_build_object('to', t.ai_instructions -> 'recipients') else '{}'::jsonb end
    from aicrm.project_tasks t
    join aicrm.customers c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
    join aicrm.project_deliverables d on d.tenant_id = t.tenant_id and d.task_id = t.task_id
    where t.tenant_id = v_tenant and t.task_id = p_task_id
      and d.deliverable_id = coalesce(p_deliverable_id, (
          select x.deliverable_id from aicrm.project_deliverables x
          where x.tenant_id = v_tenant and x.task_id = p_task_id order by x.version desc limit 1))
    on conflict (tenant_id, deliverable_id) do nothing
    returning outbox_id into v_id;
    -- Idle publishers LISTEN here and claim at once (as workers on aicrm_task_queued). The payload
    -- names nothing: any role may listen.
    if v_id is not null then
        perform pg_notify('aicrm_delivery_queued', '');
    end if;
    return v_id;
end
$$;

revoke execute on function aicrm_private.enqueue_publication(uuid, uuid, text) from public;

-- Claims one delivery of any tenant (of the caller's tenant only, when one is set, as claim_next_task):
-- first one whose lease ran out (its publisher died), else the pending one waiting longest.
-- p_channels: only rows of these channels (a publisher with SMTP alone
-- delivers email only; other drafts wait for a publisher with a webhook); null: every channel. The
-- task goes approved -> publishing on its first attempt. The transaction continues in the row's
-- tenant. Null when there is nothing to deliver. (_v2: claim_next_delivery with p_channels.)
create or replace function aicrm.claim_next_delivery_v2(
    p_worker_id text,
    p_lease_seconds integer default 120,
    p_channels text[] default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_lease interval := aicrm_private.lease_interval(p_lease_seconds);
    v_now timestamptz := clock_timestamp();
    -- A connection with a tenant set claims that tenant's deliveries only (as claim_next_task does).
    v_only_tenant uuid := aicrm_private.current_tenant_id();
    v_pick record;
    v_token uuid := gen_random_uuid();
    v_state text;
    v_known text[];
    v_bad text;
begin
    if nullif(btrim(p_worker_id), '') is null or char_length(p_worker_id) > 200 then
        raise exception using errcode = 'AC001', message = 'worker_id: is required (at most 200 characters)',
            hint = 'Name the publisher, e.g. host:pid.', column = 'worker_id';
    end if;
    if p_channels is not null then
        -- The outbox holds tasks' channels: the vocabulary content.channel, which row.project_tasks
        -- names too (one list).
        select coalesce(array_agg(c.name order by c.n), '{}') into v_known
        from aicrm.json_schemas as s,
            jsonb_array_elements_text(s.definition -> 'enum') with ordinality as c (name, n)
        where s.schema_name = 'content.channel';
        if cardinality(p_channels) = 0 then
            raise exception using errcode = 'AC001', message = 'channels: is empty',
                hint = format('Pass null for every channel, or some of %s.', array_to_string(v_known, ', ')),
                column = 'channels';
        end if;
        select c.name into v_bad
        from unnest(p_channels) with ordinality as c (name, n)
        where c.name is null or c.name <> all(v_known)
        order by c.n
        limit 1;
        if found then
            raise exception using errcode = 'AC001',
                message = format('channels: %s is not a channel', coalesce(quote_literal(v_bad), 'null')),
                hint = format('Pass null for every channel, or some of %s.', array_to_string(v_known, ', ')),
                column = 'channels';
        end if;
    end if;
    perform set_config('aicrm_private.claiming', (select k.key::text from aicrm_private.claim_key as k), true);
    -- outbox_leases_idx: leases that ran out are few, the channel is a filter.
    select o.tenant_id, o.outbox_id into v_pick
    from aicrm.outbox as o
    where o.status = 'delivering' and o.lease_until < v_now
      and (p_channels is null or o.channel = any(p_channels))
      and (v_only_tenant is null or o.tenant_id = v_only_tenant)
    order by o.lease_until
    limit 1
    for update skip locked;
    if not found then
        -- One statement per shape, each planned (its generic plan too) for an index that gives the
        -- rows in claim order: every channel, outbox_pending_idx (available_at); one channel (SMTP
        -- alone: email), outbox_pending_channel_idx (channel, available_at), never a walk past
        -- the rows of channels left to others (ordering by the channel too, which "= any" does not
        -- fix, keeps the planner on that index whatever it guesses of the channel); several
        -- channels, outbox_pending_idx with the channel as a filter.
        if p_channels is null then
            select o.tenant_id, o.outbox_id into v_pick
            from aicrm.outbox as o
            where o.status = 'pending' and o.available_at <= v_now
              and (v_only_tenant is null or o.tenant_id = v_only_tenant)
            order by o.available_at
            limit 1
            for update skip locked;
        elsif cardinality(p_channels) = 1 then
            select o.tenant_id, o.outbox_id into v_pick
            from aicrm.outbox as o
            where o.status = 'pending' and o.channel = any(p_channels) and o.available_at <= v_now
              and (v_only_tenant is null or o.tenant_id = v_only_tenant)
            order by o.channel, o.available_at
            limit 1
            for update skip locked;
        else
            select o.tenant_id, o.outbox_id into v_pick
            from aicrm.outbox as o
            where o.status = 'pending' and o.channel = any(p_channels) and o.available_at <= v_now
              and (v_only_tenant is null or o.tenant_id = v_only_tenant)
            order by o.available_at
            limit 1
            for update skip locked;
        end if;
    end if;
    perform set_config('aicrm_private.claiming', '', true);
    if v_pick.outbox_id is null then
        return null;
    end if;
    perform set_config('aicrm.tenant_id', v_pick.tenant_id::text, true);
    update aicrm.outbox as o
    set status = 'delivering', attempts = o.attempts + 1, lease_holder = p_worker_id, lease_token = v_token,
        lease_until = v_now + v_lease
    where o.tenant_id = v_pick.tenant_id and o.outbox_id = v_pick.outbox_id;
    select t.execution_state into v_state
    from aicrm.outbox o join aicrm.project_tasks t on t.tenant_id = o.tenant_id and t.task_id = o.task_id
    where o.tenant_id = v_pick.tenant_id and o.outbox_id = v_pick.outbox_id;
    if v_state = 'approved' then
        perform aicrm_private.transition_task(o.task_id, 'publishing', p_worker_id, 'handed to the outbox', 'approved',
            jsonb_build_object('outbox_id', o.outbox_id), 'publish_deliverable')
        from aicrm.outbox o where o.tenant_id = v_pick.tenant_id and o.outbox_id = v_pick.outbox_id;
    end if;
    return (select jsonb_build_object('tenant_id', o.tenant_id, 'outbox_id', o.outbox_id, 'lease_token', v_token,
                                      'lease_until', o.lease_until, 'attempt', o.attempts, 'channel', o.channel,
                                      'payload', o.payload)
            from aicrm.outbox o where o.tenant_id = v_pick.tenant_id and o.outbox_id = v_pick.outbox_id);
end
$$;

revoke execute on function aicrm.claim_next_delivery_v2(text, integer, text[]) from public;
grant execute on function aicrm.claim_next_delivery_v2(text, integer, text[]) to aicrm_worker;

-- The outbox row a publisher's lease holds, locked: what record_delivery and release_delivery write
-- under. AC002 when the tenant has no such row; AC005 when the row is not being delivered under this
-- token (another publisher reclaimed it, or it was recorded or released already).
create or replace function aicrm_private.held_delivery(p_outbox_id uuid, p_lease_token uuid)
returns aicrm.outbox
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
begin
    if p_outbox_id is null then
        raise exception using errcode = 'AC001', message = 'outbox_id: is required',
            hint = 'Pass the outbox_id claim_next_delivery_v2 returned.', column = 'outbox_id';
    end if;
    if p_lease_token is null then
        raise exception using errcode = 'AC001', message = 'lease_token: is required',
            hint = 'Pass the lease_token claim_next_delivery_v2 returned.', column = 'lease_token';
    end if;
    select * into v_row from aicrm.outbox o where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id for update;
    if not found then
        raise exception using errcode = 'AC002', message = format('outbox_id: no outbox row %s in this tenant', p_outbox_id),
            hint = 'Set the tenant claim_next_delivery_v2 returned.', column = 'outbox_id';
    end if;
    if v_row.status <> 'delivering' or v_row.lease_token is distinct from p_lease_token then
        raise exception using errcode = 'AC005',
            message = format('lease_token: the delivery of %s is not held by this lease (it is %s)', p_outbox_id, v_row.status),
            hint = 'Stop: another publisher has it, or it was recorded or released already.', column = 'lease_token';
    end if;
    return v_row;
end
$$;

revoke execute on function aicrm_private.held_delivery(uuid, uuid) from public;

-- The outcome of one delivery, fenced by the lease (a publisher whose lease was reclaimed records
-- nothing). Delivered: the one delivered row of this outbox row, and the task publishing ->
-- delivered. Failed and retryable: pending again after 30 s * 2^(attempts - 1) (at most an hour),
-- up to 6 attempts; then, or when not retryable, failed and the task escalated.
create or replace function aicrm.record_delivery(
    p_outbox_id uuid,
    p_lease_token uuid,
    p_delivered boolean,
    p_transport text,
    p_target text default null,
    p_response jsonb default '{}',
    p_retryable boolean default true
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
    v_final boolean;
begin
    if p_delivered is null then
        raise exception using errcode = 'AC001', message = 'delivered: is required', hint = 'Pass true or false.',
            column = 'delivered';
    end if;
    if p_transport is null or p_transport not in ('webhook', 'smtp') then
        raise exception using errcode = 'AC001',
            message = format('transport: %s is not a transport', coalesce(quote_literal(p_transport), 'null')),
            hint = 'Use webhook or smtp.', column = 'transport';
    end if;
    if jsonb_typeof(p_response) is distinct from 'object' or octet_length(p_response::text) > 16384 then
        raise exception using errcode = 'AC001', message = 'response: must be a JSON object of at most 16 KiB',
            hint = 'Pass what the receiver answered: {"status": 200, ...}.', column = 'response';
    end if;
    v_row := aicrm_private.held_delivery(p_outbox_id, p_lease_token);
    insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, target, status,
                                  response, delivered_by)
    values (v_tenant, p_outbox_id, v_row.task_id, v_row.deliverable_id, v_row.attempts, p_transport, p_target,
            case when p_delivered then 'delivered' else 'failed' end, p_response, v_row.lease_holder);
    v_final := not p_delivered and (not coalesce(p_retryable, true) or v_row.attempts >= 6);
    update aicrm.outbox o
    set status = case when p_delivered then 'delivered' when v_final then 'failed' else 'pending' end,
        delivered_at = case when p_delivered then now() end,
        available_at = case when p_delivered or v_final then o.available_at
                            else now() + make_interval(secs => least(30 * power(2, v_row.attempts - 1), 3600)) end,
        last_error = case when p_delivered then null else p_response end,
        lease_holder = null, lease_token = null, lease_until = null
    where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id;
    if p_delivered then
        perform aicrm_private.transition_task(v_row.task_id, 'delivered', v_row.lease_holder,
            format('delivered by %s', p_transport), 'publishing',
            jsonb_build_object('outbox_id', p_outbox_id, 'target', p_target), 'record_delivery');
    elsif v_final then
        perform aicrm_private.transition_task(v_row.task_id, 'escalated', v_row.lease_holder,
            format('delivery failed after %s attempt(s)', v_row.attempts), 'publishing',
            jsonb_build_object('outbox_id', p_outbox_id, 'response', p_response), 'record_delivery');
    else
        -- Pending again, as fail_task queues a task. The row backs off first: publishers woken now
        -- find nothing, and their poll takes it once its available_at has passed.
        perform pg_notify('aicrm_delivery_queued', '');
    end if;
    return jsonb_build_object('outbox_id', p_outbox_id,
        'status', case when p_delivered then 'delivered' when v_final then 'failed' else 'pending' end,
        'attempts', v_row.attempts);
end
$$;

revoke execute on function aicrm.record_delivery(uuid, uuid, boolean, text, text, jsonb, boolean) from public;
grant execute on function aicrm.record_delivery(uuid, uuid, boolean, text, text, jsonb, boolean) to aicrm_worker;

-- Gives a claimed delivery back (a publisher stopping with it still in flight): pending and
-- claimable at once, in its place in the queue, the lease ended; the attempt is not counted (the
-- next claim makes it again, under the same number). Fenced like record_delivery. Recorded as a
-- row of aicrm.deliveries, status released, with the reason and who held it. The receiver may have
-- got it already: the next delivery carries the same idempotency key.
create or replace function aicrm.release_delivery(p_outbox_id uuid, p_lease_token uuid, p_reason text default 'released')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
begin
    if nullif(btrim(p_reason), '') is null or char_length(p_reason) > 500 then
        raise exception using errcode = 'AC001', message = 'reason: is required (at most 500 characters)',
            hint = 'Say why, e.g. "publisher stopping".', column = 'reason';
    end if;
    v_row := aicrm_private.held_delivery(p_outbox_id, p_lease_token);
    insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, target, status,
                                  response, delivered_by)
    values (v_tenant, p_outbox_id, v_row.task_id, v_row.deliverable_id, v_row.attempts, null, null, 'released',
            jsonb_build_object('reason', p_reason), v_row.lease_holder);
    update aicrm.outbox o
    set status = 'pending', attempts = o.attempts - 1, available_at = least(o.available_at, now()),
        lease_holder = null, lease_token = null, lease_until = null
    where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id;
    perform pg_notify('aicrm_delivery_queued', '');
    return jsonb_build_object('outbox_id', p_outbox_id, 'status', 'pending', 'attempts', v_row.attempts - 1);
end
$$;

revoke execute on function aicrm.release_delivery(uuid, uuid, text) from public;
grant execute on function aicrm.release_delivery(uuid, uuid, text) to aicrm_worker;
