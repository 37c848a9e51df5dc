"""aicrm.record_delivery_metrics (docs/learning.md, "Outcomes in"): a delivery's cumulative
counters; a counter going backwards, past sent, negative or unknown is refused naming it; a
repeated idempotency key changes nothing; a refused call writes nothing; another tenant's delivery
is not found."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import refused
from tests.sql.learning.outcomes import METRICS, counters, delivered, metrics

Conn = psycopg.Connection[Any]


def test_counters_are_recorded_cumulatively(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    first = metrics(db, tenant, d.delivery_id, {"sent": 100, "delivered": 97, "opens": 40}, "k1")
    assert first["metrics"]["opens"] == 40
    assert first["task_id"] == d.task
    second = metrics(db, tenant, d.delivery_id, {"clicks": 12, "conversions": 3, "revenue": 89.5}, "k2")
    assert second["metrics"] | {} == {
        "sent": 100, "delivered": 97, "opens": 40, "clicks": 12, "conversions": 3, "revenue": 89.5,
        "unsubscribes": 0, "complaints": 0, "bounces": 0, "replies": 0,
    }  # fmt: skip
    assert counters(db, d.delivery_id)["revenue"] == Decimal("89.50")
    # the window is fixed with the first outcome: the delivery's time + email's 168 hours
    row = db.execute(
        "select m.window_ends_at - d.created_at from aicrm.delivery_metrics m "
        "join aicrm.deliveries d using (tenant_id, delivery_id) where m.delivery_id = %s",
        (d.delivery_id,),
    ).fetchone()
    assert row is not None
    assert row[0].total_seconds() == 168 * 3600


def test_the_publisher_may_record_them_too(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    assert metrics(db, tenant, d.delivery_id, {"sent": 5}, "w", "aicrm_worker")["metrics"]["sent"] == 5
    assert refused(db, tenant, METRICS, (d.delivery_id, Jsonb({"sent": 6}), "r"), "aicrm_readonly")[0] == "42501"


def test_a_repeated_key_changes_nothing(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    first = metrics(db, tenant, d.delivery_id, {"sent": 10, "opens": 4}, "same")
    metrics(db, tenant, d.delivery_id, {"sent": 10, "opens": 6}, "later")
    again = metrics(db, tenant, d.delivery_id, {"sent": 10, "opens": 4}, "same")
    assert again == first  # the first answer, although opens are 6 now
    assert counters(db, d.delivery_id)["opens"] == 6
    # the same key for other totals is a conflict, not a silent no-op
    state, column = refused(db, tenant, METRICS, (d.delivery_id, Jsonb({"sent": 11}), "same"), "aicrm_app")
    assert (state, column) == ("AC005", "idempotency_key")


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"sent": 10, "opens": 11}, "metrics.opens"),  # more unique openers than recipients
        ({"sent": 10, "clicks": 11}, "metrics.clicks"),
        ({"sent": 10, "bounces": 11}, "metrics.bounces"),
        ({"sent": 10, "replies": 11}, "metrics.replies"),
        ({"opens": 1}, "metrics.opens"),  # nothing sent recorded yet
        ({"sent": -1}, "metrics.sent"),
        ({"sent": 10, "clicks": -2}, "metrics.clicks"),
        ({"sent": 10, "revenue": -5}, "metrics.revenue"),
        ({"sent": 10, "views": 3}, "metrics.views"),  # an unknown counter, named
        ({"sent": "ten"}, "metrics.sent"),
        ({}, "metrics"),
    ],
)
def test_bad_counters_are_refused_naming_them(
    db: Conn, tenant: str, customer: str, values: dict[str, Any], column: str
) -> None:
    d = delivered(db, tenant, customer)
    assert refused(db, tenant, METRICS, (d.delivery_id, Jsonb(values), "bad"), "aicrm_app") == ("AC001", column)
    # a refused call writes nothing: neither counters nor its key
    assert db.execute("select count(*) from aicrm.delivery_metrics").fetchone() == (0,)
    assert db.execute("select count(*) from aicrm.delivery_metric_calls").fetchone() == (0,)


def test_revenue_is_not_bounded_by_sent(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    assert (
        metrics(db, tenant, d.delivery_id, {"sent": 2, "conversions": 2, "revenue": 1250.0}, "k")["metrics"]["revenue"]
        == 1250.0
    )


@pytest.mark.parametrize("counter", ["sent", "delivered", "opens", "clicks", "revenue", "complaints"])
def test_a_counter_going_backwards_is_refused(db: Conn, tenant: str, customer: str, counter: str) -> None:
    d = delivered(db, tenant, customer)
    full = {"sent": 50, "delivered": 40, "opens": 30, "clicks": 20, "revenue": 99.99, "complaints": 2}
    metrics(db, tenant, d.delivery_id, full, "first")
    lower = full | {counter: full[counter] - 1}
    assert refused(db, tenant, METRICS, (d.delivery_id, Jsonb(lower), "second"), "aicrm_app") == (
        "AC001",
        f"metrics.{counter}",
    )
    assert counters(db, d.delivery_id)[counter] == Decimal(str(full[counter]))
    assert db.execute("select count(*) from aicrm.delivery_metric_calls").fetchone() == (1,)
    # equal totals are no step back
    metrics(db, tenant, d.delivery_id, full, "third")


@pytest.mark.parametrize(
    ("args", "column"),
    [
        ((None, {"sent": 1}, "k"), "delivery_id"),
        (("d", {"sent": 1}, ""), "idempotency_key"),
        (("d", {"sent": 1}, None), "idempotency_key"),
        (("d", {"sent": 1}, "x" * 201), "idempotency_key"),
    ],
)
def test_required_arguments(db: Conn, tenant: str, customer: str, args: tuple[Any, ...], column: str) -> None:
    d = delivered(db, tenant, customer)
    delivery, values, key = args
    params = (d.delivery_id if delivery == "d" else delivery, Jsonb(values), key)
    assert refused(db, tenant, METRICS, params, "aicrm_app") == ("AC001", column)


def test_only_a_delivered_delivery_of_the_callers_tenant(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    other = make_tenant(db, "Agency B")
    make_customer(db, other, name="Beta Dental")
    params = (d.delivery_id, Jsonb({"sent": 3}), "k")
    assert refused(db, other, METRICS, params, "aicrm_app") == ("AC002", "delivery_id")
    assert refused(db, other, METRICS, params, "aicrm_worker") == ("AC002", "delivery_id")
    assert refused(db, None, METRICS, params, "aicrm_app")[0] == "AC003"
    assert db.execute("select count(*) from aicrm.delivery_metrics").fetchone() == (0,)
    # a failed attempt is no delivery to measure
    db.execute("update aicrm.deliveries set status = 'failed' where delivery_id = %s", (d.delivery_id,))
    assert refused(db, tenant, METRICS, params, "aicrm_app") == ("AC002", "delivery_id")
