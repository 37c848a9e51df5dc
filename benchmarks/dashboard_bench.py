"""The operations dashboard at scale: one tenant's `aicrm.ai_operations_dashboard` (and `aicrm.ai_alerts`
when it exists) read over 1,000,000 tasks in 100 tenants, and what keeping its summaries costs the
pipeline (migration 0030: the `_700_task_stats` triggers append events, the job rollup-task-stats
folds them).

(1) Pipeline cost, before the load (so the loaded tenants' queued tasks are not in the queue): the
real worker pool (one thread in this process, running throughout) with the offline template
provider on the end-to-end workload, as benchmarks/pipeline_bench.py runs it. ROUNDS pairs of
batches of ROUND_TASKS tasks, one with the triggers on and one with them off (`alter table ...
disable trigger _700_task_stats`), in the order on, off, off, on, ... so that load on the machine
falls on both alike. A batch's figure is CPU time (this process and every server process, as
pipeline_bench measures it) to create its tasks (`create_content_task`, which fires the triggers
too) and for the pool to decide them; a batch with the summaries also pays
`aicrm.rollup_task_stats()` folding its events. Judged: CPU per task with the summaries over
without, target <= 1.10 (the issue's "within 10%").

(2) The load, timed: 100 tenants through `aicrm.create_tenant`; customers (5 to 50 a tenant, one
per 400 tasks) and their "Content" projects inserted with every trigger on; then, as the superuser
with `session_replication_role = replica` (no trigger, no foreign-key check), 1,000,000 tasks in
one INSERT ... SELECT from generate_series, tenants' sizes growing linearly (the largest 2% of the
tasks, the median tenant 1%). Each task follows one of 16 paths through
`aicrm.task_state_transition_rules` (approved by the rules or a person, retried, rejected, escalated,
failed, cancelled, delivered, measured) from a creation time spread over the last 30 days, stopped
at now: the recent tasks are queued, in flight, in review. Its transitions (about 8 a task; every
one joined to the rules table, so only allowed moves are written), 1-3 drafts with
quality_score, evaluated_at, a scorecard, the rules' decision and a provenance with cost_usd (3%
without), and for approved drafts the outbox row and its delivery. Rows are loaded tenant by
tenant. Then, per tenant (two at a time), `aicrm_private.rebuild_task_stats()` derives the
summaries from that history, and the tables are vacuumed and analyzed as autovacuum would leave them.

(3) Reads, as the app does: `aicrm_app` with `aicrm.tenant_id` set, autocommit, prepared,
timed from this client, READS times taking turns with the baseline: the median tenant (1% of
the tasks), then the largest (an indication). Judged: p95 <= 50 ms, the issue's absolute target
(the one judged figure here not measured against a baseline: the issue states it in time). Beside
it, as indications, the p95 over a baseline measured in the same run, a primary-key lookup of one
of the tenant's tasks (the floor of any statement: a round trip, RLS, a plan), and the tenant's
tasks counted per state straight from project_tasks (what only the state columns would cost
without summaries). Then again with PENDING_EVENTS events the rollup has not folded: 200 tasks
created through `create_content_task` and 100 of them cancelled, as the app would, with the
triggers on. Checks: the dashboard's task counts equal the tasks' (settled, pending, and after
`aicrm.rollup_task_stats()` folded the pending events); its plan reads none of project_tasks,
project_deliverables, task_state_transitions (EXPLAIN ANALYZE's top line printed); the loaded
histories of the tenant chain from draft to each task's state. `aicrm.ai_alerts` is read the same
way when `to_regclass('aicrm.ai_alerts')` is not null, else skipped with a line saying so.

Run: .venv/bin/python benchmarks/dashboard_bench.py   (about 5 minutes and 6 GB of disk on 2
cores; `--tasks 100000 --tenants 10` about 2 minutes; exit 1 on FAIL)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import Ratio, duration, on_throwaway_server, verdict  # noqa: E402
from pipeline_bench import cpu_now, cpu_since, pin, wait_decided  # noqa: E402

import runner.worker as worker_pool  # noqa: E402
from runner import embedded  # noqa: E402
from runner.config import Settings  # noqa: E402
from runner.migrate import migrate  # noqa: E402
from runner.providers.template import TemplateProvider  # noqa: E402
from tests.e2e.workload import create_tasks, seed_demo, task_specs  # noqa: E402

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off",
    "max_wal_size": "8GB", "maintenance_work_mem": "512MB",
}  # fmt: skip
TASKS = 1_000_000
TENANTS = 100
DAYS = 30  # tasks are created over the last DAYS days
TASKS_PER_CUSTOMER = 400
REBUILDERS = 2  # connections deriving the summaries at once
ROUNDS = 12  # (1): pairs of batches, the summaries on and off
ROUND_TASKS = 20
READS = 200
NEW_TASKS, CANCELLED = 200, 100  # the pending events: 2 per new task (created, queued), 1 per cancel
PENDING_EVENTS = 2 * NEW_TASKS + CANCELLED
TARGET_P95 = 0.050  # seconds: the target
TARGET_PIPELINE = 1.10
TASK_TABLES = ("project_tasks", "project_deliverables", "task_state_transitions")

Conn = psycopg.Connection[tuple[Any, ...]]

# --- (1) the pipeline with and without the summaries ------------------------------------------------------


def set_summaries(admin: Conn, on: bool) -> None:
    verb = "enable" if on else "disable"
    for table in ("project_tasks", "project_deliverables"):
        admin.execute(f"alter table aicrm.{table} {verb} trigger _700_task_stats")


def batch(st: embedded.ServerStatus, conn: Conn, customers: dict[str, str], n: int, seed: int, key: str) -> float:
    """CPU seconds (this process and the server) to create n tasks and for the running pool to decide them."""
    before = cpu_now(st)
    tasks = create_tasks(conn, customers, task_specs(n, seed_=seed), key=key)
    wait_decided(conn, tasks)
    conn.commit()  # wait_decided's reads leave a transaction open, whose lock ALTER TABLE would wait for
    return sum(cpu_since(st, before))


def pipeline(st: embedded.ServerStatus, url: str, admin: Conn) -> tuple[list[str], Ratio]:
    """ROUNDS pairs of batches (on, off, off, on, ...) through one running worker thread; CPU per task."""
    os.environ.update(DATABASE_URL=url, AICRM_SQL_DIR=str(ROOT / "sql"))
    options = worker_pool.WorkerOptions(concurrency=1, poll=0.2)
    pool = worker_pool.WorkerPool(Settings.from_env(), TemplateProvider(), options)
    cpu = {True: 0.0, False: 0.0}
    n = {True: 0, False: 0}
    rollup, pairs = 0.0, []
    with psycopg.connect(url) as conn:
        customers = seed_demo(conn)
        pool.start()
        try:
            batch(st, conn, customers, 10, 99, "warm")
            admin.execute("select aicrm.rollup_task_stats()")
            for r in range(ROUNDS):
                per_task = {}
                for on in (True, False) if r % 2 == 0 else (False, True):
                    set_summaries(admin, on)
                    used = batch(st, conn, customers, ROUND_TASKS, 40 + r, f"r{r}-{on}")  # the same tasks each way
                    if on:
                        folding = cpu_now(st)
                        admin.execute("select aicrm.rollup_task_stats()")
                        used += sum(cpu_since(st, folding))
                        rollup += sum(cpu_since(st, folding))
                    cpu[on] += used
                    n[on] += ROUND_TASKS
                    per_task[on] = used / ROUND_TASKS
                pairs.append(per_task[True] / per_task[False])
        finally:
            pool.stop()
            pool.join(60)
            set_summaries(admin, True)
    with_, without = cpu[True] / n[True], cpu[False] / n[False]
    lines = [
        f"(1) the pipeline with and without the summaries: {ROUNDS} pairs of batches of {ROUND_TASKS} tasks, "
        "taking turns (one running worker thread, template provider)",
        f"  CPU per task (create, work, and with the summaries the rollup): with {duration(with_)}, without "
        f"{duration(without)}: {with_ / without:.3f}x; the rollup {duration(rollup / n[True])} of it",
        "  with / without by pair of batches: "
        + ", ".join(f"{x:.3f}" for x in pairs)
        + f" (median {statistics.median(pairs):.3f})",
    ]
    ratio = Ratio("pipeline with summaries / without, CPU per task", with_, without, TARGET_PIPELINE,
                  "with", "without")  # fmt: skip
    return lines, ratio


# --- (2) the load ---------------------------------------------------------------------------------------

H, D = 3600.0, 86400.0
W = [("queued", 0.0, 0.0), ("gathering_context", 20.0, 0.0), ("generating", 1.0, 0.0), ("evaluating", 8.0, 0.0)]
RETRY = [("generating", 1.0, 0.0), ("evaluating", 8.0, 0.0)]
PUBLISH = [("publishing", 30.0, 0.0), ("delivered", 2.0, 0.0)]
AUTO = [("approved", 1.0, 0.0)]
MEASURED = [("measured", 0.0, 3 * D)]
REVIEW = [("awaiting_review", 1.0, 0.0)]
# (name, weight, steps after draft: (state entered, seconds of pipeline, seconds of people), the step
# at which a worker's failure is counted). A task's pipeline seconds scale by 0.5-1.5, its people's by
# 0.1-2; a step later than now is not taken yet.
PATHS: list[tuple[str, float, list[tuple[str, float, float]], int | None]] = [
    ("approved by the rules, measured", 30, W + AUTO + PUBLISH + MEASURED, None),
    ("approved by the rules", 15, W + AUTO + PUBLISH, None),
    ("retried, approved, measured", 12, W + RETRY + AUTO + PUBLISH + MEASURED, None),
    ("reviewed, approved", 12, W + REVIEW + [("approved", 0, 6 * H)] + PUBLISH, None),
    ("reviewed, rejected", 4, W + REVIEW + [("rejected", 0, 6 * H)], None),
    ("changes requested", 4, W + REVIEW + [("queued", 0, 6 * H)] + W[1:] + AUTO + PUBLISH, None),
    ("rejected by the rules", 5, [*W, ("rejected", 1, 0)], None),
    ("retried, rejected", 2, [*W, *RETRY, ("rejected", 1, 0)], None),
    ("retried twice, reviewed", 3, W + RETRY + RETRY + REVIEW + [("approved", 0, 6 * H)] + PUBLISH, None),
    ("escalated by the rules", 2, [*W, ("escalated", 1, 0), ("awaiting_review", 0, D), ("approved", 0, 6 * H),
                                   *PUBLISH], None),
    ("writer failed", 1.5, [*W[:3], ("escalated", 60, 0), ("cancelled", 0, D)], 4),
    ("failed once", 2, [*W[:3], ("queued", 30, 0), *W[1:], *AUTO, *PUBLISH, *MEASURED], 4),
    ("delivery failed", 0.5, W + AUTO + [("publishing", 30, 0), ("escalated", 300, 0), ("cancelled", 0, D)], None),
    ("never queued", 1, [], None),
    ("cancelled as a draft", 0.5, [("cancelled", 0, D)], None),
    ("cancelled in the queue", 1, [("queued", 0, 0), ("cancelled", 0, 2 * H)], None),
]  # fmt: skip


def path_rows() -> list[tuple[Any, ...]]:
    """(path, name, states, cumulative pipeline and people seconds, drafts written and entries into
    generating so far, failure step) per path."""
    rows = []
    for n, (name, _, steps, fail) in enumerate(PATHS, start=1):
        fast = slow = 0.0
        states: list[str] = []
        fasts: list[float] = []
        slows: list[float] = []
        drafts: list[int] = []
        attempts: list[int] = []
        for state, f, s in steps:
            fast, slow = fast + f, slow + s
            states.append(state)
            fasts.append(fast)
            slows.append(slow)
            drafts.append((drafts[-1] if drafts else 0) + (state == "evaluating"))
            attempts.append((attempts[-1] if attempts else 0) + (state == "generating"))
        rows.append((n, name, states, fasts, slows, drafts, attempts, fail))
    return rows


def path_bounds() -> str:
    total = sum(w for _, w, _, _ in PATHS)
    bounds, acc = [], 0.0
    for _, w, _, _ in PATHS:
        bounds.append(acc / total)
        acc += w
    return "array[" + ", ".join(f"{b:.6f}" for b in bounds) + "]::float8[]"


def at(k: str) -> str:
    """The time of step k of a plan row `pl` on path `p`."""
    return f"pl.created_at + (p.fast[{k}] * pl.f_fast + p.slow[{k}] * pl.f_slow) * interval '1 second'"


def actor(from_state: str, to_state: str) -> str:
    return f"""case
        when {to_state} = 'queued' and {from_state} = 'draft' then 'agency-app'
        when {from_state} = 'evaluating' and {to_state} <> 'queued' then 'rules'
        when {from_state} in ('awaiting_review', 'escalated') or {to_state} = 'cancelled' then 'reviewer@agency.example'
        when {to_state} in ('publishing', 'delivered') or {from_state} = 'publishing' then 'publisher-1'
        when {to_state} = 'measured' then 'feedback'
        else 'worker-' || (pl.g % 4 + 1) end"""


DRAFT_ID = "md5(pl.task_id::text || ':' || {v})::uuid"
CONTENT = (
    "'Hi {{{{first_name}}}}, ' || pl.topic || ' at ' || pl.customer_name || '. Draft ' || {v} || ' of task ' || pl.g"
    " || ': fresh news for you this week, and an offer for regulars. Reply to book.'"
)

STAGE_SQL = [
    "create schema aicrm_bench",
    "create unlogged table aicrm_bench.clock as select now() as now0",
    """create unlogged table aicrm_bench.paths (
        path int primary key, name text, states text[], fast float8[], slow float8[], drafts int[], attempts int[],
        fail_k int)""",
    "create unlogged table aicrm_bench.tenants (tn int primary key, tenant_id uuid, customers int)",
]
CUSTOMERS_SQL = """
create unlogged table aicrm_bench.customers as
select t.tn, n as cn, t.tenant_id, gen_random_uuid() as customer_id, gen_random_uuid() as project_id,
    (array['Sunrise', 'Harbor', 'Cedar', 'Golden', 'Evergreen', 'Summit', 'Juniper', 'Maple', 'Iron', 'Bright'])
        [1 + (n * 7 + t.tn) % 10]
    || ' ' || (array['Bakery', 'Dental', 'Fitness', 'Plumbing', 'Cafe', 'Salon', 'Realty', 'Garage'])
        [1 + (n + t.tn) % 8]
    || ' ' || n as name,
    i.industries[1 + (n + t.tn) % cardinality(i.industries)] as industry
