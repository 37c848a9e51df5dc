"""A task's life through the SQL API, one step a function, for tests that need a task at some point
of it: created, claimed by a worker, drafted, evaluated, sent to review, reviewed, approved into the
outbox, claimed and delivered by a publisher; and reading a task back. Plain functions taking a
connection and ids, run as the role that takes each step (the steps' own tests are in
tests/sql/pipeline/)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.helpers import act_as, call
from tests.samples import GOOD_EMAIL, MERGE_EMAIL, MERGE_SUBJECT, META, SUBJECT

Conn = psycopg.Connection[Any]
SUBMIT = (
    "select aicrm.submit_draft(p_task_id => %s, p_lease_token => %s, p_content => %s, p_subject => %s,"
    " p_meta => %s, p_idempotency_key => %s)"
)
EVALUATE = "select aicrm.record_evaluation(p_deliverable_id => %s, p_text_metrics => %s, p_lease_token => %s)"
REVIEW = (
    "select aicrm.review_deliverable(p_deliverable_id => %s, p_version => %s, p_decision => %s,"
    " p_edited_content => %s, p_reason => %s, p_reviewer => 'ana@agency')"
)
RECORD_DELIVERY = "select aicrm.record_delivery(%s, %s, %s, 'webhook', 'https://hooks.example.com/in', %s, %s)"


# --- the worker's steps ---------------------------------------------------------------------------------


def create_task(
    conn: Conn,
    tenant: str,
    customer: str,
    priority: int = 3,
    *,
    channel: str = "email",
    instructions: dict[str, Any] | None = None,
) -> str:
    """A queued content task, created by the app; its id."""
    query = (
        "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
        " p_priority => %s)"
    )
    return str(
        call(conn, tenant, query, (customer, channel, Jsonb(instructions or {}), priority), "aicrm_app")["task_id"]
    )


def claim_task(conn: Conn, worker: str = "worker-1", seconds: int = 300, tenant: str | None = None) -> Any:
    """claim_next_task as the worker (in `tenant`, or across tenants): the claim, or None."""
    return call(conn, tenant, "select aicrm.claim_next_task(%s, %s)", (worker, seconds))


def task_context(
    conn: Conn, tenant: str, customer: str, channel: str | None, topic: str | None, purpose: str | None = None
) -> dict[str, Any]:
    """What the worker passes its provider for a task (its get_task_context query): the customer's
    context for the task's channel, purpose and topic."""
    query = (
        "select aicrm.get_customer_context_for_ai(p_customer_id => %s, p_context_version => null,"
        " p_channel => %s, p_purpose => %s, p_topic => %s)"
    )
    return dict(call(conn, tenant, query, (customer, channel, purpose, topic), "aicrm_app"))


def start_generating(conn: Conn, tenant: str, task: str, token: str) -> None:
    call(conn, tenant, "select aicrm.start_generating(%s, %s)", (task, token))


def submit_draft(
    conn: Conn,
    tenant: str,
    task: str,
    token: str,
    content: str,
    key: str | None = None,
    *,
    subject: str | None = SUBJECT,
    meta: dict[str, Any] = META,
    content_format: str = "text",
) -> Any:
    """submit_draft as the lease holder, with a worker's usual meta: its answer."""
    query = SUBMIT.removesuffix(")") + ", p_content_format => %s)"
    return call(conn, tenant, query, (task, token, content, subject, Jsonb(meta), key, content_format))


def record_evaluation(conn: Conn, tenant: str, draft: str, content: str, token: str | None) -> Any:
    """record_evaluation of a draft with the runner's metrics of `content`: its answer."""
    return call(conn, tenant, EVALUATE, (draft, Jsonb(text_metrics(content, subject=SUBJECT)), token))


def always_decide(conn: Conn, tenant: str, action: str) -> None:
    """A rule of the tenant's, first of all, that matches every draft and decides `action`: what
    makes the next decision certain."""
    rule = {"name": f"Always {action}", "category": "escalation", "priority": 1, "condition": True}
    call(
        conn,
        tenant,
        "select aicrm.upsert_decision_rule(%s)",
        (Jsonb({**rule, "action": {"type": action}}),),
        "aicrm_app",
    )


