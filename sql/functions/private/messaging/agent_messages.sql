-- Agent messages (migration 0032, docs/agents.md): the monthly partitions, how many claims a
-- message gets, and a message as the API returns it. The API is sql/functions/agents/.

-- A message claimed this many times without an acknowledgement is dead-lettered (reason
-- max_deliveries) instead of being handed out again: it keeps failing whoever takes it.
create or replace function aicrm_private.agent_message_max_deliveries()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
    select 5
$$;

revoke execute on function aicrm_private.agent_message_max_deliveries() from public;

-- Creates the partition of aicrm.ai_agent_messages for the month (UTC) that p_month falls in, as
-- aicrm_private.ai_agent_messages_yYYYYmMM, unless it exists; returns whether it created it. Rows
-- the default partition caught for that month are moved into it first (tenant by tenant:
-- row-level security is forced on every partition). The partition gets the parent's policy and no
-- grants: it is read through the parent. The bounds are computed in UTC whatever the session's
-- time zone (a month added to a timestamptz is a local month). SECURITY DEFINER so that the owner
-- owns every partition whoever runs the job.
create or replace function aicrm_private.create_agent_message_partition(p_month timestamptz)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_start timestamp := date_trunc('month', p_month at time zone 'UTC');
    v_from timestamptz := v_start at time zone 'UTC';
    v_to timestamptz := (v_start + interval '1 month') at time zone 'UTC';
    v_name text := 'ai_agent_messages_' || to_char(v_start, '"y"YYYY"m"MM');
    v_tenant uuid;
begin
    if p_month is null then
        raise exception using errcode = 'AC001', column = 'month', message = 'month: is required';
    end if;
    if to_regclass('aicrm_private.' || v_name) is not null then
        return false;
    end if;
    execute format(
        'create table aicrm_private.%I (like aicrm.ai_agent_messages including defaults including constraints)',
        v_name
    );
    if pg_relation_size('aicrm_private.ai_agent_messages_default') > 0 then
        for v_tenant in select t.tenant_id from aicrm.tenants as t loop
            perform set_config('aicrm.tenant_id', v_tenant::text, true);
            execute format(
                'with moved as (delete from aicrm_private.ai_agent_messages_default as d'
                ' where d.tenant_id = $1 and d.created_at >= $2 and d.created_at < $3 returning d.*)'
                ' insert into aicrm_private.%I select * from moved',
                v_name
            ) using v_tenant, v_from, v_to;
        end loop;
        perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
    end if;
    execute format(
        'alter table aicrm.ai_agent_messages attach partition aicrm_private.%I for values from (%L) to (%L)',
        v_name, v_from, v_to
    );
    execute format('alter table aicrm_private.%I enable row level security', v_name);
    execute format('alter table aicrm_private.%I force row level security', v_name);
    execute format(
        'create policy %I on aicrm_private.%I using (tenant_id = (select aicrm_private.current_tenant_id()))'
        ' with check (tenant_id = (select aicrm_private.current_tenant_id()))',
        v_name || '_all_own', v_name
    );
    return true;
end
$$;

revoke execute on function aicrm_private.create_agent_message_partition(timestamptz) from public;

-- Creates the partitions of aicrm.ai_agent_messages for this month (UTC) and the p_months_ahead
-- after it when missing (create_agent_message_partition); idempotent. Returns the partitions
-- created.
create or replace function aicrm_private.ensure_agent_message_partitions(p_months_ahead integer default 2)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_month timestamp := date_trunc('month', now() at time zone 'UTC');
    v_created integer := 0;
begin
    if p_months_ahead is null or p_months_ahead not between 0 and 24 then
        raise exception using errcode = 'AC001', column = 'months_ahead',
            message = format('months_ahead: %s is not 0-24', coalesce(p_months_ahead::text, 'null'));
    end if;
    for i in 0..p_months_ahead loop
        if aicrm_private.create_agent_message_partition((v_month + make_interval(months => i)) at time zone 'UTC') then
            v_created := v_created + 1;
        end if;
    end loop;
    return v_created;
end
$$;

revoke execute on function aicrm_private.ensure_agent_message_partitions(integer) from public;