from aicrm_bench.tenants t
cross join generate_series(1, t.customers) n
cross join (select array_agg(industry_category order by industry_category) as industries from aicrm.industries) i
"""
INSERT_CUSTOMERS_SQL = """
insert into aicrm.customers (tenant_id, customer_id, external_id, name, status, industry_category, website, email,
                             business_description)
select c.tenant_id, c.customer_id, 'bench-' || c.cn, c.name, 'active', c.industry,
    'https://customer' || c.tn || '-' || c.cn || '.example.com',
    'hello@customer' || c.tn || '-' || c.cn || '.example.com',
    'A neighbourhood business with loyal regulars.'
from aicrm_bench.customers c where c.tn = %(tn)s
"""
INSERT_PROJECTS_SQL = """
insert into aicrm.projects (tenant_id, project_id, customer_id, name, description)
select c.tenant_id, c.project_id, c.customer_id, 'Content', 'Content tasks created for the pipeline.'
from aicrm_bench.customers c where c.tn = %(tn)s
"""
# One row per task: who, what, when, which path and how far along it now is (kept: the steps taken).
PLAN_SQL = """
create unlogged table aicrm_bench.plan as
select b.*, c.tenant_id, c.customer_id, c.project_id, c.name as customer_name, gen_random_uuid() as task_id,
    ch.channel,
    case ch.channel when 'email' then case when b.u_type < 0.7 then 'email' else 'newsletter' end
        when 'social' then 'social_post' when 'sms' then 'sms' when 'blog' then 'blog_post' else 'landing_page'
    end as task_type,
    (array['holiday pre-orders are open', 'a workshop this Saturday', 'we have missed you', 'new evening hours',
           'how was your visit?', 'a free first visit', 'our spring menu', 'tips for the season'])
        [1 + b.g % 8] as topic,
    (select count(*)::int from generate_subscripts(p.states, 1) as k
     where b.created_at + (p.fast[k] * b.f_fast + p.slow[k] * b.f_slow) * interval '1 second' <= clk.now0) as kept
