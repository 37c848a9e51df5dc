-- assert_json_valid: a value against a stored schema, the compiled path first (compile.sql), the
-- validator for the words (validate.sql).

-- Validates p_value against the stored schema p_schema_name; raises AC001 naming the first bad
-- field (prefixed by p_field), with every problem in DETAIL and what would be valid in HINT.
create or replace function aicrm_private.assert_json_valid(
    p_schema_name text,
    p_value jsonb,
    p_field text default ''
)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    v_schema jsonb;
    v_path text;
    v_check jsonpath;
    v_size_limit integer;
    v_problem text;
    v_expected text;
    v_all text;
begin
    select s.definition, s.check_path, s.size_limit into v_schema, v_check, v_size_limit
    from aicrm.json_schemas s where s.schema_name = p_schema_name;
    if v_schema is null then
        raise exception using
            errcode = 'AC001',
            message = format('schema %L is not installed', p_schema_name),
            hint = 'Run "aicrm migrate" to install the default schemas.';
    end if;
    p_value := coalesce(p_value, 'null'::jsonb);
    -- The compiled path answers first (in C); only "no violation" is trusted, and only for a
    -- document short enough for the long maxLengths and not deeper than the validator looks.
    if v_check is not null and (v_size_limit is null or char_length(p_value::text) <= v_size_limit)
       and not coalesce(jsonb_path_exists(p_value, v_check, '{}', true), true)
       and not jsonb_path_exists(p_value, 'lax $.**{30 to last}') then
        return;
    end if;
    if aicrm_private.json_schema_valid(v_schema, p_value) then
        return;
    end if;
    select string_agg(format('%s %s', coalesce(nullif(e.path, ''), '(value)'), e.problem), '; '),
           (array_agg(e.path))[1], (array_agg(e.problem))[1], (array_agg(e.expected))[1]
    into v_all, v_path, v_problem, v_expected
    from aicrm_private.json_schema_errors(v_schema, coalesce(p_value, 'null'::jsonb), p_field) e;
    if v_all is not null then
        raise exception using
            errcode = 'AC001',
            message = format('%s: %s', coalesce(nullif(v_path, ''), p_schema_name), v_problem),
            detail = format('Invalid %s: %s', p_schema_name, v_all),
            hint = format('Expected %s (schema %s in aicrm.json_schemas).', v_expected, p_schema_name),
            column = coalesce(nullif(v_path, ''), p_field);
    end if;
end
$$;

grant execute on function aicrm_private.assert_json_valid(text, jsonb, text)
to aicrm_app, aicrm_worker, aicrm_readonly;
