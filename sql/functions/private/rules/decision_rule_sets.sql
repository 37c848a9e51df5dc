-- A tenant's decision rule set compiled into one statement, and the prepared statements that run it
-- (aicrm.evaluate_decision; docs/decision-rules.md, "Speed"). The set is compiled once per change of
-- the tenant's rules or settings (the triggers below delete it; the next decision compiles it again)
-- and prepared once per session: a decision reads one row and executes one planned statement.

-- The statement that finds the first rule in scope whose condition holds: $1 the decision context,
-- $2 to $4 the customer, channel and task type it is for; 0 when none does. Each distinct variable
-- path the rules read ($1 #> '{quality,overall}', as the compiler writes a literal var) is looked up
-- once, in a subquery the planner keeps (OFFSET 0), and the conditions read its column: the plan's
-- expression is a third smaller, and a prepared statement builds its expression on every execution.
-- The pattern cannot match inside a literal a rule supplied: %L doubles every quote in a literal.
create or replace function aicrm_private.decision_rule_set_statement(p_tenant uuid, out o_statement text,
    out o_rule_ids uuid[])
language plpgsql
stable
set search_path = ''
as $$
declare
    v_cases text;
    v_paths text[];
    v_i integer;
begin
    select string_agg(format('when %s and %s and %s and %s then %s',
               case when r.customer_id is null then 'true' else format('$2 = %L', r.customer_id) end,
               case when r.channel is null then 'true' else format('$3 = %L', r.channel) end,
               case when r.task_type is null then 'true' else format('$4 = %L', r.task_type) end,
               aicrm_private.jl_compile_condition(r.condition, '$1'), r.ord), ' ' order by r.ord),
           coalesce(array_agg(r.rule_id order by r.ord), '{}')
    into v_cases, o_rule_ids
    from (
        select r.*, row_number() over (
            order by array_position(array['escalation', 'retry', 'approval'], r.category), r.priority, r.name) as ord
        from aicrm.ai_decision_rules r
        where r.tenant_id = p_tenant and r.active and r.category in ('escalation', 'retry', 'approval')
    ) as r;
    if v_cases is null then
        o_statement := 'select 0';
        return;
    end if;
    select array_agg(distinct m[1]) into v_paths
    from regexp_matches(v_cases, '\$1 #> (''\{[^'']*\}''::text\[\])', 'g') as m;
    for v_i in 1 .. coalesce(cardinality(v_paths), 0) loop
        v_cases := replace(v_cases, '$1 #> ' || v_paths[v_i], 'p.v' || v_i);
    end loop;
    o_statement := format('select case %s else 0 end from (select %s offset 0) as p', v_cases,
        coalesce((select string_agg(format('$1 #> %s as v%s', v.path, v.ord), ', ' order by v.ord)
                  from unnest(v_paths) with ordinality as v (path, ord)), '1 as v0'));
end
$$;

-- The tenant's compiled rule set, compiled and stored when there is none (or it was emptied by a
-- change). It is stored only if no change came between (the generation it was compiled at is still
-- the row's; a change waits on the row, so a compile from rules about to change is never kept).
-- SECURITY DEFINER: only the owner writes the table; it reads and compiles the rules of the tenant
-- set (forced RLS) and no other.
create or replace function aicrm_private.decision_rule_set()
returns aicrm_private.decision_rule_sets
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_set aicrm_private.decision_rule_sets;
begin
    select * into v_set from aicrm_private.decision_rule_sets s where s.tenant_id = v_tenant;
    if found and v_set.statement is not null then
        return v_set;
    end if;
    v_set.tenant_id := v_tenant;
    v_set.generation := coalesce(v_set.generation, 0);
    select s.o_statement, s.o_rule_ids into v_set.statement, v_set.rule_ids
    from aicrm_private.decision_rule_set_statement(v_set.tenant_id) as s;
    v_set.statement_name := 'aicrm_rules_' || md5(v_set.statement);
    v_set.settings := aicrm.get_decision_settings();
    v_set.compiled_at := now();
    insert into aicrm_private.decision_rule_sets as s select v_set.*
    on conflict (tenant_id) do update
    set statement_name = excluded.statement_name, statement = excluded.statement, rule_ids = excluded.rule_ids,
        settings = excluded.settings, compiled_at = excluded.compiled_at
    where s.generation = excluded.generation;
    return v_set;
end
$$;

-- Executes the prepared statement p_name with the argument list p_args (literals, quoted by the caller)
-- and returns its one value as text; prepares it first from p_sql when this session does not have it (a new
-- session, or one whose client ran DEALLOCATE ALL, as psycopg does after a ROLLBACK). Only aicrm's
-- statements (aicrm_*) are ever deallocated here, and only when a session holds more than 500.
create or replace function aicrm_private.execute_prepared(p_name text, p_sql text, p_types text, p_args text)
returns text
language plpgsql
set search_path = ''
-- A custom plan would re-plan the rules for every context, folding each condition at plan time:
-- the generic plan is planned once and only executed (measured 10x faster).
set plan_cache_mode = force_generic_plan
as $$
declare
    v_result text;
    v_name text;
begin
    begin
        execute format('execute %I(%s)', p_name, p_args) into v_result;
        return v_result;
    exception when invalid_sql_statement_name then
        null;  -- not prepared in this session: prepare it below
    end;
    if (select count(*) from pg_catalog.pg_prepared_statements s where s.name like 'aicrm\_%') > 500 then
        for v_name in select s.name from pg_catalog.pg_prepared_statements s where s.name like 'aicrm\_%' loop
            execute format('deallocate %I', v_name);
        end loop;
    end if;
    execute format('prepare %I(%s) as %s', p_name, p_types, p_sql);
    execute format('execute %I(%s)', p_name, p_args) into v_result;
    return v_result;
end
$$;

-- Any change to a tenant's rules or settings empties its compiled set and bumps its generation (an
-- upsert, so that a compile running at the same time finds the row changed and does not store
-- itself). Per row, in the row's tenant; nothing when the tenant itself is being deleted.
create or replace function aicrm_private.tg_decision_rule_sets__invalidate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := case when tg_op = 'DELETE' then old.tenant_id else new.tenant_id end;
    v_previous text := current_setting('aicrm.tenant_id', true);
begin
    perform set_config('aicrm.tenant_id', v_tenant::text, true);
    if exists (select from aicrm.tenants t where t.tenant_id = v_tenant) then
        insert into aicrm_private.decision_rule_sets as s (tenant_id, generation) values (v_tenant, 1)
        on conflict (tenant_id) do update
        set generation = s.generation + 1, statement_name = null, statement = null, rule_ids = null, settings = null,
            compiled_at = null;
    end if;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
    return null;
end
$$;

grant execute on function aicrm_private.decision_rule_set_statement(uuid), aicrm_private.decision_rule_set(),
    aicrm_private.execute_prepared(text, text, text, text)
to aicrm_app, aicrm_worker;
