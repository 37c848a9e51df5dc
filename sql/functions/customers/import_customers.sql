-- Import of existing customers (the plan's Step 3). The runner parses CSV / JSON Lines into
-- {"line": n, "data": {...}} items; the mapping, the checks and the writes happen here, so a psql
-- user calling this function gets the same import. All or nothing: a dry run, or any bad row,
-- rolls every write of the call back and the report says what would have happened.

-- Maps one source record onto upsert_business_profile's fields. Mapping defaults are not applied
-- here: whether a default fills a field depends on the existing customer (import_customers).
create or replace function aicrm_private.map_import_row(p_source jsonb, p_mapping jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_fields jsonb := (select s.definition -> 'properties' from aicrm.json_schemas s
                       where s.schema_name = 'api.business_profile');
    v_columns jsonb := coalesce(p_mapping -> 'columns', '{}');
    v_profile jsonb := '{}';
    v_key text;
    v_value jsonb;
    v_target text;
    v_text text;
    v_type jsonb;
begin
    for v_key, v_value in select e.key, e.value from jsonb_each(p_source) e loop
        if v_columns ? v_key then
            if v_columns -> v_key = 'null'::jsonb then
                continue;  -- mapped to null: the column is ignored on purpose
            end if;
            v_target := v_columns ->> v_key;
        else
            v_target := v_key;
        end if;
        if not v_fields ? v_target then
            if coalesce((p_mapping ->> 'ignore_unknown_columns')::boolean, false) then
                continue;
            end if;
            raise exception using errcode = 'AC001',
                message = format('%s: is not a customer field', v_key),
                hint = format('Map the column in the mapping file ("columns": {"%s": "<field>"} or null to ignore it). Fields: %s.',
                    v_key, (select string_agg(k, ', ' order by k) from jsonb_object_keys(v_fields) k)),
                column = v_key;
        end if;
        -- Legacy exports pad cells with blanks; an empty cell means "no value given", not "erase".
        if jsonb_typeof(v_value) = 'string' then
            v_value := to_jsonb(btrim(v_value #>> '{}', E' \t\r\n'));
        end if;
        v_text := v_value #>> '{}';
        if v_value = 'null'::jsonb or v_value = '""'::jsonb then
            continue;
        end if;
        if p_mapping -> 'values' -> v_target ? v_text then
            v_value := p_mapping -> 'values' -> v_target -> v_text;
            if v_value = 'null'::jsonb then
                continue;  -- a legacy value mapped to null means "no value"
            end if;
        end if;
        v_type := v_fields -> v_target -> 'type';
        -- JSON Lines give ids and phone numbers as numbers; text fields store them as text.
        if jsonb_typeof(v_value) in ('number', 'boolean')
           and (v_type = '"string"' or v_type @> '["string"]') then
            v_value := to_jsonb(v_value #>> '{}');
        end if;
        if jsonb_typeof(v_value) = 'string' then
            if p_mapping -> 'split' ? v_target then
                v_value := coalesce((
                    select jsonb_agg(btrim(part, E' \t\r\n'))
                    from unnest(string_to_array(v_value #>> '{}', p_mapping -> 'split' ->> v_target)) part
                    where btrim(part, E' \t\r\n') <> ''), '[]');
            elsif v_type in ('"array"', '"object"') then
                begin
                    v_value := (v_value #>> '{}')::jsonb;
                exception when invalid_text_representation then
                    raise exception using errcode = 'AC001',
                        message = format('%s: is not valid JSON', v_target),
                        hint = format('Give %s as a JSON %s, or map a list separator under "split".', v_target, v_type #>> '{}'),
                        column = v_target;
                end;
            end if;
        end if;
        v_profile := v_profile || jsonb_build_object(v_target, v_value);
    end loop;
    return v_profile;
end
$$;

grant execute on function aicrm_private.map_import_row(jsonb, jsonb) to aicrm_app;

-- Checks a mapping once, before any row: its shape (schema import.mapping) and that every field
-- it names is a customer field, so a typo is one error naming mapping.<key>, not one per row.
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
    v_field text;
begin
    perform aicrm_private.assert_json_valid('import.mapping', p_mapping, 'mapping');
    for v_section, v_key, v_field in
        select 'columns', c.key, c.value #>> '{}' from jsonb_each(coalesce(p_mapping -> 'columns', '{}')) c
        where c.value <> 'null'::jsonb
        union all
        select s.section, k, k from unnest(array['values', 'split', 'defaults']) s(section),
            jsonb_object_keys(coalesce(p_mapping -> s.section, '{}')) k
    loop
        if not v_fields ? v_field then
            raise exception using errcode = 'AC001',
                message = format('mapping.%s.%s: %L is not a customer field', v_section, v_key, v_field),
                hint = format('Fields: %s.', (select string_agg(k, ', ' order by k) from jsonb_object_keys(v_fields) k)),
                column = format('mapping.%s.%s', v_section, v_key);
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

-- The line of an item {"line": n, "data": {...}} as the runner sends it; null for a plain row
-- (whose columns may well include one named "line").
create or replace function aicrm_private.import_item_line(p_item jsonb)
returns integer
language sql
immutable
set search_path = ''
as $$
    select case when jsonb_typeof(p_item) = 'object' then
        case when p_item - 'line' - 'data' = '{}' and jsonb_typeof(p_item -> 'line') = 'number'
                  and p_item ? 'data' and (p_item ->> 'line') ~ '^[1-9][0-9]{0,8}$'
             then (p_item ->> 'line')::integer end
    end
$$;

grant execute on function aicrm_private.import_item_line(jsonb) to aicrm_app;

create or replace function aicrm.import_customers(
    p_rows jsonb,
    p_mapping jsonb default '{}',
    p_dry_run boolean default false,
    p_import_id text default null
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_mapping jsonb := coalesce(p_mapping, '{}');
    v_dry_run boolean := coalesce(p_dry_run, false);
    v_item jsonb;
    v_row jsonb;
    v_index integer := 0;
    v_line integer;
    v_seen_line integer;
    v_import_id text;
    v_profile jsonb;
    v_existing aicrm.customers;
    v_current jsonb;
    v_voice jsonb;
    v_result jsonb;
    v_fields jsonb;
    v_created integer := 0;
    v_updated integer := 0;
    v_unchanged integer := 0;
    -- Arrays, not jsonb: PL/pgSQL appends to an array variable in place, while jsonb || copies
    -- the whole document on every row (quadratic on a 5000-row call).
    v_errors jsonb[] := '{}';
    v_changes jsonb[] := '{}';
    v_message text;
    v_column text;
    v_hint text;
    v_state text;
begin
    if not exists (select from aicrm.tenants t where t.tenant_id = v_tenant) then
        raise exception using errcode = 'AC002', message = format('tenant_id: no tenant %s', v_tenant),
            hint = 'Create one with "aicrm tenant create NAME" and use the id it prints.', column = 'tenant_id';
    end if;
    perform aicrm_private.assert_import_mapping_valid(v_mapping);
    if jsonb_typeof(p_rows) is distinct from 'array' then
        raise exception using errcode = 'AC001', message = 'rows: must be a JSON array',
            hint = 'Pass [{"line": 1, "data": {...}}, ...] or an array of objects.', column = 'rows';
    end if;
    if jsonb_array_length(p_rows) > 5000 then
        raise exception using errcode = 'AC001',
            message = format('rows: %s rows in one call', jsonb_array_length(p_rows)),
            hint = 'Send at most 5000 rows per call, in one transaction for all-or-nothing.', column = 'rows';
    end if;

    -- The external_ids of this import, so a file naming one twice is refused by line (two rows for
    -- one customer would make every re-run change it twice). A file sent as several calls in one
    -- transaction passes one p_import_id to all of them; without one, each call is its own import.
    -- Keys of a call that is rolled back (a dry run, a bad row) are rolled back with it.
    v_import_id := coalesce(p_import_id, gen_random_uuid()::text);
    if to_regclass('pg_temp.aicrm_import_keys') is null then
        create temporary table aicrm_import_keys (
            import_id text, tenant_id uuid, external_id text, line integer not null,
            primary key (import_id, tenant_id, external_id)
        ) on commit drop;
    end if;

    begin  -- every write below is undone by the sentinel AC999 on a dry run or any bad row
        for v_item in select e from jsonb_array_elements(p_rows) e loop
            v_index := v_index + 1;
            v_line := aicrm_private.import_item_line(v_item);
            v_row := case when v_line is not null then v_item -> 'data' else v_item end;
            v_line := coalesce(v_line, v_index);
            begin
                if jsonb_typeof(v_row) is distinct from 'object' then
                    raise exception using errcode = 'AC001',
                        message = format('row: must be a JSON object, not %s', coalesce(jsonb_typeof(v_row), 'null')),
                        hint = 'Each row is an object of column: value.', column = 'row';
                end if;
                v_profile := aicrm_private.map_import_row(v_row, v_mapping);
                if v_profile ->> 'external_id' is null then
                    raise exception using errcode = 'AC001', message = 'external_id: is required',
                        hint = 'Map the legacy id column to external_id ("columns": {"id": "external_id"}); '
                            'it is the natural key that makes re-imports change nothing.',
                        column = 'external_id';
                end if;
                select k.line into v_seen_line from pg_temp.aicrm_import_keys k
                where k.import_id = v_import_id and k.tenant_id = v_tenant and k.external_id = v_profile ->> 'external_id';
                if found then
                    raise exception using errcode = 'AC001',
                        message = format('external_id: %L is also on line %s', v_profile ->> 'external_id', v_seen_line),
                        hint = 'Give each customer one row: merge the rows or give them distinct ids.',
                        column = 'external_id';
                end if;
                insert into pg_temp.aicrm_import_keys (import_id, tenant_id, external_id, line)
                values (v_import_id, v_tenant, v_profile ->> 'external_id', v_line);

                -- tenant_id as well as RLS: a role that bypasses RLS must not match another tenant's row.
                select * into v_existing from aicrm.customers c
                where c.tenant_id = v_tenant and c.external_id = v_profile ->> 'external_id';
                v_current := case when v_existing.customer_id is not null then to_jsonb(v_existing) end;
                -- Defaults and the industry's brand voice fill what neither the row nor the existing
                -- customer has: they never overwrite a value kept or edited since the last import.
                v_profile := coalesce((
                    select jsonb_object_agg(d.key, d.value) from jsonb_each(v_mapping -> 'defaults') d
                    where not v_profile ? d.key
                      and (v_current is null or coalesce(v_current -> d.key, 'null') in ('null', '""', '{}', '[]'))
                ), '{}') || v_profile;
                if not v_profile ? 'brand_voice'
                   and coalesce((v_mapping ->> 'default_brand_voice_by_industry')::boolean, true)
                   and (v_current is null or v_existing.brand_voice = '{}') then
                    select i.default_brand_voice into v_voice from aicrm.industries i
                    where i.industry_category = coalesce(v_profile ->> 'industry_category', v_existing.industry_category);
                    if v_voice is not null and v_voice <> '{}' then
                        v_profile := v_profile || jsonb_build_object('brand_voice', v_voice);
                    end if;
                end if;

                v_result := aicrm.upsert_business_profile(p_profile => v_profile, p_customer_id => v_existing.customer_id);
                if (v_result ->> 'created')::boolean then
                    v_created := v_created + 1;
                    v_changes := array_append(v_changes, jsonb_build_object(
                        'line', v_line, 'external_id', v_profile ->> 'external_id', 'action', 'create',
                        'customer_id', v_result -> 'customer_id'));
                elsif (v_result ->> 'changed')::boolean then
                    v_updated := v_updated + 1;
                    select coalesce(jsonb_agg(n.key order by n.key), '[]') into v_fields
                    from aicrm.customers c, jsonb_each(to_jsonb(c)) n
                    where c.tenant_id = v_tenant and c.customer_id = v_existing.customer_id
                      and n.key in (select jsonb_object_keys(v_profile))
                      and n.value is distinct from v_current -> n.key;
                    v_changes := array_append(v_changes, jsonb_build_object(
                        'line', v_line, 'external_id', v_profile ->> 'external_id', 'action', 'update',
                        'customer_id', v_result -> 'customer_id', 'fields', v_fields));
                else
                    v_unchanged := v_unchanged + 1;
                end if;
            exception when others then
                get stacked diagnostics v_message = message_text, v_column = column_name,
                    v_hint = pg_exception_hint, v_state = returned_sqlstate;
                v_errors := array_append(v_errors, jsonb_strip_nulls(jsonb_build_object(
                    'line', v_line, 'field', nullif(v_column, ''), 'error', v_message,
                    'hint', nullif(v_hint, ''), 'sqlstate', v_state)));
            end;
        end loop;
        if v_dry_run or cardinality(v_errors) > 0 then
            raise exception using errcode = 'AC999', message = 'import rolled back';
        end if;
    exception when sqlstate 'AC999' then
        null;  -- the writes of this call are undone; the report below says what they were
    end;

    return jsonb_build_object(
        'applied', not v_dry_run and cardinality(v_errors) = 0,
        'dry_run', v_dry_run,
        'rows', v_index,
        'created', v_created,
        'updated', v_updated,
        'unchanged', v_unchanged,
        'changes', to_jsonb(v_changes),
        'errors', to_jsonb(v_errors)
    );
end
$$;

grant execute on function aicrm.import_customers(jsonb, jsonb, boolean, text) to aicrm_app;
