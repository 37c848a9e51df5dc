-- What worked (docs/learning.md, "What worked"; ADR 0018): per customer, industry and the whole
-- tenant, per channel and yes/no feature of the sent drafts (aicrm_private.learning_feature_names:
-- question in the subject, emoji, a merge tag, an early call to action, a short body or subject,
-- a morning or weekend send), how much the feature moved effectiveness. Read from the delivery rows
-- of aicrm.ai_content_feedback (process_ai_feedback). The effect is the difference in mean log-lift
-- (ln effectiveness) between deliveries with and without the feature (exp of it: "x times the
-- usual"), its 95% interval from Welch's standard error (each group's variance at least 0.01, the
-- variance of a group of one 0.25: a one-delivery group says little). Pooled hierarchically: the
-- tenant's effect is its own; an industry's is shrunk toward the tenant's, a customer's toward its
-- industry's pooled one, with weight n / (n + 10), n = n_with * n_without / (n_with + n_without)
-- (a parent worth 10 balanced deliveries), its standard error the same weighted sum of both
-- standard errors (as if fully correlated, which they partly are: the child's deliveries are among
-- its parent's; so pooling a customer with itself never makes its interval narrower).
-- excludes_zero: the pooled interval does not contain 0 and each side has at least 3 deliveries
-- (two lucky sends are no pattern, whatever their interval says): the only patterns a writer is told.
-- security_invoker: a tenant sees its own.
create or replace view aicrm.what_worked
with (security_invoker = true)
as
with obs as (
    select
        f.tenant_id,
        (f.payload ->> 'customer_id')::uuid as customer_id,
        f.payload ->> 'industry' as industry_category,
        f.payload ->> 'channel' as channel,
        ln(f.effectiveness) as y,
        n.feature,
        (f.payload #>> array['features', n.feature])::boolean as has
    from aicrm.ai_content_feedback as f
    cross join unnest(aicrm_private.learning_feature_names()) as n (feature)
    where f.source = 'delivery' and f.effectiveness > 0 and f.trials > 0
),

cells as (
    select
        o.tenant_id,
        case when grouping(o.customer_id) = 0 then 'customer' when grouping(o.industry_category) = 0 then 'industry'
            else 'tenant' end as scope,
        o.customer_id,
        o.industry_category,
        o.channel,
        o.feature,
        count(*) filter (where o.has) as n_with,
        count(*) filter (where not o.has) as n_without,
        avg(o.y) filter (where o.has) as m_with,
        avg(o.y) filter (where not o.has) as m_without,
        greatest(coalesce(var_samp(o.y) filter (where o.has), 0.25), 0.01) as v_with,
        greatest(coalesce(var_samp(o.y) filter (where not o.has), 0.25), 0.01) as v_without
    from obs as o
    where o.has is not null
    group by grouping sets (
        (o.tenant_id, o.channel, o.feature),
        (o.tenant_id, o.channel, o.feature, o.industry_category),
        (o.tenant_id, o.channel, o.feature, o.industry_category, o.customer_id)
    )
),

effects as (
    select
        c.*,
        c.m_with - c.m_without as effect,
        sqrt(c.v_with / c.n_with + c.v_without / c.n_without) as se,
        c.n_with::numeric * c.n_without / (c.n_with + c.n_without) as n_eff
    from cells as c
    where c.n_with > 0 and c.n_without > 0
),

tenant_level as (
    select
        e.*,
        e.effect as pooled,
        e.se as pooled_se
    from effects as e
    where e.scope = 'tenant'
),

weighted as (
    select
        e.*,
        e.n_eff / (e.n_eff + 10) as w
    from effects as e
    where e.scope in ('industry', 'customer')
),

industry_level as (
    select
        e.tenant_id,
        e.scope,
        e.customer_id,
        e.industry_category,
        e.channel,
        e.feature,
        e.n_with,
        e.n_without,
        e.m_with,
        e.m_without,
        e.v_with,
        e.v_without,
        e.effect,
        e.se,
        e.n_eff,
        e.w * e.effect + (1 - e.w) * t.pooled as pooled,
        e.w * e.se + (1 - e.w) * t.pooled_se as pooled_se
    from weighted as e
    inner join tenant_level as t
        on e.tenant_id = t.tenant_id and e.channel = t.channel and e.feature = t.feature
    where e.scope = 'industry'
),

customer_level as (
    select
        e.tenant_id,
        e.scope,
        e.customer_id,
        e.industry_category,
        e.channel,
        e.feature,
        e.n_with,
        e.n_without,
        e.m_with,
        e.m_without,
        e.v_with,
        e.v_without,
        e.effect,
        e.se,
        e.n_eff,
        e.w * e.effect + (1 - e.w) * i.pooled as pooled,
        e.w * e.se + (1 - e.w) * i.pooled_se as pooled_se
    from weighted as e
    inner join industry_level as i
        on
            e.tenant_id = i.tenant_id and e.channel = i.channel and e.feature = i.feature
            and e.industry_category = i.industry_category
    where e.scope = 'customer'
),

levels as (
    select * from tenant_level
    union all
    select * from industry_level
    union all
    select * from customer_level
)

select
    l.tenant_id,
    l.scope,
    l.customer_id,
    l.industry_category,
    l.channel,
    l.feature,
    l.n_with,
    l.n_without,
    l.n_with + l.n_without as sample_size,
    round(l.effect::numeric, 4) as effect,
    round((l.effect - 1.96 * l.se)::numeric, 4) as effect_low,
    round((l.effect + 1.96 * l.se)::numeric, 4) as effect_high,
    round(l.pooled::numeric, 4) as pooled_effect,
    round((l.pooled - 1.96 * l.pooled_se)::numeric, 4) as pooled_low,
    round((l.pooled + 1.96 * l.pooled_se)::numeric, 4) as pooled_high,
    round(exp(l.pooled)::numeric, 3) as lift,
    (l.pooled - 1.96 * l.pooled_se > 0 or l.pooled + 1.96 * l.pooled_se < 0)
    and l.n_with >= 3 and l.n_without >= 3 as excludes_zero
from levels as l;

grant select on aicrm.what_worked to aicrm_app, aicrm_worker, aicrm_readonly;
