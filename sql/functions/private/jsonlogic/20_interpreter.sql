-- The JSON Logic interpreter: the reference semantics (json-logic-js), walking the rule as JSON.
-- Decisions run compiled rules (30_compiler.sql); tests hold both to the official suite.
-- Limits: nesting depth 64, a budget of work in loops per evaluation (aicrm.jl_budget, set by
-- aicrm.jsonlogic_apply) and a cap on the values merge and cat build, so no rule can hang a
-- backend or exhaust its memory.

-- Double arithmetic as in JavaScript: a result beyond the double range is +/-Infinity and one
-- below it is 0, where PostgreSQL would raise an error.
create or replace function aicrm_private.jl_arith(p_op text, p_a float8, p_b float8)
returns float8
language plpgsql
immutable
parallel safe
as $$
begin
    return case p_op when '+' then p_a + p_b when '-' then p_a - p_b when '*' then p_a * p_b else p_a / p_b end;
exception
    when numeric_value_out_of_range then
        return aicrm_private.jl_text_to_float((case p_op
            when '+' then p_a::numeric + p_b::numeric
            when '-' then p_a::numeric - p_b::numeric
            when '*' then p_a::numeric * p_b::numeric
            else p_a::numeric / p_b::numeric
        end)::text);
end
$$;

-- Aggregates with JavaScript's NaN propagation (a NULL item makes the result NULL).
create or replace function aicrm_private.jl_sum(p_numbers float8[])
returns float8
language plpgsql
immutable
parallel safe
as $$
declare
    v_result float8 := 0;
    v_x float8;
begin
    foreach v_x in array p_numbers loop
        if v_x is null then
            return null;
        end if;
        v_result := aicrm_private.jl_arith('+', v_result, v_x);
    end loop;
    return v_result;
end
$$;

create or replace function aicrm_private.jl_product(p_numbers float8[])
returns float8
language plpgsql
immutable
parallel safe
as $$
declare
    v_result float8 := 1;
    v_x float8;
begin
    foreach v_x in array p_numbers loop
        if v_x is null then
            return null;
        end if;
        v_result := aicrm_private.jl_arith('*', v_result, v_x);
    end loop;
    return v_result;
end
$$;

create or replace function aicrm_private.jl_min(p_numbers float8[])
returns float8
language sql
immutable
parallel safe
as $$
    select case when bool_or(x is null) or count(*) = 0 then null else min(x) end from unnest(p_numbers) as x
$$;

create or replace function aicrm_private.jl_max(p_numbers float8[])
returns float8
language sql
immutable
parallel safe
as $$
    select case when bool_or(x is null) or count(*) = 0 then null else max(x) end from unnest(p_numbers) as x
$$;

create or replace function aicrm_private.jl_divide(p_a jsonb, p_b jsonb)
returns jsonb
language sql
immutable
parallel safe
as $$
    select aicrm_private.jl_number(case when aicrm_private.jl_to_number(p_b) <> 0
        then aicrm_private.jl_arith('/', aicrm_private.jl_to_number(p_a), aicrm_private.jl_to_number(p_b)) end)
$$;

create or replace function aicrm_private.jl_modulo(p_a jsonb, p_b jsonb)
returns jsonb
language sql
immutable
parallel safe
as $$
    select aicrm_private.jl_number(case when aicrm_private.jl_to_number(p_b) <> 0
        then mod(aicrm_private.jl_to_number(p_a)::numeric, aicrm_private.jl_to_number(p_b)::numeric)::float8 end)
$$;

create or replace function aicrm_private.jl_missing_some(p_data jsonb, p_need jsonb, p_keys jsonb)
returns jsonb
language sql
immutable
parallel safe
as $$
    select case
        when jsonb_array_length(k.keys) - jsonb_array_length(aicrm_private.jl_missing(p_data, k.keys))
             >= coalesce(aicrm_private.jl_to_number(p_need), 0)
            then '[]'::jsonb
        else aicrm_private.jl_missing(p_data, k.keys)
    end
    from (select case when jsonb_typeof(p_keys) = 'array' then p_keys else '[]'::jsonb end as keys) as k
