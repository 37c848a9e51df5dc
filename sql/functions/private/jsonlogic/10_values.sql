-- JSON Logic's value semantics (those of JavaScript, as in the reference json-logic-js), shared by
-- the interpreter (20_interpreter.sql) and the compiled rules (30_compiler.sql), so both
-- paths agree by construction. Values are jsonb; SQL NULL stands for JavaScript's undefined, and
-- numbers are doubles (float8) like JavaScript's. Small ones are LANGUAGE sql so the planner
-- inlines them into a compiled rule; those that read an argument several times or hold a
-- subquery are PL/pgSQL, because inlining them would copy their arguments' expressions and add a
-- subplan per call site (measured 40x slower on a four-comparison rule). Inlined calls on
-- constants are folded at plan time branch by branch: a cast that could fail (text to float8) may
-- only sit in a CASE branch whose condition tests the same value, so the condition folds first.

-- A JSON number (or numeric text) as a double, as JavaScript reads it: beyond the double range it
-- is +/-Infinity and below it 0, never an error.
create or replace function aicrm_private.jl_text_to_float(p_text text)
returns float8
language plpgsql
immutable
parallel safe
as $$
declare
    v_number numeric;
begin
    if length(p_text) < 20 and p_text !~ '[eE]' then
        return p_text::float8;  -- no short literal without an exponent is out of range
    end if;
    v_number := p_text::numeric;
    if abs(v_number) > 1.7976931348623157e308 then
        return sign(v_number)::float8 * 'Infinity'::float8;
    elsif abs(v_number) < 2.2250738585072014e-308 then
        return 0::float8;
    end if;
    return v_number::float8;
end
$$;

-- Truthiness: false, null, 0, "" and [] are falsy (JSON Logic makes the empty array falsy too).
create or replace function aicrm_private.jl_truthy(p_value jsonb)
returns boolean
language sql
immutable
parallel safe
as $$
    -- One read of the argument, so the planner inlines this wherever it is called (a body reading
    -- it five times was a separate function call per use: 130 us of a 20-rule decision).
    select coalesce(p_value <> all (array['false'::jsonb, 'null'::jsonb, '0'::jsonb, '""'::jsonb, '[]'::jsonb]), false)
$$;

-- String -> number as JavaScript's Number(): blanks are 0, decimal and hex literals parse,
-- anything else is NaN (NULL here).
create or replace function aicrm_private.jl_string_to_number(p_text text)
returns float8
language sql
immutable
parallel safe
as $$
    select case
        when btrim(p_text, E' \t\n\r\f\v') = '' then 0::float8
        when btrim(p_text, E' \t\n\r\f\v') ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'
            then aicrm_private.jl_text_to_float(btrim(p_text, E' \t\n\r\f\v'))
        when btrim(p_text, E' \t\n\r\f\v') ~ '^0[xX][0-9a-fA-F]{1,15}$'
            then ('x' || lpad(substr(btrim(p_text, E' \t\n\r\f\v'), 3), 16, '0'))::bit(64)::bigint::float8
    end
$$;

-- A double as JavaScript's String() writes it: integers without a fraction, others in the
-- shortest form that reads back the same.
create or replace function aicrm_private.jl_number_to_text(p_number float8)
returns text
language sql
immutable
parallel safe
as $$
    select case
        when p_number = trunc(p_number) and abs(p_number) < 1e21 then trunc(p_number)::numeric::text
        else p_number::text
    end
$$;

-- Any value as JavaScript's String(): arrays join their items with commas (null items empty),
-- objects are "[object Object]".
create or replace function aicrm_private.jl_to_text(p_value jsonb, p_depth integer default 0)
returns text
language plpgsql
immutable
parallel safe
as $$
declare
    v_type text := jsonb_typeof(p_value);