from (
    select g, least({tenants}, greatest(1, ceil((sqrt(1 + 4 * random() * {tenants} * ({tenants} + 1)) - 1) / 2)))::int
            as tn,
        random() as u_customer, random() as u_channel, random() as u_type,
        width_bucket(random(), {bounds}) as path, 0.5 + random() as f_fast, 0.1 + 1.9 * random() as f_slow,
        case when random() < 0.8 then 3 else 1 + floor(random() * 5)::int end as priority,
        (select now0 from aicrm_bench.clock) - interval '{days} days' * (1 - (g - random()) / {tasks}) as created_at
    from generate_series(1, {tasks}) g
) b
cross join aicrm_bench.clock clk
join aicrm_bench.paths p on p.path = b.path
join aicrm_bench.tenants t on t.tn = b.tn
join aicrm_bench.customers c on c.tn = b.tn and c.cn = 1 + floor(t.customers * power(b.u_customer, 1.5))::int
cross join lateral (
    select case when b.u_channel < 0.40 then 'email' when b.u_channel < 0.65 then 'social'
                when b.u_channel < 0.85 then 'sms' when b.u_channel < 0.95 then 'blog' else 'web' end as channel
) ch
order by b.tn, b.g
"""
NOW_STATE = "case when pl.kept = 0 then 'draft' else p.states[pl.kept] end"
LAST_AT = f"case when pl.kept = 0 then pl.created_at else {at('pl.kept')} end"
TASKS_SQL = f"""
insert into aicrm.project_tasks (
    tenant_id, task_id, project_id, customer_id, title, task_type, channel, priority, created_at, updated_at,
    ai_instructions, execution_state, attempts, failures, blockers, state_changed_at, idempotency_key, request_hash,
    lease_holder, lease_token, lease_until, available_at)