$$;

-- Work spent from the evaluation's budget (aicrm.jl_budget): every loop iteration costs the size
-- of its body (the JSON values in it, see jl_cost), so the budget counts work, not items. Returns
-- true, or raises once the budget is exhausted (compiled loops call it in their WHERE clause).
create or replace function aicrm_private.jl_spend(p_units integer default 1)
returns boolean
language plpgsql
as $$
declare
    v_left integer := coalesce(nullif(current_setting('aicrm.jl_budget', true), '')::integer, 100000) - p_units;
begin
    if v_left < 0 then
        raise exception using errcode = 'AC011',
            message = 'rule: work limit reached (too much work in loops)',
            hint = 'Loop bodies may together evaluate at most 100000 values per evaluation: each iteration of '
                'map, filter, reduce, all, some or none costs the number of values in its body.';
    end if;
    perform set_config('aicrm.jl_budget', v_left::text, true);
    return true;
end
$$;

-- What one iteration of a loop body costs: the JSON values in it (operations, arguments, literals).
create or replace function aicrm_private.jl_cost(p_body jsonb)
returns integer
language sql
immutable
parallel safe
as $$
    select greatest(count(*), 1)::integer from jsonb_path_query(coalesce(p_body, 'null'), 'strict $.**')
$$;

create or replace function aicrm_private.jl_eval(p_rule jsonb, p_data jsonb, p_depth integer default 0)
returns jsonb
language plpgsql
as $$
declare
    v_op text;
    v_args jsonb;
    v_n integer;
    v_i integer;
    v_vals jsonb;
    v_a jsonb;
    v_b jsonb;
    v_c jsonb;
    v_list jsonb;
    v_item jsonb;
    v_result jsonb;
    v_acc jsonb;
    v_cost integer;
    v_items jsonb[] := '{}';
