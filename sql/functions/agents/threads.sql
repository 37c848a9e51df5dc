-- Reading conversations (docs/agents.md): a thread, and a request with its responses. Reads only,
-- as the caller (row-level security): claiming is read_agent_inbox's.

-- The messages of a thread of the caller's tenant, oldest first, with their parts and status:
-- {thread_id, messages: [...]}. Errors: AC001 thread_id (null); AC002 thread_id (no message of it in
-- this tenant); AC003.
create or replace function aicrm.get_thread(p_thread_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_messages jsonb;
begin
    if p_thread_id is null then
        raise exception using errcode = 'AC001', column = 'thread_id', message = 'thread_id: is required';
    end if;
    select jsonb_agg(aicrm_private.agent_message_json(m) order by m.created_at, m.message_id) into v_messages
    from aicrm.ai_agent_messages as m
    where m.tenant_id = v_tenant and m.thread_id = p_thread_id;
    if v_messages is null then
        raise exception using errcode = 'AC002', column = 'thread_id',
            message = format('thread_id: no thread %s in this tenant', p_thread_id);
    end if;
    return jsonb_build_object('thread_id', p_thread_id, 'messages', v_messages);
end
$$;

-- A request and its responses, by the correlation id the request's sender got back from
-- send_agent_message: {correlation_id, request, responses: [...], answered}. What a requester
-- polls (or reads when aicrm_agent_message wakes it) without claiming anything. Errors: AC001
-- correlation_id (null); AC002 correlation_id (no request with it in this tenant); AC003.
create or replace function aicrm.get_agent_responses(p_correlation_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_request aicrm.ai_agent_messages;
    v_responses jsonb;
begin
    if p_correlation_id is null then
        raise exception using errcode = 'AC001', column = 'correlation_id', message = 'correlation_id: is required';
    end if;
    select * into v_request from aicrm.ai_agent_messages as m
    where m.tenant_id = v_tenant and m.correlation_id = p_correlation_id and m.kind = 'request'
    order by m.created_at
    limit 1;
    if not found then
        raise exception using errcode = 'AC002', column = 'correlation_id',
            message = format('correlation_id: no request %s in this tenant', p_correlation_id);
    end if;
    select coalesce(jsonb_agg(aicrm_private.agent_message_json(m) order by m.created_at, m.message_id), '[]')
    into v_responses
    from aicrm.ai_agent_messages as m
    where m.tenant_id = v_tenant and m.correlation_id = p_correlation_id and m.kind = 'response';
    return jsonb_build_object(
        'correlation_id', p_correlation_id,
        'request', aicrm_private.agent_message_json(v_request),
        'responses', v_responses,
        'answered', jsonb_array_length(v_responses) > 0
    );
end
$$;

revoke execute on function aicrm.get_thread(uuid), aicrm.get_agent_responses(uuid) from public;
grant execute on function aicrm.get_thread(uuid), aicrm.get_agent_responses(uuid)
to aicrm_app, aicrm_worker, aicrm_readonly;