select pl.tenant_id, pl.task_id, pl.project_id, pl.customer_id,
    left(format('%s for %s: %s', replace(pl.task_type, '_', ' '), pl.customer_name, pl.topic), 300),
    pl.task_type, pl.channel, pl.priority, pl.created_at, s.last_at,
    jsonb_build_object('topic', pl.topic, 'output_type', pl.task_type),
    s.state, coalesce(p.attempts[pl.kept], 0), (pl.kept >= coalesce(p.fail_k, 1000))::int,
    case when s.state in ('awaiting_review', 'escalated') then jsonb_build_array(jsonb_build_object(
        'state', s.state, 'actor', {actor("coalesce(p.states[pl.kept - 1], 'draft')", "s.state")},
        'reason', 'bench', 'since', s.last_at)) else '[]' end,
    s.last_at, 'bench:' || pl.g, md5(pl.g::text),
    case when s.leased then 'worker-' || (pl.g % 4 + 1) end, case when s.leased then gen_random_uuid() end,
    case when s.leased then s.last_at + interval '5 minutes' end, pl.created_at
from aicrm_bench.plan pl
join aicrm_bench.paths p on p.path = pl.path
cross join lateral (
    select {NOW_STATE} as state, {LAST_AT} as last_at,
        {NOW_STATE} in ('gathering_context', 'generating', 'evaluating') as leased
) s
"""
TRANSITIONS_SQL = f"""
insert into aicrm.task_state_transitions (tenant_id, task_id, from_state, to_state, actor, reason, details, created_at)
select pl.tenant_id, pl.task_id, s.from_state, s.to_state, {actor("s.from_state", "s.to_state")},
    case when s.from_state = 'draft' and s.to_state = 'queued' then 'created' else r.description end,
    case when 'evaluating' in (s.from_state, s.to_state) then jsonb_build_object(
        'deliverable_id', {DRAFT_ID.format(v="p.drafts[k]")}, 'version', p.drafts[k]) else '{{}}' end,
    s.at
from aicrm_bench.plan pl
join aicrm_bench.paths p on p.path = pl.path
cross join lateral generate_series(1, pl.kept) k
cross join lateral (select coalesce(p.states[k - 1], 'draft') as from_state, p.states[k] as to_state, {at("k")} as at) s
join aicrm.task_state_transition_rules r on r.from_state = s.from_state and r.to_state = s.to_state
"""
# A draft per entry into evaluating; scored when the rules decided (the next step), as record_evaluation
# does; its status as sync_deliverable_status leaves it.
DRAFTS_SQL = f"""
insert into aicrm.project_deliverables (
    tenant_id, deliverable_id, task_id, version, subject, content, content_format, status, created_by, created_at,
    updated_at, content_quality, quality_score, quality_passed, evaluated_at, success_evaluation, idempotency_key,
    provenance)
