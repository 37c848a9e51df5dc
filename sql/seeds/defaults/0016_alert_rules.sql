-- The alert rules every tenant starts with (aicrm.alert_rule_defaults; docs/operations.md,
-- "Alerts"). A tenant changes or disables one with aicrm.set_alert_rule. Kept in step with this
-- file on every migrate.
insert into aicrm.alert_rule_defaults (
    rule_key, name, metric, warning_threshold, alert_threshold, window_hours, min_volume, renotify_minutes, description
) values
('high-failure-rate', 'High failure rate', 'failure_rate', 0.10, 0.25, 1, 10, 240,
 'Workers'' failures (model errors, timeouts, an open circuit breaker) over the rules'' decisions plus failures in the last hour.'),
('stuck-tasks', 'Stuck tasks', 'stuck_tasks', 1, 5, 1, 0, 240,
 'Tasks in gathering_context, generating or evaluating longer than the decision setting stuck_after_minutes.'),
('review-sla', 'Reviews waiting too long', 'review_sla', 240, 1440, 1, 0, 240,
 'Minutes the oldest draft in review has waited for a person (warning at 4 hours, alert at 24).'),
('escalation-sla', 'Escalations waiting too long', 'escalation_sla', 60, 240, 1, 0, 120,
 'Minutes the oldest escalated task has waited for a person (warning at 1 hour, alert at 4).'),
('queue-age', 'Queue not moving', 'queue_age', 30, 120, 1, 0, 120,
 'Minutes the oldest queued task has waited for a worker: no worker running, or too few.'),
('quality-drop', 'Quality falling', 'quality_drop', 5, 10, 24, 10, 1440,
 'Points the average quality of the last 24 hours is below the 7 days before (at least 10 drafts scored).'),
('escalation-rate', 'Many escalations', 'escalation_rate', 0.05, 0.10, 24, 20, 1440,
 'Share of the tasks finished writing in the last 24 hours that were escalated (the success table: under 5%).'),
('delivery-failures', 'Deliveries failing', 'delivery_failures', 0.05, 0.20, 1, 5, 240,
 'Share of deliveries in the last hour that failed for good.'),
('webhook-failures', 'Alert webhook disabled', 'webhook_failures', null, 1, 1, 0, null,
 'An alert webhook was disabled after 5 failed deliveries in a row; set it again with aicrm.set_alert_webhook.'),
('agent-dead-letters', 'Agent messages dead-lettered', 'dead_letters', null, 1, 24, 0, 1440,
 'Agent messages dead-lettered in the last 24 hours: expired unacknowledged, or claimed 5 times without an acknowledgement (aicrm.get_thread shows them).')
on conflict (rule_key) do update
set name = excluded.name, metric = excluded.metric, warning_threshold = excluded.warning_threshold,
    alert_threshold = excluded.alert_threshold, window_hours = excluded.window_hours, min_volume = excluded.min_volume,
    renotify_minutes = excluded.renotify_minutes, description = excluded.description
where (alert_rule_defaults.*) is distinct from (excluded.*);

select aicrm.set_scheduled_job(
    p_name => d.name, p_schedule => d.schedule, p_function_name => d.function_name, p_description => d.description
)
from (
    values
    ('evaluate-alert-rules', '* * * * *', 'aicrm.evaluate_alert_rules',
        'Evaluates every tenant''s alert rules and opens, raises and recovers their alerts.'),
    ('prune-alert-history', '43 3 * * *', 'aicrm.prune_alert_history',
        'Deletes alert notices and closed alerts older than aicrm.alert_history_retention (default 90 days).')
) as d (name, schedule, function_name, description)
where not exists (
    select from aicrm.scheduled_jobs as j
    where j.name = d.name
);
