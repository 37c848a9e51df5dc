-- The triggers of aicrm.ai_decision_rules and aicrm.ai_decision_settings (attached in triggers.sql):
-- a rule is checked, compiled and versioned when saved, and every version is kept.

-- BEFORE INSERT/UPDATE: check the condition (AC010/AC011 with its JSON path), compile it and its
-- trace, bump the version when anything that changes a decision changed.
create or replace function aicrm_private.tg_ai_decision_rules__prepare()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_nodes jsonb;
begin
    -- A selection rule pins or excludes arms of the template bandit (seed 0025): one of the two.
    if new.category = 'selection' then
        perform aicrm_private.assert_json_valid('decision.selection_action', new.action, 'action');
        if (new.action -> 'params' ? 'pin') = (new.action -> 'params' ? 'exclude') then
            raise exception using errcode = 'AC001', column = 'action.params',
                message = 'action.params: a selection rule either pins (pin) or excludes (exclude) arms',
                hint = '{"type": "select", "params": {"pin": {"template_id": "...", "variant": "b"}}}';
        end if;
    end if;
    perform aicrm_private.jl_check(new.condition);
    perform aicrm_private.check_route_action(new.tenant_id, new.category, new.action);
    new.compiled_condition := aicrm_private.jl_compile_condition(new.condition, '$1');
    v_nodes := aicrm_private.jl_trace_nodes(new.condition);
    new.compiled_trace := aicrm_private.jl_compile_trace(v_nodes);
    -- What a trace reports of each node: its path, operator and, for var, the variable. The
    -- expression itself is in the rule's version (kept small: decisions store the trace).
    new.trace_nodes := (
        select coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
            'path', n.node ->> 'path',
            'op', (select k from jsonb_object_keys(n.node -> 'expression') k),
            'var', case when n.node -> 'expression' ? 'var' then
                       case jsonb_typeof(n.node #> '{expression,var}') when 'array' then n.node #> '{expression,var,0}'
                            else n.node #> '{expression,var}' end end
        )) order by n.ord), '[]')
        from jsonb_array_elements(v_nodes) with ordinality as n (node, ord)
    );
    new.updated_by := coalesce(nullif(current_setting('role'), 'none'), session_user);
    if tg_op = 'INSERT' then
        new.version := 1;
    elsif (new.name, new.description, new.category, new.priority, new.condition, new.action, new.customer_id,
           new.channel, new.task_type, new.active)
          is distinct from
          (old.name, old.description, old.category, old.priority, old.condition, old.action, old.customer_id,
           old.channel, old.task_type, old.active) then
        new.version := old.version + 1;
    else
        new.version := old.version;
    end if;
    return new;
end
$$;

-- AFTER INSERT/UPDATE/DELETE: keep every version. Runs as the owner: no role writes history.
create or replace function aicrm_private.tg_ai_decision_rules__history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_row aicrm.ai_decision_rules := case when tg_op = 'DELETE' then old else new end;
begin
    if tg_op = 'UPDATE' and new.version = old.version then
        return null;
    end if;
    insert into aicrm.ai_decision_rule_versions (tenant_id, rule_id, version, operation, rule, changed_by)
    values (
        v_row.tenant_id, v_row.rule_id, v_row.version, lower(tg_op),
        to_jsonb(v_row) - 'compiled_condition' - 'compiled_trace' - 'trace_nodes',
        coalesce(nullif(current_setting('role'), 'none'), session_user)
    );
    return null;
end
$$;

-- Settings are validated as one object against decision.settings: known keys, typed values.
create or replace function aicrm_private.tg_ai_decision_settings__validate()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    perform aicrm_private.assert_json_valid('decision.settings', jsonb_build_object(new.setting_key, new.value));
    return new;
end
$$;

-- The tenant's settings: defaults overlaid with its own values.