select pl.tenant_id, {DRAFT_ID.format(v="p.drafts[k]")}, pl.task_id, p.drafts[k],
    case when pl.channel = 'email' then left(pl.topic || ' at ' || pl.customer_name, 300) end,
    {CONTENT.format(v="p.drafts[k]")}, 'text',
    case when p.drafts[k] < p.drafts[pl.kept] then 'rejected'
        when p.states[pl.kept] in ('delivered', 'measured') then 'published'
        when p.states[pl.kept] in ('approved', 'publishing') then 'approved'
        when p.states[pl.kept] = 'escalated' and 'publishing' = any(p.states[:pl.kept]) then 'approved'
        when p.states[pl.kept] in ('evaluating', 'awaiting_review', 'escalated') then 'draft'
        else 'rejected' end,
    'worker-' || (pl.g % 4 + 1), s.at, coalesce(e.at, s.at),
    case when e.q is not null then jsonb_build_object('overall', e.q, 'passed', e.q >= 70, 'confidence', 0.85,
        'summary', 'bench', 'violations', '[]'::jsonb, 'fixes', '[]'::jsonb) end,
    e.q, e.q >= 70, e.at,
    case when e.q is not null then jsonb_build_object('action', jsonb_build_object('type', e.action), 'rule', null,
        'explanation', 'bench: ' || e.action) end,
    'draft:' || pl.task_id || ':' || p.drafts[k],
    jsonb_build_object('model', 'gpt-4o-mini', 'context_version', 1, 'prompt_tokens', 700 + pl.g % 400,
        'completion_tokens', 150 + pl.g % 250)
    || case when pl.g % 33 = 0 then '{{}}'::jsonb
            else jsonb_build_object('cost_usd', round((0.00025 + (pl.g % 97) * 0.000004)::numeric, 6)) end
from aicrm_bench.plan pl
join aicrm_bench.paths p on p.path = pl.path
cross join lateral generate_series(1, pl.kept) k
cross join lateral (select {at("k")} as at) s
left join lateral (
    select {at("k + 1")} as at,
        round((case p.states[k + 1] when 'approved' then 82 + 12 * random()
            when 'awaiting_review' then 68 + 10 * random() when 'generating' then 50 + 15 * random()
            when 'rejected' then 30 + 15 * random()
            else 40 + 20 * random() end)::numeric, 1) as q,
        case p.states[k + 1] when 'approved' then 'approve' when 'awaiting_review' then 'review'
            when 'generating' then 'retry' when 'rejected' then 'reject' else 'escalate' end as action
    where k < pl.kept
) e on true
where p.states[k] = 'evaluating'
"""
OUTBOX_SQL = f"""
insert into aicrm.outbox (tenant_id, outbox_id, task_id, deliverable_id, channel, payload, status, attempts,
                          available_at, lease_holder, lease_token, lease_until, last_error, created_at, delivered_at)
select pl.tenant_id, md5(pl.task_id::text || ':outbox')::uuid, pl.task_id, {DRAFT_ID.format(v="p.drafts[x.ka]")},
    pl.channel,
    jsonb_build_object('tenant_id', pl.tenant_id, 'task_id', pl.task_id,
        'deliverable_id', {DRAFT_ID.format(v="p.drafts[x.ka]")}, 'version', p.drafts[x.ka],
        'customer_id', pl.customer_id, 'customer_name', pl.customer_name, 'channel', pl.channel,
        'task_type', pl.task_type, 'title', pl.topic, 'content', {CONTENT.format(v="p.drafts[x.ka]")},
        'content_format', 'text', 'approved_by', 'rules', 'approved_at', {at("x.ka")},
        'merge_tags', '["first_name"]'::jsonb),
    x.status, (x.status <> 'pending')::int, {at("x.ka")},
    case when x.status = 'delivering' then 'publisher-1' end,
    case when x.status = 'delivering' then gen_random_uuid() end,
    case when x.status = 'delivering' then {at("x.kp")} + interval '60 seconds' end,
    case when x.status = 'failed' then '{{"status": 410}}'::jsonb end,
    {at("x.ka")}, case when x.status = 'delivered' then {at("x.kd")} end
from aicrm_bench.plan pl
join aicrm_bench.paths p on p.path = pl.path
cross join lateral (
    select y.*, case when y.kd <= pl.kept then 'delivered' when y.kp = pl.kept then 'delivering'
                     when y.kp < pl.kept then 'failed' else 'pending' end as status
    from (select array_position(p.states, 'approved') as ka, array_position(p.states, 'publishing') as kp,
                 array_position(p.states, 'delivered') as kd) y
) x
where x.ka <= pl.kept
"""
DELIVERIES_SQL = """
insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, target, status,
                              response, delivered_by, created_at)
select o.tenant_id, o.outbox_id, o.task_id, o.deliverable_id, 1, 'webhook', 'https://hooks.example.com/in',
    case when o.status = 'delivered' then 'delivered' else 'failed' end,
    case when o.status = 'delivered' then '{"status": 200}'::jsonb else o.last_error end,
    'publisher-1', coalesce(o.delivered_at, o.created_at + interval '30 seconds')