-- Old partitions go (docs/agents.md, "Partitions"): detaches and drops each monthly partition of
-- aicrm.ai_agent_messages whose month ended longer ago than the setting
-- aicrm.agent_messages_retention (an interval of at least a day; default 12 months:
-- aicrm_private.retention_setting) and whose messages are all finished (acknowledged or
-- dead-lettered, in every tenant: one pending or delivered message keeps the partition, however
-- old). The default partition is never dropped. Waits at most 5 s for the table's lock (readers
-- of the messages hold it); a partition it could not lock is left for the next run. Called by
-- aicrm.expire_agent_messages. Returns the partitions dropped.
create or replace function aicrm_private.drop_old_agent_message_partitions()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_keep interval := aicrm_private.retention_setting('aicrm.agent_messages_retention', interval '12 months');
    v_cutoff timestamptz := (now() at time zone 'UTC' - v_keep) at time zone 'UTC';
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_lock_timeout text := current_setting('lock_timeout');
    v_part record;
    v_tenant uuid;
    v_open boolean;
    v_dropped integer := 0;
begin
    for v_part in
        select c.relname,
            (make_timestamp(substr(c.relname, 20, 4)::integer, substr(c.relname, 25, 2)::integer, 1, 0, 0, 0)
                + interval '1 month') at time zone 'UTC' as ends_at
        from pg_catalog.pg_inherits as i
        join pg_catalog.pg_class as c on c.oid = i.inhrelid
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where i.inhparent = 'aicrm.ai_agent_messages'::regclass
          and n.nspname = 'aicrm_private'
          and c.relname ~ '^ai_agent_messages_y[0-9]{4}m[0-9]{2}$'
        order by c.relname
    loop
        continue when v_part.ends_at > v_cutoff;
        v_open := false;
        for v_tenant in select t.tenant_id from aicrm.tenants as t loop
            perform set_config('aicrm.tenant_id', v_tenant::text, true);
            execute format(
                'select exists (select from aicrm_private.%I as m'
                ' where m.tenant_id = $1 and m.status in (''pending'', ''delivered''))',
                v_part.relname
            ) into v_open using v_tenant;
            exit when v_open;
        end loop;
        perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
        continue when v_open;
        begin
            perform set_config('lock_timeout', '5s', true);
            execute format('alter table aicrm.ai_agent_messages detach partition aicrm_private.%I', v_part.relname);
            execute format('drop table aicrm_private.%I', v_part.relname);
            v_dropped := v_dropped + 1;
        exception when lock_not_available then
            raise warning 'aicrm: % is busy; the next run of expire-agent-messages drops it', v_part.relname;
        end;
        perform set_config('lock_timeout', v_lock_timeout, true);
    end loop;
    return v_dropped;
end
$$;

revoke execute on function aicrm_private.drop_old_agent_message_partitions() from public;

-- A message as the API returns it (without its claim token: only read_agent_inbox hands that out).
create or replace function aicrm_private.agent_message_json(p_message aicrm.ai_agent_messages)
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select jsonb_build_object(
        'message_id', p_message.message_id,
        'tenant_id', p_message.tenant_id,
        'kind', p_message.kind,
        'message_type', p_message.message_type,
        'from_agent_id', p_message.from_agent_id,
        'from_role', p_message.from_role,
        'to_agent_id', p_message.to_agent_id,
        'to_role', p_message.to_role,
        'thread_id', p_message.thread_id,
        'reply_to', p_message.reply_to,
        'correlation_id', p_message.correlation_id,
        'parts', p_message.parts,
        'priority', p_message.priority,
        'status', p_message.status,
        'deliveries', p_message.deliveries,
        'created_at', p_message.created_at,
        'expires_at', p_message.expires_at,
        'claimed_by', p_message.claimed_by,
        'acknowledged_at', p_message.acknowledged_at,
        'acknowledged_by', p_message.acknowledged_by,
        'dead_lettered_at', p_message.dead_lettered_at,
        'dead_letter_reason', p_message.dead_letter_reason
    )
$$;

grant execute on function aicrm_private.agent_message_json(aicrm.ai_agent_messages)
to aicrm_app, aicrm_worker, aicrm_readonly;
