-- The arms of the template/variant bandit (docs/learning.md, "Selection"; ADR 0019): the reward
-- (one definition, here), the settings, each arm's state for a customer and channel (sends, reward,
-- its prior pooled from the customer's industry and the tenant, its posterior, a pause by people's
-- reviews) and the sample-ratio check of a period.

-- THE reward of the bandit, its one definition: per delivered delivery of p_channel in p_tenant,
-- trials = recipients delivered (sent when the provider reports no delivery) and successes = the
-- recipients who clicked, or who converted when the tenant's channel reports conversions at all
-- (opens are never a reward: Apple Mail Privacy Protection inflates them). version is the draft
-- delivered: the choice of the latest attempt at or before it is the arm rewarded. When item 2's
-- effectiveness scores (aicrm.ai_content_feedback) land, this is the function to switch.
create or replace function aicrm_private.selection_rewards(p_tenant uuid, p_channel text)
returns table (
    delivery_id uuid, task_id uuid, customer_id uuid, version integer, trials bigint, successes bigint
)
language sql
stable
set search_path = ''
as $$
    with m as (
        select m.*, d.deliverable_id
        from aicrm.delivery_metrics as m
        inner join aicrm.deliveries as d on d.tenant_id = m.tenant_id and d.delivery_id = m.delivery_id
        where m.tenant_id = p_tenant and m.channel = p_channel and d.status = 'delivered'
    ),
    kind as (select coalesce(bool_or(m.conversions > 0), false) as conversions from m)
    select m.delivery_id, m.task_id, t.customer_id, pd.version,
           case when m.delivered > 0 then m.delivered else m.sent end,
           least(case when k.conversions then m.conversions else m.clicks end,
                 case when m.delivered > 0 then m.delivered else m.sent end)
    from m
    cross join kind as k
    inner join aicrm.project_tasks as t on t.tenant_id = m.tenant_id and t.task_id = m.task_id
    inner join aicrm.project_deliverables as pd on pd.tenant_id = m.tenant_id and pd.deliverable_id = m.deliverable_id
$$;

-- The bandit's settings for tenant p_tenant: its decision setting `selection` over the defaults (a
-- tenant that sets one key keeps the others'). Read by tenant, not from the call's tenant, so the
-- view aicrm.selection_arms reads each row's own (row-level security still shows a role its own).
create or replace function aicrm_private.selection_settings(p_tenant uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select coalesce((select d.value from aicrm.decision_setting_defaults as d where d.setting_key = 'selection'), '{}')
        || coalesce((select s.value from aicrm.ai_decision_settings as s
                     where s.tenant_id = p_tenant and s.setting_key = 'selection'), '{}')
$$;

-- The state of arms p_arms ([{arm, ...}]) for customer p_customer on p_channel: sends and reward of
-- the customer's own deliveries; the prior Beta(s*m, s*(1-m)) where s is the setting prior_strength
-- (sends it is worth) and m the arm's rate pooled over the tenant's other customers of the same
-- industry, shrunk toward the arm's rate over all the tenant's other customers, shrunk toward the
-- setting prior_mean (each level weighs s sends); the posterior (prior + own successes and
-- failures); people's reviews of drafts written from the arm (reject and request_changes count
-- against it) and a pause when, with at least min_reviews, their share exceeds max_rejection_rate.
create or replace function aicrm_private.selection_arm_state(
    p_tenant uuid, p_customer uuid, p_channel text, p_arms jsonb, p_settings jsonb
)
returns table (
    arm text, sends bigint, reward bigint, prior_alpha double precision, prior_beta double precision,
    alpha double precision, beta double precision, reviews bigint, rejections bigint, paused boolean,
    paused_why text
)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
    v_s double precision := (p_settings ->> 'prior_strength')::double precision;
    v_m0 double precision := (p_settings ->> 'prior_mean')::double precision;
    v_min_reviews integer := (p_settings ->> 'min_reviews')::integer;
    v_max_rate double precision := (p_settings ->> 'max_rejection_rate')::double precision;
    v_industry text := (select c.industry_category from aicrm.customers as c
                        where c.tenant_id = p_tenant and c.customer_id = p_customer);
