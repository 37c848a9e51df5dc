-- An agent's inbox (docs/agents.md): claiming its messages under a visibility timeout, and
-- acknowledging one in the transaction of the work it completes.

-- Claims up to p_limit messages for the agent p_agent_id of the caller's tenant: those addressed
-- to it or to its role, pending or delivered with their visibility timeout passed, not expired;
-- most urgent first, then oldest; skipping what another reader has locked. Each becomes delivered,
-- invisible to every reader for p_visibility_seconds, with a new claim_token (ack_agent_message
-- takes it). A message claimed aicrm_private.agent_message_max_deliveries() times already is
-- dead-lettered (reason max_deliveries) instead of returned. Stamps the agent's heartbeat. Errors:
-- AC001 agent_id, limit (1-100), visibility_seconds (1-43,200); AC002 agent_id (none in this
-- tenant); AC005 agent_id (paused or retired); AC003.
create or replace function aicrm.read_agent_inbox(
    p_agent_id uuid, p_limit integer default 10, p_visibility_seconds integer default 60
)
returns setof jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_agent aicrm.ai_agents;
    v_now timestamptz := clock_timestamp();
    v_max integer := aicrm_private.agent_message_max_deliveries();
    v_pick record;
    v_row aicrm.ai_agent_messages;
begin
    if p_agent_id is null then
        raise exception using errcode = 'AC001', column = 'agent_id', message = 'agent_id: is required';
    end if;
    if p_limit is null or p_limit not between 1 and 100 then
        raise exception using errcode = 'AC001', column = 'limit',
            message = format('limit: %s is not 1-100', coalesce(p_limit::text, 'null'));
    end if;
    if p_visibility_seconds is null or p_visibility_seconds not between 1 and 43200 then
        raise exception using errcode = 'AC001', column = 'visibility_seconds',
            message = format('visibility_seconds: %s is not 1-43200', coalesce(p_visibility_seconds::text, 'null')),
            hint = 'Longer than the work a message asks for takes: an unacknowledged message comes back after it.';
    end if;
    select * into v_agent from aicrm.ai_agents as a where a.tenant_id = v_tenant and a.agent_id = p_agent_id;
    if not found then
        raise exception using errcode = 'AC002', column = 'agent_id',
            message = format('agent_id: no agent %s in this tenant', p_agent_id);
    end if;
    if v_agent.status <> 'active' then
        raise exception using errcode = 'AC005', column = 'agent_id',
            message = format('agent_id: agent %s is %s', p_agent_id, v_agent.status);
    end if;
    -- the heartbeat is best effort: a reader of the same agent holding the row does not block this one
    perform from aicrm.ai_agents as a
    where a.tenant_id = v_tenant and a.agent_id = p_agent_id
    for no key update skip locked;
    if found then
        update aicrm.ai_agents as a set last_heartbeat_at = v_now
        where a.tenant_id = v_tenant and a.agent_id = p_agent_id;
    end if;
    for v_pick in
        select m.message_id, m.created_at, m.deliveries
        from aicrm.ai_agent_messages as m
        where m.tenant_id = v_tenant
          and (m.to_agent_id = p_agent_id or m.to_role = v_agent.agent_role)
          and m.status in ('pending', 'delivered')
          and m.visible_at <= v_now
          and m.expires_at > v_now
        order by m.priority, m.created_at
        limit p_limit
        for update skip locked
    loop
        if v_pick.deliveries >= v_max then
            update aicrm.ai_agent_messages as m
            set status = 'dead_lettered', dead_lettered_at = v_now, dead_letter_reason = 'max_deliveries'
            where m.tenant_id = v_tenant and m.message_id = v_pick.message_id and m.created_at = v_pick.created_at;
            continue;
        end if;
        update aicrm.ai_agent_messages as m
        set status = 'delivered', deliveries = m.deliveries + 1, visible_at = v_now + make_interval(secs => p_visibility_seconds),
            claimed_by = p_agent_id, claim_token = gen_random_uuid()
        where m.tenant_id = v_tenant and m.message_id = v_pick.message_id and m.created_at = v_pick.created_at
        returning * into v_row;
        return next aicrm_private.agent_message_json(v_row)
            || jsonb_build_object('claim_token', v_row.claim_token, 'visible_until', v_row.visible_at);
    end loop;
end
$$;

-- Acknowledges a claimed message: the work it asked for is done. Call it in the transaction that
-- does that work, so that the work and the acknowledgement commit (or roll back) together and the
-- message is not handed out again after the work happened. Only the current claim's token counts: a
-- claim whose visibility timeout passed still holds until another reader claims the message, then
-- AC005 claim_token (the work must not be committed: the other reader does it). Acknowledging again
-- with the same token returns the message unchanged (changed false). Errors: AC001 message_id,
-- claim_token; AC002 message_id (none in this tenant); AC005 claim_token (not this claim's), AC005
-- status (dead-lettered, or never claimed); AC003.
create or replace function aicrm.ack_agent_message(p_message_id uuid, p_claim_token uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.ai_agent_messages;
begin
    if p_message_id is null then
        raise exception using errcode = 'AC001', column = 'message_id', message = 'message_id: is required';
    end if;
    if p_claim_token is null then
        raise exception using errcode = 'AC001', column = 'claim_token', message = 'claim_token: is required',
            hint = 'The claim_token read_agent_inbox returned with the message.';
    end if;
    select * into v_row from aicrm.ai_agent_messages as m
    where m.tenant_id = v_tenant and m.message_id = p_message_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', column = 'message_id',
            message = format('message_id: no message %s in this tenant', p_message_id);
    end if;
    if v_row.status = 'acknowledged' and v_row.claim_token = p_claim_token then
        return aicrm_private.agent_message_json(v_row) || jsonb_build_object('changed', false);
    end if;
    if v_row.claim_token is distinct from p_claim_token then
        raise exception using errcode = 'AC005', column = 'claim_token',
            message = format('claim_token: not the current claim of message %s', p_message_id),
            detail = format('The message is %s; it was claimed %s times.', v_row.status, v_row.deliveries),
            hint = 'Its visibility timeout passed and another reader claimed it: roll back the work.';
    end if;
    if v_row.status <> 'delivered' then
        raise exception using errcode = 'AC005', column = 'status',
            message = format('status: message %s is %s', p_message_id, v_row.status),
            detail = format('dead_letter_reason: %s', v_row.dead_letter_reason);
    end if;
    update aicrm.ai_agent_messages as m
    set status = 'acknowledged', acknowledged_at = clock_timestamp(), acknowledged_by = m.claimed_by
    where m.tenant_id = v_tenant and m.message_id = p_message_id and m.created_at = v_row.created_at
    returning * into v_row;
    return aicrm_private.agent_message_json(v_row) || jsonb_build_object('changed', true);
end
$$;

revoke execute on function aicrm.read_agent_inbox(uuid, integer, integer),
    aicrm.ack_agent_message(uuid, uuid) from public;
grant execute on function aicrm.read_agent_inbox(uuid, integer, integer),
    aicrm.ack_agent_message(uuid, uuid) to aicrm_app, aicrm_worker;
