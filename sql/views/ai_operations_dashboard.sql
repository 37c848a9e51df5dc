-- The operations dashboard (docs/operations.md, "The operations dashboard"): one row per tenant,
-- customer and channel with tasks, from the summaries the pipeline's own writes keep (migration
-- 0030: aicrm.task_state_counts, aicrm.task_stats_hourly, aicrm.task_ttc_hourly) plus the events
-- the job rollup-task-stats has not folded yet, so a read costs the summaries of the last 14 days,
-- never a scan of the tasks, and is exact whenever the job last ran.
--
-- Columns:
--   draft, queued, working (gathering_context, generating, evaluating), awaiting_review,
--   input_required, escalated, approved, publishing, delivered, measured, rejected, cancelled: tasks
--   in each state now; waiting_for_people: awaiting_review + input_required + escalated
--   approved_24h, approved_7d: entries into approved (throughput); approved_per_hour: over the
--   last 24 hours, per hour; approved_per_day: over the last 7 days, per day; created_24h
--   outcomes_7d: tasks the pipeline finished writing in the last 7 days (the rules approved, sent
--   to review, rejected; or it escalated them: the rules, a failing worker, a stuck lease);
--   auto_approval_rate, review_rate (sent to review, or a person asked for input),
--   rejection_rate, escalation_rate: shares of those (null
--   without any); retry_rate: the rules' retries over their decisions (evaluated_7d);
--   failure_rate: the workers' failures over the drafts evaluated and the failures
--   avg_quality_7d, avg_quality_prior_7d: the drafts scored in the last 7 days and the 7 before;
--   quality_trend: their difference (negative: falling)
--   time_to_content_p50/p95: from a task's creation to its approval, over the approvals of the
--   last 7 days (from a histogram of 17 buckets, 30 s to 7 days: interpolated within a bucket)
--   target_review_rate: the tenant's decision setting (the share of tasks people should see; 0.15
--   by default); autonomy_gap: (review_rate + escalation_rate) - target_review_rate (positive:
--   people see more than the target)
--   cost_usd_24h, cost_usd_7d, drafts_7d, drafts_without_cost_7d: as aicrm.task_costs counts them
-- security_invoker: a tenant sees its own.
create or replace view aicrm.ai_operations_dashboard
with (security_invoker = true)
as
with pending as (
    select
        e.tenant_id,
        e.customer_id,
        e.channel,
        e.from_state,
        e.to_state,
        date_trunc('hour', e.at, 'UTC') as hour,
        e.created,
        e.evaluated,
        e.auto_approved,
        e.to_review,
        e.retried,
        e.rule_rejected,
        e.pipeline_escalated,
        e.approved,
        e.failures,
        e.drafts,
        e.drafts_without_cost,
        e.cost_usd,
        e.scored,
        e.quality_sum,
        e.time_to_content
    from aicrm.task_stat_events as e
),

states as (
    select
        s.tenant_id,
        s.customer_id,
        s.channel,
        sum(s.tasks) filter (where s.state = 'draft') as draft,
        sum(s.tasks) filter (where s.state = 'queued') as queued,
        sum(s.tasks) filter (where s.state in ('gathering_context', 'generating', 'evaluating')) as working,
        sum(s.tasks) filter (where s.state = 'awaiting_review') as awaiting_review,
        sum(s.tasks) filter (where s.state = 'input_required') as input_required,
        sum(s.tasks) filter (where s.state = 'escalated') as escalated,
        sum(s.tasks) filter (where s.state = 'approved') as approved,
        sum(s.tasks) filter (where s.state = 'publishing') as publishing,
        sum(s.tasks) filter (where s.state = 'delivered') as delivered,
        sum(s.tasks) filter (where s.state = 'measured') as measured,
        sum(s.tasks) filter (where s.state = 'rejected') as rejected,
        sum(s.tasks) filter (where s.state = 'cancelled') as cancelled
    from (
        select c.tenant_id, c.customer_id, c.channel, c.state, c.tasks
        from aicrm.task_state_counts as c
        union all
        select p.tenant_id, p.customer_id, p.channel, p.to_state as state, 1 as tasks
        from pending as p
        where p.to_state is not null
        union all
        select p.tenant_id, p.customer_id, p.channel, p.from_state as state, -1 as tasks
        from pending as p
        where p.from_state is not null
    ) as s
    group by s.tenant_id, s.customer_id, s.channel
),

hours as (
    select
        h.tenant_id,
        h.customer_id,
        h.channel,
        h.hour,
        h.created,
        h.evaluated,
        h.auto_approved,
        h.to_review,
        h.retried,
        h.rule_rejected,
        h.pipeline_escalated,
        h.approved,
        h.failures,
        h.drafts,
        h.drafts_without_cost,
        h.cost_usd,
        h.scored,
        h.quality_sum
    from aicrm.task_stats_hourly as h
    where h.hour >= date_trunc('hour', now(), 'UTC') - interval '14 days'
    union all
    select
        p.tenant_id,
        p.customer_id,
        p.channel,
        p.hour,
        p.created,
        p.evaluated,
        p.auto_approved,
        p.to_review,
        p.retried,
        p.rule_rejected,
        p.pipeline_escalated,
        p.approved,
        p.failures,
        p.drafts,
        p.drafts_without_cost,
        p.cost_usd,
        p.scored,
        p.quality_sum
    from pending as p
),

