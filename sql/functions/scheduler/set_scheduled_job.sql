-- Adds a scheduled job or changes one (docs/operations.md, "Scheduled jobs"): its cron schedule in
-- UTC (checked as both schedulers read it: AC001 `schedule`), the function it runs (a function of
-- aicrm or aicrm_private taking no arguments and returning bigint, the rows it affected: AC001
-- `function_name`), whether it is enabled, a description. The owner's call (the default seeds, an
-- operator in psql); aicrm.schedule_jobs() then hands the change to pg_cron where it runs the jobs.
-- Returns {name, schedule, function_name, enabled, created}.
create or replace function aicrm.set_scheduled_job(
    p_name text,
    p_schedule text,
    p_function_name text,
    p_enabled boolean default true,
    p_description text default null
)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_created boolean;
begin
    if p_name is null or p_name !~ '^[a-z0-9][a-z0-9_-]{0,62}$' then
        raise exception using errcode = 'AC001', column = 'name',
            message = pg_catalog.format('name: %L is not 1-63 lower-case letters, digits, - or _', p_name),
            hint = 'For example ''prune-job-runs''.';
    end if;
    perform aicrm_private.cron_parse(p_schedule);
    perform aicrm_private.scheduled_job_function(p_function_name);
    insert into aicrm.scheduled_jobs as j (name, schedule, function_name, enabled, description)
    values (p_name, pg_catalog.btrim(p_schedule), p_function_name, coalesce(p_enabled, true), p_description)
    on conflict (name) do update
        set schedule = excluded.schedule, function_name = excluded.function_name, enabled = excluded.enabled,
            description = coalesce(excluded.description, j.description), updated_at = pg_catalog.now()
    returning (xmax = 0) into v_created;
    return pg_catalog.jsonb_build_object(
        'name', p_name, 'schedule', pg_catalog.btrim(p_schedule), 'function_name', p_function_name,
        'enabled', coalesce(p_enabled, true), 'created', v_created
    );
end
$$;
