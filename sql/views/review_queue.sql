-- Every task waiting for a person (task_states.needs_human: in review or escalated), escalated
-- ones first, then the most urgent (priority 1 first, then the oldest): what to read (the latest
-- draft, the version to decide on; none for a task that failed before writing one), why it is here
-- in plain words (reason: the rule and its explanation, the worker's error, a failed delivery,
-- the failing checks) and as data (findings: aicrm_private.review_findings of the draft's
-- scorecard; error: the worker's, from fail_task), and how long it has waited. Decided with
-- aicrm.review_task. Who it is for: routed_role or routed_agent (an agent's name: a person of role
-- human), chosen by the tenant's routing rules (docs/agents.md, "Who gets what"), routed_by the
-- rule. spot_check: the rules approved the draft and it is held for a spot check. security_invoker: a tenant sees its own.
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
    t.attempts,
    t.execution_state,
    aicrm_private.waiting_reason(
        t.execution_state, tr.actor, tr.reason, tr.details, d.success_evaluation, f.findings, d.version,
        d.content_quality is not null
    ) as reason,
    f.findings,
    tr.details -> 'error' as error,
    t.failures,
    d.content_format,
    t.routed_role,
    ag.name as routed_agent,
    t.routed_by ->> 'rule' as routed_by,
    -- held for a spot check (docs/learning.md, "Spot checks"): the rules approved it
    coalesce(tr.details ? 'spot_check', false) as spot_check
from aicrm.project_tasks as t
inner join aicrm.task_states as s on t.execution_state = s.state and s.needs_human
inner join aicrm.customers as c on t.tenant_id = c.tenant_id and t.customer_id = c.customer_id
left join lateral (
    select x.*
    from aicrm.project_deliverables as x
    where x.tenant_id = t.tenant_id and x.task_id = t.task_id
    order by x.version desc
    limit 1
) as d on true
-- The transition into the state the task waits in: who or what put it there, and why.
left join lateral (
    select y.actor, y.reason, y.details
    from aicrm.task_state_transitions as y
    where y.tenant_id = t.tenant_id and y.task_id = t.task_id
    order by y.transition_id desc
    limit 1
) as tr on true
left join aicrm.ai_agents as ag on t.tenant_id = ag.tenant_id and t.routed_agent_id = ag.agent_id
cross join lateral aicrm_private.review_findings(d.content_quality) as f (findings)
order by t.execution_state <> 'escalated', t.priority, t.state_changed_at;

grant select on aicrm.review_queue to aicrm_app, aicrm_readonly;