def to_evaluating(conn: Conn, tenant: str, customer: str, content: str) -> tuple[str, str, str]:
    """A claimed task with one submitted draft: (task, lease token, draft)."""
    task = create_task(conn, tenant, customer)
    token = claim_task(conn)["lease_token"]
    start_generating(conn, tenant, task, token)
    draft = submit_draft(conn, tenant, task, token, content)["deliverable_id"]
    return task, token, draft


# The worker API's path from queued to review: each state and the function that takes a task there.
WORKER_PATH = (
    ("gathering_context", "claim_next_task"),
    ("generating", "start_generating"),
    ("evaluating", "submit_draft"),
    ("awaiting_review", "record_evaluation"),
)


def walk_to_review(conn: Conn, tenant: str, task: str) -> None:
    """A queued task moved to awaiting_review as the worker API's functions would move it, through
    the one private transition function, with no worker and no lease (for data that needs a task in
    review, not a test of the worker: that is tests/sql/pipeline/test_worker_api.py)."""
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    for to, via in WORKER_PATH:
        conn.execute("select aicrm_private.transition_task(%s, %s, 'tester', null, null, '{}', %s)", (task, to, via))
    conn.execute("select set_config('aicrm.tenant_id', '', true)")


# --- review and approval --------------------------------------------------------------------------------


def in_review(
    conn: Conn,
    tenant: str,
    customer: str,
    priority: int = 3,
    content: str = GOOD_EMAIL,
    *,
    channel: str = "email",
    instructions: dict[str, Any] | None = None,
    subject: str | None = SUBJECT,
    content_format: str = "text",
) -> tuple[str, str]:
    """A task whose draft (version 1) the rules sent to review: (task, deliverable)."""
    task = create_task(conn, tenant, customer, priority, channel=channel, instructions=instructions)
    got = claim_task(conn, tenant=tenant)
    assert got["task_id"] == task
    start_generating(conn, tenant, task, got["lease_token"])
    draft = submit_draft(
        conn, tenant, task, got["lease_token"], content, subject=subject, meta={}, content_format=content_format
    )["deliverable_id"]
    # As the evaluation would when a rule says "review" (the rules' own tests cover when they do).
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    conn.execute(
        "select aicrm_private.transition_task(%s, 'awaiting_review', 'rules', 'low confidence', 'evaluating', '{}',"
        " 'record_evaluation')",
        (task,),
    )
    return task, str(draft)


def review(conn: Conn, tenant: str, draft: str, version: int, decision: str, **kw: Any) -> dict[str, Any]:
    """review_deliverable by ana@agency (kw: edited, reason): its answer."""
    return dict(call(conn, tenant, REVIEW, (draft, version, decision, kw.get("edited"), kw.get("reason")), "aicrm_app"))


def approved_task(
    conn: Conn,
    tenant: str,
    customer: str,
    channel: str = "email",
    instructions: dict[str, Any] | None = None,
    **draft: Any,
) -> str:
    """A task of `channel` whose draft a person approved: it waits in the outbox. `draft`: in_review's
    content, subject (an email's by default, none elsewhere) and content_format."""
    draft.setdefault("subject", SUBJECT if channel == "email" else None)
    task, deliverable = in_review(conn, tenant, customer, channel=channel, instructions=instructions, **draft)
    review(conn, tenant, deliverable, 1, "approve")
    return task


def email_task(
    conn: Conn,
    tenant: str,
    customer: str,
    recipients: list[str] | None = None,
    content: str = MERGE_EMAIL,
    subject: str = MERGE_SUBJECT,
    content_format: str = "text",
) -> str:
    """An approved email to the task's `recipients` (none: the publisher's default ones), with merge
    tags: it waits in the outbox."""
    instructions = {"recipients": recipients} if recipients else None
    return approved_task(
        conn, tenant, customer, "email", instructions, content=content, subject=subject, content_format=content_format
    )


