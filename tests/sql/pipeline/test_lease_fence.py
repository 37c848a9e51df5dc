"""The one lease fence (aicrm_private.check_lease, sql/functions/private/tasks/lease.sql): a worker's
write back on a task (through lease_of) and a publisher's on a delivery (through held_delivery) are
refused in the same cases, in the same order, with the same SQLSTATE and field; a worker of another
tenant reaches neither."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from tests.factories import make_bakery, make_tenant
from tests.helpers import call, refused
from tests.tasks import approved_task, claim_delivery, claim_task, create_task

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Held:
    """A row held under a lease: how to write back under it, and what to give it back with."""

    tenant: str
    id_field: str
    row_id: str
    token: str
    write: str  # a write back taking (id, token)
    give_back: str  # ends the lease, taking (id, token)


def held_task(db: Conn) -> Held:
    tenant, customer = make_bakery(db)
    create_task(db, tenant, customer)
    got = claim_task(db)
    return Held(
        tenant,
        "task_id",
        got["task_id"],
        got["lease_token"],
        "select aicrm.heartbeat(%s, %s)",
        "select aicrm.release_task(%s, %s, 'worker stopping')",
    )


def held_delivery(db: Conn) -> Held:
    tenant, customer = make_bakery(db)
    approved_task(db, tenant, customer)
    got = claim_delivery(db)
    return Held(
        tenant,
        "outbox_id",
        got["outbox_id"],
        got["lease_token"],
        "select aicrm.email_messages(%s, %s, 'https://example.com/unsubscribe', array['owner@example.com'])",
        "select aicrm.release_delivery(%s, %s, 'publisher stopping')",
    )


@pytest.fixture(params=["task", "delivery"])
def held(request: pytest.FixtureRequest, db: Conn) -> Held:
    return held_task(db) if request.param == "task" else held_delivery(db)


def test_both_fences_are_the_one_fence(db: Conn) -> None:
    callers = db.execute(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'aicrm_private' and p.prosrc like '%aicrm_private.check_lease(%' order by 1"
    ).fetchall()
    assert [r[0] for r in callers] == ["held_delivery", "lease_of"]


def test_what_is_missing_is_refused_first_the_id_then_the_token(db: Conn, held: Held) -> None:
    unknown = str(uuid.uuid4())
    for params, expected in (
        ((None, held.token), ("AC001", held.id_field)),
        ((None, None), ("AC001", held.id_field)),
        ((held.row_id, None), ("AC001", "lease_token")),
        ((unknown, None), ("AC001", "lease_token")),
    ):
        assert refused(db, held.tenant, held.write, params) == expected, params


def test_a_row_the_tenant_does_not_have_is_not_found(db: Conn, held: Held) -> None:
    assert refused(db, held.tenant, held.write, (str(uuid.uuid4()), held.token)) == ("AC002", held.id_field)


def test_a_worker_of_another_tenant_reaches_nothing_even_with_the_token(db: Conn, held: Held) -> None:
    other = make_tenant(db, "Agency B")
    assert refused(db, other, held.write, (held.row_id, held.token)) == ("AC002", held.id_field)
    assert refused(db, other, held.give_back, (held.row_id, held.token)) == ("AC002", held.id_field)
    call(db, held.tenant, held.write, (held.row_id, held.token))  # the holder still holds it


def test_another_token_is_refused_and_the_holder_still_writes(db: Conn, held: Held) -> None:
    assert refused(db, held.tenant, held.write, (held.row_id, str(uuid.uuid4()))) == ("AC005", "lease_token")
    call(db, held.tenant, held.write, (held.row_id, held.token))


def test_a_lease_given_back_fences_its_old_token(db: Conn, held: Held) -> None:
    call(db, held.tenant, held.give_back, (held.row_id, held.token))
    assert refused(db, held.tenant, held.write, (held.row_id, held.token)) == ("AC005", "lease_token")
