-- Deletes the run history (aicrm.job_runs) older than the retention, oldest first, at most 10,000
-- rows a call: pg_cron's own history (cron.job_run_details) is never pruned, ours is. The retention
-- is the setting aicrm.job_runs_retention (an interval; default 30 days), e.g.
-- `alter database aicrm set aicrm.job_runs_retention = '90 days'` (AC001 naming it when it is not an
-- interval of at least a day). Scheduled daily as job `prune-job-runs` (the default seeds). Returns
-- the rows deleted.
create or replace function aicrm.prune_job_runs()
returns bigint
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_keep interval := aicrm_private.retention_setting('aicrm.job_runs_retention', interval '30 days');
    v_rows bigint;
begin
    delete from aicrm.job_runs as r
    where r.run_id in (
        select o.run_id from aicrm.job_runs as o
        where o.tick < pg_catalog.now() - v_keep
        order by o.tick
        limit 10000
    );
    get diagnostics v_rows = row_count;
    return v_rows;
end
$$;
