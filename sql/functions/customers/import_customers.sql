-- Import of existing customers (the plan's Step 3). The runner parses CSV / JSON Lines into
-- {"line": n, "data": {...}} items; the mapping, the checks and the writes happen here, so a psql
-- user calling this function gets the same import. All or nothing: a dry run, or any bad row,
-- rolls every write of the call back and the report says what would have happened.
-- The mapping and the rows are read by helpers in private/customers/ (import_mapping.sql,
-- map_import_row.sql, import_items.sql).

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
    v_tenant uuid := aicrm_private.require_existing_tenant();
    v_mapping jsonb := coalesce(p_mapping, '{}');
    v_dry_run boolean := coalesce(p_dry_run, false);
    v_on_duplicate text;
    v_plan jsonb;
    v_unknown text[];
    v_row jsonb;
    v_count integer := 0;
    v_line integer;
    v_seen_line integer;
    v_import_id text;
    v_mapped jsonb;
    v_profile jsonb;
    v_key text;
    v_existing aicrm.customers;
    v_current jsonb;
    v_voice jsonb;
    v_result jsonb;
    v_fields jsonb;
    v_created integer := 0;
    v_updated integer := 0;
    v_unchanged integer := 0;
    v_skipped integer := 0;
    -- Arrays, not jsonb: PL/pgSQL appends to an array variable in place, while jsonb || copies
    -- the whole document on every row (quadratic on a 5000-row call).
    v_errors jsonb[] := '{}';
    v_changes jsonb[] := '{}';
    v_notes jsonb[] := '{}';
    v_note jsonb;
    v_report_notes jsonb := '[]';
    v_key_ids text[] := '{}';
    v_key_lines integer[] := '{}';
    v_message text;
    v_column text;
    v_hint text;
    v_state text;
begin
    perform aicrm_private.assert_import_mapping_valid(v_mapping);
    v_on_duplicate := coalesce(v_mapping ->> 'on_duplicate', 'error');
    if jsonb_typeof(p_rows) is distinct from 'array' then
        raise exception using errcode = 'AC001', message = 'rows: must be a JSON array',
            hint = 'Pass [{"line": 1, "data": {...}}, ...] or an array of objects.', column = 'rows';
    end if;
    if jsonb_array_length(p_rows) > 5000 then
        raise exception using errcode = 'AC001',
            message = format('rows: %s rows in one call', jsonb_array_length(p_rows)),
            hint = 'Send at most 5000 rows per call, in one transaction for all-or-nothing.', column = 'rows';
    end if;

    -- What this import has seen, for the whole transaction: the external_ids with the line that
    -- holds each (a file naming one twice is refused by line, or keeps its first or last row), and
    -- the unknown columns already reported. A file sent as several calls in one transaction passes
    -- one p_import_id to all of them; without one, each call is its own import.
    v_import_id := coalesce(p_import_id, gen_random_uuid()::text);
    if to_regclass('pg_temp.aicrm_import_keys') is null then
        create temporary table aicrm_import_keys (
            import_id text, tenant_id uuid, external_id text, line integer not null,
            primary key (import_id, tenant_id, external_id)
        ) on commit drop;
    end if;
    if to_regclass('pg_temp.aicrm_import_columns') is null then
        create temporary table aicrm_import_columns (
            import_id text, tenant_id uuid, column_name text,
            primary key (import_id, tenant_id, column_name)
        ) on commit drop;
    end if;

    -- The columns of the whole call are mapped once. An unknown column is one error for the
    -- import, naming every unknown column, not one per row: it is the header that needs fixing.
    v_plan := aicrm_private.import_mapping_plan(v_mapping, array(
        select distinct k from aicrm_private.import_items(p_rows) i,
            jsonb_object_keys(case when jsonb_typeof(i.data) = 'object' then i.data else '{}' end) k));
    select coalesce(array_agg(u.c order by lower(u.c), u.c), '{}') into v_unknown
    from jsonb_array_elements_text(v_plan -> 'unknown') u(c)
    where not exists (select from pg_temp.aicrm_import_columns r
                      where r.import_id = v_import_id and r.tenant_id = v_tenant and r.column_name = u.c);
    if cardinality(v_unknown) > 0 then
        insert into pg_temp.aicrm_import_columns (import_id, tenant_id, column_name)
        select v_import_id, v_tenant, u from unnest(v_unknown) u;
        select min(i.line) into v_line from aicrm_private.import_items(p_rows) i
        where jsonb_typeof(i.data) = 'object' and i.data ?| v_unknown;
        if coalesce((v_mapping ->> 'ignore_unknown_columns')::boolean, false) then
            v_report_notes := jsonb_build_array(jsonb_build_object(
                'code', 'columns_ignored', 'field', v_unknown[1], 'lines', jsonb_build_array(v_line),
                'columns', to_jsonb(v_unknown),
                'note', format('%s: ignored (not customer fields, not in the mapping)', array_to_string(v_unknown, ', '))));
        else
            v_errors := array_append(v_errors, jsonb_build_object(
                'line', v_line, 'field', v_unknown[1], 'columns', to_jsonb(v_unknown), 'sqlstate', 'AC001',
                'error', format('%s: %s', array_to_string(v_unknown, ', '),
                    case when cardinality(v_unknown) = 1 then 'is not a customer field'
                         else format('are not customer fields (%s columns)', cardinality(v_unknown)) end),
                'hint', format('Map each in the mapping file ("columns": {"%s": "<field>"}, or null to ignore it), '
                    'or set "ignore_unknown_columns": true. Fields: %s.', v_unknown[1], (
                        select string_agg(k, ', ' order by k) from aicrm.json_schemas s,
                            jsonb_object_keys(s.definition -> 'properties') k
                        where s.schema_name = 'api.business_profile'))));
        end if;
    end if;

    begin  -- every write below is undone by the sentinel AC999 on a dry run or any bad row
        -- With on_duplicate "last" the rows are taken from the end, so the row kept is met first
        -- and never written over (two writes would make every re-run change the customer twice).
        for v_line, v_row in
            select i.line, i.data from aicrm_private.import_items(p_rows) i
            order by case when v_on_duplicate = 'last' then -i.item_no else i.item_no end
        loop
            v_count := v_count + 1;
            v_key := null;
            v_seen_line := null;
            begin
                if jsonb_typeof(v_row) is distinct from 'object' then
                    raise exception using errcode = 'AC001',
                        message = format('row: must be a JSON object, not %s', coalesce(jsonb_typeof(v_row), 'null')),
                        hint = 'Each row is an object of column: value.', column = 'row';
                end if;
                v_mapped := aicrm_private.map_import_row_v2(v_row, v_mapping, v_plan);
                v_profile := v_mapped -> 'profile';
                v_key := v_profile ->> 'external_id';
                if v_key is null then
                    raise exception using errcode = 'AC001', message = 'external_id: is required',
                        hint = 'Map the legacy id column to external_id ("columns": {"id": "external_id"}); '
                            'it is the natural key that makes re-imports change nothing.',
                        column = 'external_id';
                end if;
                select k.line into v_seen_line from pg_temp.aicrm_import_keys k
                where k.import_id = v_import_id and k.tenant_id = v_tenant and k.external_id = v_key;
                if v_seen_line is not null then
                    if v_on_duplicate = 'error' then
                        raise exception using errcode = 'AC001',
                            message = format('external_id: %L is also on line %s', v_key, v_seen_line),
                            hint = 'Give each customer one row: merge the rows or give them distinct ids, '
                                'or keep the first or last row with on_duplicate (aicrm import --on-duplicate).',
                            column = 'external_id';
                    elsif (v_on_duplicate = 'first') <> (v_seen_line < v_line) then
                        -- The row that should win was written by an earlier call, in the wrong order.
                        raise exception using errcode = 'AC001',
                            message = format('external_id: %L is also on line %s, imported by an earlier call',
                                v_key, v_seen_line),
                            hint = format('With on_duplicate %s, send the calls from the %s of the file.',
                                v_on_duplicate, case v_on_duplicate when 'first' then 'start' else 'end backwards' end),
                            column = 'external_id';
                    end if;
                    v_skipped := v_skipped + 1;
                    v_changes := array_append(v_changes, jsonb_build_object(
                        'line', v_line, 'external_id', v_key, 'action', 'skip', 'kept_line', v_seen_line));
                else
                    for v_note in select jsonb_array_elements(v_mapped -> 'notes') loop
                        v_notes := array_append(v_notes, v_note || jsonb_build_object('line', v_line));
                    end loop;
                    -- tenant_id as well as RLS: a role that bypasses RLS must not match another tenant's row.
                    select * into v_existing from aicrm.customers c
                    where c.tenant_id = v_tenant and c.external_id = v_key;
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
                            'line', v_line, 'external_id', v_key, 'action', 'create',
                            'customer_id', v_result -> 'customer_id'));
                    elsif (v_result ->> 'changed')::boolean then
                        v_updated := v_updated + 1;
                        select coalesce(jsonb_agg(n.key order by n.key), '[]') into v_fields
                        from aicrm.customers c, jsonb_each(to_jsonb(c)) n
                        where c.tenant_id = v_tenant and c.customer_id = v_existing.customer_id
                          and n.key in (select jsonb_object_keys(v_profile))
                          and n.value is distinct from v_current -> n.key;
                        v_changes := array_append(v_changes, jsonb_build_object(
                            'line', v_line, 'external_id', v_key, 'action', 'update',
                            'customer_id', v_result -> 'customer_id', 'fields', v_fields));
                    else
                        v_unchanged := v_unchanged + 1;
                    end if;
                end if;
            exception when others then
                get stacked diagnostics v_message = message_text, v_column = column_name,
                    v_hint = pg_exception_hint, v_state = returned_sqlstate;
                v_errors := array_append(v_errors, jsonb_strip_nulls(jsonb_build_object(
                    'line', v_line, 'field', nullif(v_column, ''), 'error', v_message,
                    'hint', nullif(v_hint, ''), 'sqlstate', v_state)));
            end;
            -- Outside the row's savepoint: a row refused for another reason (a bad email) still
            -- holds its external_id, so a second row for it is named too.
            if v_key is not null and v_seen_line is null then
                insert into pg_temp.aicrm_import_keys (import_id, tenant_id, external_id, line)
                values (v_import_id, v_tenant, v_key, v_line);
                v_key_ids := array_append(v_key_ids, v_key);
                v_key_lines := array_append(v_key_lines, v_line);
            end if;
        end loop;
        if v_dry_run or cardinality(v_errors) > 0 then
            raise exception using errcode = 'AC999', message = 'import rolled back';
        end if;
    exception when sqlstate 'AC999' then
        null;  -- the writes of this call are undone; the report below says what they were
    end;
    -- The sentinel undid this call's keys with its writes; the next call of the import needs them.
    insert into pg_temp.aicrm_import_keys (import_id, tenant_id, external_id, line)
    select v_import_id, v_tenant, k.id, k.line from unnest(v_key_ids, v_key_lines) k(id, line)
    on conflict do nothing;

    -- Notes say what was normalised, once per kind and field, with the lines it happened on.
    select v_report_notes || coalesce(jsonb_agg(jsonb_build_object(
            'code', g.code, 'field', g.field, 'lines', g.lines,
            'note', case g.code when 'website_scheme_added' then format(
                'https:// added to a bare domain, e.g. %s -> %s', g.first ->> 'from', g.first ->> 'to') end)
            order by g.code, g.field), '[]')
    into v_report_notes
    from (select n ->> 'code' as code, n ->> 'field' as field,
              jsonb_agg((n ->> 'line')::integer order by (n ->> 'line')::integer) as lines,
              (array_agg(n order by (n ->> 'line')::integer))[1] as first
          from unnest(v_notes) n group by 1, 2) g;

    return jsonb_build_object(
        'applied', not v_dry_run and cardinality(v_errors) = 0,
        'dry_run', v_dry_run,
        'rows', v_count,
        'created', v_created,
        'updated', v_updated,
        'unchanged', v_unchanged,
        'skipped', v_skipped,
        'changes', coalesce((select jsonb_agg(c order by (c ->> 'line')::integer) from unnest(v_changes) c), '[]'),
        'errors', coalesce((select jsonb_agg(e order by (e ->> 'line')::integer) from unnest(v_errors) e), '[]'),
        'notes', v_report_notes
    );
end
$$;

grant execute on function aicrm.import_customers(jsonb, jsonb, boolean, text) to aicrm_app;