begin
    return query
    with a as (
        select e.item ->> 'arm' as arm, e.ord
        from jsonb_array_elements(p_arms) with ordinality as e (item, ord)
    ),
    r as (
        select r.customer_id, r.trials, r.successes, c.arm, cu.industry_category as industry
        from aicrm_private.selection_rewards(p_tenant, p_channel) as r
        cross join lateral (
            select sc.arm from aicrm.selection_choices as sc
            where sc.tenant_id = p_tenant and sc.task_id = r.task_id and sc.attempt <= r.version
            order by sc.attempt desc
            limit 1
        ) as c
        inner join aicrm.customers as cu on cu.tenant_id = p_tenant and cu.customer_id = r.customer_id
    ),
    s as (
        select a.arm, a.ord,
               coalesce(sum(r.trials) filter (where r.customer_id = p_customer), 0)::bigint as n_own,
               coalesce(sum(r.successes) filter (where r.customer_id = p_customer), 0)::bigint as r_own,
               coalesce(sum(r.trials) filter (where r.customer_id <> p_customer and r.industry = v_industry), 0)
                   ::double precision as n_ind,
               coalesce(sum(r.successes) filter (where r.customer_id <> p_customer and r.industry = v_industry), 0)
                   ::double precision as r_ind,
               coalesce(sum(r.trials) filter (where r.customer_id <> p_customer), 0)::double precision as n_all,
               coalesce(sum(r.successes) filter (where r.customer_id <> p_customer), 0)::double precision as r_all
        from a
        left join r on r.arm = a.arm
        group by a.arm, a.ord
    ),
    p as (
        select s.*, (s.r_ind + v_s * ((s.r_all + v_s * v_m0) / (s.n_all + v_s))) / (s.n_ind + v_s) as m
        from s
    ),
    rv as (
        select c.arm,
               count(*) filter (where dr.decision in ('approve', 'reject', 'request_changes')) as reviews,
               count(*) filter (where dr.decision in ('reject', 'request_changes')) as rejections
        from aicrm.deliverable_reviews as dr
        inner join aicrm.project_tasks as t
            on t.tenant_id = dr.tenant_id and t.task_id = dr.task_id
           and t.customer_id = p_customer and t.channel = p_channel
        cross join lateral (
            select sc.arm from aicrm.selection_choices as sc
            where sc.tenant_id = p_tenant and sc.task_id = dr.task_id and sc.attempt <= dr.version
            order by sc.attempt desc
            limit 1
        ) as c
        where dr.tenant_id = p_tenant and dr.version is not null
        group by c.arm
    )
    select p.arm, p.n_own, p.r_own, v_s * p.m, v_s * (1 - p.m),
           v_s * p.m + p.r_own, v_s * (1 - p.m) + (p.n_own - p.r_own),
           coalesce(rv.reviews, 0), coalesce(rv.rejections, 0),
           coalesce(rv.reviews >= v_min_reviews and rv.rejections > v_max_rate * rv.reviews, false),
           case when rv.reviews >= v_min_reviews and rv.rejections > v_max_rate * rv.reviews
                then format('people rejected or asked for changes to %s of %s drafts written from it (more than %s%%)',
                            rv.rejections, rv.reviews, round((v_max_rate * 100)::numeric, 1)) end
    from p
    left join rv on rv.arm = p.arm
    order by p.ord;
end
$$;

-- The sample-ratio check of customer p_customer's choices on p_channel in the period ending now
-- (the setting srm_period_days): observed = the period's choices, per arm, whose draft was
-- delivered; expected = the delivered total shared as the chooser intended (the mean of each
-- arm's recorded probability over the period's choices). Pearson's chi-square over the arms with an
-- expected count, df = arms - 1; flagged when p < srm_p_value and at least srm_min_deliveries were
-- delivered. {period_start, choices, delivered, chi_square, df, p_value, flagged, arms: {arm: {expected, observed}}}
create or replace function aicrm_private.selection_srm(p_tenant uuid, p_customer uuid, p_channel text, p_settings jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_since timestamptz := now() - make_interval(days => (p_settings ->> 'srm_period_days')::integer);
    v_result jsonb;
begin
    with c as (
        select sc.task_id, sc.attempt, sc.arm, sc.arms,
               exists (select from aicrm.deliveries as d
                       inner join aicrm.project_deliverables as pd
                           on pd.tenant_id = d.tenant_id and pd.deliverable_id = d.deliverable_id
                       where d.tenant_id = sc.tenant_id and d.task_id = sc.task_id and d.status = 'delivered'
                         and pd.version >= sc.attempt
                         and not exists (select from aicrm.selection_choices as later
                                         where later.tenant_id = sc.tenant_id and later.task_id = sc.task_id
                                           and later.attempt > sc.attempt and later.attempt <= pd.version))
                   as delivered
        from aicrm.selection_choices as sc
        where sc.tenant_id = p_tenant and sc.customer_id = p_customer and sc.channel = p_channel
          and sc.created_at >= v_since and sc.arm is not null
    ),
    totals as (select count(*) as choices, count(*) filter (where c.delivered) as delivered from c),
    intended as (
        select a.item ->> 'arm' as arm, sum(coalesce((a.item ->> 'probability')::double precision, 0)) as share_sum
        from c
        cross join lateral jsonb_array_elements(c.arms) as a (item)
        group by a.item ->> 'arm'
    ),
    per_arm as (
        select i.arm, i.share_sum / t.choices * t.delivered as expected,
               (select count(*) from c as o where o.delivered and o.arm = i.arm) as observed
        from intended as i
        cross join totals as t
    ),
    chi as (
        select sum((p.observed - p.expected) ^ 2 / p.expected) filter (where p.expected > 0) as x,
               count(*) filter (where p.expected > 0) - 1 as df
        from per_arm as p
    )
    select jsonb_build_object(
        'period_start', v_since, 'choices', t.choices, 'delivered', t.delivered,
        'chi_square', round(chi.x::numeric, 4), 'df', chi.df,
        'p_value', case when chi.df >= 1 then aicrm_private.chi_square_p_value(chi.x, chi.df::integer) end,
        'flagged', coalesce(chi.df >= 1 and t.delivered >= (p_settings ->> 'srm_min_deliveries')::integer
                            and aicrm_private.chi_square_p_value(chi.x, chi.df::integer)
                                < (p_settings ->> 'srm_p_value')::double precision, false),
        'arms', coalesce((select jsonb_object_agg(p.arm, jsonb_build_object(
                    'expected', round(p.expected::numeric, 3), 'observed', p.observed)) from per_arm as p), '{}'))
    into v_result
    from totals as t
    cross join chi;
    return v_result;
end
$$;

grant execute on function aicrm_private.selection_rewards(uuid, text), aicrm_private.selection_settings(uuid),
    aicrm_private.selection_arm_state(uuid, uuid, text, jsonb, jsonb),
    aicrm_private.selection_srm(uuid, uuid, text, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;
