"""aicrm.record_delivery_events and the providers' mappings (docs/learning.md, "Outcomes in",
"Providers"): per-recipient events in the normal form, a provider's retry changing nothing, unique
recipients folded into the delivery's counters, another tenant's delivery refused, and SendGrid's,
Mailgun's and Postmark's published sample webhooks received as they are POSTed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import call, refused
from tests.sql.learning import provider_samples as samples
from tests.sql.learning.outcomes import EVENTS, counters, delivered, events, metrics

Conn = psycopg.Connection[Any]
NORMALIZE = "select aicrm.normalize_delivery_events(%s, %s)"
PROVIDER = "select aicrm.record_provider_events(%s, %s)"


def event(delivery: str, kind: str, recipient: str, n: int, **extra: Any) -> dict[str, Any]:
    return {"delivery_id": delivery, "event": kind, "recipient": recipient, "occurred_at": "2026-05-01T09:30:00Z",
            "provider": "test", "provider_event_id": f"e{n}", **extra}  # fmt: skip


def ours(payload: Any, outbox: str) -> Any:
    """A sample with the test's outbox id where the provider echoes our id."""
    return json.loads(json.dumps(payload).replace(samples.OUTBOX, outbox))


def test_events_fold_into_unique_counters(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    batch = [
        event(d.delivery_id, "delivered", "a@example.com", 1),
        event(d.delivery_id, "delivered", "b@example.com", 2),
        event(d.delivery_id, "open", "a@example.com", 3),
        event(d.delivery_id, "open", " A@Example.com ", 4),  # the same recipient, opening again
        event(d.delivery_id, "click", "a@example.com", 5, url="https://example.com/menu"),
        event(d.delivery_id, "conversion", "a@example.com", 6, revenue=24.5),
        event(d.delivery_id, "conversion", "a@example.com", 7, revenue=10),
        event(d.delivery_id, "reply", "b@example.com", 8),
    ]
    answer = events(db, tenant, batch)
    assert (answer["received"], answer["recorded"], answer["duplicates"]) == (8, 8, 0)
    got = counters(db, d.delivery_id)
    assert {k: got[k] for k in ("sent", "delivered", "opens", "clicks", "conversions", "replies")} == {
        "sent": 2, "delivered": 2, "opens": 1, "clicks": 1, "conversions": 1, "replies": 1,
    }  # fmt: skip
    assert float(got["revenue"]) == 34.5
    # the address is kept as a hash only (tenant-keyed), never as given
    hashes = {r[0] for r in db.execute("select recipient_hash from aicrm.delivery_events").fetchall()}
    assert hashlib.sha256(f"{tenant}:a@example.com".encode()).hexdigest() in hashes
    assert db.execute("select count(*) from aicrm.delivery_events where raw::text like '%%@%%'").fetchone() == (0,)


def test_a_provider_retry_changes_nothing(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    batch = [event(d.delivery_id, "open", "a@example.com", 1), event(d.delivery_id, "open", "b@example.com", 2)]
    events(db, tenant, batch)
    again = events(db, tenant, [*batch, batch[0]])
    assert (again["recorded"], again["duplicates"]) == (0, 3)
    assert counters(db, d.delivery_id)["opens"] == 2
    assert db.execute("select count(*) from aicrm.delivery_events").fetchone() == (2,)


def test_events_and_totals_agree(db: Conn, tenant: str, customer: str) -> None:
    """The larger of the provider's totals and the events' count wins; neither path goes backwards."""
    d = delivered(db, tenant, customer)
    metrics(db, tenant, d.delivery_id, {"sent": 100, "opens": 30}, "totals")
    events(db, tenant, [event(d.delivery_id, "open", f"r{i}@example.com", i) for i in range(3)])
    assert (counters(db, d.delivery_id)["sent"], counters(db, d.delivery_id)["opens"]) == (100, 30)
    events(db, tenant, [event(d.delivery_id, "click", f"r{i}@example.com", 10 + i) for i in range(40)])
    assert counters(db, d.delivery_id)["clicks"] == 40
    # totals below what the events counted are a step back
    err = refused(db, tenant, "select aicrm.record_delivery_metrics(%s, %s, 'later')",
                  (d.delivery_id, Jsonb({"clicks": 39})), "aicrm_app")  # fmt: skip
    assert err == ("AC001", "metrics.clicks")


def test_by_outbox_id_as_the_publisher_sent_it(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    e = event(d.delivery_id, "open", "a@example.com", 1)
    del e["delivery_id"]
    events(db, tenant, [e | {"outbox_id": d.outbox_id}], "aicrm_worker")
    assert counters(db, d.delivery_id)["opens"] == 1


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"event": "view"}, "events[1].event"),
        ({"occurred_at": "yesterday-ish"}, "events[1].occurred_at"),
        ({"provider_event_id": ""}, "events[1].provider_event_id"),
        ({"recipient": None}, "events[1].recipient"),
        ({"revenue": -1}, "events[1].revenue"),
        ({"color": "red"}, "events[1].color"),
        ({"delivery_id": None}, "events[1].delivery_id"),
        ({"recipient_hash": "0" * 64}, "events[1].recipient"),  # both: one of them
    ],
)
def test_a_bad_event_refuses_the_batch_naming_it(
    db: Conn, tenant: str, customer: str, change: dict[str, Any], column: str
) -> None:
    d = delivered(db, tenant, customer)
    bad = event(d.delivery_id, "open", "b@example.com", 2) | change
    bad = {k: v for k, v in bad.items() if v is not None}
    batch = [event(d.delivery_id, "open", "a@example.com", 1), bad]
    assert refused(db, tenant, EVENTS, (Jsonb(batch),), "aicrm_app") == ("AC001", column)
    assert db.execute("select count(*) from aicrm.delivery_events").fetchone() == (0,)  # all or nothing


