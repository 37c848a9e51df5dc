"""Publishing: every approval puts the approved draft in the outbox once; a publisher claims a
delivery with a lease (any tenant's, of the channels it asks for), records the outcome or gives it
back, fenced by the lease; exactly one delivery is recorded as delivered; failures back off and end
in an escalation; whatever makes a row pending wakes listening publishers; an email's payload names
the task's recipients."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_bakery, make_tenant
from tests.helpers import act_as, sql_error
from tests.samples import GOOD_EMAIL
from tests.tasks import (
    RECORD_DELIVERY,
    approved_task,
    claim_delivery,
    in_review,
    record_delivery,
    review,
    task_state,
)

Conn = psycopg.Connection[Any]
RELEASE = "select aicrm.release_delivery(%s, %s, %s)"


def release(db: Conn, tenant: str, outbox_id: Any, token: Any, reason: str | None = "publisher stopping") -> Any:
    with act_as(db, tenant, "aicrm_worker"):
        row = db.execute(RELEASE, (outbox_id, token, reason)).fetchone()
    assert row is not None
    return row[0]


def refused_release(db: Conn, tenant: str, outbox_id: Any, token: Any, reason: str | None) -> tuple[Any, ...]:
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RELEASE, (outbox_id, token, reason))
    return err.diag.sqlstate, err.diag.column_name


def outbox(db: Conn, task: str) -> list[tuple[Any, ...]]:
    return db.execute(
        "select status, attempts, payload ->> 'content', available_at > now() from aicrm.outbox where task_id = %s",
        (task,),
    ).fetchall()


def test_an_approved_draft_is_delivered_exactly_once(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    assert claim_delivery(db) is None  # nothing approved yet
    edited = GOOD_EMAIL.replace("Bring a friend", "Bring two friends")
    review(db, tenant, draft, 1, "approve", edited=edited)
    assert task_state(db, task) == "approved"
    assert outbox(db, task) == [("pending", 0, edited, False)]  # the edited version is what goes out

    got = claim_delivery(db)
    assert (got["tenant_id"], got["attempt"], got["payload"]["content"]) == (tenant, 1, edited)
    assert got["payload"]["customer_name"] == "Sunrise Bakery"
    assert task_state(db, task) == "publishing"
    assert record_delivery(db, tenant, got, True)["status"] == "delivered"
    assert task_state(db, task) == "delivered"
    assert db.execute(
        "select status, transport, delivered_by from aicrm.deliveries where outbox_id = %s", (got["outbox_id"],)
    ).fetchall() == [("delivered", "webhook", "publisher-1")]
    # Recorded once: the same lease again is refused, and no second "delivered" row can exist.
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RECORD_DELIVERY, (got["outbox_id"], got["lease_token"], True, Jsonb({}), True))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "lease_token")
    err = sql_error(
        db,
        "insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, status,"
        " delivered_by) select tenant_id, outbox_id, task_id, deliverable_id, 2, 'webhook', 'delivered', 'x'"
        " from aicrm.outbox where outbox_id = %s",
        (got["outbox_id"],),
    )
    assert err.sqlstate == "23505"
    assert claim_delivery(db) is None


def test_failures_back_off_then_escalate(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    got = claim_delivery(db)
    assert record_delivery(db, tenant, got, False)["status"] == "pending"
    assert outbox(db, task)[0][:2] == ("pending", 1)
    assert outbox(db, task)[0][3] is True  # held back
    assert claim_delivery(db) is None
    for attempt in range(2, 7):
        db.execute("update aicrm.outbox set available_at = now() where task_id = %s", (task,))
        got = claim_delivery(db)
        assert got["attempt"] == attempt
        record_delivery(db, tenant, got, False)
    assert outbox(db, task)[0][:2] == ("failed", 6)
    assert task_state(db, task) == "escalated"

    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    assert record_delivery(db, tenant, claim_delivery(db), False, retryable=False)["status"] == "failed"
    assert task_state(db, task) == "escalated"


def test_an_expired_lease_is_reclaimed_and_fences_the_old_publisher(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    old = claim_delivery(db, "publisher-1", 5)
    db.execute("update aicrm.outbox set lease_until = now() - interval '1 second' where task_id = %s", (task,))
    new = claim_delivery(db, "publisher-2")
    assert (new["outbox_id"], new["attempt"]) == (old["outbox_id"], 2)
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RECORD_DELIVERY, (old["outbox_id"], old["lease_token"], True, Jsonb({}), True))
    assert err.diag.sqlstate == "AC005"
    assert db.execute("select count(*) from aicrm.deliveries where task_id = %s", (task,)).fetchone() == (0,)
    record_delivery(db, tenant, new, True)
    assert task_state(db, task) == "delivered"


def test_only_workers_publish_and_tenants_stay_apart(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    with act_as(db, tenant):
        assert sql_error(db, "select aicrm.claim_next_delivery_v2('me')").sqlstate == "42501"
        assert sql_error(db, "update aicrm.outbox set status = 'delivered'").sqlstate == "42501"
    got = claim_delivery(db)
    other = make_tenant(db, "Agency B")
    with act_as(db, other, "aicrm_worker"):
        err = sql_error(db, RECORD_DELIVERY, (got["outbox_id"], got["lease_token"], True, Jsonb({}), True))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "outbox_id")
        assert db.execute("select count(*) from aicrm.outbox").fetchone() == (0,)
    assert task_state(db, task) == "publishing"


# --- release -----------------------------------------------------------------------------------------


def test_a_released_delivery_is_claimable_at_once_and_the_attempt_does_not_count(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    task = approved_task(db, tenant, customer)
    got = claim_delivery(db)
    assert got["attempt"] == 1
    assert release(db, tenant, got["outbox_id"], got["lease_token"]) == {
        "outbox_id": got["outbox_id"],
        "status": "pending",
        "attempts": 0,
    }
    row = db.execute(
        "select status, attempts, lease_holder, lease_token, lease_until, available_at <= now() from aicrm.outbox"
        " where task_id = %s",
        (task,),
    ).fetchone()
    assert row == ("pending", 0, None, None, None, True)
    # Recorded as the other outcomes are: a row of aicrm.deliveries, who held it and why; no transport.
    released = db.execute(
        "select attempt, transport, target, status, response, delivered_by from aicrm.deliveries where task_id = %s",
        (task,),
    ).fetchall()
    assert released == [(1, None, None, "released", {"reason": "publisher stopping"}, "publisher-1")]
    assert task_state(db, task) == "publishing"
    # The old lease writes nothing more.
    assert refused_release(db, tenant, got["outbox_id"], got["lease_token"], "again") == ("AC005", "lease_token")
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RECORD_DELIVERY, (got["outbox_id"], got["lease_token"], True, Jsonb({}), True))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "lease_token")

    again = claim_delivery(db, "publisher-2")  # at once, and the same attempt again
    assert (again["outbox_id"], again["attempt"]) == (got["outbox_id"], 1)
    assert record_delivery(db, tenant, again, True) == {
        "outbox_id": got["outbox_id"],
        "status": "delivered",
        "attempts": 1,
    }
    assert task_state(db, task) == "delivered"
    # A released row never counts towards the six attempts before an escalation.
    task = approved_task(db, tenant, customer)
    for _ in range(8):
        got = claim_delivery(db)
        release(db, tenant, got["outbox_id"], got["lease_token"])
    got = claim_delivery(db)
    assert got["attempt"] == 1
    assert record_delivery(db, tenant, got, False)["status"] == "pending"


def test_release_refuses_bad_input_other_rows_and_lost_leases_and_writes_nothing(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    task = approved_task(db, tenant, customer)
    got = claim_delivery(db)
    oid, token = got["outbox_id"], got["lease_token"]

    def snapshot() -> tuple[Any, ...]:
        return (
            db.execute("select status, attempts, lease_token from aicrm.outbox where task_id = %s", (task,)).fetchall(),
            db.execute("select count(*) from aicrm.deliveries").fetchone(),
        )

    before = snapshot()
    assert refused_release(db, tenant, None, token, "x") == ("AC001", "outbox_id")
    assert refused_release(db, tenant, oid, None, "x") == ("AC001", "lease_token")
    assert refused_release(db, tenant, oid, token, " ") == ("AC001", "reason")
    assert refused_release(db, tenant, oid, token, None) == ("AC001", "reason")
    assert refused_release(db, tenant, oid, token, "x" * 501) == ("AC001", "reason")
    assert refused_release(db, tenant, str(uuid.uuid4()), token, "x") == ("AC002", "outbox_id")
    assert refused_release(db, tenant, oid, str(uuid.uuid4()), "x") == ("AC005", "lease_token")
    other = make_tenant(db, "Agency B")
    assert refused_release(db, other, oid, token, "x") == ("AC002", "outbox_id")
    with act_as(db, None, "aicrm_worker"):
        assert sql_error(db, RELEASE, (oid, token, "x")).sqlstate == "AC003"  # no tenant
    with act_as(db, tenant):  # only publishers give deliveries back
        assert sql_error(db, RELEASE, (oid, token, "x")).sqlstate == "42501"
    assert snapshot() == before
    # A lease that ran out but nobody reclaimed still holds (as for record_delivery) ...
    db.execute("update aicrm.outbox set lease_until = now() - interval '1 second' where task_id = %s", (task,))
    assert release(db, tenant, oid, token, "grace over")["status"] == "pending"
    # ... and once recorded, a delivery cannot be given back.
    got = claim_delivery(db)
    record_delivery(db, tenant, got, True)
    assert refused_release(db, tenant, oid, got["lease_token"], "x") == ("AC005", "lease_token")
    assert db.execute(
        "select status from aicrm.deliveries where task_id = %s order by created_at", (task,)
    ).fetchall() == [("released",), ("delivered",)]


# --- channels ----------------------------------------------------------------------------------------


def test_a_claim_takes_only_the_channels_asked_for(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    sms = approved_task(db, tenant, customer, "sms")  # the older one
    email = approved_task(db, tenant, customer, "email")
    with act_as(db, None, "aicrm_worker"):
        for channels, field in (([], "channels"), (["fax"], "channels"), (["email", None], "channels")):
            err = sql_error(db, "select aicrm.claim_next_delivery_v2('p', 60, %s::text[])", (channels,))
            assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", field)
            assert err.diag.message_hint is not None
            assert "email, social, sms, blog, web" in err.diag.message_hint  # the channels a task may have
    assert db.execute("select count(*) from aicrm.outbox where status = 'pending'").fetchone() == (2,)

    mail = claim_delivery(db, "smtp-only", channels=["email"])  # SMTP alone: the sms draft waits for a webhook
    assert (mail["channel"], mail["payload"]["task_id"]) == ("email", email)
    assert claim_delivery(db, "smtp-only", channels=["email"]) is None
    assert (task_state(db, sms), outbox(db, sms)[0][:2]) == ("approved", ("pending", 0))
    assert claim_delivery(db, "other", channels=["blog", "sms"])["payload"]["task_id"] == sms
    # An expired lease goes to a publisher of its channel only.
    db.execute("update aicrm.outbox set lease_until = now() - interval '1 second' where task_id = %s", (sms,))
    assert claim_delivery(db, "smtp-only", channels=["email"]) is None
    again = claim_delivery(db, "webhook")  # every channel
    assert (again["payload"]["task_id"], again["attempt"]) == (sms, 2)


def test_a_single_channel_claim_reads_its_index_and_skips_other_channels(db: Conn) -> None:
    """The claim's own statements, as auto_explain sees them once PL/pgSQL uses its generic plans:
    every channel by outbox_pending_idx, one channel by outbox_pending_channel_idx (never a walk
    past the 5,000 sms rows that only a webhook takes)."""
    tenant = make_tenant(db, "Agency A")
    # Rows without tasks (no foreign key checks in this transaction): only the claim reads them.
    db.execute("set local session_replication_role = replica")
    db.execute(
        "insert into aicrm.outbox (tenant_id, task_id, deliverable_id, channel, payload, available_at)"
        " select %s, gen_random_uuid(), gen_random_uuid(), case when g %% 500 = 0 then 'email' else 'sms' end, '{}',"
        " now() - make_interval(secs => 10000 - g) from generate_series(1, 5000) as g",
        (tenant,),
    )
    db.execute("analyze aicrm.outbox")
    plans: list[str] = []
    db.add_notice_handler(lambda diag: plans.append(diag.message_primary or ""))
    db.execute("load 'auto_explain'")
    for setting, value in (("log_nested_statements", "on"), ("log_level", "notice"), ("log_analyze", "on")):
        db.execute(f"set local auto_explain.{setting} = {value}")

    def pending_claim_plan(channels: list[str] | None) -> str:
        for attempt in range(7):  # PL/pgSQL plans a statement for its values 5 times, then generically
            with db.transaction(force_rollback=True):
                db.execute(f"set local auto_explain.log_min_duration = {0 if attempt == 6 else -1}")
                plans.clear()
                got = claim_delivery(db, "p", channels=channels)
        assert got is not None
        assert got["channel"] == (channels or ["sms"])[0]
        [plan] = [p for p in plans if "o.status = 'pending'" in p]
        return plan

    every = pending_claim_plan(None)
    assert "Index Scan using outbox_pending_idx" in every
    email = pending_claim_plan(["email"])
    assert "Index Scan using outbox_pending_channel_idx" in email
    assert "Sort" not in email
    assert "Rows Removed by Filter" not in email


# --- notifications -------------------------------------------------------------------------------------


def test_whatever_makes_a_delivery_pending_wakes_listening_publishers(db: Conn, db_url: str) -> None:
    tenant, customer = make_bakery(db)
    db.commit()
    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute("listen aicrm_delivery_queued")

        def woken() -> list[tuple[str, str]]:
            return [(n.channel, n.payload) for n in listener.notifies(timeout=2, stop_after=1)]

        task = approved_task(db, tenant, customer)  # approved: in the outbox
        assert list(listener.notifies(timeout=0.2, stop_after=1)) == []  # not before commit
        db.commit()
        assert woken() == [("aicrm_delivery_queued", "")]
        got = claim_delivery(db)
        record_delivery(db, tenant, got, False)  # failed, pending again (after a backoff)
        db.commit()
        assert woken() == [("aicrm_delivery_queued", "")]
        db.execute("update aicrm.outbox set available_at = now() where task_id = %s", (task,))
        got = claim_delivery(db)
        db.commit()
        assert list(listener.notifies(timeout=0.2, stop_after=1)) == []  # a claim wakes nobody
        release(db, tenant, got["outbox_id"], got["lease_token"])
        db.commit()
        assert woken() == [("aicrm_delivery_queued", "")]


# --- recipients ----------------------------------------------------------------------------------------


def test_an_email_payload_names_the_tasks_recipients(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    to = ["owner@sunrise.example", "o'brien+news@mail.sunrise.example"]
    email = approved_task(db, tenant, customer, "email", {"recipients": to})
    plain = approved_task(db, tenant, customer, "email")
    sms = approved_task(db, tenant, customer, "sms", {"recipients": to})  # an sms goes to no email address
    payloads = dict(db.execute("select task_id::text, payload from aicrm.outbox").fetchall())
    assert payloads[email]["to"] == to
    assert "to" not in payloads[plain]  # the publisher's configured address (AICRM_PUBLISH_SMTP_TO)
    assert "to" not in payloads[sms]

    for recipients, field in (
        (["not an address"], "ai_instructions.recipients[0]"),
        (["owner@sunrise.example", "two@@sunrise.example"], "ai_instructions.recipients[1]"),
        (["Owner <owner@sunrise.example>"], "ai_instructions.recipients[0]"),
        (["a@b.example, c@d.example"], "ai_instructions.recipients[0]"),
        ([], "ai_instructions.recipients"),
        ("owner@sunrise.example", "ai_instructions.recipients"),
    ):
        with act_as(db, tenant):
            err = sql_error(
                db,
                "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'email', p_ai_instructions => %s)",
                (customer, Jsonb({"recipients": recipients})),
            )
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", field), recipients
