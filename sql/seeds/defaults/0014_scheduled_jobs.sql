-- aicrm's own scheduled jobs (docs/operations.md, "Scheduled jobs"), added when missing: a job an
-- operator changed or disabled (aicrm.set_scheduled_job) keeps its settings on the next migrate.
-- Times are UTC. pg_cron picks them up with `select aicrm.schedule_jobs()`; `aicrm scheduler` reads
-- the table itself.
select aicrm.set_scheduled_job(
    p_name => d.name, p_schedule => d.schedule, p_function_name => d.function_name, p_description => d.description
)
from (
    values
    ('prune-job-runs', '17 3 * * *', 'aicrm.prune_job_runs',
        'Deletes the run history older than aicrm.job_runs_retention (default 30 days).'),
    ('expire-agent-messages', '*/5 * * * *', 'aicrm.expire_agent_messages',
        'Dead-letters agent messages past their expiry or claimed too often; creates the message partitions ahead.'),
    ('detect-stuck-tasks', '*/5 * * * *', 'aicrm.detect_stuck_tasks',
        'Sends tasks held too long under a live lease to a person (the decision setting stuck_after_minutes).'),
    ('close-metrics-windows', '7 * * * *', 'aicrm.close_metrics_windows',
        'Moves delivered tasks whose metrics window closed to measured (the decision setting metrics_window_hours).'),
    ('rollup-task-stats', '* * * * *', 'aicrm.rollup_task_stats',
        'Folds the pipeline''s events into the operations dashboard''s summaries (aicrm.ai_operations_dashboard).')
) as d (name, schedule, function_name, description)
where not exists (
    select from aicrm.scheduled_jobs as j
    where j.name = d.name
);
