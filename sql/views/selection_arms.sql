-- The template bandit's arms (docs/learning.md, "Selection"): per customer, channel and purpose,
-- the arms of its latest choice with their state now: sends and reward (aicrm_private.selection_rewards),
-- the prior pooled from the industry and the tenant and the posterior, the choices that took it,
-- people's reviews and a pause (and why), and the sample-ratio check of the period (srm_flag when
-- the arms were delivered out of the shares the chooser intended). security_invoker: a tenant sees
-- its own.
create or replace view aicrm.selection_arms
with (security_invoker = true)
as
with latest as (
    select distinct on (c.tenant_id, c.customer_id, c.channel, c.purpose)
        c.*,
        aicrm_private.selection_settings(c.tenant_id) as settings
    from aicrm.selection_choices as c
    order by c.tenant_id asc, c.customer_id asc, c.channel asc, c.purpose asc, c.created_at desc
),

srm as (
    select
        l.tenant_id,
        l.customer_id,
        l.channel,
        aicrm_private.selection_srm(l.tenant_id, l.customer_id, l.channel, l.settings) as result
    from latest as l
    group by l.tenant_id, l.customer_id, l.channel, l.settings
)

select
    l.tenant_id,
    l.customer_id,
    l.channel,
    l.purpose,
    s.arm,
    (a.item ->> 'template_id')::uuid as template_id,
    a.item ->> 'variant' as variant,
    (
        select count(*) from aicrm.selection_choices as c
        where
            c.tenant_id = l.tenant_id and c.customer_id = l.customer_id and c.channel = l.channel
            and c.arm = s.arm
    ) as choices,
    s.sends,
    s.reward,
    round((s.reward::numeric / nullif(s.sends, 0)), 6) as reward_rate,
    round(s.prior_alpha::numeric, 4) as prior_alpha,
    round(s.prior_beta::numeric, 4) as prior_beta,
    round(s.alpha::numeric, 4) as alpha,
    round(s.beta::numeric, 4) as beta,
    round((s.alpha / (s.alpha + s.beta))::numeric, 6) as posterior_mean,
    s.reviews,
    s.rejections,
    s.paused,
    s.paused_why,
    coalesce((srm.result ->> 'flagged')::boolean, false) as srm_flag,
    (srm.result ->> 'p_value')::double precision as srm_p_value,
    srm.result #> array['arms', s.arm] as srm_counts,
    l.created_at as last_choice_at
from latest as l
inner join srm on l.tenant_id = srm.tenant_id and l.customer_id = srm.customer_id and l.channel = srm.channel
cross join lateral aicrm_private.selection_arm_state(l.tenant_id, l.customer_id, l.channel, l.arms, l.settings) as s
inner join lateral jsonb_array_elements(l.arms) as a (item) on s.arm = a.item ->> 'arm';

grant select on aicrm.selection_arms to aicrm_app, aicrm_worker, aicrm_readonly;
