-- Compiles a JSON Logic rule to one SQL expression (jsonb) over a data expression, built from the
-- same value functions as the interpreter. Decisions run compiled rules inside a prepared
-- statement, so a rule is parsed and planned once per session, not re-interpreted per decision.
-- Only fixed templates, quote_literal()'d constants and the given data expression are emitted,
-- never text taken from the rule, so a rule cannot inject SQL. reduce, and any node with more
-- than 100 arguments, are left to the interpreter.

create or replace function aicrm_private.jl_array(p_value jsonb)
returns jsonb
language sql
immutable
parallel safe
as $$
    select case when jsonb_typeof(p_value) = 'array' then p_value else '[]'::jsonb end
$$;

grant execute on function aicrm_private.jl_array(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

create or replace function aicrm_private.jl_compile(p_rule jsonb, p_data text, p_depth integer default 0)
returns text
language plpgsql
immutable
as $$
declare
    v_op text;
    v_args jsonb;
    v_n integer;
    v_c text[];
    v_i integer;
    v_sql text;
    v_alias text := 'jl' || p_depth;
    v_list text;
    v_body text;
    v_cost integer;
begin
    if p_depth > 64 then
        raise exception using errcode = 'AC011', message = 'rule: nested deeper than 64 levels',
            hint = 'Flatten the rule; JSON Logic rules rarely need more than a few levels.';
    end if;
    if jsonb_typeof(p_rule) = 'array' then
        if jsonb_array_length(p_rule) = 0 then
            return '''[]''::jsonb';
        elsif jsonb_array_length(p_rule) > 100 then
            return format('aicrm_private.jl_eval(%L::jsonb, %s, %s)', p_rule, p_data, p_depth);
        end if;
        select string_agg(format('coalesce(%s, ''null''::jsonb)',
                aicrm_private.jl_compile(e.item, p_data, p_depth + 1)), ', ' order by e.ord)
        into v_sql
        from jsonb_array_elements(p_rule) with ordinality as e (item, ord);
        return format('jsonb_build_array(%s)', v_sql);
    end if;
    if jsonb_typeof(p_rule) is distinct from 'object' or (select count(*) from jsonb_object_keys(p_rule)) <> 1 then
        return format('%L::jsonb', coalesce(p_rule, 'null'));
    end if;
    select e.key, e.value into v_op, v_args from jsonb_each(p_rule) as e;
    v_op := aicrm_private.jl_operator(v_op);
    if jsonb_typeof(v_args) <> 'array' then
        v_args := jsonb_build_array(v_args);
    end if;
    v_n := jsonb_array_length(v_args);
    if v_n > 100 or v_op = 'reduce' then
        return format('aicrm_private.jl_eval(%L::jsonb, %s, %s)', p_rule, p_data, p_depth);
    end if;

    if v_op in ('map', 'filter', 'all', 'some', 'none') then
        v_list := format('aicrm_private.jl_array(%s)', aicrm_private.jl_compile(v_args -> 0, p_data, p_depth + 1));
        v_body := aicrm_private.jl_compile(coalesce(v_args -> 1, 'null'), v_alias || '.item', p_depth + 1);
        v_cost := aicrm_private.jl_cost(v_args -> 1);
        return case v_op
            when 'map' then format(
                '(select coalesce(jsonb_agg(coalesce(%1$s, ''null''::jsonb) order by %2$s.ord), ''[]''::jsonb) '
                'from jsonb_array_elements(%3$s) with ordinality as %2$s (item, ord) where aicrm_private.jl_spend(%4$s))',
                v_body, v_alias, v_list, v_cost)
            when 'filter' then format(
                '(select coalesce(jsonb_agg(%2$s.item order by %2$s.ord), ''[]''::jsonb) '
                'from jsonb_array_elements(%3$s) with ordinality as %2$s (item, ord) '
                'where aicrm_private.jl_spend(%4$s) and aicrm_private.jl_truthy(%1$s))',
                v_body, v_alias, v_list, v_cost)
            when 'all' then format(
                '(select to_jsonb(count(*) > 0 and coalesce(bool_and(aicrm_private.jl_truthy(%1$s)), false)) '
                'from jsonb_array_elements(%3$s) as %2$s (item) where aicrm_private.jl_spend(%4$s))',
                v_body, v_alias, v_list, v_cost)
            when 'some' then format(
                'to_jsonb(exists (select from jsonb_array_elements(%3$s) as %2$s (item) '
                'where aicrm_private.jl_spend(%4$s) and aicrm_private.jl_truthy(%1$s)))',
                v_body, v_alias, v_list, v_cost)
            else format(
                'to_jsonb(not exists (select from jsonb_array_elements(%3$s) as %2$s (item) '
                'where aicrm_private.jl_spend(%4$s) and aicrm_private.jl_truthy(%1$s)))',
                v_body, v_alias, v_list, v_cost)
        end;
    end if;

    -- Every argument compiled; an absent one is JavaScript's undefined (SQL NULL).
    select coalesce(array_agg(format('coalesce(%s, ''null''::jsonb)',
               aicrm_private.jl_compile(e.item, p_data, p_depth + 1)) order by e.ord), '{}')
    into v_c
    from jsonb_array_elements(v_args) with ordinality as e (item, ord);
    for v_i in v_n + 1 .. 3 loop
        v_c[v_i] := 'null::jsonb';
    end loop;

    case v_op
    when 'if', '?:' then
        if v_n = 0 then
            return '''null''::jsonb';
        elsif v_n = 1 then
            return v_c[1];
        end if;
        v_sql := 'case';
        v_i := 1;
        while v_i < v_n loop
            v_sql := v_sql || format(' when aicrm_private.jl_truthy(%s) then %s', v_c[v_i], v_c[v_i + 1]);
            v_i := v_i + 2;
        end loop;
        return v_sql || format(' else %s end', case when v_i = v_n then v_c[v_n] else '''null''::jsonb' end);
    when 'and', 'or' then
        if v_n = 0 then
            return '''null''::jsonb';
        elsif v_n = 1 then
            return v_c[1];
        end if;
        -- The first operand that decides (falsy for and, truthy for or), else the last. Each
        -- operand is computed once in its own subquery (OFFSET 0 keeps the planner from copying
        -- it), so nested and/or compile to linear, not exponential, SQL.
        v_sql := v_c[v_n];
        for v_i in reverse v_n - 1 .. 1 loop
            v_sql := format('(select case when %s aicrm_private.jl_truthy(o.v) then o.v else %s end '
                            'from (select %s as v offset 0) as o)',
                case when v_op = 'and' then 'not' else '' end, v_sql, v_c[v_i]);
        end loop;
        return v_sql;
    when 'var' then
        -- A literal dotted path (the usual case) is a plain path lookup: what jl_var does, with the
        -- path split when compiling (a third of the expression nodes of a typical rule set).
        if jsonb_typeof(v_args -> 0) = 'string' and v_args ->> 0 <> '' then
            return format('coalesce(%s #> %L::text[], %s, ''null''::jsonb)', p_data,
                string_to_array(v_args ->> 0, '.'), v_c[2]);
        end if;
        return format('aicrm_private.jl_var(%s, %s, %s)', p_data, v_c[1], v_c[2]);
    when '==' then
        return format('to_jsonb(aicrm_private.jl_loose_equal(%s, %s))', v_c[1], v_c[2]);
    when '!=' then
        return format('to_jsonb(not aicrm_private.jl_loose_equal(%s, %s))', v_c[1], v_c[2]);
    when '===' then
        return format('to_jsonb(aicrm_private.jl_strict_equal(%s, %s))', v_c[1], v_c[2]);
    when '!==' then
        return format('to_jsonb(not aicrm_private.jl_strict_equal(%s, %s))', v_c[1], v_c[2]);
    when '>' then
        return format('to_jsonb(coalesce(aicrm_private.jl_compare(%s, %s) = 1, false))', v_c[1], v_c[2]);
    when '>=' then
        return format('to_jsonb(coalesce(aicrm_private.jl_compare(%s, %s) >= 0, false))', v_c[1], v_c[2]);
    when '<', '<=' then
        v_sql := case v_op when '<' then '= -1' else '<= 0' end;
        if v_n >= 3 then
            -- between: the middle operand is computed once (OFFSET 0 keeps the planner from
            -- copying it into both comparisons), so nested betweens compile to linear SQL.
            return format('(select to_jsonb(coalesce(aicrm_private.jl_compare(b.lo, b.mid) %4$s '
                'and aicrm_private.jl_compare(b.mid, b.hi) %4$s, false)) '
                'from (select %1$s as lo, %2$s as mid, %3$s as hi offset 0) as b)', v_c[1], v_c[2], v_c[3], v_sql);
        end if;
        return format('to_jsonb(coalesce(aicrm_private.jl_compare(%s, %s) %s, false))', v_c[1], v_c[2], v_sql);
    when '!' then
        return format('to_jsonb(not aicrm_private.jl_truthy(%s))', v_c[1]);
    when '!!' then
        return format('to_jsonb(aicrm_private.jl_truthy(%s))', v_c[1]);
    when '+', '*' then
        select format('aicrm_private.jl_number(aicrm_private.%s(array[%s]::float8[]))',
                      case v_op when '+' then 'jl_sum' else 'jl_product' end,
                      coalesce(string_agg(format('aicrm_private.jl_parse_float(%s)', c), ', '), ''))
        into v_sql
        from unnest(v_c[1:v_n]) as c;
        return v_sql;
    when 'min', 'max' then
        select format('aicrm_private.jl_number(aicrm_private.jl_%s(array[%s]::float8[]))', v_op,
                      coalesce(string_agg(format('aicrm_private.jl_to_number(%s)', c), ', '), ''))
        into v_sql
        from unnest(v_c[1:v_n]) as c;
        return v_sql;
    when '-' then
        if v_n >= 2 then
            return format('aicrm_private.jl_number(aicrm_private.jl_arith(''-'', aicrm_private.jl_to_number(%s), '
                'aicrm_private.jl_to_number(%s)))', v_c[1], v_c[2]);
        end if;
        return format('aicrm_private.jl_number(-aicrm_private.jl_to_number(%s))', v_c[1]);
    when '/' then
        return format('aicrm_private.jl_divide(%s, %s)', v_c[1], v_c[2]);
    when '%' then
        return format('aicrm_private.jl_modulo(%s, %s)', v_c[1], v_c[2]);
    when 'cat' then
        select format('aicrm_private.jl_cat(concat(%s))', coalesce(string_agg(format('aicrm_private.jl_to_text(%s)', c), ', '), ''''''))
        into v_sql
        from unnest(v_c[1:v_n]) as c;
        return v_sql;
    when 'substr' then
        return format('aicrm_private.jl_substr(%s, %s, %s)', v_c[1], v_c[2], case when v_n >= 3 then v_c[3] else 'null::jsonb' end);
    when 'in' then
        return format('to_jsonb(aicrm_private.jl_in(%s, %s))', v_c[1], v_c[2]);
    when 'merge' then
        return format('aicrm_private.jl_merge(jsonb_build_array(%s))', array_to_string(v_c[1:v_n], ', '));
    when 'missing' then
        if v_n = 0 then
            return format('aicrm_private.jl_missing(%s, ''[]''::jsonb)', p_data);
        end if;
        return format('(select aicrm_private.jl_missing(%1$s, case when jsonb_typeof(m.first) = ''array'' then m.first '
            'else jsonb_build_array(m.first%3$s) end) from (select %2$s as first offset 0) as m)',
            p_data, v_c[1], coalesce(', ' || nullif(array_to_string(v_c[2:v_n], ', '), ''), ''));
    when 'missing_some' then
        return format('aicrm_private.jl_missing_some(%s, %s, %s)', p_data, v_c[1], v_c[2]);
    when 'log' then
        return v_c[1];
    else
        perform aicrm_private.jl_unknown_operator(v_op);
    end case;
    return null;
end
$$;

-- A number literal, or a var with a literal path (and literal default): cheap to evaluate twice,
-- and never a constant that a plan-time cast could trip on.
create or replace function aicrm_private.jl_is_simple_operand(p_operand jsonb)
returns boolean
language sql
immutable
as $$
    select jsonb_typeof(p_operand) = 'number'
        or (jsonb_typeof(p_operand) = 'object'
            and (select count(*) from jsonb_object_keys(p_operand)) = 1
            and p_operand ? 'var'
            and (jsonb_typeof(p_operand -> 'var') = 'string'
                 or (jsonb_typeof(p_operand -> 'var') = 'array'
                     and jsonb_typeof(p_operand #> '{var,0}') = 'string'
                     and coalesce(jsonb_typeof(p_operand #> '{var,1}'), 'null') not in ('object', 'array')
                     and jsonb_array_length(p_operand -> 'var') <= 2)))
$$;

-- A condition compiled to a SQL boolean (its truthiness): and/or/!/if become AND/OR/NOT/CASE and
-- comparisons keep their boolean, so no operand is evaluated twice and nothing is wrapped in jsonb
-- only to be unwrapped (2.3x faster on a 20-rule set). Anything else is jl_truthy(value).
create or replace function aicrm_private.jl_compile_condition(p_rule jsonb, p_data text, p_depth integer default 0)
returns text
language plpgsql
immutable
as $$
declare
    v_kvs jsonb;
    v_op text;
    v_args jsonb;
    v_n integer;
    v_i integer;
    v_sql text;
    v_literal jsonb;
    v_other text;
    v_parts text[];
begin
    if p_depth > 64 then
        raise exception using errcode = 'AC011', message = 'rule: nested deeper than 64 levels',
            hint = 'Flatten the rule; JSON Logic rules rarely need more than a few levels.';
    end if;
    if p_rule = 'true'::jsonb then
        return 'true';
    elsif p_rule = 'false'::jsonb then
        return 'false';
    end if;
    v_kvs := case when jsonb_typeof(p_rule) = 'object' then jsonb_path_query_array(p_rule, 'strict $.keyvalue()') end;
    if v_kvs is null or jsonb_array_length(v_kvs) <> 1 then
        return format('aicrm_private.jl_truthy(%s)', aicrm_private.jl_compile(p_rule, p_data, p_depth));
    end if;
    v_op := aicrm_private.jl_operator(v_kvs -> 0 ->> 'key');
    v_args := v_kvs -> 0 -> 'value';
    if jsonb_typeof(v_args) <> 'array' then
        v_args := jsonb_build_array(v_args);
    end if;
    v_n := jsonb_array_length(v_args);
    if v_op in ('and', 'or') and v_n > 0 and v_n <= 100 then
        select '(' || string_agg(aicrm_private.jl_compile_condition(e.item, p_data, p_depth + 1), ' ' || v_op || ' '
                                 order by e.ord) || ')'
        into v_sql
        from jsonb_array_elements(v_args) with ordinality as e (item, ord);
        return v_sql;
    elsif v_op in ('!', '!!') then
        return format('%s(%s)', case when v_op = '!' then 'not ' else '' end,
            aicrm_private.jl_compile_condition(coalesce(v_args -> 0, 'null'), p_data, p_depth + 1));
    elsif v_op in ('if', '?:') and v_n >= 2 and v_n <= 100 then
        v_sql := 'case';
        v_i := 0;
        while v_i < v_n - 1 loop
            v_sql := v_sql || format(' when %s then %s',
                aicrm_private.jl_compile_condition(v_args -> v_i, p_data, p_depth + 1),
                aicrm_private.jl_compile_condition(v_args -> (v_i + 1), p_data, p_depth + 1));
            v_i := v_i + 2;
        end loop;
        return v_sql || format(' else %s end', case when v_i = v_n - 1
            then aicrm_private.jl_compile_condition(v_args -> v_i, p_data, p_depth + 1) else 'false' end);
    end if;
    -- Equality with a string literal (a channel, a trust level): two strings compare as jsonb, and
    -- anything else takes the general path (== converts; === is jsonb equality itself).
    if v_op in ('==', '!=', '===', '!==') and v_n = 2
       and (jsonb_typeof(v_args -> 0) = 'string' or jsonb_typeof(v_args -> 1) = 'string') then
        v_literal := case when jsonb_typeof(v_args -> 1) = 'string' then v_args -> 1 else v_args -> 0 end;
        v_other := case when jsonb_typeof(v_args -> 1) = 'string' then v_args -> 0 else v_args -> 1 end;
        if aicrm_private.jl_is_simple_operand(v_other::jsonb) or jsonb_typeof(v_other::jsonb) = 'string' then
            v_other := aicrm_private.jl_compile(v_other::jsonb, p_data, p_depth + 1);
            v_sql := case when v_op in ('===', '!==') then format('coalesce(%s = %L::jsonb, false)', v_other, v_literal)
                else format('(case when jsonb_typeof(%1$s) = ''string'' then %1$s = %2$L::jsonb '
                            'else coalesce(aicrm_private.jl_loose_equal(%1$s, %2$L::jsonb), false) end)',
                            v_other, v_literal) end;
            return case when v_op in ('!=', '!==') then format('(not %s)', v_sql) else v_sql end;
        end if;
    end if;
    -- Membership with a literal side: a variable in a list of strings is jsonb equality with each;
    -- a string in a variable is the ? operator on an array (its string elements), a substring of a
    -- string, and false for anything else (jl_in's semantics, without its subquery).
    if v_op = 'in' and v_n = 2 and aicrm_private.jl_is_simple_operand(v_args -> 0)
       and jsonb_typeof(v_args -> 1) = 'array' and jsonb_array_length(v_args -> 1) between 1 and 100
       and not exists (select from jsonb_array_elements(v_args -> 1) e where jsonb_typeof(e) <> 'string') then
        return format('coalesce(%s in (%s), false)', aicrm_private.jl_compile(v_args -> 0, p_data, p_depth + 1),
            (select string_agg(format('%L::jsonb', e), ', ') from jsonb_array_elements(v_args -> 1) e));
    elsif v_op = 'in' and v_n = 2 and jsonb_typeof(v_args -> 0) = 'string' and jsonb_typeof(v_args -> 1) = 'object'
          and (select count(*) from jsonb_object_keys(v_args -> 1)) = 1
          and (jsonb_typeof(v_args #> '{1,var}') = 'string'
               or (jsonb_typeof(v_args #> '{1,var,0}') = 'string' and jsonb_array_length(v_args #> '{1,var}') <= 2)) then
        -- (a variable with a literal path and any default: read up to three times, never cast)
        return format('(case jsonb_typeof(%1$s) when ''array'' then %1$s ? %2$L '
                      'when ''string'' then strpos(%1$s #>> ''{}'', %2$L) > 0 else false end)',
            aicrm_private.jl_compile(v_args -> 1, p_data, p_depth + 1), v_args ->> 0);
    end if;
    -- The common case of a decision rule, a comparison of a variable with a number (or with
    -- another variable): both operands are cheap to read twice, so two numbers compare as SQL
    -- doubles directly, and anything else takes the general JavaScript path.
    if v_op in ('>', '>=', '<', '<=', '==', '!=', '===', '!==') and v_n = 2
       and aicrm_private.jl_is_simple_operand(v_args -> 0) and aicrm_private.jl_is_simple_operand(v_args -> 1) then
        v_sql := aicrm_private.jl_compile(p_rule, p_data, p_depth);
        return format('(case when jsonb_typeof(%1$s) = ''number'' and jsonb_typeof(%2$s) = ''number'' '
                      'and length((%1$s)::text) < 20 and length((%2$s)::text) < 20 '
                      'then (%1$s)::float8 %3$s (%2$s)::float8 else coalesce(%4$s, false) end)',
            aicrm_private.jl_compile(v_args -> 0, p_data, p_depth + 1),
            aicrm_private.jl_compile(v_args -> 1, p_data, p_depth + 1),
            case v_op when '==' then '=' when '===' then '=' when '!==' then '<>' else v_op end,
            substr(v_sql, 10, length(v_sql) - 10));
    end if;
    -- Between ({"<=": [1, {"var": "x"}, 2]}), each operand simple: three numbers compare as doubles.
    if v_op in ('<', '<=') and v_n = 3 and aicrm_private.jl_is_simple_operand(v_args -> 0)
       and aicrm_private.jl_is_simple_operand(v_args -> 1) and aicrm_private.jl_is_simple_operand(v_args -> 2) then
        select array_agg(aicrm_private.jl_compile(e.item, p_data, p_depth + 1) order by e.ord)
        into v_parts
        from jsonb_array_elements(v_args) with ordinality as e (item, ord);
        return format('(case when jsonb_typeof(%1$s) = ''number'' and jsonb_typeof(%2$s) = ''number'' '
                      'and jsonb_typeof(%3$s) = ''number'' and length((%1$s)::text) < 20 '
                      'and length((%2$s)::text) < 20 and length((%3$s)::text) < 20 '
                      'then (%1$s)::float8 %4$s (%2$s)::float8 and (%2$s)::float8 %4$s (%3$s)::float8 '
                      'else aicrm_private.jl_truthy(%5$s) end)',
            v_parts[1], v_parts[2], v_parts[3], v_op, aicrm_private.jl_compile(p_rule, p_data, p_depth));
    end if;
    v_sql := aicrm_private.jl_compile(p_rule, p_data, p_depth);
    -- Comparisons, equality, in, some, none and ! compile to to_jsonb(<boolean>): keep the boolean.
    if v_op in ('==', '!=', '===', '!==', '>', '>=', '<', '<=', 'in', 'some', 'none') and v_sql like 'to_jsonb(%)' then
        return format('coalesce(%s, false)', substr(v_sql, 10, length(v_sql) - 10));
    end if;
    return format('aicrm_private.jl_truthy(%s)', v_sql);
end
$$;

-- Applies a rule through the compiled path (for tests and ad-hoc checks; decisions use prepared
-- statements built from the same compiler).
create or replace function aicrm_private.jl_apply_compiled(p_rule jsonb, p_data jsonb default null)
returns jsonb
language plpgsql
as $$
declare
    v_result jsonb;
begin
    perform set_config('aicrm.jl_budget', '100000', true);
    execute format('select %s', aicrm_private.jl_compile(p_rule, '$1')) into v_result using coalesce(p_data, 'null');
    return coalesce(v_result, 'null');
end
$$;

-- Whether a condition holds on data, through jl_compile_condition (tests compare it with the
-- interpreter's truthiness on the official suite).
create or replace function aicrm_private.jl_condition_holds(p_rule jsonb, p_data jsonb default null)
returns boolean
language plpgsql
as $$
declare
    v_result boolean;
begin
    perform set_config('aicrm.jl_budget', '100000', true);
    execute format('select %s', aicrm_private.jl_compile_condition(p_rule, '$1')) into v_result using coalesce(p_data, 'null');
    return v_result;
end
$$;

grant execute on function aicrm_private.jl_compile(jsonb, text, integer), aicrm_private.jl_apply_compiled(jsonb, jsonb),
    aicrm_private.jl_condition_holds(jsonb, jsonb), aicrm_private.jl_is_simple_operand(jsonb),
    aicrm_private.jl_compile_condition(jsonb, text, integer)
to aicrm_app, aicrm_worker, aicrm_readonly;
