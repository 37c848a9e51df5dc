-- Routing (docs/agents.md, "Who gets what"; migration 0042): a tenant's `routing` rules choose who
-- a task is addressed to when it needs someone. A routing rule's action is
--   {"type": "route", "params": {"to_role": "<a role of aicrm.agent_roles>"}}  or
--   {"type": "route", "params": {"to_agent": "<the name of one of the tenant's agents>"}},
-- with "for": ["review", "input"] to limit it to one of the points where a task is addressed
-- (default: both): `review` when the rules or a failure send a task to a person (awaiting_review,
-- escalated), `input` when the rules ask for what only a person knows (request_input). Its
-- condition is JSON Logic over {route_for, task {task_id, channel, task_type, priority, state,
-- attempts, title}, customer {customer_id, name, industry}, instructions, and the point's facts:
-- review's state, score and summary; input's profile_gaps}. The first active rule in scope (its
-- customer, channel and task type, when set) whose condition holds, by priority then name, wins;
-- none: the point's default role.

-- A routing rule's action, checked when the rule is saved (the rules' BEFORE trigger): AC001 naming
-- the field, AC002 for an agent the tenant does not have.
create or replace function aicrm_private.check_route_action(p_tenant uuid, p_category text, p_action jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    v_params jsonb := coalesce(p_action -> 'params', '{}');
    v_bad text;
begin
    if p_category <> 'routing' and p_action ->> 'type' = 'route' then
        raise exception using errcode = 'AC001', column = 'action.type',
            message = format('action.type: route is the action of a routing rule, not of a %s rule', p_category),
            hint = 'Give the rule category routing, or another action.';
    elsif p_category <> 'routing' then
        return;
    end if;
    if p_action ->> 'type' is distinct from 'route' then
        raise exception using errcode = 'AC001', column = 'action.type',
            message = format('action.type: a routing rule routes: expected route, got %s',
                coalesce(p_action ->> 'type', 'nothing')),
            hint = 'e.g. {"type": "route", "params": {"to_role": "human"}}';
    end if;
    if (v_params ? 'to_role') = (v_params ? 'to_agent') then
        raise exception using errcode = 'AC001', column = 'action.params.to_role',
            message = 'action.params.to_role: a route names either to_role or to_agent, exactly one',
            hint = 'e.g. {"to_role": "human"} or {"to_agent": "ana@agency"}';
    end if;
    if v_params ? 'to_role' and not exists (
        select from aicrm.agent_roles as r where r.role = v_params ->> 'to_role'
    ) then
        raise exception using errcode = 'AC001', column = 'action.params.to_role',
            message = format('action.params.to_role: %s is not a role', v_params ->> 'to_role'),
            hint = 'The roles: select role from aicrm.agent_roles;';
    end if;
    if v_params ? 'to_agent' and not exists (
        select from aicrm.ai_agents as a where a.tenant_id = p_tenant and a.name = v_params ->> 'to_agent'
    ) then
        raise exception using errcode = 'AC002', column = 'action.params.to_agent',
            message = format('action.params.to_agent: no agent %s in this tenant', v_params ->> 'to_agent'),
            hint = 'The agents: select name, role from aicrm.ai_agents;';
    end if;
    select x into v_bad from jsonb_array_elements_text(
        case jsonb_typeof(v_params -> 'for') when 'array' then v_params -> 'for' else '[]' end) as x
    where x not in ('review', 'input') limit 1;
    if v_params ? 'for' and (jsonb_typeof(v_params -> 'for') <> 'array' or v_bad is not null
                             or jsonb_array_length(v_params -> 'for') = 0) then
        raise exception using errcode = 'AC001', column = 'action.params.for',
            message = format('action.params.for: expected a list of review and/or input, got %s', v_params -> 'for'),
            hint = 'e.g. "for": ["review"]';
    end if;
end
$$;

revoke execute on function aicrm_private.check_route_action(uuid, text, jsonb) from public;
grant execute on function aicrm_private.check_route_action(uuid, text, jsonb) to aicrm_app;

-- Who task p_task goes to at the point p_for (review | input), p_default_role when no rule routes
-- it: {to_role | to_agent_id, to_agent, rule_id, rule, version, for}. An agent that is no longer
-- active is passed over (the next rule, else the default), so work never waits on a retired agent.
create or replace function aicrm_private.route_task(
    p_task aicrm.project_tasks, p_for text, p_default_role text, p_facts jsonb default '{}'
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_data jsonb;
    v_rule aicrm.ai_decision_rules;
    v_agent aicrm.ai_agents;
begin
    v_data := jsonb_build_object(
        'route_for', p_for,
        'task', jsonb_build_object('task_id', p_task.task_id, 'channel', p_task.channel,
            'task_type', p_task.task_type, 'priority', p_task.priority, 'state', p_task.execution_state,
            'attempts', p_task.attempts, 'title', p_task.title),
        'customer', (select jsonb_build_object('customer_id', c.customer_id, 'name', c.name,
                         'industry', c.industry_category)
                     from aicrm.customers as c
                     where c.tenant_id = p_task.tenant_id and c.customer_id = p_task.customer_id),
        'instructions', coalesce(p_task.ai_instructions, '{}')) || coalesce(p_facts, '{}');
    for v_rule in
        select r.* from aicrm.ai_decision_rules as r
        where r.tenant_id = p_task.tenant_id and r.active and r.category = 'routing'
          and (r.customer_id is null or r.customer_id = p_task.customer_id)
          and (r.channel is null or r.channel = p_task.channel)
          and (r.task_type is null or r.task_type = p_task.task_type)
          and (not r.action #> '{params}' ? 'for' or r.action #> '{params,for}' ? p_for)
        order by r.priority, r.name
    loop
        perform set_config('aicrm.jl_budget', '100000', true);
        continue when not aicrm_private.jl_truthy(aicrm.jsonlogic_apply(v_rule.condition, v_data));
        if v_rule.action #> '{params}' ? 'to_agent' then
            select * into v_agent from aicrm.ai_agents as a
            where a.tenant_id = p_task.tenant_id and a.name = v_rule.action #>> '{params,to_agent}'
              and a.status = 'active';
            continue when not found;
            return jsonb_build_object('to_agent_id', v_agent.agent_id, 'to_agent', v_agent.name,
                'rule_id', v_rule.rule_id, 'rule', v_rule.name, 'version', v_rule.version, 'for', p_for);
        end if;
        return jsonb_build_object('to_role', v_rule.action #>> '{params,to_role}', 'rule_id', v_rule.rule_id,
            'rule', v_rule.name, 'version', v_rule.version, 'for', p_for);
    end loop;
    return jsonb_build_object('to_role', p_default_role, 'for', p_for);
end
$$;

revoke execute on function aicrm_private.route_task(aicrm.project_tasks, text, text, jsonb) from public;
grant execute on function aicrm_private.route_task(aicrm.project_tasks, text, text, jsonb)
to aicrm_app, aicrm_worker;

-- Routes task p_task_id at p_for and keeps the choice on the task (routed_role | routed_agent_id,
-- routed_by: the rule); returns the route. Called where the pipeline addresses the task to someone.
create or replace function aicrm_private.route_and_mark_task(
    p_tenant uuid, p_task_id uuid, p_for text, p_default_role text, p_facts jsonb default '{}'
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_task aicrm.project_tasks;
    v_route jsonb;
begin
    select * into v_task from aicrm.project_tasks as t where t.tenant_id = p_tenant and t.task_id = p_task_id;
    v_route := aicrm_private.route_task(v_task, p_for, p_default_role, p_facts);
    update aicrm.project_tasks as t
    set routed_role = v_route ->> 'to_role', routed_agent_id = (v_route ->> 'to_agent_id')::uuid,
        routed_by = v_route - 'to_role' - 'to_agent_id'
    where t.tenant_id = p_tenant and t.task_id = p_task_id;
    return v_route;
end
$$;

revoke execute on function aicrm_private.route_and_mark_task(uuid, uuid, text, text, jsonb) from public;
