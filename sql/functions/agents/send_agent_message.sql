-- Sends one agent message (docs/agents.md). p_message: {kind, message_type, from_agent_id (or
-- from_role 'human' for a person), to_agent_id | to_role, thread_id?, reply_to?, correlation_id?,
-- parts, priority? (1 urgent .. 5, default 3), expires_in_seconds? (default 3 days for a request,
-- 7 days otherwise), idempotency_key?}. The role rules (aicrm.agent_roles) are enforced here:
--   - the sender's role may send the kind (AC006 kind);
--   - the recipient's role may read the message type (AC006 message_type);
--   - a handoff to a publisher (the role, or an agent of it) needs the decision publish (AC006);
--   - a data part's decision is one the sender's role decides (AC006 parts[i].data.decision);
--   - a response replies to a request of the tenant (AC002 reply_to), comes from one of its
--     addressees (AC006 from_agent_id), has the request's type name and its correlation id, and
--     goes back to the request's sender;
--   - only a person sends without an agent: from_role human (AC001 from_role); and the pipeline
--     itself, through aicrm_private.send_system_message.
-- The thread is thread_id, else the replied message's, else the data part's task_id, else new.
-- The same idempotency_key with the same message returns the first message (created false);
-- with another message, AC005. Notifies aicrm_agent_message with {tenant_id, message_id} only,
-- delivered at commit. Returns the message.
create or replace function aicrm.send_agent_message(p_message jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_existing_tenant();
    v_kind text;
    v_type text;
    v_schema jsonb;
    v_from_agent aicrm.ai_agents;
    v_to_agent aicrm.ai_agents;
    v_from_role text;
    v_to_agent_id uuid;
    v_to_role text;
    v_sender aicrm.agent_roles;
    v_recipient aicrm.agent_roles;
    v_parent aicrm.ai_agent_messages;
    v_parts jsonb := p_message -> 'parts';
    v_part record;
    v_field text;
    v_data jsonb;
    v_thread uuid;
    v_correlation uuid;
    v_id uuid := gen_random_uuid();
    v_key text := p_message ->> 'idempotency_key';
    v_hash text;
    v_row aicrm.ai_agent_messages;
    v_now timestamptz := clock_timestamp();
begin
    if jsonb_typeof(p_message) is distinct from 'object' then
        raise exception using errcode = 'AC001', column = 'message', message = 'message: must be a JSON object';
    end if;
    perform aicrm_private.assert_json_valid('api.agent_message', p_message);
    v_kind := p_message ->> 'kind';
    v_type := p_message ->> 'message_type';
    select s.definition into v_schema from aicrm.json_schemas as s where s.schema_name = 'agent_message.' || v_type;
    if split_part(v_type, '.', 1) <> v_kind or v_schema is null then
        raise exception using errcode = 'AC001', column = 'message_type',
            message = format('message_type: %L is not a message type of kind %s', v_type, v_kind),
            hint = 'One of ' || coalesce((
                select string_agg(substr(s.schema_name, 15), ', ' order by s.schema_name)
                from aicrm.json_schemas as s
                where s.schema_name like 'agent\_message.' || v_kind || '.%'
            ), 'none') || '.';
    end if;

    if v_key is not null then
        -- one sender of a key at a time; the first message answers the others
        perform pg_advisory_xact_lock(hashtextextended(v_tenant::text || ':agent_message:' || v_key, 0));
        v_hash := md5((p_message - 'idempotency_key')::text);
        select * into v_row from aicrm.ai_agent_messages as m
        where m.tenant_id = v_tenant and m.idempotency_key = v_key
        limit 1;
        if found then
            if v_row.request_hash is distinct from v_hash then
                raise exception using errcode = 'AC005', column = 'idempotency_key',
                    message = format('idempotency_key: %s was used for another message (%s)', v_key, v_row.message_id),
                    hint = 'Use a new key for a new message.';
            end if;
            return aicrm_private.agent_message_json(v_row) || jsonb_build_object('created', false);
        end if;
    end if;

    -- the sender: an agent of the tenant, or a person
    if p_message ->> 'from_agent_id' is not null then
        select * into v_from_agent from aicrm.ai_agents as a
        where a.tenant_id = v_tenant and a.agent_id = (p_message ->> 'from_agent_id')::uuid;
        if not found then
            raise exception using errcode = 'AC002', column = 'from_agent_id',
                message = format('from_agent_id: no agent %s in this tenant', p_message ->> 'from_agent_id');
        end if;
        if v_from_agent.status <> 'active' then
            raise exception using errcode = 'AC005', column = 'from_agent_id',
                message = format('from_agent_id: agent %s is %s', v_from_agent.agent_id, v_from_agent.status);
        end if;
        if p_message ->> 'from_role' is not null and p_message ->> 'from_role' <> v_from_agent.agent_role then
            raise exception using errcode = 'AC001', column = 'from_role',
                message = format('from_role: the agent''s role is %s', v_from_agent.agent_role),
                hint = 'Leave from_role out: it is the agent''s.';
        end if;
        v_from_role := v_from_agent.agent_role;
    elsif p_message ->> 'from_role' = 'human' then
        v_from_role := 'human';
    elsif p_message ->> 'from_role' is not null
        and current_setting('aicrm_private.system_sender', true) = (select k.key::text from aicrm_private.claim_key as k) then
        -- the pipeline itself (aicrm_private.send_system_message), in a role without an agent row
        v_from_role := p_message ->> 'from_role';
    else
        raise exception using errcode = 'AC001', column = coalesce(
                case when p_message ->> 'from_role' is not null then 'from_role' end, 'from_agent_id'),
            message = 'from_agent_id: is required (only a person sends without one, as from_role human)';
    end if;
    select * into v_sender from aicrm.agent_roles as r where r.role = v_from_role;
    if not found then
        raise exception using errcode = 'AC001', column = 'from_role',
            message = format('from_role: %L is not a role', v_from_role),
            hint = 'Run "aicrm migrate" to install the roles (aicrm.agent_roles).';
    end if;
    if not v_kind = any(v_sender.may_send) then
        raise exception using errcode = 'AC006', column = 'kind',
            message = format('kind: the role %s may not send a %s', v_from_role, v_kind),
            hint = format('It may send: %s (aicrm.agent_roles).', array_to_string(v_sender.may_send, ', '));
    end if;

    -- the message replied to; a response's request
    if p_message ->> 'reply_to' is not null then
        select * into v_parent from aicrm.ai_agent_messages as m
        where m.tenant_id = v_tenant and m.message_id = (p_message ->> 'reply_to')::uuid;
        if not found then
            raise exception using errcode = 'AC002', column = 'reply_to',
                message = format('reply_to: no message %s in this tenant', p_message ->> 'reply_to');
        end if;
        if p_message ->> 'thread_id' is not null and (p_message ->> 'thread_id')::uuid <> v_parent.thread_id then
            raise exception using errcode = 'AC001', column = 'thread_id',
                message = format('thread_id: a reply stays in its message''s thread %s', v_parent.thread_id);
        end if;
    end if;
    v_to_agent_id := (p_message ->> 'to_agent_id')::uuid;
    v_to_role := p_message ->> 'to_role';
    if v_kind = 'response' then
        if v_parent.message_id is null then
            raise exception using errcode = 'AC001', column = 'reply_to',
                message = 'reply_to: a response replies to a request (its message_id)';
        end if;
        if v_parent.kind <> 'request' then
            raise exception using errcode = 'AC001', column = 'reply_to',
                message = format('reply_to: message %s is a %s, not a request', v_parent.message_id, v_parent.kind);
        end if;
        if split_part(v_type, '.', 2) <> split_part(v_parent.message_type, '.', 2) then
            raise exception using errcode = 'AC001', column = 'message_type',
                message = format('message_type: a response to %s is response.%s', v_parent.message_type,
                    split_part(v_parent.message_type, '.', 2));
        end if;
        if p_message ->> 'correlation_id' is not null
           and (p_message ->> 'correlation_id')::uuid <> v_parent.correlation_id then
            raise exception using errcode = 'AC001', column = 'correlation_id',
                message = format('correlation_id: a response carries its request''s, %s', v_parent.correlation_id);
        end if;
        if not (v_parent.to_agent_id is not distinct from v_from_agent.agent_id and v_parent.to_agent_id is not null
                or v_parent.to_agent_id is null and v_parent.to_role = v_from_role) then
            raise exception using errcode = 'AC006', column = 'from_agent_id',
                message = format('from_agent_id: only the request''s addressee (%s) answers it',
                    coalesce(v_parent.to_agent_id::text, 'the role ' || v_parent.to_role));
        end if;
        -- back to whoever asked
        if (v_to_agent_id is not null or v_to_role is not null)
           and (v_to_agent_id is distinct from v_parent.from_agent_id
                or v_parent.from_agent_id is null and v_to_role is distinct from v_parent.from_role) then
            raise exception using errcode = 'AC001', column = case when v_to_agent_id is not null then 'to_agent_id'
                    else 'to_role' end,
                message = 'to_agent_id: a response goes to the request''s sender',
                hint = 'Leave to_agent_id and to_role out of a response.';
        end if;
        v_to_agent_id := v_parent.from_agent_id;
        v_to_role := case when v_parent.from_agent_id is null then v_parent.from_role end;
        v_correlation := v_parent.correlation_id;
    else
        v_correlation := coalesce((p_message ->> 'correlation_id')::uuid, v_parent.correlation_id, v_id);
        if v_kind = 'request' then
            v_correlation := coalesce((p_message ->> 'correlation_id')::uuid, v_id);
        end if;
    end if;

    -- the recipient: an agent of the tenant that is not retired, or a role
    if v_to_agent_id is not null and v_to_role is not null then
        raise exception using errcode = 'AC001', column = 'to_role',
            message = 'to_role: give to_agent_id or to_role, not both';
    elsif v_to_agent_id is not null then
        select * into v_to_agent from aicrm.ai_agents as a
        where a.tenant_id = v_tenant and a.agent_id = v_to_agent_id;
        if not found then
            raise exception using errcode = 'AC002', column = 'to_agent_id',
                message = format('to_agent_id: no agent %s in this tenant', v_to_agent_id);
        end if;
        if v_to_agent.status = 'retired' then
            raise exception using errcode = 'AC005', column = 'to_agent_id',
                message = format('to_agent_id: agent %s is retired', v_to_agent_id);
        end if;
        select * into v_recipient from aicrm.agent_roles as r where r.role = v_to_agent.agent_role;
    elsif v_to_role is not null then
        select * into v_recipient from aicrm.agent_roles as r where r.role = v_to_role;
        if not found then
            raise exception using errcode = 'AC001', column = 'to_role',
                message = format('to_role: %L is not a role', v_to_role),
                hint = 'One of ' || (select string_agg(r.role, ', ' order by r.role) from aicrm.agent_roles as r) || '.';
        end if;
    else
        raise exception using errcode = 'AC001', column = 'to_agent_id',
            message = 'to_agent_id: is required (or to_role)';
    end if;
    if not ('*' = any(v_recipient.may_read) or v_type = any(v_recipient.may_read)) then
        raise exception using errcode = 'AC006', column = 'message_type',
            message = format('message_type: the role %s may not read %s', v_recipient.role, v_type);
    end if;
    if v_kind = 'handoff' and v_recipient.role = 'publisher' and not 'publish' = any(v_sender.decides) then
        raise exception using errcode = 'AC006',
            column = case when v_to_agent_id is not null then 'to_agent_id' else 'to_role' end,
            message = format('to_role: the role %s may not hand off to the publisher (it does not decide publish)',
                v_from_role);
    end if;

    -- the parts: text, at most one data part (the message type's schema), artifacts of the tenant
    for v_part in select p.value, p.ordinality - 1 as i from jsonb_array_elements(v_parts) with ordinality as p loop
        v_field := format('parts[%s]', v_part.i);
        case v_part.value ->> 'type'
        when 'text' then
            if v_part.value ->> 'text' is null then
                raise exception using errcode = 'AC001', column = v_field || '.text',
                    message = v_field || '.text: is required in a text part';
            end if;
        when 'data' then
            if v_data is not null then
                raise exception using errcode = 'AC001', column = v_field,
                    message = v_field || ': a message has at most one data part';
            end if;
            v_data := coalesce(v_part.value -> 'data', 'null');
            perform aicrm_private.assert_json_valid('agent_message.' || v_type, v_data, v_field || '.data');
            if v_data ->> 'customer_id' is not null and not exists (
                select from aicrm.customers as c
                where c.tenant_id = v_tenant and c.customer_id = (v_data ->> 'customer_id')::uuid
            ) then
                raise exception using errcode = 'AC002', column = v_field || '.data.customer_id',
                    message = format('%s.data.customer_id: no customer %s in this tenant', v_field, v_data ->> 'customer_id');
            end if;
            if v_data ->> 'task_id' is not null and not exists (
                select from aicrm.project_tasks as t
                where t.tenant_id = v_tenant and t.task_id = (v_data ->> 'task_id')::uuid
            ) then
                raise exception using errcode = 'AC002', column = v_field || '.data.task_id',
                    message = format('%s.data.task_id: no task %s in this tenant', v_field, v_data ->> 'task_id');
            end if;
            if v_data ->> 'decision' is not null and not (v_data ->> 'decision') = any(v_sender.decides) then
                raise exception using errcode = 'AC006', column = v_field || '.data.decision',
                    message = format('%s.data.decision: the role %s does not decide %s', v_field, v_from_role,
                        v_data ->> 'decision'),
                    hint = format('It decides: %s.', coalesce(nullif(array_to_string(v_sender.decides, ', '), ''), 'nothing'));
            end if;
        when 'artifact' then
            if v_part.value ->> 'deliverable_id' is null or v_part.value ->> 'relation' is null then
                raise exception using errcode = 'AC001',
                    column = v_field || case when v_part.value ->> 'deliverable_id' is null then '.deliverable_id'
                        else '.relation' end,
                    message = v_field || ': an artifact part names a deliverable_id and its relation (produced, consumed)';
            end if;
            if not exists (
                select from aicrm.project_deliverables as d
                where d.tenant_id = v_tenant and d.deliverable_id = (v_part.value ->> 'deliverable_id')::uuid
            ) then
                raise exception using errcode = 'AC002', column = v_field || '.deliverable_id',
                    message = format('%s.deliverable_id: no deliverable %s in this tenant', v_field,
                        v_part.value ->> 'deliverable_id');
            end if;
        end case;
    end loop;
    if v_data is null and jsonb_array_length(coalesce(v_schema -> 'required', '[]')) > 0 then
        raise exception using errcode = 'AC001', column = 'parts',
            message = format('parts: a %s message has a data part (%s)', v_type, v_schema -> 'required');
    end if;
    if octet_length(v_parts::text) > 262144 then
        raise exception using errcode = 'AC001', column = 'parts', message = 'parts: over 256 KiB';
    end if;

    v_thread := coalesce((p_message ->> 'thread_id')::uuid, v_parent.thread_id, (v_data ->> 'task_id')::uuid, v_id);
    insert into aicrm.ai_agent_messages (
        tenant_id, message_id, created_at, kind, message_type, from_agent_id, from_role, to_agent_id, to_role,
        thread_id, reply_to, correlation_id, parts, priority, visible_at, expires_at, idempotency_key, request_hash
    ) values (
        v_tenant, v_id, v_now, v_kind, v_type, v_from_agent.agent_id, v_from_role, v_to_agent_id,
        case when v_to_agent_id is null then v_to_role end, v_thread, v_parent.message_id, v_correlation, v_parts,
        coalesce((p_message ->> 'priority')::smallint, 3), v_now,
        v_now + make_interval(secs => coalesce(
            (p_message ->> 'expires_in_seconds')::integer, case when v_kind = 'request' then 259200 else 604800 end
        )),
        v_key, v_hash
    )
    returning * into v_row;
    -- a signal, never the message: listeners read it with read_agent_inbox or get_thread
    perform pg_notify('aicrm_agent_message', jsonb_build_object('tenant_id', v_tenant, 'message_id', v_id)::text);
    return aicrm_private.agent_message_json(v_row) || jsonb_build_object('created', true);
end
$$;

revoke execute on function aicrm.send_agent_message(jsonb) from public;
grant execute on function aicrm.send_agent_message(jsonb) to aicrm_app, aicrm_worker;
