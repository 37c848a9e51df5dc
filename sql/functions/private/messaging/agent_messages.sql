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

-- Creates the partitions of aicrm.ai_agent_messages for this month (UTC) and the p_months_ahead
-- after it when missing, as aicrm_private.ai_agent_messages_yYYYYmMM; idempotent. Rows the
-- default partition caught for such a month are moved into it first (tenant by tenant: row-level
-- security is forced on every partition). Each partition gets the parent's policy and no grants:
-- it is read through the parent. SECURITY DEFINER so that the owner owns every partition whoever
-- runs the job. Returns the partitions created.
create or replace function aicrm_private.ensure_agent_message_partitions(p_months_ahead integer default 2)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_month timestamptz := date_trunc('month', now(), 'UTC');
    v_from timestamptz;
    v_to timestamptz;
    v_name text;
    v_tenant uuid;
    v_created integer := 0;
begin
    if p_months_ahead is null or p_months_ahead not between 0 and 24 then
        raise exception using errcode = 'AC001', column = 'months_ahead',
            message = format('months_ahead: %s is not 0-24', coalesce(p_months_ahead::text, 'null'));
    end if;
    for i in 0..p_months_ahead loop
        v_from := v_month + make_interval(months => i);
        v_to := v_from + interval '1 month';
        v_name := 'ai_agent_messages_' || to_char(v_from at time zone 'UTC', '"y"YYYY"m"MM');
        continue when to_regclass('aicrm_private.' || v_name) is not null;
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
        v_created := v_created + 1;
    end loop;
    return v_created;
end
$$;

revoke execute on function aicrm_private.ensure_agent_message_partitions(integer) from public;

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