from aicrm.outbox o
where o.status in ('delivered', 'failed') and o.tenant_id in (select t.tenant_id from aicrm_bench.tenants t)
"""
ANALYZED = ("project_tasks", "project_deliverables", "task_state_transitions", "outbox", "deliveries", "customers",
            "projects", "task_state_counts", "task_stats_hourly", "task_ttc_hourly", "task_stat_events")  # fmt: skip


def timed(label: str, log: list[str], fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    out = fn()
    log.append(f"  {label:58} {time.perf_counter() - started:7.1f} s")
    print(log[-1], flush=True)
    return out


def load(admin: Conn, url: str, tasks: int, tenants: int) -> tuple[list[str], list[tuple[int, str, int, int]]]:
    """The load described in the module's docstring; (the lines to print, (tn, tenant, tasks, customers)
    per tenant)."""
    log: list[str] = []
    started = time.perf_counter()
    print(f"\n(2) the load: {tasks:,} tasks in {tenants} tenants", flush=True)
    for statement in STAGE_SQL:
        admin.execute(statement)
    with admin.cursor() as cur:
        cur.executemany(
            "insert into aicrm_bench.paths values (%s, %s, %s::text[], %s::float8[], %s::float8[], %s::int[],"
            " %s::int[], %s)",
            path_rows(),
        )
    expected = [tasks * 2 * tn / (tenants * (tenants + 1)) for tn in range(1, tenants + 1)]

    def make_tenants() -> None:
        for tn in range(1, tenants + 1):
            [(tenant,)] = admin.execute("select aicrm.create_tenant(%s)", (f"Agency {tn:03d}",)).fetchall()
            customers = max(5, round(expected[tn - 1] / TASKS_PER_CUSTOMER))
            admin.execute("insert into aicrm_bench.tenants values (%s, %s, %s)", (tn, tenant, customers))

    def make_customers() -> None:
        admin.execute(CUSTOMERS_SQL)
        for tn in range(1, tenants + 1):
            with admin.transaction():
                admin.execute("select set_config('aicrm.tenant_id', tenant_id::text, true) from aicrm_bench.tenants"
                              " where tn = %(tn)s", {"tn": tn})  # fmt: skip
                admin.execute(INSERT_CUSTOMERS_SQL, {"tn": tn})
                admin.execute(INSERT_PROJECTS_SQL, {"tn": tn})

    timed(f"{tenants} tenants (aicrm.create_tenant)", log, make_tenants)
    timed("customers and projects, every trigger on", log, make_customers)
    plan = PLAN_SQL.format(tenants=tenants, tasks=tasks, days=DAYS, bounds=path_bounds())
    timed("plan: each task's tenant, customer, path, time", log, lambda: admin.execute(plan))
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        timed("tasks (triggers and foreign-key checks off)", log, lambda: admin.execute(TASKS_SQL))
        timed("their transitions", log, lambda: admin.execute(TRANSITIONS_SQL))
        timed("their drafts", log, lambda: admin.execute(DRAFTS_SQL))
        timed("the outbox and deliveries of approved drafts", log,
              lambda: (admin.execute(OUTBOX_SQL), admin.execute(DELIVERIES_SQL)))  # fmt: skip
    rows = admin.execute(
        "select t.tn, t.tenant_id::text, count(pl.g)::int, t.customers from aicrm_bench.tenants t"
        " left join aicrm_bench.plan pl on pl.tn = t.tn group by t.tn, t.tenant_id, t.customers order by t.tn"
    ).fetchall()

    def rebuild(share: list[str]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for tenant in share:
                with conn.transaction():
                    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
                    conn.execute("select aicrm_private.rebuild_task_stats()")

    # Tenant by tenant, on REBUILDERS connections at once (the largest first, dealt round the connections).
    biggest = [r[1] for r in sorted(rows, key=lambda r: -int(r[2]))]
    with ThreadPoolExecutor(REBUILDERS) as pool:
        shares = [biggest[i::REBUILDERS] for i in range(REBUILDERS)]
        timed(f"aicrm_private.rebuild_task_stats(), {REBUILDERS} tenants at a time", log,
              lambda: list(pool.map(rebuild, shares)))  # fmt: skip
    admin.execute("drop schema aicrm_bench cascade")
    timed("vacuum (analyze), as autovacuum would leave the tables", log,
          lambda: [admin.execute(f"vacuum (analyze) aicrm.{t}") for t in ANALYZED])  # fmt: skip
    counts = admin.execute(
        "select (select count(*) from aicrm.project_tasks), (select count(*) from aicrm.task_state_transitions),"
        " (select count(*) from aicrm.project_deliverables), (select count(*) from aicrm.outbox),"
        " (select count(*) from aicrm.task_stats_hourly), pg_size_pretty(pg_database_size(current_database()))"
    ).fetchone()
    assert counts is not None
    log.append(f"  generated in {time.perf_counter() - started:.0f} s: {counts[0]:,} tasks, {counts[1]:,} transitions, "
               f"{counts[2]:,} drafts, {counts[3]:,} outbox rows; {counts[4]:,} hourly summary rows; "
               f"database {counts[5]}")  # fmt: skip
    print(log[-1], flush=True)
    states = admin.execute(
        "select execution_state, count(*) from aicrm.project_tasks group by 1 order by 2 desc"
    ).fetchall()
    log.append("  states now: " + ", ".join(f"{s} {n / counts[0]:.2%}" for s, n in states))
    return log, [(int(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]


# --- (3) the reads ----------------------------------------------------------------------------------------

STATE_COLUMNS = ("draft", "queued", "working", "awaiting_review", "escalated", "approved", "publishing", "delivered",
                 "measured", "rejected", "cancelled")  # fmt: skip
WORKING = ("gathering_context", "generating", "evaluating")
TRUTH_SQL = """
select customer_id::text, channel, case when execution_state = any(%s) then 'working' else execution_state end,
    count(*)
