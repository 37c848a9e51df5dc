-- Import of existing customers (the plan's Step 3). The runner parses CSV / JSON Lines into
-- {"line": n, "data": {...}} items; the mapping, the checks and the writes happen here, so a psql
-- user calling this function gets the same import. All or nothing: a dry run, or any bad row,
-- rolls every write of the call back and the report says what would have happened.

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

-- Maps one source record onto upsert_business_profile's fields, following a plan of
-- import_mapping_plan. Returns {"profile": {...}, "notes": [{"code", "field", "from", "to"}]}: a
-- note says what was normalised (a bare domain given https://). Mapping defaults are not applied
-- here: whether a default fills a field depends on the existing customer (import_customers).
create or replace function aicrm_private.map_import_row_v2(p_source jsonb, p_mapping jsonb, p_plan jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_profile jsonb := '{}';
    v_sources jsonb := '{}';  -- target -> the column that gave it, to name both sides of a conflict
    v_notes jsonb := '[]';
    v_target text;
    v_value jsonb;
    v_source text;
    v_found jsonb;
    v_map jsonb;
    v_text text;
    v_type jsonb;
    v_field text;
    v_key text;
    v_old jsonb;
    v_clash text;
begin
    for v_target, v_value, v_source in
        select t.target, e.value, e.key
        from jsonb_each(p_source) e
        cross join lateral jsonb_array_elements_text(coalesce(p_plan -> 'columns' -> e.key, '[]')) t(target)
        union all
        -- Several columns joined into one text, in the order the mapping lists them; empty ones
        -- are skipped, so "street 2" left empty leaves no dangling separator.
        select c.key, to_jsonb(j.joined), 'combine ' || c.key
        from jsonb_each(coalesce(p_mapping -> 'combine', '{}')) c
        cross join lateral (
            select string_agg(btrim(p_source ->> p.part, E' \t\r\n'), coalesce(c.value ->> 'separator', ', ') order by p.n)
            from jsonb_array_elements_text(
                case jsonb_typeof(c.value) when 'array' then c.value else c.value -> 'columns' end
            ) with ordinality p(part, n)
            where btrim(p_source ->> p.part, E' \t\r\n') <> ''
        ) j(joined)
    loop
        continue when v_value is null;
        -- Legacy exports pad cells with blanks; an empty cell means "no value given", not "erase".
        if jsonb_typeof(v_value) = 'string' then
            v_value := to_jsonb(btrim(v_value #>> '{}', E' \t\r\n'));
        end if;
        continue when v_value = 'null'::jsonb or v_value = '""'::jsonb;
        v_text := v_value #>> '{}';
        -- Value tables match exactly first, else ignoring case: exports write "Customer" as well
        -- as "customer". The mapping check refuses keys that differ only in case but not in value.
        v_map := p_mapping -> 'values' -> v_target;
        if v_map ? v_text then
            v_value := v_map -> v_text;
        elsif v_map is not null then
            select m.value into v_found from jsonb_each(v_map) m where lower(m.key) = lower(v_text) limit 1;
            if found then
                v_value := v_found;
            end if;
        end if;
        continue when v_value = 'null'::jsonb;  -- a legacy value mapped to null means "no value"
        -- CRMs export the company domain ("example.com"); a website is stored as a URL.
        if v_target = 'website' and jsonb_typeof(v_value) = 'string'
           and v_value #>> '{}' ~ '^[^\s/:@?#]+\.[[:alpha:]]{2,63}(:[0-9]{1,5})?([/?#]\S*)?$' then
            v_notes := v_notes || jsonb_build_object('code', 'website_scheme_added', 'field', v_target,
                'from', v_value, 'to', 'https://' || (v_value #>> '{}'));
            v_value := to_jsonb('https://' || (v_value #>> '{}'));
        end if;
        v_type := p_plan -> 'schemas' -> v_target -> 'type';
        -- JSON Lines give ids, phone numbers and zip codes as numbers; text fields store them as text.
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
        -- "address.city" fills one key of the address; keys from several columns make one object.
        v_field := split_part(v_target, '.', 1);
        v_key := nullif(substr(v_target, char_length(v_field) + 2), '');
        if v_key is not null then
            v_value := jsonb_build_object(v_key, v_value);
        end if;
        v_old := v_profile -> v_field;
        if v_old is not null then
            if jsonb_typeof(v_old) = 'object' and jsonb_typeof(v_value) = 'object' then
                select v_field || '.' || k into v_clash from jsonb_object_keys(v_value) k
                where v_old ? k and v_old -> k <> v_value -> k limit 1;
                v_value := v_old || v_value;
            elsif v_old <> v_value then
                v_clash := v_field;
            end if;
            if v_clash is not null then
                -- Two columns onto one target used to mean "the last one wins", which silently
                -- dropped data; joining them is what combine is for.
                raise exception using errcode = 'AC001',
                    message = format('%s: columns %s and %s give different values', v_clash,
                        coalesce(v_sources ->> v_clash, v_sources ->> v_field), v_source),
                    hint = format('Join them into one text with "combine": {"%s": [...]}, or map one of them to null.', v_clash),
                    column = v_clash;
            end if;
        end if;
        v_profile := v_profile || jsonb_build_object(v_field, v_value);
        v_sources := v_sources || jsonb_build_object(v_target, v_source);
    end loop;
    return jsonb_build_object('profile', v_profile, 'notes', v_notes);
end
$$;

grant execute on function aicrm_private.map_import_row_v2(jsonb, jsonb, jsonb) to aicrm_app;

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

-- The rows of a call with their lines and their data, in the order given.
create or replace function aicrm_private.import_items(p_rows jsonb)
returns table (item_no bigint, line integer, data jsonb)
language sql
immutable
set search_path = ''
as $$
    select e.n, coalesce(aicrm_private.import_item_line(e.item), e.n::integer),
        case when aicrm_private.import_item_line(e.item) is not null then e.item -> 'data' else e.item end
    from jsonb_array_elements(p_rows) with ordinality e(item, n)
$$;

grant execute on function aicrm_private.import_items(jsonb) to aicrm_app;

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