-- each row's counters summed into three periods first (0: the last 24 hours, 1: the 6 days before,
-- 2: the 7 days before those), so the filters below run on three rows per customer and channel
periods as (
    select
        h.tenant_id,
        h.customer_id,
        h.channel,
        case
            when h.hour > now() - interval '24 hours' then 0
            when h.hour > now() - interval '7 days' then 1
            else 2
        end as period,
        sum(h.approved) as approved,
        sum(h.created) as created,
        sum(h.evaluated) as evaluated,
        sum(h.retried) as retried,
        sum(h.failures) as failures,
        sum(h.auto_approved) as auto_approved,
        sum(h.to_review) as to_review,
        sum(h.rule_rejected) as rule_rejected,
        sum(h.pipeline_escalated) as pipeline_escalated,
        sum(h.scored) as scored,
        sum(h.quality_sum) as quality_sum,
        sum(h.cost_usd) as cost_usd,
        sum(h.drafts) as drafts,
        sum(h.drafts_without_cost) as drafts_without_cost
    from hours as h
    group by h.tenant_id, h.customer_id, h.channel, period
),

recent as (
    select
        p.tenant_id,
        p.customer_id,
        p.channel,
        coalesce(sum(p.approved) filter (where p.period = 0), 0) as approved_24h,
        coalesce(sum(p.approved) filter (where p.period < 2), 0) as approved_7d,
        coalesce(sum(p.created) filter (where p.period = 0), 0) as created_24h,
        coalesce(sum(p.evaluated) filter (where p.period < 2), 0) as evaluated_7d,
        coalesce(sum(p.retried) filter (where p.period < 2), 0) as retried_7d,
        coalesce(sum(p.failures) filter (where p.period < 2), 0) as failures_7d,
        coalesce(sum(p.auto_approved) filter (where p.period < 2), 0) as auto_approved_7d,
        coalesce(sum(p.to_review) filter (where p.period < 2), 0) as to_review_7d,
        coalesce(sum(p.rule_rejected) filter (where p.period < 2), 0) as rejected_7d,
        coalesce(sum(p.pipeline_escalated) filter (where p.period < 2), 0) as escalated_7d,
        sum(p.scored) filter (where p.period < 2) as scored_7d,
        sum(p.quality_sum) filter (where p.period < 2) as quality_7d,
        sum(p.scored) filter (where p.period = 2) as scored_prior,
        sum(p.quality_sum) filter (where p.period = 2) as quality_prior,
        coalesce(sum(p.cost_usd) filter (where p.period = 0), 0) as cost_usd_24h,
        coalesce(sum(p.cost_usd) filter (where p.period < 2), 0) as cost_usd_7d,
        coalesce(sum(p.drafts) filter (where p.period < 2), 0) as drafts_7d,
        coalesce(sum(p.drafts_without_cost) filter (where p.period < 2), 0) as drafts_without_cost_7d
    from periods as p
    group by p.tenant_id, p.customer_id, p.channel
),

ttc as (
    select
        b.tenant_id,
        b.customer_id,
        b.channel,
        jsonb_object_agg(b.bucket, b.tasks) as buckets
    from (
        select t.tenant_id, t.customer_id, t.channel, t.bucket, sum(t.tasks) as tasks
        from (
            select h.tenant_id, h.customer_id, h.channel, h.bucket, h.tasks
            from aicrm.task_ttc_hourly as h
            where h.hour > now() - interval '7 days'
            union all
            select
                p.tenant_id,
                p.customer_id,
                p.channel,
                width_bucket(p.time_to_content, aicrm_private.ttc_bucket_edges()) as bucket,
                1 as tasks
            from pending as p
            where p.time_to_content is not null
        ) as t
        group by t.tenant_id, t.customer_id, t.channel, t.bucket
    ) as b
    group by b.tenant_id, b.customer_id, b.channel
),

joined as (
    select
        coalesce(s.tenant_id, r.tenant_id) as tenant_id,
        coalesce(s.customer_id, r.customer_id) as customer_id,
        coalesce(s.channel, r.channel) as channel,
        s.draft,
        s.queued,
        s.working,
        s.awaiting_review,
        s.input_required,
        s.escalated,
        s.approved,
        s.publishing,
        s.delivered,
        s.measured,
        s.rejected,
        s.cancelled,
        r.approved_24h,
        r.approved_7d,
        r.created_24h,
        r.evaluated_7d,
        r.retried_7d,
        r.failures_7d,
        r.auto_approved_7d,
        r.to_review_7d,
        r.rejected_7d,
        r.escalated_7d,
        r.auto_approved_7d + r.to_review_7d + r.rejected_7d + r.escalated_7d as outcomes_7d,
        r.scored_7d,
        r.quality_7d,
        r.scored_prior,
        r.quality_prior,
        r.cost_usd_24h,
        r.cost_usd_7d,
        r.drafts_7d,
        r.drafts_without_cost_7d
    from states as s
    full join recent as r on s.tenant_id = r.tenant_id and s.customer_id = r.customer_id and s.channel = r.channel
)

