-- The evidence for auto-approval per segment (customer x channel x task type; docs/learning.md,
-- "Spot checks"; ADR 0021): the drafts the rules approved that were held for a spot check (held),
-- those still waiting for a person (pending), those a person judged (n: agreement or false approval;
-- a cancelled one says nothing of the draft), the false approvals among them (x), the observed rate
-- x/n, its one-sided 95% Clopper-Pearson upper bound (aicrm_private.clopper_pearson_upper), the
-- tenant's limit (spot_check.limit, default 0.02) and whether the bound is at or below it
-- (within_limit; false with no verdict yet: no evidence is not evidence). Read-only: it changes
-- nothing of what is approved. security_invoker: a tenant sees its own.
create or replace view aicrm.autonomy_evidence
with (security_invoker = true)
as
with e as (
    select
        s.tenant_id,
        s.customer_id,
        s.channel,
        s.task_type,
        count(*)::integer as held,
        (count(*) filter (where s.verdict is null))::integer as pending,
        (count(*) filter (where s.verdict in ('agreement', 'false_approval')))::integer as n,
        (count(*) filter (where s.verdict = 'false_approval'))::integer as x,
        max(s.verdict_at) as last_verdict_at
    from aicrm.spot_checks as s
    group by s.tenant_id, s.customer_id, s.channel, s.task_type
),

-- the tenant's limit over the default (a tenant's spot_check object may leave it out), the bound
b as (
    select
        e.*,
        aicrm_private.clopper_pearson_upper(e.x, e.n, 0.05) as upper_bound,
        coalesce((ts.value ->> 'limit')::numeric, (ds.value ->> 'limit')::numeric, 0.02) as false_approval_limit
    from e
    left join aicrm.ai_decision_settings as ts on e.tenant_id = ts.tenant_id and ts.setting_key = 'spot_check'
    left join aicrm.decision_setting_defaults as ds on ds.setting_key = 'spot_check'
)

select
    b.tenant_id,
    b.customer_id,
    c.name as customer_name,
    b.channel,
    b.task_type,
    b.held,
    b.pending,
    b.n,
    b.x,
    case when b.n > 0 then round(b.x::numeric / b.n, 4) end as observed_rate,
    round(b.upper_bound::numeric, 4) as upper_bound,
    b.false_approval_limit,
    b.n > 0 and b.upper_bound <= b.false_approval_limit as within_limit,
    b.last_verdict_at
from b
inner join aicrm.customers as c on b.tenant_id = c.tenant_id and b.customer_id = c.customer_id;

grant select on aicrm.autonomy_evidence to aicrm_app, aicrm_worker, aicrm_readonly;
