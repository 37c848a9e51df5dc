-- Import of existing customers (customers/import_customers.sql): what a mapping may name, which
-- targets each source column fills, and the mapping checked once, before any row.

-- What an import can write to: a customer field ("website", "address") or one key of an object
-- field ("address.city"). Returns the target's JSON Schema (row.customers, $ref resolved: its
-- "type" drives how a cell is read, an object's "properties" are its keys), or null when the name
-- is no target. The fields are those upsert_business_profile accepts (api.business_profile).
create or replace function aicrm_private.import_target_schema(p_target text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_field text := split_part(p_target, '.', 1);
    v_key text := substr(p_target, char_length(v_field) + 2);
    v_api jsonb;
    v_schema jsonb;
begin
    select s.definition -> 'properties' -> v_field into v_api from aicrm.json_schemas s
    where s.schema_name = 'api.business_profile';
    if v_api is null then
        return null;
    end if;
    select s.definition -> 'properties' -> v_field into v_schema from aicrm.json_schemas s
    where s.schema_name = 'row.customers';
    if v_schema ? '$ref' then
        select s.definition into v_schema from aicrm.json_schemas s where s.schema_name = v_schema ->> '$ref';
    end if;
    v_schema := coalesce(v_schema, v_api);
    if strpos(p_target, '.') = 0 then
        return v_schema;
    end if;
    if v_api ->> 'type' is distinct from 'object' or v_key = '' then
        return null;
    end if;
    return v_schema -> 'properties' -> v_key;
end
$$;

grant execute on function aicrm_private.import_target_schema(text) to aicrm_app;

-- Which targets each source column of one call fills, so every row is mapped without asking again:
-- {"columns": {column: [target, ...]}, "schemas": {target: schema}, "unknown": [column, ...]}.
-- A column listed in "columns" fills its targets (none when mapped to null); one that only feeds
-- "combine" fills nothing by itself; any other column keeps its name, which must be a target, or
-- is unknown (reported once for the whole import by import_customers).
create or replace function aicrm_private.import_mapping_plan(p_mapping jsonb, p_columns text[])
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_plan jsonb := '{}';
    v_unknown text[] := '{}';
    v_combined text[];
    v_column text;
    v_spec jsonb;
    v_targets jsonb;
    v_schemas jsonb;
begin
    select coalesce(array_agg(p.part), '{}') into v_combined
    from jsonb_each(coalesce(p_mapping -> 'combine', '{}')) c,
        jsonb_array_elements_text(case jsonb_typeof(c.value) when 'array' then c.value else c.value -> 'columns' end) p(part);
    foreach v_column in array coalesce(p_columns, '{}') loop
        v_spec := p_mapping -> 'columns' -> v_column;
        v_targets := case
            when v_spec is null and v_column = any(v_combined) then '[]'
            when v_spec is null and aicrm_private.import_target_schema(v_column) is not null then jsonb_build_array(v_column)
            when v_spec is null then null
            when v_spec = 'null'::jsonb then '[]'
            when jsonb_typeof(v_spec) = 'array' then v_spec
            else jsonb_build_array(v_spec)
        end;
        if v_targets is null then
            v_unknown := array_append(v_unknown, v_column);
        else
            v_plan := v_plan || jsonb_build_object(v_column, v_targets);
        end if;
    end loop;
    select coalesce(jsonb_object_agg(t.target, aicrm_private.import_target_schema(t.target)), '{}') into v_schemas
    from (
        select jsonb_array_elements_text(p.value) from jsonb_each(v_plan) p
        union
        select jsonb_object_keys(coalesce(p_mapping -> 'combine', '{}'))
    ) t(target);
    return jsonb_build_object('columns', v_plan, 'schemas', v_schemas, 'unknown', to_jsonb(v_unknown));
end
$$;

grant execute on function aicrm_private.import_mapping_plan(jsonb, text[]) to aicrm_app;

-- Checks a mapping once, before any row: its shape (schema import.mapping) and that every target
-- it names exists, so a typo is one error naming mapping.<key>, not one per row.
create or replace function aicrm_private.assert_import_mapping_valid(p_mapping jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    v_fields jsonb := (select s.definition -> 'properties' from aicrm.json_schemas s
                       where s.schema_name = 'api.business_profile');
    v_section text;
    v_key text;
    v_target text;
    v_schema jsonb;
    v_other text;
begin
    perform aicrm_private.assert_json_valid('import.mapping', p_mapping, 'mapping');
    for v_section, v_key, v_target in
        select 'columns', c.key, c.value #>> '{}' from jsonb_each(coalesce(p_mapping -> 'columns', '{}')) c
        where jsonb_typeof(c.value) = 'string'
        union all
        select 'columns', format('%s[%s]', c.key, t.n - 1), t.target
        from jsonb_each(coalesce(p_mapping -> 'columns', '{}')) c,
            jsonb_array_elements_text(case when jsonb_typeof(c.value) = 'array' then c.value else '[]' end)
                with ordinality t(target, n)
        union all
        select s.section, k, k from unnest(array['values', 'split', 'combine']) s(section),
            jsonb_object_keys(coalesce(p_mapping -> s.section, '{}')) k
    loop
        if aicrm_private.import_target_schema(v_target) is null then
            v_schema := aicrm_private.import_target_schema(split_part(v_target, '.', 1));
            raise exception using errcode = 'AC001',
                message = format('mapping.%s.%s: %L is not a customer field', v_section, v_key, v_target),
                hint = case when v_schema ->> 'type' = 'object' then
                    format('Keys of %s: %s.', split_part(v_target, '.', 1), (
                        select string_agg(split_part(v_target, '.', 1) || '.' || k, ', ' order by k)
                        from jsonb_object_keys(coalesce(v_schema -> 'properties', '{}')) k))
                    else format('Fields: %s; a key of an object field is written address.city.',
                        (select string_agg(k, ', ' order by k) from jsonb_object_keys(v_fields) k)) end,
                column = format('mapping.%s.%s', v_section, v_key);
        end if;
    end loop;
    for v_target in select jsonb_object_keys(coalesce(p_mapping -> 'combine', '{}')) loop
        v_schema := aicrm_private.import_target_schema(v_target);
        if not (v_schema -> 'type' = '"string"' or v_schema -> 'type' @> '["string"]') then
            raise exception using errcode = 'AC001',
                message = format('mapping.combine.%s: %s is not text; combine joins columns into one text', v_target, v_target),
                hint = case when v_schema ->> 'type' = 'object' then
                    format('Map each column onto its key instead: "columns": {"City": "%s.city", ...}.', v_target)
                    else 'Combine into a text field, or a text key such as address.street.' end,
                column = format('mapping.combine.%s', v_target);
        end if;
        select c.key into v_other from jsonb_each(coalesce(p_mapping -> 'columns', '{}')) c
        where c.value = to_jsonb(v_target) or (jsonb_typeof(c.value) = 'array' and c.value ? v_target)
        limit 1;
        if found then
            raise exception using errcode = 'AC001',
                message = format('mapping.combine.%s: column %L is mapped onto %s too', v_target, v_other, v_target),
                hint = 'List that column among the combined ones instead.',
                column = format('mapping.combine.%s', v_target);
        end if;
    end loop;
    select format('mapping.values.%s', v.key), v.key, string_agg(format('%L', m.key), ' and ' order by m.key)
    into v_section, v_target, v_other
    from jsonb_each(coalesce(p_mapping -> 'values', '{}')) v, jsonb_each(v.value) m
    group by v.key, lower(m.key)
    having count(distinct m.value) > 1
    limit 1;
    if found then
        raise exception using errcode = 'AC001',
            message = format('%s: %s differ only in case but map to different values', v_section, v_other),
            hint = 'Values match ignoring case: keep one of them.',
            column = v_section;
    end if;
    for v_key in select jsonb_object_keys(coalesce(p_mapping -> 'defaults', '{}')) loop
        if not v_fields ? v_key then
            raise exception using errcode = 'AC001',
                message = format('mapping.defaults.%s: %L is not a customer field', v_key, v_key),
                hint = format('Fields: %s.', (select string_agg(k, ', ' order by k) from jsonb_object_keys(v_fields) k)),
                column = format('mapping.defaults.%s', v_key);
        end if;
    end loop;
    if p_mapping -> 'defaults' ? 'external_id' then
        raise exception using errcode = 'AC001',
            message = 'mapping.defaults.external_id: external_id cannot have a default',
            hint = 'Each row gives its own external_id: it is the natural key of the import.',
            column = 'mapping.defaults.external_id';
    end if;
    -- Deep checks of the defaults (brand voice tones, URLs, ...) once, not on every row.
    perform aicrm_private.assert_json_valid('row.customers', coalesce(p_mapping -> 'defaults', '{}'), 'mapping.defaults');
end
$$;

grant execute on function aicrm_private.assert_import_mapping_valid(jsonb) to aicrm_app;
