"""What the selection tests start from: a promotion email template with variants, the bandit's
settings, a task's choice read through the draft brief (or the chooser), and a task written from
its chosen arm, reviewed, delivered and measured as the worker, a person, the publisher and the
app would do it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import act_as, call
from tests.samples import GOOD_EMAIL, SUBJECT
from tests.sql.learning.outcomes import metrics
from tests.tasks import claim_delivery, claim_task, create_task, record_delivery, review, start_generating, submit_draft

Conn = psycopg.Connection[Any]
BRIEF = "select aicrm.get_draft_brief(%s)"
PROMO = {"topic": "spring menu", "purpose": "promotion"}
CHOOSE = "select aicrm_private.choose_template_arm(%s, %s, %s, %s)"


def promo_template(conn: Conn, tenant: str, weights: dict[str, float] | None = None, name: str = "Promo") -> str:
    """A promotion email template of the tenant with variants (key: weight; a and b at 50 by
    default), the only active one (the library's are switched off); its id."""
    variants = [
        {"key": key, "subject": f"{key.upper()}: spring at {{{{business_name}}}}", "weight": weight}
        for key, weight in (weights or {"a": 50, "b": 50}).items()
    ]
    with act_as(conn, tenant):
        conn.execute("update aicrm.content_templates set active = false where name <> %s", (name,))
        row = conn.execute(
            "insert into aicrm.content_templates (name, purpose, channel, subject, body, variants) values "
            "(%s, 'promotion', 'email', 'Spring at {{business_name}}', 'Hello from {{business_name}}.', %s) "
            "returning template_id",
            (name, Jsonb(variants)),
        ).fetchone()
    assert row is not None
    return str(row[0])


def settings(conn: Conn, tenant: str, **values: Any) -> None:
    """The tenant's decision setting `selection` (the keys given; the defaults for the rest)."""
    call(conn, tenant, "select aicrm.set_decision_setting('selection', %s)", (Jsonb(values),), "aicrm_app")


def brief_choice(conn: Conn, tenant: str, task: str, role: str = "aicrm_worker") -> dict[str, Any]:
    """The brief's template (with its selection) for the task's next attempt."""
    return dict(call(conn, tenant, BRIEF, (task,), role)["template"])


def templates_of(conn: Conn, tenant: str, customer: str) -> Any:
    """The context's promotion email templates, as get_draft_brief hands them to the chooser."""
    query = "select aicrm.get_customer_context_for_ai(%s, null, 'email', 'promotion') -> 'templates'"
    return call(conn, tenant, query, (customer,), "aicrm_app")


def choices(conn: Conn, tenant: str, customer: str, n: int) -> Counter[str]:
    """n new promotion tasks' first choices, through the chooser (the brief's own call, without the
    rest of the brief): how many took each variant, and each reason as "reason:<reason>"."""
    templates = templates_of(conn, tenant, customer)
    seen: Counter[str] = Counter()
    for _ in range(n):
        task = create_task(conn, tenant, customer, instructions=PROMO)
        got = call(conn, tenant, CHOOSE, (task, 1, "promotion", Jsonb(templates)))
        seen[got["variant"] or "-"] += 1
        seen["reason:" + got["reason"]] += 1
    return seen


def delivered_task(
    conn: Conn, tenant: str, customer: str, *, delivered: int, clicks: int, decision: str = "approve"
) -> tuple[str, str]:
    """A promotion task whose brief chose its arm, then written, reviewed, delivered and measured
    (deliver): (task, the variant chosen)."""
    task = create_task(conn, tenant, customer, instructions=PROMO)
    variant = brief_choice(conn, tenant, task)["variant"]
    deliver(conn, tenant, task, delivered=delivered, clicks=clicks, decision=decision)
    return task, variant


def deliver(conn: Conn, tenant: str, task: str, *, delivered: int, clicks: int, decision: str = "approve") -> None:
    """The tenant's next queued task (`task`) claimed and written by the worker, reviewed by a person
    (`decision`) and, when approved, delivered by the publisher and measured through
    record_delivery_metrics (`delivered` recipients, `clicks` of them clicked)."""
    got = claim_task(conn, tenant=tenant)
    assert got["task_id"] == task
    start_generating(conn, tenant, task, got["lease_token"])
    draft = submit_draft(conn, tenant, task, got["lease_token"], GOOD_EMAIL, subject=SUBJECT, meta={})["deliverable_id"]
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    conn.execute(
        "select aicrm_private.transition_task(%s, 'awaiting_review', 'rules', 'low confidence', 'evaluating', '{}',"
        " 'record_evaluation')",
        (task,),
    )
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    review(conn, tenant, str(draft), 1, decision, reason=None if decision == "approve" else "Not our voice.")
    if decision == "approve":
        out = claim_delivery(conn)
        assert out is not None
        record_delivery(conn, tenant, out, True)
        row = conn.execute(
            "select delivery_id from aicrm.deliveries where outbox_id = %s and status = 'delivered'",
            (out["outbox_id"],),
        ).fetchone()
        assert row is not None
        counts = {"sent": delivered, "delivered": delivered, "opens": delivered // 2, "clicks": clicks}
        metrics(conn, tenant, str(row[0]), counts, f"m-{task}")


def arms(conn: Conn, tenant: str) -> dict[str, dict[str, Any]]:
    """aicrm.selection_arms as the app reads it, by variant."""
    with act_as(conn, tenant):
        cur = conn.execute("select * from aicrm.selection_arms")
        names = [c.name for c in cur.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {r["variant"] or "-": r for r in rows}
