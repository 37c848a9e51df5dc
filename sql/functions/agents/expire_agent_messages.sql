-- The scheduled job expire-agent-messages (every 5 minutes; docs/agents.md): dead-letters every
-- tenant's messages that are past their expiry unacknowledged (reason expired) or were claimed
-- aicrm_private.agent_message_max_deliveries() times without an acknowledgement (reason
-- max_deliveries: read_agent_inbox does the same when it meets one), once no claim of them is
-- visible any more (a reader within its visibility timeout may still acknowledge). At most 5,000 a
-- call, oldest expiry first; messages another call has locked are skipped. Creates the partitions of
-- aicrm.ai_agent_messages for this month and the next two when missing. The dead letters raise the
-- alert agent-dead-letters at the next evaluation of the alert rules (metric dead_letters); a task
-- waiting in input_required whose requests are all dead letters is escalated
-- (aicrm_private.escalate_unanswered_requests). Then drops the monthly partitions past the
-- retention whose messages are all finished (aicrm_private.drop_old_agent_message_partitions; a
-- setting aicrm.agent_messages_retention that is no interval of at least a day drops nothing and
-- is reported as a warning: it must not stop the dead-lettering). Returns the messages
-- dead-lettered. A deployment's job, run by pg_cron or `aicrm scheduler` as the owner; no tenant
-- role may call it.
create or replace function aicrm.expire_agent_messages()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_limit constant bigint := 5000;
    v_max integer := aicrm_private.agent_message_max_deliveries();
    v_now timestamptz := clock_timestamp();
    v_tenant uuid;
    v_done bigint := 0;
    v_rows bigint;
begin
    perform aicrm_private.ensure_agent_message_partitions(2);
    for v_tenant in select t.tenant_id from aicrm.tenants as t order by t.tenant_id loop
        exit when v_done >= v_limit;
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        with due as (
            select m.message_id, m.created_at
            from aicrm.ai_agent_messages as m
            where m.tenant_id = v_tenant
              and m.status in ('pending', 'delivered')
              and m.expires_at <= v_now
              and m.visible_at <= v_now
            order by m.expires_at
            limit v_limit - v_done
            for update skip locked
        )
        update aicrm.ai_agent_messages as m
        set status = 'dead_lettered', dead_lettered_at = v_now, dead_letter_reason = 'expired'
        from due
        where m.tenant_id = v_tenant and m.message_id = due.message_id and m.created_at = due.created_at;
        get diagnostics v_rows = row_count;
        v_done := v_done + v_rows;
        with due as (
            select m.message_id, m.created_at
            from aicrm.ai_agent_messages as m
            where m.tenant_id = v_tenant
              and m.status = 'delivered'
              and m.visible_at <= v_now
              and m.deliveries >= v_max
            order by m.visible_at
            limit greatest(v_limit - v_done, 0)
            for update skip locked
        )
        update aicrm.ai_agent_messages as m
        set status = 'dead_lettered', dead_lettered_at = v_now, dead_letter_reason = 'max_deliveries'
        from due
        where m.tenant_id = v_tenant and m.message_id = due.message_id and m.created_at = due.created_at;
        get diagnostics v_rows = row_count;
        v_done := v_done + v_rows;
        -- a task waiting for an answer nobody can give any more goes to a person
        perform aicrm_private.escalate_unanswered_requests();
    end loop;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
    begin
        perform aicrm_private.drop_old_agent_message_partitions();
    exception when sqlstate 'AC001' then
        raise warning 'aicrm: old agent message partitions kept: %', sqlerrm;
    end;
    if v_done > 0 then
        perform pg_notify('aicrm_dashboard', '');
    end if;
    return v_done;
end
$$;

revoke execute on function aicrm.expire_agent_messages() from public;
