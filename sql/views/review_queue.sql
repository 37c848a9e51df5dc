-- The drafts the rules sent to a person, most urgent first (priority 1 first, then the oldest):
-- what to read (the version to decide on), why it is here (the decision's rule and explanation,
-- the scorecard's summary) and how long it has waited. security_invoker: a tenant sees its own.
create or replace view aicrm.review_queue
with (security_invoker = true)
as
select
    t.tenant_id,
    t.task_id,
    d.deliverable_id,
    d.version,
    t.priority,
    t.state_changed_at as waiting_since,
    now() - t.state_changed_at as age,
    t.customer_id,
    c.name as customer_name,
    t.channel,
    t.title,
    d.subject,
    d.content,
    d.quality_score,
    d.success_evaluation #>> '{rule,name}' as rule_name,
    d.success_evaluation ->> 'explanation' as explanation,
    d.content_quality ->> 'summary' as summary,
    t.attempts
from aicrm.project_tasks as t
inner join aicrm.customers as c on t.tenant_id = c.tenant_id and t.customer_id = c.customer_id
cross join lateral (
    select x.*
    from aicrm.project_deliverables as x
    where x.tenant_id = t.tenant_id and x.task_id = t.task_id
    order by x.version desc
    limit 1
) as d
where t.execution_state = 'awaiting_review'
order by t.priority, t.state_changed_at;

grant select on aicrm.review_queue to aicrm_app, aicrm_readonly;
