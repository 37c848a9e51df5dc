"""aicrm.ai_operations_dashboard (docs/operations.md, "The operations dashboard"): per customer and
channel, what is in each state and how the pipeline decided, from summaries the pipeline's own writes
keep; the same figures before and after the job rollup-task-stats folds the events, and the same as
derived afresh from the history; a tenant sees its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call
from tests.samples import GOOD_EMAIL
from tests.tasks import (
    always_decide,
    claim_task,
    create_task,
    in_review,
    record_evaluation,
    review,
    start_generating,
    submit_draft,
    tamper,
)

Conn = psycopg.Connection[Any]
COUNTS = ("draft", "queued", "working", "awaiting_review", "escalated", "approved", "rejected", "cancelled")


def dashboard(conn: Conn, tenant: str, role: str = "aicrm_app") -> dict[tuple[str, str], dict[str, Any]]:
    """The tenant's dashboard rows as its app reads them, by (customer, channel)."""
    with act_as(conn, tenant, role):
        cur = conn.execute("select * from aicrm.ai_operations_dashboard")
        names = [c.name for c in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {(str(r["customer_id"]), r["channel"]): r for r in rows}


def rollup(conn: Conn) -> int:
    """The job as the scheduler runs it: the owner, no tenant set."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    row = conn.execute("select aicrm.rollup_task_stats()").fetchone()
    assert row is not None
    return int(row[0])


def pending(conn: Conn, tenant: str) -> int:
    return int(call(conn, tenant, "select count(*) from aicrm.task_stat_events", role="aicrm_app"))


def auto_approved(conn: Conn, tenant: str, customer: str) -> str:
    """A task the rules approved on its first draft (a rule that approves everything)."""
    task = create_task(conn, tenant, customer)
    got = claim_task(conn, tenant=tenant)
    start_generating(conn, tenant, task, got["lease_token"])
    draft = submit_draft(conn, tenant, task, got["lease_token"], GOOD_EMAIL)["deliverable_id"]
    record_evaluation(conn, tenant, draft, GOOD_EMAIL, got["lease_token"])
    return task


def a_mix(conn: Conn, tenant: str, customer: str) -> dict[str, str]:
    """Tasks in several states: two queued (one sms), one auto-approved, one in review, one a
    person approved after review, one cancelled."""
    always_decide(conn, tenant, "approve")
    tasks = {"approved_by_rules": auto_approved(conn, tenant, customer)}
    with act_as(conn, tenant):
        conn.execute("delete from aicrm.ai_decision_rules where name = 'Always approve'")
    tasks["in_review"] = in_review(conn, tenant, customer)[0]
    reviewed, draft = in_review(conn, tenant, customer)
    review(conn, tenant, draft, 1, "approve")
    tasks["approved_by_person"] = reviewed
    tasks["queued"] = create_task(conn, tenant, customer)
    tasks["queued_sms"] = create_task(conn, tenant, customer, channel="sms")
    cancelled = create_task(conn, tenant, customer)
    call(
        conn,
        tenant,
        "select aicrm.transition_task_state(%s, 'cancelled', 'ana@agency', 'not needed')",
        (cancelled,),
        "aicrm_app",
    )
    tasks["cancelled"] = cancelled
    return tasks


def test_it_counts_each_state_and_the_decisions_per_customer_and_channel(db: Conn, tenant: str, customer: str) -> None:
    a_mix(db, tenant, customer)
    rows = dashboard(db, tenant)
    assert set(rows) == {(customer, "email"), (customer, "sms")}
    email = rows[(customer, "email")]
    assert {k: email[k] for k in COUNTS} == {
        "draft": 0,
        "queued": 1,
        "working": 0,
        "awaiting_review": 1,
        "escalated": 0,
        "approved": 2,
        "rejected": 0,
        "cancelled": 1,
    }
    assert email["customer_name"] == "Sunrise Bakery"
    assert email["waiting_for_people"] == 1
    # three tasks finished writing: one approved by the rules, two sent to a person
    assert email["outcomes_7d"] == 3
    assert float(email["auto_approval_rate"]) == round(1 / 3, 4)
    assert float(email["review_rate"]) == round(2 / 3, 4)
    assert float(email["escalation_rate"]) == 0
    assert (email["approved_24h"], email["approved_7d"]) == (2, 2)  # two entries into approved
    assert float(email["approved_per_hour"]) == round(2 / 24, 2)
    assert email["created_24h"] == 5
    assert float(email["target_review_rate"]) == 0.15
    assert float(email["autonomy_gap"]) == round(2 / 3 - 0.15, 4)
    # the rules' approval is a scored draft; the drafts sent to review by hand were not scored
    assert email["avg_quality_7d"] is not None
    assert 0 < email["avg_quality_7d"] <= 100
    assert email["time_to_content_p50"] is not None
    assert email["time_to_content_p50"] < timedelta(minutes=1)
    assert email["drafts_7d"] == 3
    sms = rows[(customer, "sms")]
    assert (sms["queued"], sms["outcomes_7d"], sms["auto_approval_rate"]) == (1, 0, None)


def test_the_figures_are_the_same_before_and_after_the_rollup_and_as_rebuilt_from_the_history(
    db: Conn, tenant: str, customer: str
) -> None:
    a_mix(db, tenant, customer)
    before = dashboard(db, tenant)
    assert pending(db, tenant) > 0
    assert rollup(db) > 0
    assert pending(db, tenant) == 0
    assert dashboard(db, tenant) == before
    assert rollup(db) == 0  # nothing left: a second run folds nothing
    assert dashboard(db, tenant) == before
    # more work after a rollup adds to the summaries
    create_task(db, tenant, customer)
    after = dashboard(db, tenant)[(customer, "email")]
    assert after["queued"] == before[(customer, "email")]["queued"] + 1
    rollup(db)
    assert dashboard(db, tenant)[(customer, "email")] == after
    # derived afresh from the tasks, transitions and drafts: the same figures
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    row = db.execute("select aicrm_private.rebuild_task_stats()").fetchone()
    assert row is not None
    assert row[0] == 7
    assert dashboard(db, tenant)[(customer, "email")] == after


def test_a_task_moved_to_another_channel_leaves_one_count_for_the_other(db: Conn, tenant: str, customer: str) -> None:
    task = create_task(db, tenant, customer)
    tamper(db, tenant, task, "channel = 'social'")
    rows = dashboard(db, tenant)
    assert rows[(customer, "social")]["queued"] == 1
    assert (customer, "email") not in rows  # no task left there, and no decision or draft
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute("delete from aicrm.project_tasks where task_id = %s", (task,))
    assert dashboard(db, tenant).get((customer, "social"), {}).get("queued", 0) == 0


def test_a_concurrent_rollup_skips_what_another_is_folding(db: Conn, db_url: str, tenant: str, customer: str) -> None:
    """Two runs of the job at once never count an event twice: the second skips the events the first
    holds."""
    del db, tenant, customer
    with psycopg.connect(db_url) as setup:
        t = make_tenant(setup, "Rollup Co")
        c = make_customer(setup, t)
        for _ in range(3):
            create_task(setup, t, c)
        setup.commit()
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        assert rollup(first) >= 3  # holds its events until it commits
        assert rollup(second) == 0
        first.commit()
        second.commit()
    with psycopg.connect(db_url) as check:
        assert dashboard(check, t)[(c, "email")]["queued"] == 3
        assert rollup(check) == 0


def test_a_tenant_sees_only_its_own(db: Conn, tenant: str, customer: str) -> None:
    a_mix(db, tenant, customer)
    other = make_tenant(db, "Other Agency")
    assert dashboard(db, other) == {}
    assert dashboard(db, tenant, "aicrm_readonly") == dashboard(db, tenant)
    rollup(db)
    assert dashboard(db, other) == {}
    for table in ("task_stat_events", "task_state_counts", "task_stats_hourly", "task_ttc_hourly"):
        assert call(db, other, f"select count(*) from aicrm.{table}", role="aicrm_app") == 0
