"""What the model spent: task_costs (per task, the sums of its drafts' provenance) and
llm_usage_daily (per customer and day), with values that are missing or not numbers counted as
missing rather than failing the view, a person's edit kept apart, tenant isolation, and one task
read through the indexes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant, make_world
from tests.helpers import act_as, call, sql_error
from tests.samples import BAKERY, GOOD_EMAIL, SUBJECT, WEAK, WEAK_OTHER
from tests.tasks import SUBMIT, always_decide, claim_task, create_task, record_evaluation, start_generating

Conn = psycopg.Connection[Any]
OPENAI = {"provider": "openai", "model": "gpt-4o-mini", "worker": "host-1:4242/1"}
FIRST = {**OPENAI, "prompt_tokens": 812, "completion_tokens": 240, "cost_usd": 0.000266, "latency_ms": 2140.5}
RETRY = {**OPENAI, "model": "gpt-4o", "prompt_tokens": 1034, "completion_tokens": 251, "cost_usd": 0.005095}
THIRD = {**OPENAI, "prompt_tokens": 990, "completion_tokens": 233, "cost_usd": 0.000288, "latency_ms": 1873.25}
TEMPLATE = {"provider": "template", "model": "template-v1", "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0}
COLUMNS = (
    "drafts, edited_drafts, drafts_without_cost, providers, models, prompt_tokens, completion_tokens, total_tokens,"
    " cost_usd, latency_ms"
)


def work(db: Conn, tenant: str, customer: str, metas: list[dict[str, Any]]) -> str:
    """A task worked by a worker: one draft per meta, each but the last retried by the rules (a
    weak draft, then one with a doubled word), the last a good one, evaluated. Returns the task."""
    task = create_task(db, tenant, customer)
    token = claim_task(db, tenant=tenant)["lease_token"]
    start_generating(db, tenant, task, token)
    for n, meta in enumerate(metas, start=1):
        # (Each retried draft fails other checks than the one before it: the rules stop a rewrite
        # that changed nothing.)
        content = GOOD_EMAIL if n == len(metas) else (WEAK if n % 2 else WEAK_OTHER)
        draft = call(db, tenant, SUBMIT, (task, token, content, SUBJECT, Jsonb(meta), f"{task}:{n}"))
        got = record_evaluation(db, tenant, draft["deliverable_id"], content, token)
        if n < len(metas):
            assert got["task"]["execution_state"] == "generating", got["decision"]
    return task


def costs(db: Conn, tenant: str | None, task: str, role: str = "aicrm_app") -> tuple[Any, ...] | None:
    with act_as(db, tenant, role):
        return db.execute(f"select {COLUMNS} from aicrm.task_costs where task_id = %s", (task,)).fetchone()


def expected(*metas: dict[str, Any], edited: int = 0, without_cost: int = 0) -> tuple[Any, ...]:
    """The row the view must give for drafts with these (well-formed) metas."""

    def total(key: str) -> Any:
        return sum((Decimal(str(m[key])) for m in metas if m.get(key) is not None), Decimal(0))

    prompt, completion = int(total("prompt_tokens")), int(total("completion_tokens"))
    return (
        len(metas) + edited,
        edited,
        without_cost,
        sorted({m["provider"] for m in metas}),
        sorted({m["model"] for m in metas}),
        prompt,
        completion,
        prompt + completion,
        total("cost_usd"),
        total("latency_ms"),
    )


def test_a_task_costs_the_sum_of_its_drafts(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = work(db, tenant, customer, [FIRST, RETRY, THIRD])
    assert costs(db, tenant, task) == expected(FIRST, RETRY, THIRD)
    assert costs(db, tenant, task) == (
        3,
        0,
        0,
        ["openai"],
        ["gpt-4o", "gpt-4o-mini"],
        2836,
        724,
        3560,
        Decimal("0.005649"),
        Decimal("4013.75"),  # RETRY has no latency: it counts 0
    )
    with act_as(db, tenant):
        row = db.execute(
            "select customer_id::text, channel, execution_state, attempts, first_draft_at, last_draft_at"
            " from aicrm.task_costs where task_id = %s",
            (task,),
        ).fetchone()
    drafts = db.execute(
        "select min(created_at), max(created_at) from aicrm.project_deliverables where task_id = %s", (task,)
    ).fetchone()
    assert drafts is not None
    assert row == (customer, "email", "approved", 3, *drafts)


def test_a_task_without_drafts_has_no_row(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    assert costs(db, tenant, task) is None


def test_the_offline_writer_costs_nothing_and_an_unrecorded_cost_says_so(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    offline = work(db, tenant, customer, [TEMPLATE])
    assert costs(db, tenant, offline) == expected(TEMPLATE)  # cost 0, and every draft's cost recorded
    no_price = {**OPENAI, "prompt_tokens": 812, "completion_tokens": 240, "cost_usd": None, "latency_ms": 900}
    unpriced = work(db, tenant, customer, [no_price])
    assert costs(db, tenant, unpriced) == expected(no_price, without_cost=1)
    bare = work(db, tenant, customer, [{}])  # a worker of one's own that records nothing
    assert costs(db, tenant, bare) == (1, 0, 1, [], [], 0, 0, 0, 0, 0)


def test_values_that_are_not_numbers_count_as_missing(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    garbage = {
        "provider": 7,
        "model": {"name": "gpt-4o"},
        "prompt_tokens": "812",
        "completion_tokens": -3,
        "cost_usd": "0.5 USD",
        "latency_ms": True,
    }
    odd = {**OPENAI, "prompt_tokens": 12.5, "completion_tokens": 1e20, "cost_usd": -0.01, "latency_ms": -5}
    task = work(db, tenant, customer, [FIRST, garbage, odd])
    assert costs(db, tenant, task) == (
        3,
        0,
        2,  # the string and the negative cost
        ["openai"],
        ["gpt-4o-mini"],
        812,
        240,
        1052,
        Decimal("0.000266"),
        Decimal("2140.5"),
    )
    with act_as(db, tenant):  # the whole views still read
        assert db.execute("select count(*) from aicrm.task_costs").fetchone() == (1,)
        assert db.execute("select drafts, drafts_without_cost from aicrm.llm_usage_daily").fetchall() == [(3, 2)]


def test_a_persons_edit_is_a_draft_of_its_own_that_used_no_model(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "review")
    task = work(db, tenant, customer, [FIRST])
    with act_as(db, tenant):
        draft = db.execute("select deliverable_id from aicrm.review_queue where task_id = %s", (task,)).fetchone()
        assert draft is not None
        db.execute(
            "select aicrm.review_deliverable(p_deliverable_id => %s, p_version => 1, p_decision => 'approve',"
            " p_edited_content => %s, p_reviewer => 'ana@agency')",
            (draft[0], GOOD_EMAIL.replace("Bring a friend", "Bring two friends")),
        )
    assert costs(db, tenant, task) == expected(FIRST, edited=1)


def test_a_tenant_sees_only_its_own_costs(db: Conn) -> None:
    world = make_world(db)
    tasks = {}
    for tenant in (world.tenant_a, world.tenant_b):
        customer = make_customer(db, tenant, **BAKERY)
        tasks[tenant] = work(db, tenant, customer, [FIRST, THIRD])
    a, b = tasks[world.tenant_a], tasks[world.tenant_b]
    assert costs(db, world.tenant_a, a) == expected(FIRST, THIRD)
    assert costs(db, world.tenant_a, b) is None
    assert costs(db, world.tenant_b, b) == expected(FIRST, THIRD)
    assert costs(db, world.tenant_a, a, role="aicrm_readonly") == expected(FIRST, THIRD)
    for view in ("task_costs", "llm_usage_daily"):
        query = f"select distinct tenant_id::text from aicrm.{view}"
        with act_as(db, world.tenant_a):
            assert db.execute(query).fetchall() == [(world.tenant_a,)], view
        with act_as(db, world.tenant_b, "aicrm_readonly"):
            assert db.execute(query).fetchall() == [(world.tenant_b,)], view
        with act_as(db, None):
            assert db.execute(query).fetchall() == [], view
        with act_as(db, world.tenant_a, "aicrm_worker"):
            assert sql_error(db, query).sqlstate == "42501", view
    # The world's own task: a draft the app inserted (no provenance), approved by a person.
    with act_as(db, world.tenant_a):
        row = db.execute(
            f"select {COLUMNS} from aicrm.task_costs where customer_id = %s", (world.customer_a,)
        ).fetchone()
    assert row == (1, 0, 1, [], [], 0, 0, 0, 0, 0)


def test_the_daily_rollup_bills_each_customer_by_the_day_its_drafts_were_written(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, bakery_customer = bakery
    cafe = make_customer(db, tenant, **{**BAKERY, "name": "Corner Cafe"})
    retried = work(db, tenant, bakery_customer, [FIRST, RETRY])
    work(db, tenant, bakery_customer, [THIRD])
    work(db, tenant, cafe, [TEMPLATE])
    # The retried task's first draft was written yesterday: set up as the superuser, in its tenant.
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute(
        "update aicrm.project_deliverables set created_at = created_at - interval '1 day'"
        " where task_id = %s and version = 1",
        (retried,),
    )
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    today = db.execute("select (now() at time zone 'UTC')::date").fetchone()
    assert today is not None
    with act_as(db, tenant):
        rows = db.execute(
            "select customer_id::text, today - day, tasks, drafts, drafts_without_cost, prompt_tokens,"
            " completion_tokens, total_tokens, cost_usd from aicrm.llm_usage_daily, (select %s::date as today) as d"
            " order by customer_id = %s, day",
            (today[0], cafe),
        ).fetchall()
        by_task = db.execute(
            "select customer_id::text, sum(drafts), sum(total_tokens), sum(cost_usd) from aicrm.task_costs"
            " group by 1 order by 1"
        ).fetchall()
        by_day = db.execute(
            "select customer_id::text, sum(drafts), sum(total_tokens), sum(cost_usd) from aicrm.llm_usage_daily"
            " group by 1 order by 1"
        ).fetchall()
        span = db.execute(
            "select last_draft_at - first_draft_at from aicrm.task_costs where task_id = %s", (retried,)
        ).fetchone()
    assert rows == [
        (bakery_customer, 1, 1, 1, 0, 812, 240, 1052, Decimal("0.000266")),  # yesterday: FIRST
        (bakery_customer, 0, 2, 2, 0, 2024, 484, 2508, Decimal("0.005383")),  # today: RETRY and THIRD
        (cafe, 0, 1, 1, 0, 0, 0, 0, Decimal("0.0")),
    ]
    assert by_day == by_task
    assert span == (timedelta(days=1),)


def test_reading_one_task_is_an_index_lookup(db: Conn, bakery: tuple[str, str]) -> None:
    """Thousands of drafts in two tenants: one task's row is read through the (tenant_id, task_id)
    indexes of both tables, never by scanning the drafts."""
    tenant, customer = bakery
    other = make_tenant(db, "Agency B")
    for owner, name in ((tenant, "Crowd Bakery"), (other, "Other Bakery")):
        crowd = make_customer(db, owner, name=name)
        with act_as(db, owner):
            project = db.execute(
                "insert into aicrm.projects (customer_id, name) values (%s, 'Bulk') returning project_id", (crowd,)
            ).fetchone()
            assert project is not None
            db.execute(
                "insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel)"
                " select %s, %s, 'Post ' || g, 'social_post', 'social' from generate_series(1, 1000) as g",
                (project[0], crowd),
            )
            db.execute(
                "insert into aicrm.project_deliverables (task_id, version, content)"
                " select t.task_id, v, 'Draft ' || v from aicrm.project_tasks as t"
                " cross join generate_series(1, 2) as v where t.customer_id = %s",
                (crowd,),
            )
    task = work(db, tenant, customer, [FIRST, THIRD])
    assert db.execute("select count(*) from aicrm.project_deliverables").fetchone() == (4002,)
    db.execute("analyze aicrm.project_tasks, aicrm.project_deliverables")
    query = sql.SQL("explain (format json) select * from aicrm.task_costs where task_id = {}").format(sql.Literal(task))
    with act_as(db, tenant):
        row = db.execute(query).fetchone()
    assert row is not None
    scans = list(scan_nodes(row[0][0]["Plan"]))
    assert {relation for kind, relation in scans if "Index" in kind} >= {"project_tasks", "project_deliverables"}
    assert [s for s in scans if s[0] == "Seq Scan"] == []
    assert costs(db, tenant, task) == expected(FIRST, THIRD)


def scan_nodes(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(node type, table) of every node of the plan that reads a table."""
    if "Relation Name" in plan:
        yield plan["Node Type"], plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from scan_nodes(child)
