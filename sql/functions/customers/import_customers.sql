-- Import of existing customers (the plan's Step 3). The runner parses CSV / JSON Lines into
-- {"line": n, "data": {...}} items; the mapping, the checks and the writes happen here, so a psql
-- user calling this function gets the same import. All or nothing: a dry run, or any bad row,
-- rolls every write of the call back and the report says what would have happened.

-- Maps one source record onto upsert_business_profile's fields.
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
        v_text := v_value #>> '{}';
        if v_value = 'null'::jsonb or (jsonb_typeof(v_value) = 'string' and btrim(v_text) = '') then
            continue;  -- an empty cell means "no value given", not "erase"
        end if;
        if p_mapping -> 'values' -> v_target ? v_text then
            v_value := p_mapping -> 'values' -> v_target -> v_text;
        end if;
        v_type := v_fields -> v_target -> 'type';
        if jsonb_typeof(v_value) = 'string' then
            if p_mapping -> 'split' ? v_target then
                v_value := coalesce((
                    select jsonb_agg(btrim(part)) from unnest(string_to_array(v_value #>> '{}', p_mapping -> 'split' ->> v_target)) part
                    where btrim(part) <> ''), '[]');
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
    return coalesce(p_mapping -> 'defaults', '{}') || v_profile;
end
$$;

grant execute on function aicrm_private.map_import_row(jsonb, jsonb) to aicrm_app;

create or replace function aicrm.import_customers(
    p_rows jsonb,
    p_mapping jsonb default '{}',
    p_dry_run boolean default false
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_item jsonb;
    v_index integer := 0;
    v_line integer;
    v_profile jsonb;
    v_existing aicrm.customers;
    v_result jsonb;
    v_created integer := 0;
    v_updated integer := 0;
    v_unchanged integer := 0;
    v_errors jsonb := '[]';
    v_changes jsonb := '[]';
    v_message text;
    v_column text;
    v_hint text;
    v_state text;
begin
    perform aicrm_private.assert_json_valid('import.mapping', coalesce(p_mapping, '{}'), 'mapping');
    if jsonb_typeof(p_rows) is distinct from 'array' then
        raise exception using errcode = 'AC001', message = 'rows: must be a JSON array',
            hint = 'Pass [{"line": 1, "data": {...}}, ...] or an array of objects.', column = 'rows';
    end if;
    if jsonb_array_length(p_rows) > 5000 then
        raise exception using errcode = 'AC001',
            message = format('rows: %s rows in one call', jsonb_array_length(p_rows)),
            hint = 'Send at most 5000 rows per call, in one transaction for all-or-nothing.', column = 'rows';
    end if;

    begin  -- every write below is undone by the sentinel AC999 on a dry run or any bad row
        for v_item in select e from jsonb_array_elements(p_rows) e loop
            v_index := v_index + 1;
            v_line := coalesce((v_item ->> 'line')::integer, v_index);
            begin
                v_profile := aicrm_private.map_import_row(coalesce(v_item -> 'data', v_item), coalesce(p_mapping, '{}'));
                if v_profile ->> 'external_id' is null then
                    raise exception using errcode = 'AC001', message = 'external_id: is required',
                        hint = 'Map the legacy id column to external_id ("columns": {"id": "external_id"}); '
                            'it is the natural key that makes re-imports change nothing.',
                        column = 'external_id';
                end if;
                select * into v_existing from aicrm.customers c where c.external_id = v_profile ->> 'external_id';
                if not v_profile ? 'brand_voice'
                   and coalesce((p_mapping ->> 'default_brand_voice_by_industry')::boolean, true)
                   and (v_existing.customer_id is null or v_existing.brand_voice = '{}') then
                    v_profile := v_profile || jsonb_build_object('brand_voice', (
                        select i.default_brand_voice from aicrm.industries i
                        where i.industry_category = coalesce(v_profile ->> 'industry_category', v_existing.industry_category)));
                    v_profile := jsonb_strip_nulls(v_profile);
                end if;
                v_result := aicrm.upsert_business_profile(p_profile => v_profile);
                if (v_result ->> 'created')::boolean then
                    v_created := v_created + 1;
                elsif (v_result ->> 'changed')::boolean then
                    v_updated := v_updated + 1;
                else
                    v_unchanged := v_unchanged + 1;
                end if;
                if (v_result ->> 'changed')::boolean then
                    v_changes := v_changes || jsonb_build_object(
                        'line', v_line, 'external_id', v_profile ->> 'external_id',
                        'action', case when (v_result ->> 'created')::boolean then 'create' else 'update' end);
                end if;
            exception when others then
                get stacked diagnostics v_message = message_text, v_column = column_name,
                    v_hint = pg_exception_hint, v_state = returned_sqlstate;
                v_errors := v_errors || jsonb_strip_nulls(jsonb_build_object(
                    'line', v_line, 'field', nullif(v_column, ''), 'error', v_message,
                    'hint', nullif(v_hint, ''), 'sqlstate', v_state));
            end;
        end loop;
        if p_dry_run or jsonb_array_length(v_errors) > 0 then
            raise exception using errcode = 'AC999', message = 'import rolled back';
        end if;
    exception when sqlstate 'AC999' then
        null;  -- the writes of this call are undone; the report below says what they were
    end;

    return jsonb_build_object(
        'applied', not p_dry_run and jsonb_array_length(v_errors) = 0,
        'dry_run', p_dry_run,
        'rows', v_index,
        'created', v_created,
        'updated', v_updated,
        'unchanged', v_unchanged,
        'changes', v_changes,
        'errors', v_errors
    );
end
$$;

grant execute on function aicrm.import_customers(jsonb, jsonb, boolean) to aicrm_app;
