-- A person, or the agent that claimed the request, answers a request for a customer's profile
-- field (docs/agents.md, "Asking for what is missing"): p_request_id, a
-- request.missing_profile_field of the tenant still open (pending or claimed); p_value, the
-- field's value: for address an address object (street, city, region, postal_code, country: the
-- profile's schema customer.address), for contact an object of website, email and/or phone, for
-- any other field of the business profile (target_audience, ...) its value as
-- upsert_business_profile takes it. In one transaction: the customer's profile is updated through
-- aicrm.upsert_business_profile (its checks, its new context version), the answer is sent as the
-- request's response, the request is acknowledged, and the task, when it waits in input_required
-- with no other request open, goes back to the queue to be written again with the answer.
-- Who answers: the agent holding the request's claim (read_agent_inbox gave it out and it is
-- active: a person's own row of role human, or an outside agent through aicrm mcp, which proves
-- the claim with its token in the same transaction), else a person (from_role human);
-- send_agent_message then checks that the answerer is an addressee of the request. An agent never
-- answers its own request (that would let an agent write any profile field by asking itself).
-- p_by: who answers, for the history (else the JWT's subject, else the role).
-- Errors: AC001 value (missing, or not an object for address and contact; AC001 naming the
-- profile's field when the value breaks its schema); AC002 request_id; AC005 request_id (answered
-- already, or dead-lettered); AC006 request_id (the claimer asked it itself); AC006 from_agent_id
-- (the answerer is not an addressee). Returns {request_id, response, profile: {customer_id,
-- context_version, changed}, task: {task_id, execution_state}}.
create or replace function aicrm.respond_to_request(p_request_id uuid, p_value jsonb, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_request aicrm.ai_agent_messages;
    v_data jsonb;
    v_field text;
    v_profile jsonb;
    v_changed jsonb;
    v_response jsonb;
    v_task aicrm.project_tasks;
    v_answerer uuid;
    v_by text := aicrm_private.alert_actor(p_by);
begin
    select * into v_request from aicrm.ai_agent_messages as m
    where m.tenant_id = v_tenant and m.message_id = p_request_id
    for update;
    if not found or v_request.message_type <> 'request.missing_profile_field' then
        raise exception using errcode = 'AC002', column = 'request_id',
            message = format('request_id: no request for a profile field %s in this tenant', p_request_id);
    end if;
    if v_request.status not in ('pending', 'delivered') then
        raise exception using errcode = 'AC005', column = 'request_id',
            message = format('request_id: the request is %s already', v_request.status);
    end if;
    if p_value is null or p_value = 'null'::jsonb then
        raise exception using errcode = 'AC001', column = 'value', message = 'value: is required',
            hint = 'The value of the field the request asks for.';
    end if;
    -- the agent holding the claim answers (its role is checked as an addressee's when it sends)
    select a.agent_id into v_answerer from aicrm.ai_agents as a
    where v_request.status = 'delivered' and a.tenant_id = v_tenant and a.agent_id = v_request.claimed_by
      and a.status = 'active';
    -- without a claim the answer is a person's: only the app's role speaks for people (the worker
    -- role, which outside agents use through aicrm mcp, answers only under a claim of its own)
    if v_answerer is null
       and not pg_has_role(coalesce(nullif(current_setting('role'), 'none'), session_user)::name, 'aicrm_app', 'member') then
        raise exception using errcode = 'AC006', column = 'request_id',
            message = 'request_id: only a person (aicrm_app) answers a request without holding its claim',
            hint = 'Claim it with read_agent_inbox as the answering agent first.';
    end if;
    if v_answerer is not null and v_answerer = v_request.from_agent_id then
        raise exception using errcode = 'AC006', column = 'request_id',
            message = format('request_id: agent %s asked this request itself and may not answer it', v_answerer);
    end if;
    select p.value -> 'data' into v_data
    from jsonb_array_elements(v_request.parts) as p
    where p.value ->> 'type' = 'data'
    limit 1;
    v_field := v_data ->> 'field';
    if v_field in ('address', 'contact') and jsonb_typeof(p_value) is distinct from 'object' then
        raise exception using errcode = 'AC001', column = 'value',
            message = format('value: the %s must be a JSON object', v_field),
            hint = case v_field when 'address' then 'For example {"street": "12 Baker Street", "city": "Portland", "postal_code": "97201"}.'
                else 'For example {"phone": "+1 503 555 0100", "website": "https://example.com"}.' end;
    end if;
    v_profile := case v_field
        when 'address' then jsonb_build_object('address', p_value)
        when 'contact' then jsonb_strip_nulls(jsonb_build_object(
            'website', p_value -> 'website', 'email', p_value -> 'email', 'phone', p_value -> 'phone'))
        -- any other field of the profile (target_audience, business_hours, ...): upsert_business_profile
        -- checks that it is one, and its value
        else jsonb_build_object(v_field, p_value)
    end;
    if v_profile is null or v_profile = '{}' then
        raise exception using errcode = 'AC001', column = 'value',
            message = format('value: nothing to set for the field %s', v_field),
            hint = 'For contact details: website, email or phone.';
    end if;
    v_changed := aicrm.upsert_business_profile(p_profile => v_profile, p_customer_id => (v_data ->> 'customer_id')::uuid);

    v_response := aicrm.send_agent_message(jsonb_build_object(
        'kind', 'response', 'message_type', 'response.missing_profile_field',
        'from_agent_id', v_answerer, 'from_role', case when v_answerer is null then 'human' end,
        'reply_to', p_request_id,
        'parts', jsonb_build_array(
            jsonb_build_object('type', 'text', 'text', format('Answered by %s.', v_by)),
            jsonb_build_object('type', 'data', 'data', jsonb_build_object('field', v_field, 'value', p_value)))));
    update aicrm.ai_agent_messages as m
    set status = 'acknowledged', acknowledged_at = clock_timestamp(), acknowledged_by = v_answerer
    where m.tenant_id = v_tenant and m.message_id = p_request_id and m.created_at = v_request.created_at;

    select * into v_task from aicrm.project_tasks as t
    where t.tenant_id = v_tenant and t.task_id = (v_data ->> 'task_id')::uuid
    for update;
    if v_task.execution_state = 'input_required' and not exists (
        select from aicrm.ai_agent_messages as m
        where m.tenant_id = v_tenant and m.thread_id = v_task.task_id and m.kind = 'request'
          and m.status in ('pending', 'delivered')
    ) then
        perform aicrm_private.transition_task(v_task.task_id, 'queued', v_by,
            format('answered: the customer''s %s is in its profile now', v_field), 'input_required',
            jsonb_build_object('request_id', p_request_id, 'response_id', v_response -> 'message_id'),
            'respond_to_request');
    end if;
    return jsonb_build_object(
        'request_id', p_request_id,
        'response', v_response,
        'profile', v_changed,
        'task', (select jsonb_build_object('task_id', t.task_id, 'execution_state', t.execution_state)
                 from aicrm.project_tasks as t where t.tenant_id = v_tenant and t.task_id = v_task.task_id));
end
$$;

revoke execute on function aicrm.respond_to_request(uuid, jsonb, text) from public;
-- The worker role too: aicrm mcp answers as its agent, the claim proved in the same transaction.
grant execute on function aicrm.respond_to_request(uuid, jsonb, text) to aicrm_app, aicrm_worker;