@pytest.mark.parametrize("size", [0, 1001])
def test_a_batch_holds_1_to_1000_events(db: Conn, tenant: str, customer: str, size: int) -> None:
    d = delivered(db, tenant, customer)
    batch = [event(d.delivery_id, "open", "a@example.com", i) for i in range(size)]
    assert refused(db, tenant, EVENTS, (Jsonb(batch),), "aicrm_app") == ("AC001", "events")


def test_another_tenants_delivery_is_refused(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    other = make_tenant(db, "Agency B")
    mine = delivered(db, other, make_customer(db, other, name="Beta Dental"))
    batch = [event(mine.delivery_id, "open", "a@example.com", 1), event(d.delivery_id, "open", "a@example.com", 2)]
    for role in ("aicrm_app", "aicrm_worker"):
        assert refused(db, other, EVENTS, (Jsonb(batch),), role) == ("AC002", "events[1].delivery_id")
        by_outbox = [{k: v for k, v in batch[1].items() if k != "delivery_id"} | {"outbox_id": d.outbox_id}]
        assert refused(db, other, EVENTS, (Jsonb(by_outbox),), role) == ("AC002", "events[0].outbox_id")
    assert db.execute("select count(*) from aicrm.delivery_events").fetchone() == (0,)


# --- the providers --------------------------------------------------------------------------------------


def normal(conn: Conn, provider: str, payload: Any) -> list[dict[str, Any]]:
    return list(call(conn, None, NORMALIZE, (provider, Jsonb(payload)), "aicrm_readonly"))


def test_sendgrid_sample(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    payload = ours(samples.SENDGRID, d.outbox_id)
    got = normal(db, "sendgrid", payload)
    assert [(e["event"], e["provider_event_id"]) for e in got] == [
        ("delivered", "sg_event_id_delivered"),
        ("open", "sg_event_id_open"),
        ("open", "sg_event_id_open_again"),
        ("click", "sg_event_id_click"),
        ("bounce", "sg_event_id_bounce"),
        ("complaint", "sg_event_id_spam"),
        ("unsubscribe", "sg_event_id_unsub"),
    ]  # fmt: skip  (processed and deferred have no place; the foreign open is not ours)
    assert got[0] | {} == {
        "outbox_id": d.outbox_id, "event": "delivered", "recipient": "example@test.com",
        "occurred_at": "2017-12-15T00:59:29+00:00", "provider": "sendgrid",
        "provider_event_id": "sg_event_id_delivered",
        "raw": {"event": "delivered", "sg_message_id": "sg_message_id"},
    }  # fmt: skip
    assert got[3]["url"] == "http://www.sendgrid.com/"
    answer = call(db, tenant, PROVIDER, ("sendgrid", Jsonb(payload)), "aicrm_app")
    assert (answer["recorded"], answer["ignored"]) == (7, 3)
    got_counters = counters(db, d.delivery_id)
    assert {k: got_counters[k] for k in ("sent", "delivered", "opens", "clicks", "bounces", "complaints")} == {
        "sent": 2, "delivered": 1, "opens": 1, "clicks": 1, "bounces": 1, "complaints": 1,
    }  # fmt: skip
    again = call(db, tenant, PROVIDER, ("sendgrid", Jsonb(payload)), "aicrm_app")
    assert (again["recorded"], again["duplicates"]) == (0, 7)  # SendGrid's retry of the same batch


def test_mailgun_samples(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    kinds = {name: normal(db, "mailgun", ours(body, d.outbox_id)) for name, body in samples.MAILGUN.items()}
    assert {name: [e["event"] for e in got] for name, got in kinds.items()} == {
        "accepted": [], "delivered": ["delivered"], "opened": ["open"], "clicked": ["click"],
        "failed_temporary": [], "failed_permanent": ["bounce"], "complained": ["complaint"],
        "unsubscribed": ["unsubscribe"],
    }  # fmt: skip
    assert kinds["clicked"][0]["url"] == "https://example.com/offer"
    assert kinds["delivered"][0]["provider_event_id"] == "CPgfbmQMTCKtHW6uIWtuVe"
    assert kinds["delivered"][0]["raw"]["code"] == 250
    for body in samples.MAILGUN.values():  # one event per request, as Mailgun posts them
        call(db, tenant, PROVIDER, ("mailgun", Jsonb(ours(body, d.outbox_id))), "aicrm_app")
    got = counters(db, d.delivery_id)
    assert (got["delivered"], got["opens"], got["clicks"], got["bounces"], got["unsubscribes"]) == (1, 1, 1, 1, 1)


def test_postmark_samples(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    bodies = [samples.POSTMARK_DELIVERY, samples.POSTMARK_OPEN, samples.POSTMARK_CLICK, samples.POSTMARK_BOUNCE,
              samples.POSTMARK_SOFT_BOUNCE, samples.POSTMARK_SPAM, samples.POSTMARK_SUBSCRIPTION]  # fmt: skip
    got = [normal(db, "postmark", ours(b, d.outbox_id)) for b in bodies]
    assert [[e["event"] for e in g] for g in got] == [
        ["delivered"],
        ["open"],
        ["click"],
        ["bounce"],
        [],
        ["complaint"],
        ["unsubscribe"],
    ]
    assert got[3][0]["provider_event_id"] == "Bounce:42"
    assert got[5][0]["provider_event_id"] == "SpamComplaint:42"
    assert got[2][0]["url"] == "https://example.com"
    assert got[3][0]["recipient"] == "jane@example.com"
    for b in bodies:
        call(db, tenant, PROVIDER, ("postmark", Jsonb(ours(b, d.outbox_id))), "aicrm_app")
    assert call(db, tenant, PROVIDER, ("postmark", Jsonb(ours(bodies[1], d.outbox_id))), "aicrm_app")["recorded"] == 0
    c = counters(db, d.delivery_id)
    assert (c["sent"], c["delivered"], c["opens"], c["clicks"], c["bounces"], c["complaints"]) == (3, 1, 1, 1, 1, 1)


@pytest.mark.parametrize(("provider", "payload", "column"), [
    ("mandrill", [], "provider"), (None, [], "provider"), ("sendgrid", "open", "payload"), ("sendgrid", [1], "payload"),
])  # fmt: skip
def test_unknown_providers_and_shapes_are_refused(db: Conn, provider: str | None, payload: Any, column: str) -> None:
    assert refused(db, None, NORMALIZE, (provider, Jsonb(payload)), "aicrm_readonly") == ("AC001", column)
