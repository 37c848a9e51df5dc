-- Asking for what is missing (docs/agents.md, "Asking for what is missing"; migration 0034): the
-- pipeline's own requests to people, the answer's effect on the task, and what happens when nobody
-- answers. The person's side is aicrm.respond_to_request (sql/functions/agents/).

-- Sends p_message as the pipeline itself (a role without an agent row: the rules, as the
-- compliance role, asking the account manager). send_agent_message allows a sender without an
-- agent only to a person, or to this function: it sets a transaction-local setting to the claim
-- key no role can read, as claim_next_task does (migration 0012), and clears it after.
create or replace function aicrm_private.send_system_message(p_message jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_sent jsonb;
begin
    perform set_config('aicrm_private.system_sender', (select k.key::text from aicrm_private.claim_key as k), true);
    v_sent := aicrm.send_agent_message(p_message);
    perform set_config('aicrm_private.system_sender', '', true);
    return v_sent;
end
$$;

revoke execute on function aicrm_private.send_system_message(jsonb) from public;

-- The profile field a person is asked for, for a profile gap of the scorecard (compliance's
-- profile_gaps: address.street, or "website, phone or email"), and the question.
create or replace function aicrm_private.profile_gap_question(p_gap text, p_customer_name text)
returns table (field text, question text)
language sql
immutable
set search_path = ''
as $$
    select
        case when p_gap like 'address.%' then 'address' else 'contact' end,
        case when p_gap like 'address.%'
            then format('%s has no postal address in its profile, and every marketing email must carry one. '
                        'What is the business''s postal address (street, city, region, postal code)?', p_customer_name)
            else format('%s has no website, phone or email in its profile, and the draft must say how to reach the '
                        'business. What are its public contact details?', p_customer_name)
        end
$$;

-- record_evaluation's request_input: one request per profile gap of the draft's scorecard
-- (p_card -> profile_gaps) to the role the rule names (params.role, default human: the account
-- manager), in the task's thread, from the compliance role (the rules). Returns how many were
-- sent; 0 when the scorecard names no gap a person could fill (the caller escalates instead).
create or replace function aicrm_private.request_task_input(
    p_task aicrm.project_tasks, p_card jsonb, p_decision jsonb, p_deliverable_id uuid
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_name text;
    v_gap text;
    v_ask record;
    v_sent integer := 0;
    v_route jsonb;
begin
    select c.name into v_name from aicrm.customers as c
    where c.tenant_id = p_task.tenant_id and c.customer_id = p_task.customer_id;
    -- to whom: the tenant's routing rules (routing.sql), else the role the decision rule names
    v_route := aicrm_private.route_and_mark_task(p_task.tenant_id, p_task.task_id, 'input',
        coalesce(p_decision #>> '{action,params,role}', 'human'),
        jsonb_build_object('profile_gaps', coalesce(p_card -> 'profile_gaps', '[]')));
    for v_gap in select distinct g from jsonb_array_elements_text(coalesce(p_card -> 'profile_gaps', '[]')) as g order by 1 loop
        select * into v_ask from aicrm_private.profile_gap_question(v_gap, v_name);
        perform aicrm_private.send_system_message(jsonb_build_object(
            'kind', 'request',
            'message_type', 'request.missing_profile_field',
            'from_role', 'compliance',
            'thread_id', p_task.task_id,
            'priority', 2,
            'parts', jsonb_build_array(
                jsonb_build_object('type', 'text', 'text', v_ask.question),
                jsonb_build_object('type', 'data', 'data', jsonb_build_object(
                    'field', v_ask.field, 'question', v_ask.question, 'customer_id', p_task.customer_id,
                    'task_id', p_task.task_id, 'profile_gap', v_gap)),
                jsonb_build_object('type', 'artifact', 'deliverable_id', p_deliverable_id, 'relation', 'consumed')
            )
        ) || case when v_route ? 'to_agent_id' then jsonb_build_object('to_agent_id', v_route -> 'to_agent_id')
                  else jsonb_build_object('to_role', v_route -> 'to_role') end);
        v_sent := v_sent + 1;
    end loop;
    return v_sent;
end
$$;

-- For the tenant set: tasks waiting in input_required with no request left that anyone could
-- answer (every one dead-lettered: expired, or claimed too often) go to a person as escalated, with
-- the reason. Called by aicrm.expire_agent_messages after it dead-letters. Returns how many.
create or replace function aicrm_private.escalate_unanswered_requests()
returns bigint
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task record;
    v_done bigint := 0;
begin
    for v_task in
        select t.task_id
        from aicrm.project_tasks as t
        where t.tenant_id = v_tenant and t.execution_state = 'input_required'
          and not exists (
              select from aicrm.ai_agent_messages as m
              where m.tenant_id = v_tenant and m.thread_id = t.task_id and m.kind = 'request'
                and m.status in ('pending', 'delivered')
          )
        order by t.state_changed_at
        limit 500
        for update of t skip locked
    loop
        perform aicrm_private.transition_task(v_task.task_id, 'escalated', 'system',
            'the request for what only a person knows went unanswered before it expired', 'input_required',
            jsonb_build_object('unanswered', true), 'expire_agent_messages');
        v_done := v_done + 1;
    end loop;
    return v_done;
end
$$;
