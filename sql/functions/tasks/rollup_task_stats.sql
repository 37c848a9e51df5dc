-- The scheduled job rollup-task-stats (docs/operations.md, "The operations dashboard"; seeded
-- every minute): folds every tenant's pending aicrm.task_stat_events into aicrm.task_state_counts,
-- aicrm.task_stats_hourly and aicrm.task_ttc_hourly and deletes them, oldest first, at most
-- 50,000 a call (the next run takes the rest; the dashboard adds what is pending meanwhile, so it
-- is exact either way). Events another call is folding are skipped, so concurrent calls never
-- count one twice. Notifies aicrm_dashboard when it folded any. Returns the events folded. A
-- deployment's job, run by pg_cron or `aicrm scheduler` as the owner; no tenant role may call it.
create or replace function aicrm.rollup_task_stats()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid;
    v_limit constant bigint := 50000;
    v_done bigint := 0;
    v_rows bigint;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants as t order by t.tenant_id loop
        exit when v_done >= v_limit;
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        with moved as (
            delete from aicrm.task_stat_events as e
            where e.tenant_id = v_tenant and e.event_id in (
                select p.event_id
                from aicrm.task_stat_events as p
                where p.tenant_id = v_tenant
                order by p.event_id
                limit v_limit - v_done
                for update skip locked
            )
            returning e.*
        ),
        states as (
            insert into aicrm.task_state_counts as s (tenant_id, customer_id, channel, state, tasks)
            select v_tenant, m.customer_id, m.channel, m.state, sum(m.delta)
            from (
                select moved.customer_id, moved.channel, moved.to_state as state, 1 as delta
                from moved
                where moved.to_state is not null
                union all
                select moved.customer_id, moved.channel, moved.from_state, -1
                from moved
                where moved.from_state is not null
            ) as m
            group by m.customer_id, m.channel, m.state
            on conflict (tenant_id, customer_id, channel, state) do update
            set tasks = s.tasks + excluded.tasks
        ),
        hourly as (
            insert into aicrm.task_stats_hourly as h (
                tenant_id, customer_id, channel, hour, created, evaluated, auto_approved, to_review, retried,
                rule_rejected, pipeline_escalated, escalated, approved, human_approved, human_rejected,
                changes_requested, delivered, delivery_failed, failures, drafts, drafts_without_cost, cost_usd,
                scored, quality_sum
            )
            select
                v_tenant, m.customer_id, m.channel, date_trunc('hour', m.at, 'UTC'), sum(m.created),
                sum(m.evaluated), sum(m.auto_approved), sum(m.to_review), sum(m.retried), sum(m.rule_rejected),
                sum(m.pipeline_escalated), sum(m.escalated), sum(m.approved), sum(m.human_approved),
                sum(m.human_rejected), sum(m.changes_requested), sum(m.delivered), sum(m.delivery_failed),
                sum(m.failures), sum(m.drafts), sum(m.drafts_without_cost), sum(m.cost_usd), sum(m.scored),
                sum(m.quality_sum)
            from moved as m
            where m.from_state is distinct from m.to_state or m.failures > 0 or m.drafts > 0 or m.scored > 0
            group by m.customer_id, m.channel, date_trunc('hour', m.at, 'UTC')
            on conflict (tenant_id, hour, customer_id, channel) do update
            set created = h.created + excluded.created,
                evaluated = h.evaluated + excluded.evaluated,
                auto_approved = h.auto_approved + excluded.auto_approved,
                to_review = h.to_review + excluded.to_review,
                retried = h.retried + excluded.retried,
                rule_rejected = h.rule_rejected + excluded.rule_rejected,
                pipeline_escalated = h.pipeline_escalated + excluded.pipeline_escalated,
                escalated = h.escalated + excluded.escalated,
                approved = h.approved + excluded.approved,
                human_approved = h.human_approved + excluded.human_approved,
                human_rejected = h.human_rejected + excluded.human_rejected,
                changes_requested = h.changes_requested + excluded.changes_requested,
                delivered = h.delivered + excluded.delivered,
                delivery_failed = h.delivery_failed + excluded.delivery_failed,
                failures = h.failures + excluded.failures,
                drafts = h.drafts + excluded.drafts,
                drafts_without_cost = h.drafts_without_cost + excluded.drafts_without_cost,
                cost_usd = h.cost_usd + excluded.cost_usd,
                scored = h.scored + excluded.scored,
                quality_sum = h.quality_sum + excluded.quality_sum
        ),
        ttc as (
            insert into aicrm.task_ttc_hourly as h (tenant_id, customer_id, channel, hour, bucket, tasks)
            select
                v_tenant, m.customer_id, m.channel, date_trunc('hour', m.at, 'UTC'),
                width_bucket(m.time_to_content, aicrm_private.ttc_bucket_edges()), count(*)
            from moved as m
            where m.time_to_content is not null
            group by 1, 2, 3, 4, 5
            on conflict (tenant_id, hour, customer_id, channel, bucket) do update
            set tasks = h.tasks + excluded.tasks
        )
        select count(*) into v_rows from moved;
        v_done := v_done + v_rows;
    end loop;
    if v_done > 0 then
        -- `aicrm dashboard` listens: the summaries moved
        perform pg_notify('aicrm_dashboard', '');
    end if;
    return v_done;
end
$$;

revoke execute on function aicrm.rollup_task_stats() from public;