begin
    if p_depth > 64 then
        raise exception using errcode = 'AC011', message = 'rule: nested deeper than 64 levels',
            hint = 'Flatten the rule; JSON Logic rules rarely need more than a few levels.';
    end if;
    if jsonb_typeof(p_rule) = 'array' then
        select coalesce(jsonb_agg(coalesce(aicrm_private.jl_eval(e.item, p_data, p_depth + 1), 'null') order by e.ord), '[]')
        into v_result
        from jsonb_array_elements(p_rule) with ordinality as e (item, ord);
        return v_result;
    end if;
    if jsonb_typeof(p_rule) is distinct from 'object' then
        return p_rule;  -- a literal
    end if;
    v_vals := jsonb_path_query_array(p_rule, 'strict $.keyvalue()');
    if jsonb_array_length(v_vals) <> 1 then
        return p_rule;  -- an object with other than one key is data, not an operation
    end if;
    v_op := v_vals -> 0 ->> 'key';
    v_args := v_vals -> 0 -> 'value';
    v_op := aicrm_private.jl_operator(v_op);
    if jsonb_typeof(v_args) <> 'array' then
        v_args := jsonb_build_array(v_args);
    end if;
    v_n := jsonb_array_length(v_args);

    -- Operations that decide which arguments to evaluate.
    case v_op
    when 'if', '?:' then
        v_i := 0;
        while v_i < v_n - 1 loop
            if aicrm_private.jl_truthy(aicrm_private.jl_eval(v_args -> v_i, p_data, p_depth + 1)) then
                return aicrm_private.jl_eval(v_args -> (v_i + 1), p_data, p_depth + 1);
            end if;
            v_i := v_i + 2;
        end loop;
        if v_n = v_i + 1 then
            return aicrm_private.jl_eval(v_args -> v_i, p_data, p_depth + 1);
        end if;
        return 'null';
    when 'and', 'or' then
        v_result := 'null';
        for v_i in 0 .. v_n - 1 loop
            v_result := aicrm_private.jl_eval(v_args -> v_i, p_data, p_depth + 1);
            if aicrm_private.jl_truthy(v_result) = (v_op = 'or') then
                return v_result;
            end if;
        end loop;
        return v_result;
    when 'map', 'filter', 'all', 'some', 'none', 'reduce' then
        v_list := aicrm_private.jl_eval(v_args -> 0, p_data, p_depth + 1);
        v_cost := aicrm_private.jl_cost(v_args -> 1);
        if v_op = 'reduce' then
            v_acc := case when v_n > 2 then aicrm_private.jl_eval(v_args -> 2, p_data, p_depth + 1) else 'null' end;
            if jsonb_typeof(v_list) is distinct from 'array' then
                return v_acc;
            end if;
            for v_item in select jsonb_array_elements(v_list) loop
                perform aicrm_private.jl_spend(v_cost);
                v_acc := coalesce(aicrm_private.jl_eval(
                    v_args -> 1, jsonb_build_object('current', v_item, 'accumulator', v_acc), p_depth + 1), 'null');
            end loop;
            return v_acc;
        end if;
        if jsonb_typeof(v_list) is distinct from 'array' then
            return case v_op when 'all' then 'false' when 'some' then 'false' when 'none' then 'true' else '[]' end;
        end if;
        if v_op = 'all' and jsonb_array_length(v_list) = 0 then
            return 'false';
        end if;
        -- map and filter collect into an array (appending to jsonb would copy it every time).
        for v_item in select jsonb_array_elements(v_list) loop
            perform aicrm_private.jl_spend(v_cost);
            v_a := aicrm_private.jl_eval(v_args -> 1, v_item, p_depth + 1);
            if v_op = 'map' then
                v_items := array_append(v_items, coalesce(v_a, 'null'));
            elsif aicrm_private.jl_truthy(v_a) then
                if v_op = 'some' then
                    return 'true';
                elsif v_op = 'none' then
                    return 'false';
                elsif v_op = 'filter' then
                    v_items := array_append(v_items, v_item);
                end if;
            elsif v_op = 'all' then
                return 'false';
            end if;
        end loop;
        return case v_op when 'all' then 'true' when 'some' then 'false' when 'none' then 'true' else to_jsonb(v_items) end;
    else
        null;
    end case;

    -- Every other operation evaluates all its arguments first.
    select coalesce(jsonb_agg(coalesce(aicrm_private.jl_eval(e.item, p_data, p_depth + 1), 'null') order by e.ord), '[]')
    into v_vals
    from jsonb_array_elements(v_args) with ordinality as e (item, ord);
    v_a := v_vals -> 0;
    v_b := v_vals -> 1;
    v_c := v_vals -> 2;

    return case v_op
        when 'var' then aicrm_private.jl_var(p_data, v_a, v_b)
        when '==' then to_jsonb(aicrm_private.jl_loose_equal(v_a, v_b))
        when '!=' then to_jsonb(not aicrm_private.jl_loose_equal(v_a, v_b))
        when '===' then to_jsonb(aicrm_private.jl_strict_equal(v_a, v_b))
        when '!==' then to_jsonb(not aicrm_private.jl_strict_equal(v_a, v_b))
        when '>' then to_jsonb(coalesce(aicrm_private.jl_compare(v_a, v_b) = 1, false))
        when '>=' then to_jsonb(coalesce(aicrm_private.jl_compare(v_a, v_b) >= 0, false))
        when '<' then to_jsonb(coalesce(aicrm_private.jl_compare(v_a, v_b) = -1
            and (v_c is null or aicrm_private.jl_compare(v_b, v_c) = -1), false))
        when '<=' then to_jsonb(coalesce(aicrm_private.jl_compare(v_a, v_b) <= 0
            and (v_c is null or aicrm_private.jl_compare(v_b, v_c) <= 0), false))
        when '!' then to_jsonb(not aicrm_private.jl_truthy(v_a))
        when '!!' then to_jsonb(aicrm_private.jl_truthy(v_a))
        when '+' then aicrm_private.jl_number(aicrm_private.jl_sum(
            array(select aicrm_private.jl_parse_float(x) from jsonb_array_elements(v_vals) as x)))
        when '*' then aicrm_private.jl_number(aicrm_private.jl_product(
            array(select aicrm_private.jl_parse_float(x) from jsonb_array_elements(v_vals) as x)))
        when '-' then aicrm_private.jl_number(case when v_b is null then -aicrm_private.jl_to_number(v_a)
            else aicrm_private.jl_arith('-', aicrm_private.jl_to_number(v_a), aicrm_private.jl_to_number(v_b)) end)
        when '/' then aicrm_private.jl_divide(v_a, v_b)
        when '%' then aicrm_private.jl_modulo(v_a, v_b)
        when 'min' then aicrm_private.jl_number(aicrm_private.jl_min(
            array(select aicrm_private.jl_to_number(x) from jsonb_array_elements(v_vals) as x)))
        when 'max' then aicrm_private.jl_number(aicrm_private.jl_max(
            array(select aicrm_private.jl_to_number(x) from jsonb_array_elements(v_vals) as x)))
        when 'cat' then aicrm_private.jl_cat(coalesce(
            (select string_agg(aicrm_private.jl_to_text(x.item), '' order by x.ord)
             from jsonb_array_elements(v_vals) with ordinality as x (item, ord)), ''))
        when 'substr' then aicrm_private.jl_substr(v_a, v_b, v_c)
        when 'in' then to_jsonb(aicrm_private.jl_in(v_a, v_b))
        when 'merge' then aicrm_private.jl_merge(v_vals)
        when 'missing' then aicrm_private.jl_missing(p_data,
            case when jsonb_typeof(v_a) = 'array' then v_a else v_vals end)
        when 'missing_some' then aicrm_private.jl_missing_some(p_data, v_a, v_b)
        when 'log' then v_a
        else aicrm_private.jl_unknown_operator(v_op)
    end;
