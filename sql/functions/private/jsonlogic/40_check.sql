-- Checks a rule when it is saved, and prepares its trace. A saved rule is refused, with the JSON
-- path of the problem, when it uses an unknown operator (AC010) or breaks a limit (AC011): at most
-- 16 KiB, 32 levels, 500 operations, loops (map, filter, reduce, all, some, none) nested at most
-- 2 deep. Together with the per-evaluation loop budget this bounds the work of any saved rule.

create or replace function aicrm_private.jl_check(
    p_rule jsonb,
    p_path text default 'condition',
    p_depth integer default 0,
    p_loops integer default 0
)
returns integer
language plpgsql
immutable
as $$
declare
    v_key text;
    v_op text;
    v_args jsonb;
    v_wrapped boolean;
    v_count integer := 0;
    v_i integer;
    v_known constant text[] := array[
        'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and',
        '>', '>=', '<', '<=', 'max', 'min', '+', '-', '*', '/', '%', 'map', 'filter', 'reduce', 'all',
        'none', 'some', 'merge', 'in', 'cat', 'substr', 'log'];
begin
    if p_depth = 0 and octet_length(p_rule::text) > 16384 then
        raise exception using errcode = 'AC011',
            message = format('%s: %s bytes, more than 16 KiB', p_path, octet_length(p_rule::text)),
            hint = 'Split the condition into several rules.', column = p_path;
    end if;
    if p_depth > 32 then
        raise exception using errcode = 'AC011', message = format('%s: nested deeper than 32 levels', p_path),
            hint = 'Flatten the condition.', column = p_path;
    end if;
    if jsonb_typeof(p_rule) = 'array' then
        for v_i in 0 .. jsonb_array_length(p_rule) - 1 loop
            v_count := v_count + aicrm_private.jl_check(p_rule -> v_i, format('%s[%s]', p_path, v_i), p_depth + 1, p_loops);
        end loop;
        return v_count;
    end if;
    if jsonb_typeof(p_rule) is distinct from 'object' or (select count(*) from jsonb_object_keys(p_rule)) <> 1 then
        return 0;
    end if;
    select e.key, e.value into v_key, v_args from jsonb_each(p_rule) as e;
    v_op := aicrm_private.jl_operator(v_key);
    if not v_op = any(v_known) then
        raise exception using errcode = 'AC010',
            message = format('%s: unknown operator %L', p_path, v_key),
            hint = format('Operators: %s.', array_to_string(v_known, ', ')), column = p_path;
    end if;
    if v_op in ('map', 'filter', 'reduce', 'all', 'none', 'some') and p_loops >= 2 then
        raise exception using errcode = 'AC011',
            message = format('%s: loops nested more than 2 deep', p_path),
            hint = 'map, filter, reduce, all, some and none may be nested at most twice.', column = p_path;
    end if;
    v_wrapped := jsonb_typeof(v_args) <> 'array';
    if v_wrapped then
        v_args := jsonb_build_array(v_args);
    end if;
    v_count := 1;
    for v_i in 0 .. jsonb_array_length(v_args) - 1 loop
        v_count := v_count + aicrm_private.jl_check(
            v_args -> v_i,
            case when v_wrapped then format('%s.%s', p_path, v_key) else format('%s.%s[%s]', p_path, v_key, v_i) end,
            p_depth + 1,
            -- a loop's body (its second argument) runs once per item
            p_loops + case when v_i = 1 and v_op in ('map', 'filter', 'reduce', 'all', 'none', 'some') then 1 else 0 end
        );
    end loop;
    if p_depth = 0 and v_count > 500 then
        raise exception using errcode = 'AC011', message = format('%s: %s operations, more than 500', p_path, v_count),
            hint = 'Split the condition into several rules.', column = p_path;
    end if;
    return v_count;
end
$$;

-- The operations of a rule that a trace reports, in order (pre-order, outside loop bodies, at
-- most 100): [{"path": "condition.and[0]", "expression": {...}}, ...].
create or replace function aicrm_private.jl_trace_nodes(p_rule jsonb, p_path text default 'condition')
returns jsonb
language plpgsql
immutable
as $$
declare
    v_key text;
    v_args jsonb;
    v_wrapped boolean;
    v_nodes jsonb := '[]';
    v_i integer;
begin
    if jsonb_typeof(p_rule) = 'array' then
        for v_i in 0 .. jsonb_array_length(p_rule) - 1 loop
            v_nodes := v_nodes || aicrm_private.jl_trace_nodes(p_rule -> v_i, format('%s[%s]', p_path, v_i));
        end loop;
        return v_nodes;
    end if;
    if jsonb_typeof(p_rule) is distinct from 'object' or (select count(*) from jsonb_object_keys(p_rule)) <> 1 then
        return v_nodes;
    end if;
    select e.key, e.value into v_key, v_args from jsonb_each(p_rule) as e;
    v_nodes := jsonb_build_array(jsonb_build_object('path', p_path, 'expression', p_rule));
    if aicrm_private.jl_operator(v_key) in ('map', 'filter', 'reduce', 'all', 'none', 'some', 'var') then
        return v_nodes;  -- a loop's value is reported, not its body's per-item values; var is a leaf
    end if;
    v_wrapped := jsonb_typeof(v_args) <> 'array';
    if v_wrapped then
        v_args := jsonb_build_array(v_args);
    end if;
    for v_i in 0 .. jsonb_array_length(v_args) - 1 loop
        v_nodes := v_nodes || aicrm_private.jl_trace_nodes(
            v_args -> v_i,
            case when v_wrapped then format('%s.%s', p_path, v_key) else format('%s.%s[%s]', p_path, v_key, v_i) end);
    end loop;
    return (select coalesce(jsonb_agg(n.node order by n.ord), '[]')
            from jsonb_array_elements(v_nodes) with ordinality as n (node, ord) where n.ord <= 100);
end
$$;

-- One SQL expression computing the value of every traced node: jsonb_build_array(v1, v2, ...).
create or replace function aicrm_private.jl_compile_trace(p_nodes jsonb)
returns text
language sql
immutable
as $$
    select format('jsonb_build_array(%s)', coalesce(string_agg(
        format('coalesce(%s, ''null''::jsonb)', aicrm_private.jl_compile(n.node -> 'expression', '$1')),
        ', ' order by n.ord), ''))
    from jsonb_array_elements(p_nodes) with ordinality as n (node, ord)
$$;

grant execute on function aicrm_private.jl_check(jsonb, text, integer, integer),
    aicrm_private.jl_trace_nodes(jsonb, text), aicrm_private.jl_compile_trace(jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;
