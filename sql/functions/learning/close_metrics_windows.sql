-- Outcomes in (docs/learning.md, "Metrics windows"): the scheduled job close-metrics-windows
-- (seeded hourly): moves every tenant's delivered tasks whose metrics window has closed to
-- measured, at most 1000 a run (aicrm_private.measure_closed_windows says how). Returns how many.
-- A deployment's job, run by pg_cron or `aicrm scheduler` as the owner; no tenant role may call it.
create or replace function aicrm.close_metrics_windows()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
    return aicrm_private.measure_closed_windows(1000);
end
$$;

revoke execute on function aicrm.close_metrics_windows() from public;
