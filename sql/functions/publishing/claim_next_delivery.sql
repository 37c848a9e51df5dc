-- Publishing (docs/pipeline.md, "Publishing"): an approved draft waits in the outbox; a publisher
-- claims it with a lease (any tenant's, as claim_next_task does), delivers it and records the
-- outcome. Exactly one delivery is recorded as delivered per outbox row; the receiver gets the
-- outbox id as an idempotency key, so a delivery repeated after a crash is recognised. Whatever
-- makes a row pending (an approval, a failure backing off, a release) notifies aicrm_delivery_queued.
-- The outbox is filled by aicrm_private.enqueue_publication (private/publishing/); a delivery is
-- fenced by its lease (aicrm_private.held_delivery, private/publishing/held_delivery.sql).

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