begin
    if v_type = 'string' then
        return p_value #>> '{}';
    elsif v_type = 'number' then
        return aicrm_private.jl_number_to_text(aicrm_private.jl_text_to_float(p_value #>> '{}'));
    elsif v_type in ('boolean', 'null') then
        return p_value::text;
    elsif v_type = 'array' then
        if p_depth > 64 then
            raise exception using errcode = 'AC011', message = 'data: arrays nested deeper than 64 levels',
                hint = 'JSON Logic turns nested arrays into text recursively; flatten the data.';
        end if;
        return (select coalesce(string_agg(
                    case when jsonb_typeof(e.item) = 'null' then '' else aicrm_private.jl_to_text(e.item, p_depth + 1) end,
                    ',' order by e.ord), '')
                from jsonb_array_elements(p_value) with ordinality as e (item, ord));
    elsif v_type = 'object' then
        return '[object Object]';
    end if;
    return 'undefined';
end
$$;

-- Any value as JavaScript's Number(); NULL is NaN.
create or replace function aicrm_private.jl_to_number(p_value jsonb)
returns float8
language plpgsql
immutable
parallel safe
as $$
declare
    v_type text := jsonb_typeof(p_value);
begin
    if v_type = 'number' then
        return aicrm_private.jl_text_to_float(p_value #>> '{}');
    elsif v_type = 'boolean' then
        return case when p_value = 'true'::jsonb then 1 else 0 end;
    elsif v_type = 'null' then
        return 0;
    elsif v_type = 'string' then
        return aicrm_private.jl_string_to_number(p_value #>> '{}');
    elsif v_type = 'array' then
        return aicrm_private.jl_string_to_number(aicrm_private.jl_to_text(p_value));
    end if;
    return null;
end
$$;

-- JavaScript's parseFloat(String(value)), used by + and *: the longest numeric prefix.
create or replace function aicrm_private.jl_parse_float(p_value jsonb)
returns float8
language sql
immutable
parallel safe
as $$
    select case jsonb_typeof(p_value)
        when 'number' then aicrm_private.jl_text_to_float(p_value #>> '{}')
        else aicrm_private.jl_text_to_float(substring(ltrim(aicrm_private.jl_to_text(p_value), E' \t\n\r\f\v')
                        from '^[+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?'))
    end
$$;

-- A double as a JSON value; NaN and the infinities have no JSON form and become null, as
-- JSON.stringify does.
create or replace function aicrm_private.jl_number(p_number float8)
returns jsonb
language sql
immutable
parallel safe
as $$
    select case
        when p_number is null or p_number = 'NaN'::float8 or p_number in ('Infinity'::float8, '-Infinity'::float8)
            then 'null'::jsonb
        else to_jsonb(p_number)
    end
$$;

-- Abstract equality (==).
create or replace function aicrm_private.jl_loose_equal(p_a jsonb, p_b jsonb)
returns boolean
language plpgsql
immutable
parallel safe
as $$
declare
    v_ta text := coalesce(jsonb_typeof(p_a), 'undefined');
    v_tb text := coalesce(jsonb_typeof(p_b), 'undefined');
begin
    if v_ta in ('null', 'undefined') or v_tb in ('null', 'undefined') then
        return v_ta in ('null', 'undefined') and v_tb in ('null', 'undefined');
    elsif v_ta = v_tb then
        if v_ta = 'number' then
            return aicrm_private.jl_text_to_float(p_a #>> '{}') = aicrm_private.jl_text_to_float(p_b #>> '{}');
        end if;
        return v_ta not in ('array', 'object') and p_a = p_b;  -- two distinct arrays are never equal
    elsif v_ta in ('array', 'object') and v_tb in ('array', 'object') then
        return false;
    elsif v_ta in ('array', 'object') then
        return aicrm_private.jl_loose_equal(to_jsonb(aicrm_private.jl_to_text(p_a)), p_b);
    elsif v_tb in ('array', 'object') then
        return aicrm_private.jl_loose_equal(p_a, to_jsonb(aicrm_private.jl_to_text(p_b)));
    end if;
    -- remaining mixes of number, string and boolean compare as numbers (NaN equals nothing)
    return coalesce(aicrm_private.jl_to_number(p_a) = aicrm_private.jl_to_number(p_b), false);
end
$$;

-- Strict equality (===).
create or replace function aicrm_private.jl_strict_equal(p_a jsonb, p_b jsonb)
returns boolean
language plpgsql
immutable
parallel safe
as $$
begin
    if p_a is null or p_b is null then
        return p_a is null and p_b is null;
    elsif jsonb_typeof(p_a) <> jsonb_typeof(p_b) then
        return false;
    elsif jsonb_typeof(p_a) = 'number' then
        return aicrm_private.jl_text_to_float(p_a #>> '{}') = aicrm_private.jl_text_to_float(p_b #>> '{}');
    end if;
    return jsonb_typeof(p_a) not in ('array', 'object') and p_a = p_b;
end
$$;

-- Abstract relational comparison: -1, 0 or 1; NULL when a side is NaN (every comparison false).
-- Two strings compare by code point; anything else compares as numbers.
create or replace function aicrm_private.jl_compare(p_a jsonb, p_b jsonb)
returns integer
language plpgsql
immutable
parallel safe
as $$
declare
    v_ta text := jsonb_typeof(p_a);
    v_tb text := jsonb_typeof(p_b);
    v_x float8;
    v_y float8;
    v_s text;
    v_t text;
begin
    if v_ta = 'number' and v_tb = 'number' then
        v_x := aicrm_private.jl_text_to_float(p_a #>> '{}');
        v_y := aicrm_private.jl_text_to_float(p_b #>> '{}');
    elsif v_ta in ('string', 'array', 'object') and v_tb in ('string', 'array', 'object') then
        v_s := aicrm_private.jl_to_text(p_a);
        v_t := aicrm_private.jl_to_text(p_b);
        return case when v_s collate "C" < v_t collate "C" then -1 when v_s = v_t then 0 else 1 end;
    else
        v_x := aicrm_private.jl_to_number(p_a);
        v_y := aicrm_private.jl_to_number(p_b);
    end if;
    return case when v_x < v_y then -1 when v_x = v_y then 0 when v_x > v_y then 1 end;
end
$$;

-- {"var": path}: dotted path into objects and arrays; not found gives the default.
create or replace function aicrm_private.jl_var(p_data jsonb, p_path jsonb, p_default jsonb default 'null')
returns jsonb
language sql
immutable
parallel safe
as $$
    select case
        when p_path is null or p_path = 'null'::jsonb or p_path = '""'::jsonb or p_path = '[]'::jsonb then p_data
        else coalesce(
            case when jsonb_typeof(p_data) in ('object', 'array')
                 then p_data #> string_to_array(aicrm_private.jl_to_text(p_path), '.') end,
            coalesce(p_default, 'null'::jsonb)
        )
    end
$$;

-- {"in": [a, b]}: substring of a string, or member (strict equality) of an array.
create or replace function aicrm_private.jl_in(p_needle jsonb, p_haystack jsonb)
returns boolean
language sql
immutable
parallel safe
as $$
    select case jsonb_typeof(p_haystack)
        when 'string' then strpos(p_haystack #>> '{}', aicrm_private.jl_to_text(p_needle)) > 0
        when 'array' then exists (
            select from jsonb_array_elements(p_haystack) e where aicrm_private.jl_strict_equal(e, p_needle))
        else false
    end
$$;

-- {"substr": [s, start, length]} with JavaScript's substr semantics for negative arguments.
create or replace function aicrm_private.jl_substr(p_source jsonb, p_start jsonb, p_length jsonb default null)
returns jsonb
language sql
immutable
parallel safe
as $$
    with s as (
        select aicrm_private.jl_to_text(p_source) as txt,
               coalesce(trunc(least(greatest(aicrm_private.jl_to_number(p_start), -1e9), 1e9))::integer, 0) as st
    ), t as (
        select case when s.st < 0 then right(s.txt, least(-s.st, char_length(s.txt)))
                    else substr(s.txt, s.st + 1) end as rest
        from s
    )
    select to_jsonb(case
        when p_length is null then t.rest
        when trunc(aicrm_private.jl_to_number(p_length)) < 0
            then left(t.rest, greatest(char_length(t.rest)
                + trunc(greatest(aicrm_private.jl_to_number(p_length), -1e9))::integer, 0))
        else left(t.rest, coalesce(trunc(least(aicrm_private.jl_to_number(p_length), 1e9))::integer, 0))
    end)
    from t
$$;

-- {"missing": keys}: the keys whose value is null or "".
create or replace function aicrm_private.jl_missing(p_data jsonb, p_keys jsonb)
returns jsonb
language sql
immutable
parallel safe
as $$
    select coalesce(jsonb_agg(k.key order by k.ord), '[]')
    from jsonb_array_elements(p_keys) with ordinality as k (key, ord)
    where aicrm_private.jl_var(p_data, k.key) in ('null'::jsonb, '""'::jsonb)
$$;

-- {"merge": [...]}: concatenation, flattening one level.
-- merge and cat are the operations whose result can outgrow their arguments (a reduce that merges
-- its accumulator with itself doubles it every item), so their results are capped: 100,000 items
-- and 1,000,000 characters, far beyond any decision's needs.
create or replace function aicrm_private.jl_merge(p_values jsonb)
returns jsonb
language plpgsql
immutable
parallel safe
as $$
declare
    v_result jsonb;
begin
    if (select coalesce(sum(case when jsonb_typeof(v.value) = 'array' then jsonb_array_length(v.value) else 1 end), 0)
        from jsonb_array_elements(p_values) as v (value)) > 100000 then
        raise exception using errcode = 'AC011', message = 'rule: merge would build more than 100000 items',
            hint = 'merge and cat results are capped; a reduce that merges its accumulator with itself grows without bound.';
    end if;
    select coalesce(jsonb_agg(i.item order by v.ord, i.ord), '[]')
    into v_result
    from jsonb_array_elements(p_values) with ordinality as v (value, ord)
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof(v.value) = 'array' then v.value else jsonb_build_array(v.value) end
    ) with ordinality as i (item, ord);
    return v_result;
end
$$;

create or replace function aicrm_private.jl_cat(p_text text)
returns jsonb
language plpgsql
immutable
parallel safe
as $$
begin
    if length(p_text) > 1000000 then
        raise exception using errcode = 'AC011', message = 'rule: cat would build more than 1000000 characters',
            hint = 'merge and cat results are capped; a reduce that concatenates its accumulator with itself grows without bound.';
    end if;
    return to_jsonb(p_text);
end
$$;

grant execute on function
    aicrm_private.jl_text_to_float(text), aicrm_private.jl_truthy(jsonb), aicrm_private.jl_string_to_number(text), aicrm_private.jl_number_to_text(float8),
    aicrm_private.jl_to_text(jsonb, integer), aicrm_private.jl_to_number(jsonb), aicrm_private.jl_parse_float(jsonb),
    aicrm_private.jl_number(float8), aicrm_private.jl_loose_equal(jsonb, jsonb),
    aicrm_private.jl_strict_equal(jsonb, jsonb), aicrm_private.jl_compare(jsonb, jsonb),
    aicrm_private.jl_var(jsonb, jsonb, jsonb), aicrm_private.jl_in(jsonb, jsonb),
    aicrm_private.jl_substr(jsonb, jsonb, jsonb), aicrm_private.jl_missing(jsonb, jsonb),
    aicrm_private.jl_merge(jsonb), aicrm_private.jl_cat(text)
to aicrm_app, aicrm_worker, aicrm_readonly;
