-- The decision engine. Categories in order (escalation, retry, approval), rules by priority; the
-- first whose condition holds decides; when none does, a human reviews. The decision, the rule and
-- version that took it, the inputs and a trace of the condition are recorded in ai_decisions.
--
-- Speed: the tenant's active rules and its settings are compiled into one statement once per change
-- (aicrm_private.decision_rule_set, in private/rules/decision_rule_sets.sql), prepared once per
-- session under a name derived from its text, so a decision reads one row and executes one planned
-- statement; a changed rule or setting gives a new statement, used by every session's next decision.
-- The private helpers (the context, the first matching rule, the unmet thresholds) are in
-- private/rules/decisions.sql.

create or replace function aicrm.evaluate_decision(p_context jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_set aicrm_private.decision_rule_sets := aicrm_private.decision_rule_set();
    v_tenant uuid := v_set.tenant_id;
    v_context jsonb := aicrm_private.decision_context(p_context, v_set.settings);
    v_rule_ids uuid[] := v_set.rule_ids;
    v_index integer;
    v_values jsonb;
    v_rule aicrm.ai_decision_rules;
    v_action jsonb;
    v_trace jsonb := '[]';
    v_explanation text;
    v_why jsonb;
    v_confidence numeric;
    v_decision_id uuid;
begin
    v_index := aicrm_private.first_matching_rule(v_set, v_context);
    if v_index > 0 then
        select * into v_rule from aicrm.ai_decision_rules r
        where r.tenant_id = v_tenant and r.rule_id = v_rule_ids[v_index];
        -- The deciding rule's trace: the values of its operations, from its own prepared
        -- statement (one per rule version and session).
        v_values := aicrm_private.execute_prepared(
            'aicrm_trace_' || left(md5(v_rule.rule_id::text || ':' || v_rule.version), 24),
            'select ' || v_rule.compiled_trace, 'jsonb', quote_literal(v_context) || '::jsonb')::jsonb;
        select coalesce(jsonb_agg(n.node || jsonb_build_object('value', v_values -> (n.ord::integer - 1))
                                  order by n.ord), '[]')
        into v_trace
        from jsonb_array_elements(v_rule.trace_nodes) with ordinality as n (node, ord);
    end if;

    v_confidence := case when jsonb_typeof(p_context #> '{quality,confidence}') = 'number'
                         then (p_context #>> '{quality,confidence}')::numeric end;
    -- What the scorecard says fails (quality.failures, worded by the scorecard: "readability 41.2
    -- is below the task's minimum 60"), named in the explanation whatever decided.
    v_why := case when jsonb_typeof(p_context #> '{quality,failures}') = 'array'
                  then p_context #> '{quality,failures}' else '[]' end;
    -- An explanation says what happens, why (what an approval passed, or what fails), then the
    -- rule: "Sent to review (rewrite changed nothing): brief: the topic ... (major). Rule 'Stop
    -- retrying when a rewrite changed nothing' (v1, escalation, priority 30)."
    if v_rule.rule_id is not null then
        v_action := v_rule.action;
        v_explanation := aicrm_private.decision_outcome(v_action)
            || coalesce(' (' || (v_action #>> '{params,reason}') || ')', '') || ': '
            || case
                when v_action ->> 'type' = 'approve' then coalesce(concat_ws('; ',
                        aicrm_private.first_reasons(case when jsonb_typeof(p_context #> '{quality,passes}') = 'array'
                                                         then p_context #> '{quality,passes}' end, 6),
                        aicrm_private.approval_figures(v_context)), rtrim(coalesce(nullif(v_rule.description, ''), 'the rule matched'), '.'))
                when jsonb_array_length(v_why) > 0 then aicrm_private.first_reasons(v_why, 5)
                else rtrim(coalesce(nullif(v_rule.description, ''), 'the rule matched'), '.') end
            || format('. Rule %L (v%s, %s, priority %s).', v_rule.name, v_rule.version, v_rule.category, v_rule.priority);
    else
        v_action := jsonb_build_object('type', 'review', 'params', jsonb_build_object('reason', 'no rule matched'));
        v_why := v_why || aicrm_private.unmet_thresholds(v_context, v_why);
        v_explanation := format('Sent to review: none of %s escalation, retry or approval rules matched, so a person decides%s.',
            cardinality(v_rule_ids), coalesce(': ' || aicrm_private.first_reasons(v_why, 6), ''));
    end if;

    insert into aicrm.ai_decisions (tenant_id, action, category, rule_id, rule_version, rule_name, explanation,
        confidence, context, trace, task_id, deliverable_id)
    values (v_tenant, v_action, coalesce(v_rule.category, 'review'), v_rule.rule_id, v_rule.version, v_rule.name,
        v_explanation, v_confidence, v_context, v_trace,
        case when coalesce(p_context #>> '{task,task_id}', p_context ->> 'task_id') ~* '^[0-9a-f-]{36}$'
             then coalesce(p_context #>> '{task,task_id}', p_context ->> 'task_id')::uuid end,
        case when coalesce(p_context #>> '{deliverable,deliverable_id}', p_context ->> 'deliverable_id') ~* '^[0-9a-f-]{36}$'
             then coalesce(p_context #>> '{deliverable,deliverable_id}', p_context ->> 'deliverable_id')::uuid end)
    returning decision_id into v_decision_id;

    return jsonb_build_object(
        'decision_id', v_decision_id,
        'action', v_action,
        'category', coalesce(v_rule.category, 'review'),
        'rule', case when v_rule.rule_id is not null then jsonb_build_object(
            'rule_id', v_rule.rule_id, 'name', v_rule.name, 'version', v_rule.version, 'priority', v_rule.priority) end,
        'explanation', v_explanation,
        'confidence', v_confidence,
        'trace', v_trace,
        'inputs', v_context,
        'rules_evaluated', coalesce(nullif(v_index, 0), cardinality(v_rule_ids))
    );
end
$$;

-- The rule tester: checks a condition as a save would, evaluates it on a context through the
-- interpreter and the compiled path, and traces it. Nothing is stored.
create or replace function aicrm.test_rule(p_condition jsonb, p_context jsonb default '{}')
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_context jsonb;
    v_result jsonb;
    v_compiled jsonb;
    v_nodes jsonb;
    v_trace jsonb;
begin
    perform aicrm_private.require_tenant();
    v_context := aicrm_private.decision_context(coalesce(p_context, '{}'));
    perform aicrm_private.jl_check(p_condition);
    v_result := aicrm.jsonlogic_apply(p_condition, v_context);
    v_compiled := aicrm_private.jl_apply_compiled(p_condition, v_context);
    v_nodes := aicrm_private.jl_trace_nodes(p_condition);
    select coalesce(jsonb_agg(jsonb_build_object('path', n.node ->> 'path', 'expression', n.node -> 'expression',
               'value', aicrm.jsonlogic_apply(n.node -> 'expression', v_context)) order by n.ord), '[]')
    into v_trace
    from jsonb_array_elements(v_nodes) with ordinality as n (node, ord);
    return jsonb_build_object(
        'matches', aicrm_private.jl_truthy(v_result),
        'result', v_result,
        'compiled_result', v_compiled,
        'paths_agree', v_result = v_compiled,
        'trace', v_trace,
        'inputs', v_context
    );
end
$$;

grant execute on function aicrm.evaluate_decision(jsonb), aicrm.test_rule(jsonb, jsonb) to aicrm_app, aicrm_worker;
