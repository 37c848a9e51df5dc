"""What the feedback tests start from: deliveries measured as a user gets them (a task delivered by the
publisher, its counters recorded with record_delivery_metrics, its window closed by
close_metrics_windows), and the job process_ai_feedback run as the scheduler runs it."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg

from tests.samples import SUBJECT
from tests.sql.learning.outcomes import Delivered, metrics
from tests.tasks import approved_task, claim_delivery, record_delivery

Conn = psycopg.Connection[Any]
_keys = itertools.count()


def measured(
    conn: Conn,
    tenant: str,
    customer: str,
    counters: dict[str, Any],
    hours_ago: int,
    channel: str = "email",
    **draft: Any,
) -> Delivered:
    """A task of `channel` delivered `hours_ago` hours ago (an email's by default with the sample
    subject; `draft`: content, subject), with `counters` recorded, its metrics window closed and the
    task measured."""
    if channel == "email":
        draft.setdefault("subject", SUBJECT)
    task = approved_task(conn, tenant, customer, channel, **draft)
    got = claim_delivery(conn)
    assert got is not None
    assert str(got["payload"]["task_id"]) == task
    record_delivery(conn, tenant, got, True)
    row = conn.execute(
        "select delivery_id::text from aicrm.deliveries where outbox_id = %s and status = 'delivered'",
        (got["outbox_id"],),
    ).fetchone()
    assert row is not None
    d = Delivered(task, str(got["outbox_id"]), row[0])
    conn.execute(
        "update aicrm.deliveries set created_at = now() - make_interval(hours => %s) where delivery_id = %s",
        (hours_ago, d.delivery_id),
    )
    metrics(conn, tenant, d.delivery_id, counters, f"m{next(_keys)}")
    # its window over whatever the channel's length (the windows' own tests: test_metrics_windows.py)
    conn.execute(
        "update aicrm.delivery_metrics set window_ends_at = now() - interval '1 minute' where delivery_id = %s",
        (d.delivery_id,),
    )
    assert close_windows(conn) == 1
    return d


def close_windows(conn: Conn) -> int:
    """close-metrics-windows as the scheduler runs it (the owner, no tenant set)."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    row = conn.execute("select aicrm.close_metrics_windows()").fetchone()
    assert row is not None
    return int(row[0])


def process(conn: Conn, limit: int | None = None, tenant: str | None = None) -> dict[str, Any]:
    """process_ai_feedback as the scheduler runs it (the owner, no tenant set), or for `tenant` only."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    row = conn.execute("select aicrm.process_ai_feedback(%s, %s)", (limit or 500, tenant)).fetchone()
    assert row is not None
    return dict(row[0])


def feedback_row(conn: Conn, deliverable: str, source: str) -> dict[str, Any] | None:
    """The deliverable's feedback row of `source` (as the owner reads it), or None."""
    row = conn.execute(
        "select to_jsonb(f) - 'embedding' from aicrm.ai_content_feedback f where deliverable_id = %s and source = %s",
        (deliverable, source),
    ).fetchone()
    return None if row is None else dict(row[0])


def sent_deliverable(conn: Conn, d: Delivered) -> str:
    row = conn.execute("select deliverable_id::text from aicrm.deliveries where delivery_id = %s", (d.delivery_id,))
    got = row.fetchone()
    assert got is not None
    return str(got[0])
