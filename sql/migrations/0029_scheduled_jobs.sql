-- Scheduled jobs (docs/operations.md, "Scheduled jobs"): one definition, run by pg_cron where the
-- extension exists (aicrm.schedule_jobs registers the rows) or by `aicrm scheduler` otherwise; both
-- call aicrm.run_scheduled_job, which claims the tick in aicrm.job_runs, so a tick runs once however
-- many schedulers there are.
--
-- Deployment-wide, not tenant data: no tenant_id, no row-level security (a job acts for the whole
-- deployment, like aicrm.industries and aicrm.task_states). Only the owner writes them, through the
-- functions in sql/functions/scheduler/; the other roles may read them (the operators' screens).
-- This module depends on nothing else in the schema (the roles and schemas of bootstrap.sql only),
-- so it can be installed alone on a plain PostgreSQL with pg_cron and tested there.

-- The jobs. The function is stored by name, not as regprocedure: pg_upgrade refuses reg* columns
-- other than regclass, regrole and regtype in user tables. aicrm.set_scheduled_job checks it names a
-- function of aicrm or aicrm_private taking no arguments and returning bigint (the rows it affected).
create table aicrm.scheduled_jobs (
    name text primary key,
    -- five cron fields, in UTC: minute, hour, day of month, month, day of week
    schedule text not null,
    function_name text not null,
    enabled boolean not null default true,
    description text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint scheduled_jobs_name_format check (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$')
);

-- Each tick of a job, claimed once (the unique key) by whoever calls run_scheduled_job first.
-- busy: the job was still running from an earlier tick (at most one run of a job at a time);
-- missed: ticks that passed while no scheduler ran, recorded once (missed_ticks of them, the latest
-- as tick) and never replayed.
create table aicrm.job_runs (
    run_id bigint generated always as identity primary key,
    job_name text not null references aicrm.scheduled_jobs (name) on delete cascade,
    -- the scheduled minute
    tick timestamptz not null,
    started_at timestamptz not null default now(),
    ended_at timestamptz,
    status text not null default 'running',
    rows_affected bigint,
    missed_ticks integer,
    error text,
    -- 'pg_cron', or 'aicrm scheduler <host> <pid>'
    runner text not null,
    constraint job_runs_job_tick_key unique (job_name, tick),
    constraint job_runs_status_check check (status in ('running', 'succeeded', 'failed', 'busy', 'missed')),
    constraint job_runs_missed_check check ((status = 'missed') = (missed_ticks is not null))
);

-- prune_job_runs deletes the oldest first.
create index job_runs_tick on aicrm.job_runs (tick);

grant select on aicrm.scheduled_jobs, aicrm.job_runs to aicrm_app, aicrm_worker, aicrm_readonly;