from aicrm.project_tasks group by 1, 2, 3
"""


def dashboard_counts(app: Conn) -> dict[tuple[str, str, str], int]:
    cols = ", ".join(STATE_COLUMNS)
    out = {}
    for row in app.execute(f"select customer_id::text, channel, {cols} from aicrm.ai_operations_dashboard").fetchall():
        for state, n in zip(STATE_COLUMNS, row[2:], strict=True):
            if n:
                out[(row[0], row[1], state)] = int(n)
    return out


def truth(app: Conn) -> dict[tuple[str, str, str], int]:
    return {(r[0], r[1], r[2]): int(r[3]) for r in app.execute(TRUTH_SQL, (list(WORKING),)).fetchall()}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def time_reads(app: Conn, queries: dict[str, tuple[str, Callable[[int], tuple[Any, ...]]]]) -> dict[str, list[float]]:
    """READS rounds, each query once a round in turn; seconds per read (execute and fetch all)."""
    times: dict[str, list[float]] = {name: [] for name in queries}
    for i in range(READS + 5):
        for name, (query, params) in queries.items():
            started = time.perf_counter()
            app.execute(query, params(i), prepare=True).fetchall()
            if i >= 5:  # the first reads plan and warm the cache
                times[name].append(time.perf_counter() - started)
    return times


def plan_summary(app: Conn, view: str) -> tuple[list[str], list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of a read of the view: its top line, its times, the number of plan
    lines; and the task tables it reads."""
    plan = [r[0] for r in app.execute(f"explain (analyze, buffers) select * from aicrm.{view}").fetchall()]
    text = "\n".join(plan)
    tables = sorted({t for t in TASK_TABLES if re.search(rf"\b{t}\b", text)})
    times = [line.strip() for line in plan if line.strip().startswith(("Planning Time", "Execution Time"))]
    shown = [plan[0].strip(), *times]
    buffers = next((line.strip() for line in plan[1:4] if line.strip().startswith("Buffers")), "")
    return [*shown, buffers, f"{len(plan)} plan lines"], tables


def read_tenant(url: str, tenant: str, alerts: bool) -> dict[str, Any]:
    """As aicrm_app in `tenant`: the reads settled, then with the pending events, then after the rollup."""
    out: dict[str, Any] = {}
    with psycopg.connect(url, autocommit=True) as app:
        app.execute("set role aicrm_app")
        app.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        ids = [r[0] for r in app.execute("select task_id from aicrm.project_tasks order by task_id limit %s",
                                         (READS + 5,)).fetchall()]  # fmt: skip
        queries: dict[str, tuple[str, Callable[[int], tuple[Any, ...]]]] = {
            "ai_operations_dashboard": ("select * from aicrm.ai_operations_dashboard", lambda i: ()),
            "pk": ("select * from aicrm.project_tasks where task_id = %s", lambda i: (ids[i % len(ids)],)),
            "states": ("select execution_state, count(*) from aicrm.project_tasks group by 1", lambda i: ()),
        }
        if alerts:
            queries["ai_alerts"] = ("select * from aicrm.ai_alerts", lambda i: ())
        out["rows"] = len(app.execute("select * from aicrm.ai_operations_dashboard").fetchall())
        out["settled"] = time_reads(app, queries)
        out["exact_settled"] = dashboard_counts(app) == truth(app)
        out["plan"], out["plan_tables"] = plan_summary(app, "ai_operations_dashboard")
        if alerts:
            out["alerts_plan"], out["alerts_tables"] = plan_summary(app, "ai_alerts")
        # The pending events: what the app's own calls leave for the rollup, with the triggers on.
        customers = [r[0] for r in app.execute("select customer_id from aicrm.customers order by 1").fetchall()]
        new = []
        for n in range(NEW_TASKS):
            [(made,)] = app.execute(
                "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
                " p_idempotency_key => %s)",
                (customers[n % len(customers)], ("email", "social", "sms")[n % 3],
                 Jsonb({"topic": "our spring menu"}), f"pending:{n}"),
            ).fetchall()  # fmt: skip
            new.append(made["task_id"])
        for task in new[:CANCELLED]:
            app.execute("select aicrm.transition_task_state(%s, 'cancelled', 'reviewer@agency.example')", (task,))
        [(out["pending_events"],)] = app.execute("select count(*) from aicrm.task_stat_events").fetchall()
        out["pending"] = time_reads(app, queries)
        pending_counts = dashboard_counts(app)
        out["exact_pending"] = pending_counts == truth(app)
        out["pending_plan"], _ = plan_summary(app, "ai_operations_dashboard")
    with psycopg.connect(url, autocommit=True) as admin:
        [(out["folded"],)] = admin.execute("select aicrm.rollup_task_stats()").fetchall()
    with psycopg.connect(url, autocommit=True) as app:
        app.execute("set role aicrm_app")
        app.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        out["exact_rolled_up"] = dashboard_counts(app) == pending_counts == truth(app)
    return out


HISTORY_CHECK_SQL = """
with h as (
    select tr.task_id, tr.from_state, tr.to_state,
        lag(tr.to_state) over (partition by tr.task_id order by tr.transition_id) as before,
        row_number() over (partition by tr.task_id order by tr.transition_id desc) as from_end
    from aicrm.task_state_transitions tr
)
select
    (select count(*) from h where (h.before is null and h.from_state <> 'draft') or h.before <> h.from_state),
    (select count(*) from h join aicrm.project_tasks t using (task_id) where h.from_end = 1
        and t.execution_state <> h.to_state),
    (select count(*) from aicrm.project_tasks t where t.execution_state <> 'draft'
        and not exists (select from h where h.task_id = t.task_id))
"""