end
$$;

-- The official suite also names operators in words (equal, add, ...): the same operations.
create or replace function aicrm_private.jl_operator(p_name text)
returns text
language sql
immutable
parallel safe
as $$
    select coalesce(('{"equal": "==", "strictEqual": "===", "notEqual": "!=", "strictNotEqual": "!==",
        "greater": ">", "greaterOrEqual": ">=", "less": "<", "lessOrEqual": "<=", "not": "!",
        "booleanCasting": "!!", "add": "+", "substract": "-", "subtract": "-", "multiply": "*",
        "divide": "/", "modulo": "%"}'::jsonb) ->> p_name, p_name)
$$;

create or replace function aicrm_private.jl_unknown_operator(p_op text)
returns jsonb
language plpgsql
as $$
begin
    raise exception using errcode = 'AC010',
        message = format('rule: unknown operator %L', p_op),
        hint = 'Operators: var, missing, missing_some, if, ?:, ==, ===, !=, !==, !, !!, or, and, >, >=, <, <=, '
            'max, min, +, -, *, /, %, map, filter, reduce, all, none, some, merge, in, cat, substr, log.';
end
$$;

grant execute on function
    aicrm_private.jl_arith(text, float8, float8), aicrm_private.jl_sum(float8[]), aicrm_private.jl_product(float8[]), aicrm_private.jl_min(float8[]),
    aicrm_private.jl_max(float8[]), aicrm_private.jl_divide(jsonb, jsonb), aicrm_private.jl_modulo(jsonb, jsonb),
    aicrm_private.jl_missing_some(jsonb, jsonb, jsonb), aicrm_private.jl_spend(integer), aicrm_private.jl_cost(jsonb),
    aicrm_private.jl_eval(jsonb, jsonb, integer), aicrm_private.jl_unknown_operator(text),
    aicrm_private.jl_operator(text)
to aicrm_app, aicrm_worker, aicrm_readonly;
