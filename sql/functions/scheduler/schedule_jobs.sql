-- Hands the enabled jobs of aicrm.scheduled_jobs to pg_cron, where the extension is installed in
-- this database (docs/operations.md, "pg_cron or aicrm scheduler"): each as pg_cron job
-- 'aicrm:<name>' running `select aicrm.run_scheduled_job('<name>')` on the job's schedule
-- (cron.schedule by name: registering again updates it), and unschedules the 'aicrm:' jobs of the
-- caller that are gone or disabled — never a pg_cron job it did not make. Run it after changing a
-- job, as the administrator (postgres on Supabase): pg_cron runs each job as the role that scheduled
-- it, which must be able to log in (aicrm_owner cannot; the result warns). Without pg_cron it does
-- nothing and says so: `aicrm scheduler` runs the same table. pg_cron is reached by dynamic SQL
-- only, so this compiles and runs where schema cron does not exist.
-- Returns {pg_cron, scheduled: [names], unscheduled: [names], runs_as, message[, warning]}.
create or replace function aicrm.schedule_jobs()
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_job record;
    v_cron_name text;
    v_scheduled text[] := '{}';
    v_unscheduled text[] := '{}';
    v_result jsonb;
begin
    if not exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
        return pg_catalog.jsonb_build_object('pg_cron', false, 'scheduled', '[]'::jsonb, 'unscheduled', '[]'::jsonb,
            'runs_as', current_user,
            'message', 'pg_cron is not installed in this database: nothing scheduled; run `aicrm scheduler` '
                || '(or `aicrm up`) to run the jobs');
    end if;
    for v_job in select j.name, j.schedule from aicrm.scheduled_jobs as j where j.enabled order by j.name loop
        execute 'select cron.schedule($1, $2, $3)'
        using 'aicrm:' || v_job.name, v_job.schedule,
            pg_catalog.format('select aicrm.run_scheduled_job(%L)', v_job.name);
        v_scheduled := v_scheduled || v_job.name;
    end loop;
    for v_cron_name in execute
        'select jobname from cron.job where jobname like ''aicrm:%'' and username = current_user order by jobname'
    loop
        if not pg_catalog.substr(v_cron_name, 7) = any(v_scheduled) then
            execute 'select cron.unschedule($1)' using v_cron_name;
            v_unscheduled := v_unscheduled || pg_catalog.substr(v_cron_name, 7);
        end if;
    end loop;
    v_result := pg_catalog.jsonb_build_object('pg_cron', true, 'scheduled', pg_catalog.to_jsonb(v_scheduled),
        'unscheduled', pg_catalog.to_jsonb(v_unscheduled), 'runs_as', current_user,
        'message', pg_catalog.format('%s jobs scheduled with pg_cron, %s unscheduled',
            pg_catalog.cardinality(v_scheduled), pg_catalog.cardinality(v_unscheduled)));
    if not (select r.rolcanlogin from pg_catalog.pg_roles as r where r.rolname = current_user) then
        v_result := v_result || pg_catalog.jsonb_build_object('warning', pg_catalog.format(
            'pg_cron runs these jobs as %I, which cannot log in: call aicrm.schedule_jobs() as the administrator '
            || '(without SET ROLE)', current_user));
    end if;
    return v_result;
end
$$;
