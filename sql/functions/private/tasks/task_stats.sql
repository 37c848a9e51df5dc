-- The operations dashboard's events (migration 0030, docs/operations.md): what each change of a
-- task or a draft adds to the summaries. The triggers below append one aicrm.task_stat_events row
-- per change; aicrm.rollup_task_stats folds them into aicrm.task_state_counts and
-- aicrm.task_stats_hourly; aicrm_private.rebuild_task_stats derives the same from the history.

-- What a task's move from p_from to p_to counts (null p_from: created). One place for the whole
-- mapping: the triggers and the rebuild both read it.
--   evaluated: a scored draft decided by the rules (evaluating -> anything but queued or cancelled)
--   auto_approved, to_review (to a person: review, or a request for input), retried, rule_rejected:
--   the rules' decisions
--   pipeline_escalated: escalated before a person saw it (by the rules, a failing worker, a stuck
--     lease); escalated: any entry into escalated (a failed delivery too)
--   approved: any entry into approved (throughput); human_approved/human_rejected/
--     changes_requested: a person's decisions from review or escalation
--   delivered, delivery_failed (publishing -> escalated)
create or replace function aicrm_private.task_stat_counters(p_from text, p_to text)
returns table (
    created smallint,
    evaluated smallint,
    auto_approved smallint,
    to_review smallint,
    retried smallint,
    rule_rejected smallint,
    pipeline_escalated smallint,
    escalated smallint,
    approved smallint,
    human_approved smallint,
    human_rejected smallint,
    changes_requested smallint,
    delivered smallint,
    delivery_failed smallint
)
language sql
immutable
parallel safe
-- no SET clause: it names no table, and a function with one cannot be inlined into the rebuild's
-- query (millions of transitions)
as $$
    select
        (m.f = '' and m.t <> '')::int::smallint,
        (m.f = 'evaluating' and m.t in (
            'approved', 'awaiting_review', 'input_required', 'generating', 'rejected', 'escalated'
        ))::int::smallint,
        (m.f = 'evaluating' and m.t = 'approved')::int::smallint,
        (m.f = 'evaluating' and m.t in ('awaiting_review', 'input_required'))::int::smallint,
        (m.f = 'evaluating' and m.t = 'generating')::int::smallint,
        (m.f = 'evaluating' and m.t = 'rejected')::int::smallint,
        (m.f in ('gathering_context', 'generating', 'evaluating') and m.t = 'escalated')::int::smallint,
        (m.f <> 'escalated' and m.t = 'escalated')::int::smallint,
        (m.f <> 'approved' and m.t = 'approved')::int::smallint,
        (m.f in ('awaiting_review', 'escalated') and m.t = 'approved')::int::smallint,
        (m.f in ('awaiting_review', 'escalated') and m.t = 'rejected')::int::smallint,
        (m.f in ('awaiting_review', 'escalated') and m.t = 'queued')::int::smallint,
        (m.f = 'publishing' and m.t = 'delivered')::int::smallint,
        (m.f = 'publishing' and m.t = 'escalated')::int::smallint
    from (select coalesce(p_from, '') as f, coalesce(p_to, '') as t) as m
$$;

