-- The decision engine. Categories in order (escalation, retry, approval), rules by priority; the
-- first whose condition holds decides; when none does, a human reviews. The decision, the rule and
-- version that took it, the inputs and a trace of the condition are recorded in ai_decisions.
--
-- Speed: the tenant's active rules are compiled SQL (ai_decision_rules.compiled_condition, derived
-- by the rule trigger). They are combined into one CASE and prepared once per session and rule-set
-- version, so a decision is one EXECUTE of a planned statement; a changed rule changes the
-- statement's name, so the next decision in every session uses it, with no restart.

-- The decision context the rules see: the caller's context with the tenant's settings, which the
-- caller cannot override (a draft's writer must not choose its own thresholds).
create or replace function aicrm_private.decision_context(p_context jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    if jsonb_typeof(p_context) is distinct from 'object' then
        raise exception using errcode = 'AC001', message = 'context: must be a JSON object',
            hint = 'Pass e.g. {"quality": {"overall": 82, "confidence": 0.8}, "task": {"attempts": 1}}.',
            column = 'context';
    end if;
    if octet_length(p_context::text) > 262144 then
        raise exception using errcode = 'AC001',
            message = format('context: %s bytes, more than 256 KiB', octet_length(p_context::text)),
            hint = 'Pass the scores and facts the rules need, not whole documents.', column = 'context';
    end if;
    return p_context || jsonb_build_object('settings', aicrm.get_decision_settings());
end
$$;

-- Why no rule approved a draft, in the terms of the tenant's settings (the engine adds them to
-- every context): overall below approve_min_quality (unless p_failures, the scorecard's reasons,
-- already name the overall), confidence below approve_min_confidence, no score at all, and, when
-- something failed, no attempts left for a retry. Facts only: whichever rules the tenant has.
create or replace function aicrm_private.unmet_thresholds(p_context jsonb, p_failures jsonb)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with facts as (
        select 1 as ord, case
            when coalesce(jsonb_typeof(p_context #> '{quality,overall}'), 'none') <> 'number' then 'no quality score'
            when jsonb_typeof(p_context #> '{settings,approve_min_quality}') = 'number'
                 and (p_context #>> '{quality,overall}')::numeric < (p_context #>> '{settings,approve_min_quality}')::numeric
                 and not exists (select from jsonb_array_elements_text(p_failures) f where f like 'overall %')
                then format('overall %s is below approve_min_quality %s', p_context #>> '{quality,overall}',
                            p_context #>> '{settings,approve_min_quality}')
            end as fact
        union all
        select 2, case when jsonb_typeof(p_context #> '{quality,confidence}') = 'number'
                        and jsonb_typeof(p_context #> '{settings,approve_min_confidence}') = 'number'
                        and (p_context #>> '{quality,confidence}')::numeric
                            < (p_context #>> '{settings,approve_min_confidence}')::numeric
            then format('confidence %s is below approve_min_confidence %s', p_context #>> '{quality,confidence}',
                        p_context #>> '{settings,approve_min_confidence}') end
    ),
    found as (
        select f.ord, f.fact from facts f where f.fact is not null
        union all
        -- Why nothing was retried: the attempts are used up.
        select 3, format('no attempts left (%s of max_attempts %s)', p_context #>> '{task,attempts}',
                         p_context #>> '{settings,max_attempts}')
        where jsonb_typeof(p_context #> '{task,attempts}') = 'number'
          and jsonb_typeof(p_context #> '{settings,max_attempts}') = 'number'
          and (p_context #>> '{task,attempts}')::numeric >= (p_context #>> '{settings,max_attempts}')::numeric
          and (jsonb_array_length(p_failures) > 0 or exists (select from facts f where f.ord = 1 and f.fact is not null))
    )
    select coalesce(jsonb_agg(to_jsonb(f.fact) order by f.ord), '[]') from found f
$$;

create or replace function aicrm.evaluate_decision(p_context jsonb)
returns jsonb
language plpgsql
set search_path = ''
-- A custom plan would re-plan the rules for every context, folding each condition at plan time:
-- the generic plan is planned once and only executed (measured 10x faster).
set plan_cache_mode = force_generic_plan
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_context jsonb := aicrm_private.decision_context(p_context);
    v_customer text := coalesce(p_context #>> '{customer,customer_id}', p_context ->> 'customer_id');
    v_channel text := coalesce(p_context #>> '{task,channel}', p_context ->> 'channel');
    v_task_type text := coalesce(p_context #>> '{task,task_type}', p_context ->> 'task_type');
    v_rule_ids uuid[];
    v_values jsonb;
    v_signature text;
    v_stmt text;
    v_cases text;
    v_index integer;
    v_rule aicrm.ai_decision_rules;
    v_action jsonb;
    v_trace jsonb := '[]';
    v_explanation text;
    v_why jsonb;
    v_confidence numeric;
    v_decision_id uuid;
begin
    -- Every active decision rule of the tenant, in evaluation order (ids and versions only: the
    -- statement is prepared once per session and rule-set version); scope is checked inside the
    -- statement, so one statement serves every customer, channel and task type.
    select array_agg(r.rule_id order by array_position(array['escalation', 'retry', 'approval'], r.category),
                     r.priority, r.name),
           string_agg(r.rule_id::text || ':' || r.version, ',' order by r.rule_id)
    into v_rule_ids, v_signature
    from aicrm.ai_decision_rules r
    where r.tenant_id = v_tenant and r.active and r.category in ('escalation', 'retry', 'approval');

    if v_rule_ids is not null then
        v_stmt := 'aicrm_rules_' || left(md5(v_tenant::text || '|' || v_signature), 24);
        if not exists (select from pg_catalog.pg_prepared_statements s where s.name = v_stmt) then
            -- Bounded per session (rule sets change rarely); only aicrm's own statements go, never
            -- the client's (psycopg prepares its own).
            if (select count(*) from pg_catalog.pg_prepared_statements s where s.name like 'aicrm\_%') > 500 then
                for v_cases in select s.name from pg_catalog.pg_prepared_statements s where s.name like 'aicrm\_%' loop
                    execute format('deallocate %I', v_cases);
                end loop;
            end if;
            select string_agg(format('when %s and %s and %s and %s then %s',
                       case when r.customer_id is null then 'true' else format('$2 = %L', r.customer_id) end,
                       case when r.channel is null then 'true' else format('$3 = %L', r.channel) end,
                       case when r.task_type is null then 'true' else format('$4 = %L', r.task_type) end,
                       r.compiled_condition, o.ord), ' ' order by o.ord)
            into v_cases
            from unnest(v_rule_ids) with ordinality as o (rule_id, ord)
            join aicrm.ai_decision_rules r on r.tenant_id = v_tenant and r.rule_id = o.rule_id;
            execute format('prepare %I(jsonb, text, text, text) as select case %s else 0 end', v_stmt, v_cases);
        end if;
        perform set_config('aicrm.jl_budget', '100000', true);
        execute format('execute %I(%L::jsonb, %L, %L, %L)', v_stmt, v_context, v_customer, v_channel, v_task_type)
        into v_index;
        if v_index > 0 then
            select * into v_rule from aicrm.ai_decision_rules r
            where r.tenant_id = v_tenant and r.rule_id = v_rule_ids[v_index];
            -- The deciding rule's trace: the values of its operations, from its own prepared
            -- statement (one per rule version and session).
            v_stmt := 'aicrm_trace_' || left(md5(v_rule.rule_id::text || ':' || v_rule.version), 24);
            if not exists (select from pg_catalog.pg_prepared_statements s where s.name = v_stmt) then
                execute format('prepare %I(jsonb) as select %s', v_stmt, v_rule.compiled_trace);
            end if;
            execute format('execute %I(%L::jsonb)', v_stmt, v_context) into v_values;
            select coalesce(jsonb_agg(n.node || jsonb_build_object('value', v_values -> (n.ord::integer - 1))
                                      order by n.ord), '[]')
            into v_trace
            from jsonb_array_elements(v_rule.trace_nodes) with ordinality as n (node, ord);
        end if;
    end if;

    v_confidence := case when jsonb_typeof(p_context #> '{quality,confidence}') = 'number'
                         then (p_context #>> '{quality,confidence}')::numeric end;
    -- What the scorecard says fails (quality.failures, worded by the scorecard: "readability 41.2
    -- is below the task's minimum 60"), named in the explanation whatever decided.
    v_why := case when jsonb_typeof(p_context #> '{quality,failures}') = 'array'
                  then p_context #> '{quality,failures}' else '[]' end;
    if v_rule.rule_id is not null then
        v_action := v_rule.action;
        v_explanation := format('%s: rule %L (v%s, %s, priority %s) matched%s', v_action ->> 'type', v_rule.name,
            v_rule.version, v_rule.category, v_rule.priority,
            coalesce(': ' || nullif(v_rule.description, ''), ''));
        if jsonb_array_length(v_why) > 0 then
            v_explanation := rtrim(v_explanation, '.') || '. The draft fails: ' || aicrm_private.first_reasons(v_why, 5) || '.';
        end if;
    else
        v_action := jsonb_build_object('type', 'review', 'params', jsonb_build_object('reason', 'no rule matched'));
        v_why := v_why || aicrm_private.unmet_thresholds(v_context, v_why);
        v_explanation := format('review: none of %s escalation, retry or approval rules matched, so a human decides%s',
            coalesce(cardinality(v_rule_ids), 0), coalesce(': ' || aicrm_private.first_reasons(v_why, 6), ''));
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
        'rules_evaluated', coalesce(nullif(v_index, 0), cardinality(v_rule_ids), 0)
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

grant execute on function aicrm_private.decision_context(jsonb) to aicrm_app, aicrm_worker;
grant execute on function aicrm_private.unmet_thresholds(jsonb, jsonb) to aicrm_app, aicrm_worker;
grant execute on function aicrm.evaluate_decision(jsonb), aicrm.test_rule(jsonb, jsonb) to aicrm_app, aicrm_worker;
