-- JSON Schema validation for the subset aicrm uses (docs/sql-api.md, "JSON Schema subset"):
-- type (one or a list), enum, const, properties, required, additionalProperties (boolean or
-- schema), items, minItems, maxItems, uniqueItems, minimum, maximum, minLength, maxLength,
-- pattern, and $ref to another schema stored in aicrm.json_schemas by name. The same rules give
-- two answers (ADR 0002): json_schema_errors returns every problem with the JSON path of the
-- offending value, so an error can name the field (assert_json_valid raises the first one as
-- AC001); json_schema_valid answers only valid or not. The same keywords compiled to an SQL/JSON
-- path: compile.sql.

create or replace function aicrm_private.json_schema_errors(
    p_schema jsonb,
    p_value jsonb,
    p_path text default '',
    p_depth integer default 0
)
returns table (path text, problem text, expected text)
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
    v_type text := jsonb_typeof(p_value);
    v_types jsonb;
    v_type_ok boolean := false;
    v_t text;
    v_key text;
    v_sub jsonb;
    v_elem jsonb;
    v_idx integer;
    v_len integer;
    v_ref jsonb;
    v_sep text := case when p_path = '' then '' else '.' end;
begin
    if p_depth > 32 then
        return query select p_path, 'is nested too deeply'::text, 'at most 32 levels'::text;
        return;
    end if;
    if p_schema is null or p_schema = 'true'::jsonb or p_schema = '{}'::jsonb then
        return;
    end if;
    if p_schema = 'false'::jsonb then
        return query select p_path, 'is not allowed'::text, 'remove this field'::text;
        return;
    end if;

    if p_schema ? '$ref' then
        select s.definition into v_ref from aicrm.json_schemas s where s.schema_name = p_schema ->> '$ref';
        if v_ref is null then
            raise exception using
                errcode = 'AC001',
                message = format('%s: $ref %L names no stored schema', coalesce(nullif(p_path, ''), '(value)'),
                    p_schema ->> '$ref'),
                hint = 'Run "aicrm migrate" to install the default schemas.';
        end if;
        return query select * from aicrm_private.json_schema_errors(v_ref, p_value, p_path, p_depth + 1);
        return;
    end if;

    if p_schema ? 'type' then
        v_types := case jsonb_typeof(p_schema -> 'type')
            when 'array' then p_schema -> 'type'
            else jsonb_build_array(p_schema -> 'type')
        end;
        for v_t in select jsonb_array_elements_text(v_types) loop
            if v_t = v_type
               or (v_t = 'integer' and v_type = 'number' and (p_value #>> '{}')::numeric % 1 = 0) then
                v_type_ok := true;
            end if;
        end loop;
        if not v_type_ok then
            return query select p_path,
                format('must be %s, not %s', array_to_string(array(select jsonb_array_elements_text(v_types)), ' or '), v_type),
                array_to_string(array(select jsonb_array_elements_text(v_types)), ' or ');
            return;
        end if;
    end if;

    -- Equality, not @>: containment would let ["a"] match an enum member ["a", "b"] (and {"a": 1}
    -- match {"a": 1, "b": 2}).
    if p_schema ? 'enum'
       and not exists (select from jsonb_array_elements(p_schema -> 'enum') e where e = p_value) then
        return query select p_path, format('must be one of %s, not %s', p_schema -> 'enum', p_value),
            (p_schema -> 'enum')::text;
    end if;
    if p_schema ? 'const' and p_value is distinct from p_schema -> 'const' then
        return query select p_path, format('must be %s', p_schema -> 'const'), (p_schema -> 'const')::text;
    end if;

    if v_type = 'string' then
        v_len := char_length(p_value #>> '{}');
        if p_schema ? 'minLength' and v_len < (p_schema ->> 'minLength')::integer then
            return query select p_path,
                case when v_len = 0 then 'must not be empty'
                     else format('is too short (%s characters)', v_len) end,
                format('at least %s characters', p_schema ->> 'minLength');
        end if;
        if p_schema ? 'maxLength' and v_len > (p_schema ->> 'maxLength')::integer then
            return query select p_path, format('is too long (%s characters)', v_len),
                format('at most %s characters', p_schema ->> 'maxLength');
        end if;
        if p_schema ? 'pattern' and (p_value #>> '{}') !~ (p_schema ->> 'pattern') then
            return query select p_path, format('%s is not in the expected format', p_value),
                coalesce(p_schema ->> 'description', format('matching %s', p_schema ->> 'pattern'));
        end if;
    elsif v_type = 'number' then
        if p_schema ? 'minimum' and (p_value #>> '{}')::numeric < (p_schema ->> 'minimum')::numeric then
            return query select p_path, format('%s is below the minimum', p_value),
                format('at least %s', p_schema ->> 'minimum');
        end if;
        if p_schema ? 'maximum' and (p_value #>> '{}')::numeric > (p_schema ->> 'maximum')::numeric then
            return query select p_path, format('%s is above the maximum', p_value),
                format('at most %s', p_schema ->> 'maximum');
        end if;
    elsif v_type = 'array' then
        v_len := jsonb_array_length(p_value);
        if p_schema ? 'minItems' and v_len < (p_schema ->> 'minItems')::integer then
            return query select p_path, format('has %s items', v_len),
                format('at least %s items', p_schema ->> 'minItems');
        end if;
        if p_schema ? 'maxItems' and v_len > (p_schema ->> 'maxItems')::integer then
            return query select p_path, format('has %s items', v_len),
                format('at most %s items', p_schema ->> 'maxItems');
        end if;
        if (p_schema ->> 'uniqueItems')::boolean
           and v_len <> (select count(distinct e) from jsonb_array_elements(p_value) e) then
            return query select p_path, 'has duplicate items'::text, 'each item once'::text;
        end if;
        if p_schema ? 'items' then
            v_idx := 0;
            for v_elem in select jsonb_array_elements(p_value) loop
                return query select * from aicrm_private.json_schema_errors(
                    p_schema -> 'items', v_elem, format('%s[%s]', p_path, v_idx), p_depth + 1);
                v_idx := v_idx + 1;
            end loop;
        end if;
    elsif v_type = 'object' then
        if p_schema ? 'required' then
            for v_key in select jsonb_array_elements_text(p_schema -> 'required') loop
                if not p_value ? v_key or p_value -> v_key = 'null'::jsonb then
                    return query select p_path || v_sep || v_key, 'is required'::text,
                        coalesce(p_schema -> 'properties' -> v_key ->> 'description', 'a value');
                end if;
            end loop;
        end if;
        for v_key, v_elem in select e.key, e.value from jsonb_each(p_value) e loop
            v_sub := p_schema -> 'properties' -> v_key;
            if v_sub is null then
                v_sub := coalesce(p_schema -> 'additionalProperties', 'true'::jsonb);
                if v_sub = 'false'::jsonb then
                    return query select p_path || v_sep || v_key, 'is not a known field'::text,
                        format('one of: %s', (
                            select string_agg(k, ', ' order by k)
                            from jsonb_object_keys(coalesce(p_schema -> 'properties', '{}')) k
                        ));
                    continue;
                end if;
            end if;
            return query select * from aicrm_private.json_schema_errors(
                v_sub, v_elem, p_path || v_sep || v_key, p_depth + 1);
        end loop;
    end if;
end
$$;

grant execute on function aicrm_private.json_schema_errors(jsonb, jsonb, text, integer)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- The same rules as json_schema_errors, answering only "valid or not": no rows, no messages, the
-- first problem ends the walk. assert_json_valid asks this first (a scorecard validates three
-- documents, and a set-returning walk costs about 100 µs each) and asks json_schema_errors for the
-- words only when a document is invalid. The two must agree (tests/sql/test_json_schema.py).
create or replace function aicrm_private.json_schema_valid(p_schema jsonb, p_value jsonb, p_depth integer default 0)
returns boolean
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
    v_type text := jsonb_typeof(p_value);
    v_sub jsonb;
    v_elem jsonb;
    v_t text;
    v_len integer;
begin
    if p_schema is null or p_schema = 'true'::jsonb or p_schema = '{}'::jsonb then
        return p_depth <= 32;
    end if;
    if p_depth > 32 or p_schema = 'false'::jsonb then
        return false;
    end if;
    if p_schema ? '$ref' then
        select s.definition into v_sub from aicrm.json_schemas s where s.schema_name = p_schema ->> '$ref';
        if v_sub is null then
            return false;  -- json_schema_errors raises the error that names it
        end if;
        return aicrm_private.json_schema_valid(v_sub, p_value, p_depth + 1);
    end if;
    if p_schema ? 'type' and not (
        case jsonb_typeof(p_schema -> 'type')
            when 'array' then p_schema -> 'type' ? v_type
                or (p_schema -> 'type' ? 'integer' and v_type = 'number' and (p_value #>> '{}')::numeric % 1 = 0)
            else p_schema ->> 'type' = v_type
                or (p_schema ->> 'type' = 'integer' and v_type = 'number' and (p_value #>> '{}')::numeric % 1 = 0)
        end) then
        return false;
    end if;
    if p_schema ? 'enum' and not exists (select from jsonb_array_elements(p_schema -> 'enum') e where e = p_value) then
        return false;
    end if;
    if p_schema ? 'const' and p_value is distinct from p_schema -> 'const' then
        return false;
    end if;
    if v_type = 'string' then
        if p_schema ? 'minLength' or p_schema ? 'maxLength' then
            v_len := char_length(p_value #>> '{}');
            if v_len < (p_schema ->> 'minLength')::integer or v_len > (p_schema ->> 'maxLength')::integer then
                return false;
            end if;
        end if;
        if p_schema ? 'pattern' and (p_value #>> '{}') !~ (p_schema ->> 'pattern') then
            return false;
        end if;
    elsif v_type = 'number' then
        if (p_value #>> '{}')::numeric < (p_schema ->> 'minimum')::numeric
           or (p_value #>> '{}')::numeric > (p_schema ->> 'maximum')::numeric then
            return false;
        end if;
    elsif v_type = 'array' then
        v_len := jsonb_array_length(p_value);
        if v_len < (p_schema ->> 'minItems')::integer or v_len > (p_schema ->> 'maxItems')::integer then
            return false;
        end if;
        if (p_schema ->> 'uniqueItems')::boolean
           and v_len <> (select count(distinct e) from jsonb_array_elements(p_value) e) then
            return false;
        end if;
    elsif v_type = 'object' then
        if p_schema ? 'required' and exists (
            select from jsonb_array_elements_text(p_schema -> 'required') k
            where not p_value ? k or p_value -> k = 'null'::jsonb) then
            return false;
        end if;
    else
        return true;
    end if;
    -- The items of an array and the fields of an object, each against its schema. A scalar under a
    -- schema without $ref is checked right here (the same rules as above, as one expression): a
    -- call per field is most of the cost of validating a document.
    for v_sub, v_elem in
        select p_schema -> 'items', e.value
        from jsonb_array_elements(case when v_type = 'array' and p_schema ? 'items' then p_value else '[]' end) e
        union all
        select coalesce(p_schema -> 'properties' -> e.key, p_schema -> 'additionalProperties'), e.value
        from jsonb_each(case when v_type = 'object' then p_value else '{}' end) e
    loop
        if p_depth >= 32 then
            return false;  -- a value below the deepest level allowed, whatever its schema
        end if;
        continue when v_sub is null or v_sub = 'true'::jsonb or v_sub = '{}'::jsonb;
        v_t := jsonb_typeof(v_elem);
        if v_t in ('string', 'number', 'boolean', 'null') and jsonb_typeof(v_sub) = 'object' and not v_sub ? '$ref' then
            if not (
                (not v_sub ? 'type' or case jsonb_typeof(v_sub -> 'type')
                    when 'array' then v_sub -> 'type' ? v_t
                        or (v_sub -> 'type' ? 'integer' and v_t = 'number' and (v_elem #>> '{}')::numeric % 1 = 0)
                    else v_sub ->> 'type' = v_t
                        or (v_sub ->> 'type' = 'integer' and v_t = 'number' and (v_elem #>> '{}')::numeric % 1 = 0)
                    end)
                -- For a scalar, containment in the enum's array is equality with one of its members.
                and (not v_sub ? 'enum' or coalesce(v_sub -> 'enum' @> jsonb_build_array(v_elem), false))
                and (not v_sub ? 'const' or v_sub -> 'const' = v_elem)
                and (v_t <> 'string' or (
                    coalesce(char_length(v_elem #>> '{}') >= (v_sub ->> 'minLength')::integer, true)
                    and coalesce(char_length(v_elem #>> '{}') <= (v_sub ->> 'maxLength')::integer, true)
                    and coalesce((v_elem #>> '{}') ~ (v_sub ->> 'pattern'), true)))
                and (v_t <> 'number' or (
                    coalesce((v_elem #>> '{}')::numeric >= (v_sub ->> 'minimum')::numeric, true)
                    and coalesce((v_elem #>> '{}')::numeric <= (v_sub ->> 'maximum')::numeric, true)))
            ) then
                return false;
            end if;
        elsif not aicrm_private.json_schema_valid(v_sub, v_elem, p_depth + 1) then
            return false;
        end if;
    end loop;
    return true;
end
$$;

grant execute on function aicrm_private.json_schema_valid(jsonb, jsonb, integer)
to aicrm_app, aicrm_worker, aicrm_readonly;