-- The upper edges, in seconds, of the time-to-content histogram's buckets (30 s ... 7 days);
-- bucket i (0-based, width_bucket's) holds the times from edge i - 1 (0 for bucket 0) up to edge i,
-- the last bucket the times beyond 7 days.
create or replace function aicrm_private.ttc_bucket_edges()
returns double precision[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select array[30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800]::double precision[]
$$;

-- The time (seconds) below which a share p_share of the times in a histogram fall, interpolated
-- within the bucket it lands in; null for an empty histogram; the last edge (7 days) when it lands
-- beyond it. p_buckets: (bucket, tasks) pairs as jsonb {"bucket": tasks}.
create or replace function aicrm_private.ttc_percentile(p_buckets jsonb, p_share double precision)
returns double precision
language sql
immutable
parallel safe
set search_path = ''
as $$
    with b as (
        select
            k.key::int as bucket,
            k.value::bigint as tasks,
            sum(k.value::bigint) over (order by k.key::int) as upto,
            sum(k.value::bigint) over () as total
        from jsonb_each_text(p_buckets) as k
    ),
    hit as (
        select b.bucket, b.tasks, b.upto, b.total
        from b
        where b.upto >= p_share * b.total and b.total > 0
        order by b.bucket
        limit 1
    )
    select case
        when h.bucket >= cardinality(e.edges) then e.edges[cardinality(e.edges)]
        else coalesce(e.edges[h.bucket], 0)
            + (e.edges[h.bucket + 1] - coalesce(e.edges[h.bucket], 0))
            * (p_share * h.total - (h.upto - h.tasks)) / greatest(h.tasks, 1)
    end
    from hit as h
    cross join (select aicrm_private.ttc_bucket_edges() as edges) as e
$$;

-- AFTER INSERT, DELETE, UPDATE OF execution_state, customer_id, channel, failures on
-- project_tasks. A task moved to another customer or channel leaves the old one's count and
-- enters the new one's. SECURITY DEFINER: no role needs INSERT on the events. (No NOTIFY here: a
-- notifying transaction holds a database-wide lock from its commit's start to its end, which
-- would put every worker's commits in one line; rollup_task_stats notifies aicrm_dashboard.)
create or replace function aicrm_private.tg_task_stats_tasks()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op in ('DELETE', 'UPDATE') and (
        tg_op = 'DELETE' or (old.customer_id, old.channel) is distinct from (new.customer_id, new.channel)
    ) then
        insert into aicrm.task_stat_events (tenant_id, customer_id, channel, from_state)
        values (old.tenant_id, old.customer_id, old.channel, old.execution_state);
        if tg_op = 'DELETE' then
            return null;
        end if;
        insert into aicrm.task_stat_events (tenant_id, customer_id, channel, to_state)
        values (new.tenant_id, new.customer_id, new.channel, new.execution_state);
        return null;
    end if;
    if tg_op = 'UPDATE' and old.execution_state = new.execution_state and new.failures <= old.failures then
        return null;
    end if;
    insert into aicrm.task_stat_events (
        tenant_id, customer_id, channel, from_state, to_state, created, evaluated, auto_approved, to_review, retried,
        rule_rejected, pipeline_escalated, escalated, approved, human_approved, human_rejected, changes_requested,
        delivered, delivery_failed, failures, time_to_content
    )
    select
        new.tenant_id, new.customer_id, new.channel, s.from_state, s.to_state, c.created, c.evaluated,
        c.auto_approved, c.to_review, c.retried, c.rule_rejected, c.pipeline_escalated, c.escalated, c.approved,
        c.human_approved, c.human_rejected, c.changes_requested, c.delivered, c.delivery_failed,
        case when tg_op = 'UPDATE' then least(greatest(new.failures - old.failures, 0), 32767) else 0 end,
        case when c.approved = 1 then extract(epoch from clock_timestamp() - new.created_at) end
    from (
        select
            case when tg_op = 'UPDATE' then old.execution_state end as from_state,
            new.execution_state as to_state
    ) as s
    cross join lateral aicrm_private.task_stat_counters(
        -- a failure counted without a change of state moves nothing
        case when s.from_state = s.to_state then null else s.from_state end,
        case when s.from_state = s.to_state then null else s.to_state end
    ) as c
    where tg_op = 'INSERT' or s.from_state <> s.to_state or new.failures > old.failures;
    return null;
end
$$;

-- AFTER INSERT, UPDATE OF quality_score on project_deliverables: a draft written (its model cost
-- from its provenance, as aicrm.task_costs reads it: a person's edit used no model), a draft
-- scored (its overall quality).
create or replace function aicrm_private.tg_task_stats_deliverables()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_cost numeric;
    v_edit boolean;
begin
    if tg_op = 'UPDATE' and (new.quality_score is null or new.quality_score is not distinct from old.quality_score) then
        return null;
    end if;
    if tg_op = 'INSERT' then
        v_edit := new.provenance ? 'edited_from_version';
        v_cost := case when not v_edit then aicrm_private.json_amount(new.provenance -> 'cost_usd') end;
    end if;
    insert into aicrm.task_stat_events (
        tenant_id, customer_id, channel, drafts, drafts_without_cost, cost_usd, scored, quality_sum
    )
    select
        t.tenant_id, t.customer_id, t.channel,
        (tg_op = 'INSERT')::int,
        (tg_op = 'INSERT' and not v_edit and v_cost is null)::int,
        coalesce(v_cost, 0),
        (new.quality_score is not null)::int,
        coalesce(new.quality_score, 0)
    from aicrm.project_tasks as t
    where t.tenant_id = new.tenant_id and t.task_id = new.task_id;
    return null;
end
$$;

-- Derives the summaries of the tenant set in aicrm.tenant_id afresh from its history, replacing
-- what they held and dropping its pending events: the task counts from project_tasks; created
-- from the tasks' created_at; the moves from task_state_transitions (time to content from the
-- task's created_at); drafts, costs and quality from project_deliverables (created_at,
-- evaluated_at); failures are not in the history (a task's failures column is a total) and count
-- at the task's last change. For data written before migration 0030 or loaded in bulk with the
-- triggers off (benchmarks/dashboard_bench.py). Returns the tasks counted.
create or replace function aicrm_private.rebuild_task_stats()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_tasks bigint;
begin
    delete from aicrm.task_stat_events as e where e.tenant_id = v_tenant;
    delete from aicrm.task_state_counts as s where s.tenant_id = v_tenant;
    delete from aicrm.task_stats_hourly as h where h.tenant_id = v_tenant;
    delete from aicrm.task_ttc_hourly as h where h.tenant_id = v_tenant;

    insert into aicrm.task_state_counts (tenant_id, customer_id, channel, state, tasks)
    select t.tenant_id, t.customer_id, t.channel, t.execution_state, count(*)
    from aicrm.project_tasks as t
    where t.tenant_id = v_tenant
    group by t.tenant_id, t.customer_id, t.channel, t.execution_state;
    select coalesce(sum(s.tasks), 0) into v_tasks from aicrm.task_state_counts as s where s.tenant_id = v_tenant;

    with facts as (
        select
            t.customer_id, t.channel, t.created_at as at,
            1 as created, 0 as evaluated, 0 as auto_approved, 0 as to_review, 0 as retried, 0 as rule_rejected,
            0 as pipeline_escalated, 0 as escalated, 0 as approved, 0 as human_approved, 0 as human_rejected,
            0 as changes_requested, 0 as delivered, 0 as delivery_failed, 0 as failures, 0 as drafts,
            0 as drafts_without_cost, 0::numeric as cost_usd, 0 as scored, 0::numeric as quality_sum
        from aicrm.project_tasks as t
        where t.tenant_id = v_tenant
        union all
        select
            t.customer_id, t.channel, t.updated_at, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, t.failures, 0, 0, 0, 0, 0
        from aicrm.project_tasks as t
        where t.tenant_id = v_tenant and t.failures > 0
        union all
        select
            t.customer_id, t.channel, tr.created_at, 0, c.evaluated, c.auto_approved, c.to_review, c.retried,
            c.rule_rejected, c.pipeline_escalated, c.escalated, c.approved, c.human_approved, c.human_rejected,
            c.changes_requested, c.delivered, c.delivery_failed, 0, 0, 0, 0, 0, 0
        from aicrm.task_state_transitions as tr
        inner join aicrm.project_tasks as t on tr.tenant_id = t.tenant_id and tr.task_id = t.task_id
        cross join lateral aicrm_private.task_stat_counters(tr.from_state, tr.to_state) as c
        where tr.tenant_id = v_tenant
        union all
        select
            t.customer_id, t.channel, d.created_at, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            (not d.provenance ? 'edited_from_version' and aicrm_private.json_amount(d.provenance -> 'cost_usd') is null)::int,
            coalesce(case when not d.provenance ? 'edited_from_version' then aicrm_private.json_amount(d.provenance -> 'cost_usd') end, 0),
            0, 0
        from aicrm.project_deliverables as d
        inner join aicrm.project_tasks as t on d.tenant_id = t.tenant_id and d.task_id = t.task_id
        where d.tenant_id = v_tenant
        union all
        select
            t.customer_id, t.channel, coalesce(d.evaluated_at, d.updated_at), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 1, d.quality_score
        from aicrm.project_deliverables as d
        inner join aicrm.project_tasks as t on d.tenant_id = t.tenant_id and d.task_id = t.task_id
        where d.tenant_id = v_tenant and d.quality_score is not null
    )
    insert into aicrm.task_stats_hourly (
        tenant_id, customer_id, channel, hour, created, evaluated, auto_approved, to_review, retried, rule_rejected,
        pipeline_escalated, escalated, approved, human_approved, human_rejected, changes_requested, delivered,
        delivery_failed, failures, drafts, drafts_without_cost, cost_usd, scored, quality_sum
    )
    select
        v_tenant, f.customer_id, f.channel, date_trunc('hour', f.at, 'UTC'), sum(f.created), sum(f.evaluated),
        sum(f.auto_approved), sum(f.to_review), sum(f.retried), sum(f.rule_rejected), sum(f.pipeline_escalated),
        sum(f.escalated), sum(f.approved), sum(f.human_approved), sum(f.human_rejected), sum(f.changes_requested),
        sum(f.delivered), sum(f.delivery_failed), sum(f.failures), sum(f.drafts), sum(f.drafts_without_cost),
        sum(f.cost_usd), sum(f.scored), sum(f.quality_sum)
    from facts as f
    group by f.customer_id, f.channel, date_trunc('hour', f.at, 'UTC');

    insert into aicrm.task_ttc_hourly (tenant_id, customer_id, channel, hour, bucket, tasks)
    select v_tenant, t.customer_id, t.channel, date_trunc('hour', tr.created_at, 'UTC'),
        width_bucket(extract(epoch from tr.created_at - t.created_at)::double precision, aicrm_private.ttc_bucket_edges()),
        count(*)
    from aicrm.task_state_transitions as tr
    inner join aicrm.project_tasks as t on tr.tenant_id = t.tenant_id and tr.task_id = t.task_id
    where tr.tenant_id = v_tenant and tr.to_state = 'approved' and tr.from_state <> 'approved'
    group by 1, 2, 3, 4, 5;
    return v_tasks;
end
$$;

revoke execute on function aicrm_private.rebuild_task_stats() from public;

-- the dashboard's view calls these as the reader
grant execute on function aicrm_private.ttc_bucket_edges(), aicrm_private.ttc_percentile(jsonb, double precision)
to aicrm_app, aicrm_worker, aicrm_readonly;
