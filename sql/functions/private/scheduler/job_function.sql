-- The function a scheduled job runs, looked up by name: one of aicrm or aicrm_private (the owner's
-- schemas: a job runs with the rights of whoever runs the schedulers, the owner), taking no
-- arguments and returning bigint. Refused with AC001 `function_name` otherwise. Checked when a job
-- is written and again when it runs (a function may have been dropped since).
create or replace function aicrm_private.scheduled_job_function(p_function_name text)
returns regprocedure
language plpgsql
stable
set search_path = ''
as $$
declare
    v_function regprocedure;
begin
    if p_function_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$' then
        v_function := pg_catalog.to_regprocedure(p_function_name || '()');
    end if;
    if v_function is null or not exists (
        select from pg_catalog.pg_proc as p
        where p.oid = v_function
            and p.pronamespace in ('aicrm'::regnamespace, 'aicrm_private'::regnamespace)
            and p.prorettype = 'bigint'::regtype
            and p.prokind = 'f'
    ) then
        raise exception using errcode = 'AC001', column = 'function_name',
            message = pg_catalog.format('function_name: %L is not a function of aicrm or aicrm_private '
                || 'taking no arguments and returning bigint', p_function_name),
            hint = 'Name it with its schema, e.g. ''aicrm.prune_job_runs''; it returns the rows it affected.';
    end if;
    return v_function;
end
$$;
