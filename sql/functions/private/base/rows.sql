-- Rows from JSON: insert_row_from_json.

-- Inserts one row from a JSON object whose keys are column names, letting every absent column
-- take its table default; returns the new row as JSON. Runs with the caller's rights (RLS and
-- privileges apply); callers pass keys already checked against a schema.
create or replace function aicrm_private.insert_row_from_json(p_table regclass, p_row jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_columns text;
    v_result jsonb;
begin
    select string_agg(quote_ident(a.attname), ', ' order by a.attnum)
    into v_columns
    from pg_catalog.pg_attribute a
    where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped and p_row ? a.attname;
    execute format(
        'insert into %s (%s) select %s from jsonb_populate_record(null::%s, $1) returning to_jsonb(%s.*)',
        p_table, v_columns, v_columns, p_table, p_table
    ) into v_result using p_row;
    return v_result;
end
$$;

grant execute on function aicrm_private.insert_row_from_json(regclass, jsonb) to aicrm_app, aicrm_worker;