select
    j.tenant_id,
    j.customer_id,
    c.name as customer_name,
    j.channel,
    coalesce(j.draft, 0)::bigint as draft,
    coalesce(j.queued, 0)::bigint as queued,
    coalesce(j.working, 0)::bigint as working,
    coalesce(j.awaiting_review, 0)::bigint as awaiting_review,
    coalesce(j.input_required, 0)::bigint as input_required,
    coalesce(j.escalated, 0)::bigint as escalated,
    coalesce(j.approved, 0)::bigint as approved,
    coalesce(j.publishing, 0)::bigint as publishing,
    coalesce(j.delivered, 0)::bigint as delivered,
    coalesce(j.measured, 0)::bigint as measured,
    coalesce(j.rejected, 0)::bigint as rejected,
    coalesce(j.cancelled, 0)::bigint as cancelled,
    (coalesce(j.awaiting_review, 0) + coalesce(j.input_required, 0) + coalesce(j.escalated, 0))::bigint
        as waiting_for_people,
    coalesce(j.approved_24h, 0)::bigint as approved_24h,
    coalesce(j.approved_7d, 0)::bigint as approved_7d,
    round(coalesce(j.approved_24h, 0) / 24.0, 2) as approved_per_hour,
    round(coalesce(j.approved_7d, 0) / 7.0, 2) as approved_per_day,
    coalesce(j.created_24h, 0)::bigint as created_24h,
    coalesce(j.outcomes_7d, 0)::bigint as outcomes_7d,
    round(j.auto_approved_7d::numeric / nullif(j.outcomes_7d, 0), 4) as auto_approval_rate,
    round(j.to_review_7d::numeric / nullif(j.outcomes_7d, 0), 4) as review_rate,
    round(j.rejected_7d::numeric / nullif(j.outcomes_7d, 0), 4) as rejection_rate,
    round(j.escalated_7d::numeric / nullif(j.outcomes_7d, 0), 4) as escalation_rate,
    coalesce(j.evaluated_7d, 0)::bigint as evaluated_7d,
    round(j.retried_7d::numeric / nullif(j.evaluated_7d, 0), 4) as retry_rate,
    round(j.failures_7d::numeric / nullif(j.evaluated_7d + j.failures_7d, 0), 4) as failure_rate,
    round(j.quality_7d / nullif(j.scored_7d, 0), 1) as avg_quality_7d,
    round(j.quality_prior / nullif(j.scored_prior, 0), 1) as avg_quality_prior_7d,
    round(j.quality_7d / nullif(j.scored_7d, 0) - j.quality_prior / nullif(j.scored_prior, 0), 1) as quality_trend,
    make_interval(secs => round(aicrm_private.ttc_percentile(t.buckets, 0.5))) as time_to_content_p50,
    make_interval(secs => round(aicrm_private.ttc_percentile(t.buckets, 0.95))) as time_to_content_p95,
    coalesce(ts.value, ds.value)::text::numeric as target_review_rate,
    round(
        (j.to_review_7d + j.escalated_7d)::numeric / nullif(j.outcomes_7d, 0) - coalesce(ts.value, ds.value)::text::numeric,
        4
    ) as autonomy_gap,
    coalesce(j.cost_usd_24h, 0) as cost_usd_24h,
    coalesce(j.cost_usd_7d, 0) as cost_usd_7d,
    coalesce(j.drafts_7d, 0)::bigint as drafts_7d,
    coalesce(j.drafts_without_cost_7d, 0)::bigint as drafts_without_cost_7d
from joined as j
left join aicrm.customers as c on j.tenant_id = c.tenant_id and j.customer_id = c.customer_id
left join ttc as t on j.tenant_id = t.tenant_id and j.customer_id = t.customer_id and j.channel = t.channel
left join aicrm.decision_setting_defaults as ds on ds.setting_key = 'target_review_rate'
left join aicrm.ai_decision_settings as ts
    on j.tenant_id = ts.tenant_id and ts.setting_key = 'target_review_rate'
where
    coalesce(j.draft, 0) + coalesce(j.queued, 0) + coalesce(j.working, 0) + coalesce(j.awaiting_review, 0)
    + coalesce(j.input_required, 0)
    + coalesce(j.escalated, 0) + coalesce(j.approved, 0) + coalesce(j.publishing, 0) + coalesce(j.delivered, 0)
    + coalesce(j.measured, 0) + coalesce(j.rejected, 0) + coalesce(j.cancelled, 0) > 0
    or j.outcomes_7d > 0 or j.drafts_7d > 0;

grant select on aicrm.ai_operations_dashboard to aicrm_app, aicrm_readonly;
