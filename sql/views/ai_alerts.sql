-- The open alerts (docs/operations.md, "Alerts"): firing (warning, alert), acknowledged, or
-- without data, the most severe and oldest first, with the rule's metric, what it read (value,
-- threshold, volume), the evidence and who has it. Alerts are tenant-wide (customer_id, channel:
-- null; the evidence names the tasks). Closed alerts (resolved, recovered) are in aicrm.alerts,
-- their history in aicrm.alert_events. security_invoker: a tenant sees its own.
create or replace view aicrm.ai_alerts
with (security_invoker = true)
as
select
    a.alert_id,
    a.tenant_id,
    a.rule_key,
    a.rule_name,
    a.state,
    a.severity,
    null::uuid as customer_id,
    null::text as customer_name,
    null::text as channel,
    a.message,
    a.value,
    a.threshold,
    a.volume,
    a.evidence,
    a.opened_at,
    a.updated_at,
    now() - a.opened_at as age,
    a.last_notified_at,
    a.acknowledged_by,
    a.acknowledged_at,
    a.assigned_to,
    a.assigned_at,
    a.snoozed_until
from aicrm.alerts as a
where a.closed_at is null
order by a.severity = 'alert' desc, a.state = 'acknowledged', a.opened_at;

grant select on aicrm.ai_alerts to aicrm_app, aicrm_readonly;