# --- the publisher's steps ------------------------------------------------------------------------------


def claim_delivery(
    conn: Conn, worker: str = "publisher-1", seconds: int = 120, channels: list[str] | None = None
) -> Any:
    """claim_next_delivery_v2 as a publisher with no tenant: the claim, or None."""
    query = "select aicrm.claim_next_delivery_v2(%s, %s, %s::text[])"
    return call(conn, None, query, (worker, seconds, channels))


def record_delivery(conn: Conn, tenant: str, got: dict[str, Any], delivered: bool, retryable: bool = True) -> Any:
    """record_delivery of a claimed delivery by webhook: its answer."""
    params = (got["outbox_id"], got["lease_token"], delivered, Jsonb({"status": 200}), retryable)
    return call(conn, tenant, RECORD_DELIVERY, params)


def unsubscribe(conn: Conn, token: str, tenant: str | None = None) -> dict[str, Any]:
    """record_unsubscribe as the unsubscribe page calls it (the app, no tenant by default): its answer."""
    return dict(call(conn, tenant, "select aicrm.record_unsubscribe(%s)", (token,), "aicrm_app"))


# --- scoring --------------------------------------------------------------------------------------------


def evaluate_content(
    conn: Conn,
    tenant: str,
    content: str,
    channel: str = "email",
    subject: str | None = SUBJECT,
    customer: str | None = None,
    instructions: dict[str, Any] | None = None,
    metrics: bool = True,
    content_format: str = "text",
) -> dict[str, Any]:
    """The scorecard of ad-hoc content as the app, with the runner's metrics (unless not `metrics`)."""
    measured = Jsonb(text_metrics(content, subject=subject, content_format=content_format)) if metrics else None
    with act_as(conn, tenant):
        row = conn.execute(
            "select aicrm.evaluate_content(p_content => %s, p_channel => %s, p_subject => %s, p_customer_id => %s, "
            "p_instructions => %s, p_text_metrics => %s, p_content_format => %s)",
            (content, channel, subject, customer, Jsonb(instructions or {}), measured, content_format),
        ).fetchone()
    assert row is not None
    return dict(row[0])


# --- reading a task back (as the superuser) -------------------------------------------------------------


def task_state(conn: Conn, task: str) -> str:
    row = conn.execute("select execution_state from aicrm.project_tasks where task_id = %s", (task,)).fetchone()
    assert row is not None
    return str(row[0])


def task_row(conn: Conn, task: str) -> dict[str, Any]:
    """The task's state, counters and lease."""
    cur = conn.execute(
        "select execution_state, attempts, failures, blockers, lease_holder, lease_token::text, lease_until,"
        " available_at, extract(epoch from available_at - now())::integer as wait_s"
        " from aicrm.project_tasks where task_id = %s",
        (task,),
    )
    row = cur.fetchone()
    assert row is not None
    assert cur.description is not None
    return dict(zip([c.name for c in cur.description], row, strict=True))


def history(conn: Conn, task: str) -> list[tuple[Any, ...]]:
    """The task's transitions: (from, to, actor, reason), oldest first."""
    return conn.execute(
        "select from_state, to_state, actor, reason from aicrm.task_state_transitions where task_id = %s"
        " order by transition_id",
        (task,),
    ).fetchall()


def last_transition(conn: Conn, task: str) -> tuple[Any, ...]:
    """The task's latest transition: (from, to, actor, reason, details)."""
    row = conn.execute(
        "select from_state, to_state, actor, reason, details from aicrm.task_state_transitions where task_id = %s"
        " order by transition_id desc limit 1",
        (task,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def tamper(conn: Conn, tenant: str, task: str, assignment: str) -> None:
    """What time passing or a dead worker would do to a task (an SQL assignment: "lease_until =
    now() - interval '1 second'"), as the superuser under the task's tenant (the audit trigger
    records the change in that tenant)."""
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    conn.execute(
        sql.SQL("update aicrm.project_tasks set {} where task_id = %s").format(sql.SQL(assignment)),
        (task,),
    )
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
