"""What the outcome tests start from: a task delivered by the publisher, its delivery's ids, and
the calls of the outcome API as the app or the publisher makes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import call
from tests.tasks import approved_task, claim_delivery, record_delivery

Conn = psycopg.Connection[Any]
METRICS = "select aicrm.record_delivery_metrics(%s, %s, %s)"
EVENTS = "select aicrm.record_delivery_events(%s)"


@dataclass
class Delivered:
    task: str
    outbox_id: str
    delivery_id: str


def delivered(conn: Conn, tenant: str, customer: str, channel: str = "email") -> Delivered:
    """A task of `channel` approved, claimed and delivered (by webhook): the task is `delivered`."""
    task = approved_task(conn, tenant, customer, channel)
    got = claim_delivery(conn)
    assert got is not None
    assert str(got["payload"]["task_id"]) == task
    record_delivery(conn, tenant, got, True)
    row = conn.execute(
        "select delivery_id from aicrm.deliveries where outbox_id = %s and status = 'delivered'", (got["outbox_id"],)
    ).fetchone()
    assert row is not None
    return Delivered(task, str(got["outbox_id"]), str(row[0]))


def metrics(conn: Conn, tenant: str, delivery: str, values: dict[str, Any], key: str, role: str = "aicrm_app") -> Any:
    return call(conn, tenant, METRICS, (delivery, Jsonb(values), key), role)


def events(conn: Conn, tenant: str, batch: list[dict[str, Any]], role: str = "aicrm_app") -> Any:
    return call(conn, tenant, EVENTS, (Jsonb(batch),), role)


def counters(conn: Conn, delivery: str) -> dict[str, Any]:
    """The delivery's counters as the owner reads them."""
    row = conn.execute(
        "select sent, delivered, opens, clicks, conversions, revenue, unsubscribes, complaints, bounces, replies "
        "from aicrm.delivery_metrics where delivery_id = %s",
        (delivery,),
    ).fetchone()
    assert row is not None
    names = ("sent", "delivered", "opens", "clicks", "conversions", "revenue", "unsubscribes", "complaints", "bounces")
    return dict(zip((*names, "replies"), row, strict=True))
