-- Runs one tick of a scheduled job: what pg_cron's command and `aicrm scheduler` both call (one
-- definition). The tick is the scheduled minute (default: now, truncated to the minute in UTC).
--
-- Once per tick, however many callers: the tick is claimed by inserting its row into aicrm.job_runs
-- (unique per job and tick). A caller that finds the tick taken returns at once with that run's
-- status and runs nothing: a committed run is read; one still in progress holds an advisory lock on
-- (job, tick) that the second caller tries first, so it never waits on the first one's row.
-- One run of a job at a time: a second advisory lock on the job; a tick whose job is still running
-- from an earlier tick is recorded `busy` and not run (as pg_cron, it is not queued either).
-- The job's function runs in a subtransaction: a failure is recorded (`failed`, the error) and the
-- caller's transaction stays usable; both locks last until the caller's transaction ends.
-- Returns {job, tick, run_id, status, rows_affected, error, ran}; status `running` with ran false is
-- a tick another caller is running now; `disabled` a job that is switched off (nothing recorded).
-- The owner's call: jobs act for every tenant with the owner's rights (docs/operations.md).
create or replace function aicrm.run_scheduled_job(
    p_name text, p_tick timestamptz default null, p_runner text default 'pg_cron'
)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_job aicrm.scheduled_jobs;
    v_tick timestamptz := pg_catalog.date_trunc('minute', coalesce(p_tick, pg_catalog.now()), 'UTC');
    v_function regprocedure;
    v_run aicrm.job_runs;
    v_status text := 'running';
    v_rows bigint;
    v_error text;
    v_state text;
begin
    if p_runner is null or pg_catalog.btrim(p_runner) = '' or pg_catalog.char_length(p_runner) > 200 then
        raise exception using errcode = 'AC001', column = 'runner', message = 'runner: must be 1-200 characters',
            hint = 'Say who runs the tick: ''pg_cron'', or ''aicrm scheduler <host> <pid>''.';
    end if;
    select * into v_job from aicrm.scheduled_jobs as j where j.name = p_name;
    if not found then
        raise exception using errcode = 'AC002', column = 'name',
            message = pg_catalog.format('name: no scheduled job %L', p_name),
            hint = 'select name from aicrm.scheduled_jobs lists them.';
    end if;
    if not v_job.enabled then
        return pg_catalog.jsonb_build_object('job', p_name, 'tick', v_tick, 'run_id', null, 'status', 'disabled',
            'rows_affected', null, 'error', null, 'ran', false);
    end if;
    -- The tick is someone else's right now: report it, run nothing, write nothing.
    if not pg_catalog.pg_try_advisory_xact_lock(
        pg_catalog.hashtext(p_name), (extract(epoch from v_tick) / 60)::integer
    ) then
        return pg_catalog.jsonb_build_object('job', p_name, 'tick', v_tick, 'run_id', null, 'status', 'running',
            'rows_affected', null, 'error', null, 'ran', false);
    end if;
    if not pg_catalog.pg_try_advisory_xact_lock(
        pg_catalog.hashtext('aicrm.scheduled_jobs'), pg_catalog.hashtext(p_name)
    ) then
        v_status := 'busy';
    end if;
    insert into aicrm.job_runs (job_name, tick, status, runner, started_at, ended_at, error)
    values (
        p_name, v_tick, v_status, p_runner, pg_catalog.clock_timestamp(),
        case when v_status = 'busy' then pg_catalog.clock_timestamp() end,
        case when v_status = 'busy' then 'the job was still running from an earlier tick' end
    )
    on conflict (job_name, tick) do nothing
    returning * into v_run;
    if v_run.run_id is null then  -- claimed and finished before: report that run
        select * into v_run from aicrm.job_runs as r where r.job_name = p_name and r.tick = v_tick;
        return pg_catalog.jsonb_build_object('job', p_name, 'tick', v_tick, 'run_id', v_run.run_id,
            'status', v_run.status, 'rows_affected', v_run.rows_affected, 'error', v_run.error, 'ran', false);
    end if;
    if v_status = 'running' then
        begin
            v_function := aicrm_private.scheduled_job_function(v_job.function_name);
            execute pg_catalog.format('select %s', v_function) into v_rows;
            v_status := 'succeeded';
        exception when others or query_canceled then
            get stacked diagnostics v_error = message_text, v_state = returned_sqlstate;
            v_status := 'failed';
            v_error := v_state || ': ' || v_error;
            v_rows := null;
        end;
        update aicrm.job_runs as r
        set status = v_status, ended_at = pg_catalog.clock_timestamp(), rows_affected = v_rows, error = v_error
        where r.run_id = v_run.run_id;
    end if;
    return pg_catalog.jsonb_build_object('job', p_name, 'tick', v_tick, 'run_id', v_run.run_id, 'status', v_status,
        'rows_affected', v_rows, 'error', coalesce(v_error, v_run.error), 'ran', v_status <> 'busy');
end
$$;
