-- Import of existing customers (customers/import_customers.sql): one source row mapped.

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
