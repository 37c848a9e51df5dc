-- Compiling: a stored schema as an SQL/JSON path predicate, the fast first answer of
-- assert_json_valid (json_schema_compile), computed when the schema is written (the trigger on
-- json_schemas). The keywords are those of validate.sql (ADR 0002).

-- A schema compiled to an SQL/JSON path predicate on @, true when @ breaks it (docs/sql-api.md,
-- "JSON Schema subset"): null when the schema uses what a path cannot say ($ref, uniqueItems, a
-- non-scalar enum or const, a pattern the path's regex does not take) or is nested too deep.
-- maxLength over 255 is left out of the path (regex counts stop at 255) and returned as p_size_limit
-- instead: a document whose text is no longer than the smallest of them has no string too long.
-- assert_json_valid evaluates the path in C as a first, fast answer; it trusts only "no
-- violation" and asks the PL/pgSQL validator otherwise.
create or replace function aicrm_private.json_schema_compile(p_schema jsonb, p_depth integer, p_size_limit inout integer, p_path out text)
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    c_keywords constant text[] := '{type,enum,const,properties,required,additionalProperties,items,minItems,maxItems,'
        'minimum,maximum,minLength,maxLength,pattern,description,title,default,examples}';
    v_parts text[] := '{}';
    v_alts text[];
    v_sub record;
    v_cond text;
    v_known text;
    v_len integer;
begin
    if p_depth > 20 then
        p_path := null;
        return;
    end if;
    if p_schema is null or p_schema = 'true'::jsonb or p_schema = '{}'::jsonb then
        p_path := '(1 == 2)';
        return;
    end if;
    if p_schema = 'false'::jsonb then
        p_path := '(1 == 1)';
        return;
    end if;
    if jsonb_typeof(p_schema) <> 'object' or exists (select from jsonb_object_keys(p_schema) k where k <> all (c_keywords)) then
        p_path := null;
        return;
    end if;
    if p_schema ? 'type' then
        select array_agg(case t when 'integer' then '(@.type() == "number" && @ == @.floor())'
                                else format('@.type() == "%s"', t) end)
        into v_alts
        from jsonb_array_elements_text(case jsonb_typeof(p_schema -> 'type') when 'array' then p_schema -> 'type'
                                            else jsonb_build_array(p_schema -> 'type') end) t;
        if exists (select from jsonb_array_elements_text(case jsonb_typeof(p_schema -> 'type') when 'array'
                   then p_schema -> 'type' else jsonb_build_array(p_schema -> 'type') end) t
                   where t not in ('string', 'number', 'integer', 'boolean', 'null', 'array', 'object')) then
            p_path := null;
            return;
        end if;
        v_parts := v_parts || ('!(' || array_to_string(v_alts, ' || ') || ')');
    end if;
    if p_schema ? 'enum' or p_schema ? 'const' then
        if exists (select from jsonb_array_elements(case when p_schema ? 'enum' then p_schema -> 'enum' else '[]' end
                                                    || case when p_schema ? 'const' then jsonb_build_array(p_schema -> 'const')
                                                            else '[]' end) e
                   where jsonb_typeof(e) in ('object', 'array'))
           or jsonb_typeof(coalesce(p_schema -> 'enum', '[]')) <> 'array' then
            p_path := null;
            return;
        end if;
        if p_schema ? 'enum' then
            v_cond := coalesce((select '(' || string_agg('@ == ' || e::text, ' || ') || ')'
                                from jsonb_array_elements(p_schema -> 'enum') e), '(1 == 2)');
            v_parts := v_parts || format('(!%s || %s is unknown)', v_cond, v_cond);
        end if;
        if p_schema ? 'const' then
            v_cond := '(@ == ' || (p_schema -> 'const')::text || ')';
            v_parts := v_parts || format('(!%s || %s is unknown)', v_cond, v_cond);
        end if;
    end if;
    if p_schema ? 'minLength' then
        v_len := (p_schema ->> 'minLength')::integer;
        if v_len > 255 then
            p_path := null;
            return;
        elsif v_len > 0 then
            v_parts := v_parts || format('(@.type() == "string" && !(@ like_regex "^.{%s}" flag "s"))', v_len);
        end if;
    end if;
    if p_schema ? 'maxLength' then
        v_len := (p_schema ->> 'maxLength')::integer;
        if v_len >= 255 then
            p_size_limit := least(p_size_limit, v_len);
        else
            v_parts := v_parts || format('(@.type() == "string" && @ like_regex "^.{%s}" flag "s")', v_len + 1);
        end if;
    end if;
    if p_schema ? 'pattern' then
        begin
            perform '' ~ (p_schema ->> 'pattern');
        exception when invalid_regular_expression then
            p_path := null;
            return;
        end;
        v_parts := v_parts || format('(@.type() == "string" && !(@ like_regex %s))', to_jsonb(p_schema ->> 'pattern')::text);
    end if;
    if p_schema ? 'minimum' then
        v_parts := v_parts || format('(@.type() == "number" && @ < %s)', (p_schema -> 'minimum')::text);
    end if;
    if p_schema ? 'maximum' then
        v_parts := v_parts || format('(@.type() == "number" && @ > %s)', (p_schema -> 'maximum')::text);
    end if;
    if p_schema ? 'minItems' then
        v_parts := v_parts || format('(@.type() == "array" && @.size() < %s)', (p_schema -> 'minItems')::text);
    end if;
    if p_schema ? 'maxItems' then
        v_parts := v_parts || format('(@.type() == "array" && @.size() > %s)', (p_schema -> 'maxItems')::text);
    end if;
    if p_schema ? 'items' then
        select * into v_sub from aicrm_private.json_schema_compile(p_schema -> 'items', p_depth + 1, p_size_limit);
        if v_sub.p_path is null then
            p_path := null;
            return;
        end if;
        p_size_limit := v_sub.p_size_limit;
        v_parts := v_parts || format('(@.type() == "array" && exists(@[*] ? (%s)))', v_sub.p_path);
    end if;
    if p_schema ? 'required' then
        v_parts := v_parts || coalesce((
            select string_agg(format('(@.type() == "object" && !exists(@.keyvalue() ? (@.key == %s && @.value.type() != "null")))',
                                     to_jsonb(k)::text), ' || ')
            from jsonb_array_elements_text(p_schema -> 'required') k), '(1 == 2)');
    end if;
    if p_schema ? 'properties' then
        for v_sub in
            select p.key, c.p_path, c.p_size_limit
            from jsonb_each(p_schema -> 'properties') p
            cross join lateral aicrm_private.json_schema_compile(p.value, p_depth + 1, p_size_limit) c
        loop
            if v_sub.p_path is null then
                p_path := null;
                return;
            end if;
            p_size_limit := least(p_size_limit, v_sub.p_size_limit);
            v_parts := v_parts || format('(@.type() == "object" && exists(@.%s ? (%s)))', to_jsonb(v_sub.key)::text,
                                         v_sub.p_path);
        end loop;
    end if;
    if p_schema ? 'additionalProperties' and p_schema -> 'additionalProperties' not in ('true'::jsonb, '{}'::jsonb) then
        v_known := coalesce((select string_agg(format('@.key != %s', to_jsonb(k)::text), ' && ')
                             from jsonb_object_keys(coalesce(p_schema -> 'properties', '{}')) k), '(1 == 1)');
        select * into v_sub from aicrm_private.json_schema_compile(p_schema -> 'additionalProperties', p_depth + 1, p_size_limit);
        if v_sub.p_path is null then
            p_path := null;
            return;
        end if;
        p_size_limit := v_sub.p_size_limit;
        v_parts := v_parts || format('(@.type() == "object" && exists(@.keyvalue() ? (%s && exists(@.value ? (%s)))))',
                                     v_known, v_sub.p_path);
    end if;
    p_path := case when cardinality(v_parts) = 0 then '(1 == 2)' else '(' || array_to_string(v_parts, ' || ') || ')' end;
end
$$;

grant execute on function aicrm_private.json_schema_compile(jsonb, integer, integer) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The trigger on json_schemas: compiles a schema when it is written (check_path, size_limit).
create or replace function aicrm_private.tg_json_schemas__compile()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_compiled record;
begin
    select * into v_compiled from aicrm_private.json_schema_compile(new.definition, 0, null);
    begin
        new.check_path := ('strict $ ? ' || v_compiled.p_path)::jsonpath;
    exception when others then  -- a path the SQL/JSON parser refuses: the PL/pgSQL validator decides
        new.check_path := null;
    end;
    new.size_limit := v_compiled.p_size_limit;
    return new;
end
$$;