def histories_chain(url: str, tenant: str) -> bool:
    """The tenant's loaded histories: each a chain from draft, ending in the task's state."""
    with psycopg.connect(url, autocommit=True) as app:
        app.execute("set role aicrm_app")
        app.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        row = app.execute(HISTORY_CHECK_SQL).fetchone()
    return row is not None and tuple(row) == (0, 0, 0)


def read_lines(label: str, reads: dict[str, Any], alerts: bool) -> tuple[list[str], list[Ratio]]:
    names = [("ai_operations_dashboard", "ai_operations_dashboard")]
    if alerts:
        names.append(("ai_alerts", "ai_alerts"))
    lines = [f"  {label}: {reads['rows']} dashboard rows; p50, p95 of {READS} reads from the client"]
    lines.append(f"  {'':44} {'p50':>9} {'p95':>9} {'p95 / point lookup p95':>24}")
    ratios = []
    base = p95(reads["settled"]["pk"])
    for when, title in (("settled", "all rolled up"), ("pending", f"{reads['pending_events']} events pending")):
        for key, name in names:
            t = reads[when][key]
            lines.append(f"  {name + ', ' + title:44} {duration(statistics.median(t)):>9} {duration(p95(t)):>9} "
                         f"{p95(t) / base:23.1f}x")  # fmt: skip
            ratios.append(Ratio(f"{name}, {label}, {title}: p95 / the issue's target", p95(t), TARGET_P95, 1.0,
                                "p95", "target"))  # fmt: skip
    for key, name in (("pk", "baseline: point lookup of a task"), ("states", "tasks per state from project_tasks")):
        t = reads["settled"][key]
        lines.append(f"  {name:44} {duration(statistics.median(t)):>9} {duration(p95(t)):>9} {p95(t) / base:23.1f}x")
    return lines, ratios


def reads(url: str, tenants: list[tuple[int, str, int, int]]) -> tuple[list[str], list[Ratio], list[tuple[str, bool]]]:
    with psycopg.connect(url, autocommit=True) as admin:
        [(present,)] = admin.execute("select to_regclass('aicrm.ai_alerts') is not null").fetchall()
    by_size = sorted(tenants, key=lambda t: t[2])
    median, largest = by_size[len(by_size) // 2], by_size[-1]
    lines = ["\n(3) reads as aicrm_app, one tenant at a time"]
    if not present:
        lines.append("  ai_alerts: not present, skipped")
    ratios: list[Ratio] = []
    checks: list[tuple[str, bool]] = []
    for label, (tn, tenant, n, customers) in (("median tenant", median), ("largest tenant", largest)):
        got = read_tenant(url, tenant, present)
        more, judged = read_lines(f"{label} (Agency {tn:03d}: {n:,} tasks, {customers} customers)", got, present)
        lines += more
        if label == "median tenant":
            ratios += judged
            lines.append("  its plan, settled: " + "; ".join(got["plan"]))
            lines.append("  its plan, events pending: " + "; ".join(got["pending_plan"]))
            if present:
                lines.append("  ai_alerts' plan: " + "; ".join(got["alerts_plan"])
                             + f"; task tables read: {', '.join(got['alerts_tables']) or 'none'}")  # fmt: skip
            checks += [
                ("the loaded histories of the median tenant chain from draft to each task's state",
                 histories_chain(url, tenant)),
                ("the dashboard's plan reads none of " + ", ".join(TASK_TABLES), not got["plan_tables"]),
            ]  # fmt: skip
        else:
            lines.append("  (the largest tenant's p95: an indication, not judged)")
        checks += [
            (f"{label}: the dashboard's task counts equal the tasks', settled", got["exact_settled"]),
            (f"{label}: ... with {got['pending_events']} events pending", got["exact_pending"]),
            (f"{label}: ... after the rollup folded {got['folded']} events", got["exact_rolled_up"]),
        ]
    return lines, ratios, checks


def run(st: embedded.ServerStatus, tasks: int, tenants: int, pinned: str) -> bool:
    url = embedded.conninfo(st, embedded.SUPERUSER, DATABASE)
    with psycopg.connect(url, autocommit=True) as admin:
        migrate(admin, ROOT / "sql")
        [(version,)] = admin.execute("show server_version").fetchall()
        print(f"PostgreSQL {version}; {pinned}; fsync and synchronous_commit off\n", flush=True)
        pipeline_lines, pipeline_ratio = pipeline(st, url, admin)
        print("\n".join(pipeline_lines), flush=True)
        _, loaded = load(admin, url, tasks, tenants)
    read_out, ratios, checks = reads(url, loaded)
    print("\n".join(read_out))
    return verdict([*ratios, pipeline_ratio], checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=TASKS, help=f"tasks to load (default {TASKS:,})")
    parser.add_argument("--tenants", type=int, default=TENANTS, help=f"tenants to load them into (default {TENANTS})")
    args = parser.parse_args()
    pinned = pin()
    return on_throwaway_server("dashboard", DATABASE, SERVER_SETTINGS,
                               lambda pgdata, st: run(st, args.tasks, args.tenants, pinned))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
