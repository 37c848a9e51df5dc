-- A decision replayed on request: every rule evaluated before the one that decided (or all of them,
-- when none did), each with whether it was in scope, whether it held and the values of its
-- operations, on the context the decision recorded and the rules as they were when it was taken
-- (ai_decision_rule_versions). A decision itself traces only the rule that decided it.
create or replace function aicrm.trace_decision(p_decision_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_decision aicrm.ai_decisions;
    v_rules jsonb := '[]';
    v_rule record;
    v_in_scope boolean;
    v_holds boolean;
    v_first uuid;
begin
    perform aicrm_private.require_tenant();
    select * into v_decision from aicrm.ai_decisions d where d.decision_id = p_decision_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('decision_id: no decision %s in this tenant', p_decision_id),
            hint = 'Pass a decision_id that aicrm.evaluate_decision returned (aicrm.ai_decisions lists them).',
            column = 'decision_id';
    end if;
    for v_rule in
        select v.rule_id, v.version, v.rule
        from (
            select distinct on (rv.rule_id) rv.rule_id, rv.version, rv.operation, rv.rule
            from aicrm.ai_decision_rule_versions rv
            where rv.changed_at <= v_decision.decided_at
            order by rv.rule_id, rv.changed_at desc, rv.version desc
        ) as v
        where v.operation <> 'delete' and (v.rule ->> 'active')::boolean
          and v.rule ->> 'category' in ('escalation', 'retry', 'approval')
        order by array_position(array['escalation', 'retry', 'approval'], v.rule ->> 'category'),
                 (v.rule ->> 'priority')::integer, v.rule ->> 'name'
    loop
        v_in_scope := (v_rule.rule ->> 'customer_id' is null or v_rule.rule ->> 'customer_id'
                           = coalesce(v_decision.context #>> '{customer,customer_id}', v_decision.context ->> 'customer_id'))
            and (v_rule.rule ->> 'channel' is null or v_rule.rule ->> 'channel'
                     = coalesce(v_decision.context #>> '{task,channel}', v_decision.context ->> 'channel'))
            and (v_rule.rule ->> 'task_type' is null or v_rule.rule ->> 'task_type'
                     = coalesce(v_decision.context #>> '{task,task_type}', v_decision.context ->> 'task_type'));
        v_holds := v_in_scope
            and aicrm_private.jl_truthy(aicrm.jsonlogic_apply(v_rule.rule -> 'condition', v_decision.context));
        v_rules := v_rules || jsonb_build_object(
            'rule_id', v_rule.rule_id, 'name', v_rule.rule ->> 'name', 'version', v_rule.version,
            'category', v_rule.rule ->> 'category', 'priority', (v_rule.rule ->> 'priority')::integer,
            'in_scope', v_in_scope, 'holds', v_holds,
            'trace', case when v_in_scope then (
                select coalesce(jsonb_agg(jsonb_build_object('path', n.node ->> 'path', 'expression', n.node -> 'expression',
                           'value', aicrm.jsonlogic_apply(n.node -> 'expression', v_decision.context)) order by n.ord), '[]')
                from jsonb_array_elements(aicrm_private.jl_trace_nodes(v_rule.rule -> 'condition')) with ordinality as n (node, ord)
            ) else '[]' end);
        if v_holds then
            v_first := v_rule.rule_id;
            exit;
        end if;
    end loop;
    return jsonb_build_object(
        'decision_id', v_decision.decision_id,
        'decided_at', v_decision.decided_at,
        'rule_id', v_decision.rule_id,
        'rules', v_rules,
        -- The replay takes the recorded rule (or none): false only if the history cannot explain it.
        'replay_agrees', v_first is not distinct from v_decision.rule_id
    );
end
$$;

grant execute on function aicrm.trace_decision(uuid) to aicrm_app, aicrm_readonly;
