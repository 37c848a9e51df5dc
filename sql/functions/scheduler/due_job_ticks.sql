-- What `aicrm scheduler` runs now (docs/operations.md, "Scheduled jobs"): for each enabled job, the
-- latest minute at or before p_now that its schedule matches, after its last run (or, never run, its
-- creation) — at most one tick per job, however long no scheduler ran. The ticks skipped in between
-- are recorded once, as one `missed` run (missed_ticks of them; the latest of them as its tick) and
-- never replayed: a job catches up at most once. Looks back one day at most (1,440 minutes a job).
-- The caller then runs each tick with aicrm.run_scheduled_job, which claims it: two schedulers
-- asking at once get the same ticks, and each runs once. The owner's call.
create or replace function aicrm.due_job_ticks(p_now timestamptz default now())
returns table (job_name text, tick timestamptz, missed_ticks integer)
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_job record;
    v_now timestamptz := coalesce(p_now, pg_catalog.now());
    v_after timestamptz;
    v_ticks timestamptz[];
    v_missed integer;
begin
    for v_job in
        select j.name, j.schedule, j.created_at,
            (select max(r.tick) from aicrm.job_runs as r where r.job_name = j.name) as last_tick
        from aicrm.scheduled_jobs as j
        where j.enabled
        order by j.name
    loop
        v_after := greatest(coalesce(v_job.last_tick, v_job.created_at), v_now - interval '1 day');
        v_ticks := array(select t from aicrm_private.cron_ticks(v_job.schedule, v_after, v_now) as t);
        continue when pg_catalog.cardinality(v_ticks) = 0;
        v_missed := pg_catalog.cardinality(v_ticks) - 1;
        if v_missed > 0 then
            insert into aicrm.job_runs as r (job_name, tick, status, runner, started_at, ended_at, missed_ticks, error)
            values (
                v_job.name, v_ticks[v_missed], 'missed', 'aicrm.due_job_ticks', pg_catalog.clock_timestamp(),
                pg_catalog.clock_timestamp(), v_missed,
                pg_catalog.format('%s ticks from %s to %s passed while no scheduler ran%s; not replayed',
                    v_missed, v_ticks[1], v_ticks[v_missed],
                    case when v_after > coalesce(v_job.last_tick, v_job.created_at) then ' (looked back one day)' else '' end)
            )
            on conflict on constraint job_runs_job_tick_key do nothing;
        end if;
        job_name := v_job.name;
        tick := v_ticks[pg_catalog.cardinality(v_ticks)];
        missed_ticks := v_missed;
        return next;
    end loop;
end
$$;
