-- The operations dashboard's numbers (docs/operations.md, "The operations dashboard"), kept by the
-- pipeline's own writes so that reading them never scans the tasks: a trigger on project_tasks and
-- one on project_deliverables append one event per change to aicrm.task_stat_events (append-only:
-- no two writers ever wait on one counter row), and the scheduled job rollup-task-stats
-- (aicrm.rollup_task_stats, every minute) folds the events into two summary tables and deletes
-- them. aicrm.ai_operations_dashboard reads the summaries plus the events not folded yet, so it is
-- exact whether the job ran a second or an hour ago.
--
-- What each counter counts is decided in one place, aicrm_private.task_stat_counters
-- (private/tasks/task_stats.sql); aicrm_private.rebuild_task_stats derives the same summaries
-- from the history (task_state_transitions, project_deliverables) for data written before this
-- migration or loaded in bulk.

-- One change: a task created, moved, deleted (from_state/to_state, null at either end), a draft
-- written (drafts, its cost), a draft scored (scored, quality_sum), a failure counted; the
-- counters are 0 or 1 except quality_sum and cost_usd.
create table aicrm.task_stat_events (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    event_id bigint generated always as identity,
    customer_id uuid not null,
    channel text not null,
    at timestamptz not null default clock_timestamp(),
    from_state text,
    to_state text,
    created smallint not null default 0,
    evaluated smallint not null default 0,
    auto_approved smallint not null default 0,
    to_review smallint not null default 0,
    retried smallint not null default 0,
    rule_rejected smallint not null default 0,
    pipeline_escalated smallint not null default 0,
    escalated smallint not null default 0,
    approved smallint not null default 0,
    human_approved smallint not null default 0,
    human_rejected smallint not null default 0,
    changes_requested smallint not null default 0,
    delivered smallint not null default 0,
    delivery_failed smallint not null default 0,
    failures smallint not null default 0,
    drafts smallint not null default 0,
    drafts_without_cost smallint not null default 0,
    cost_usd numeric not null default 0,
    scored smallint not null default 0,
    quality_sum numeric not null default 0,
    -- seconds from the task's creation to its approval, on an entry into approved
    time_to_content double precision,
    constraint task_stat_events_pkey primary key (tenant_id, event_id)
);

-- How many tasks are in each state, per customer and channel.
create table aicrm.task_state_counts (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    channel text not null,
    state text not null,
    tasks bigint not null,
    constraint task_state_counts_pkey primary key (tenant_id, customer_id, channel, state)
);

-- The events' counters summed per customer, channel and hour (UTC). integer, not bigint: an hour
-- of one customer's channel never holds 2^31 of anything, and sum(integer) adds in int8 where
-- sum(bigint) adds in numeric (the dashboard sums a fortnight of these rows per read).
create table aicrm.task_stats_hourly (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    channel text not null,
    hour timestamptz not null,
    created integer not null default 0,
    evaluated integer not null default 0,
    auto_approved integer not null default 0,
    to_review integer not null default 0,
    retried integer not null default 0,
    rule_rejected integer not null default 0,
    pipeline_escalated integer not null default 0,
    escalated integer not null default 0,
    approved integer not null default 0,
    human_approved integer not null default 0,
    human_rejected integer not null default 0,
    changes_requested integer not null default 0,
    delivered integer not null default 0,
    delivery_failed integer not null default 0,
    failures integer not null default 0,
    drafts integer not null default 0,
    drafts_without_cost integer not null default 0,
    cost_usd numeric not null default 0,
    scored integer not null default 0,
    quality_sum numeric not null default 0,
    constraint task_stats_hourly_pkey primary key (tenant_id, hour, customer_id, channel)
);

-- Times to content per hour as a histogram (aicrm_private.ttc_bucket_edges: bucket 0 is under
-- 30 s, the last beyond 7 days), from which the dashboard reads p50 and p95.
create table aicrm.task_ttc_hourly (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    channel text not null,
    hour timestamptz not null,
    bucket smallint not null,
    tasks bigint not null,
    constraint task_ttc_hourly_pkey primary key (tenant_id, hour, customer_id, channel, bucket)
);

do $$
declare
    v_table text;
begin
    foreach v_table in array array['task_stat_events', 'task_state_counts', 'task_stats_hourly', 'task_ttc_hourly'] loop
        execute format('alter table aicrm.%I enable row level security', v_table);
        execute format('alter table aicrm.%I force row level security', v_table);
        execute format(
            'create policy %I on aicrm.%I using (tenant_id = (select aicrm_private.current_tenant_id()))'
            ' with check (tenant_id = (select aicrm_private.current_tenant_id()))',
            v_table || '_all_own', v_table
        );
        -- written only by the triggers and the rollup (SECURITY DEFINER); read by every role
        execute format('grant select on aicrm.%I to aicrm_app, aicrm_worker, aicrm_readonly', v_table);
    end loop;
end
$$;
