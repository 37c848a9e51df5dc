"""Old partitions of aicrm.ai_agent_messages go (docs/agents.md, "Partitions"): the job
expire-agent-messages detaches and drops each monthly partition whose month ended longer ago than
aicrm.agent_messages_retention (default 12 months) and whose messages are all finished, in every
tenant; one open message keeps it, however old. Months are UTC whatever the session's time zone."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.factories import make_tenant
from tests.helpers import sql_error

Conn = psycopg.Connection[Any]
EXPIRE = "select aicrm.expire_agent_messages()"
# the start (UTC) of the month `months` before this one, as the database computes it
MONTH = "select (date_trunc('month', now() at time zone 'UTC') - make_interval(months => %s)) at time zone 'UTC'"


def month_start(db: Conn, months_ago: int) -> Any:
    row = db.execute(MONTH, (months_ago,)).fetchone()
    assert row is not None
    return row[0]


def partition(db: Conn, months_ago: int) -> str:
    """The month's partition, created (as the job would for a month ahead) if it is missing: its name."""
    start = month_start(db, months_ago)
    db.execute("select aicrm_private.create_agent_message_partition(%s)", (start,))
    return f"ai_agent_messages_y{start:%Y}m{start:%m}"


def message(db: Conn, tenant: str, months_ago: int, status: str, *, at: str = "1 day") -> str:
    """A message of the tenant written `at` into that month (as the superuser), in `status`: an open
    one expires next year (or, delivered, is under a live claim), so the job's dead-lettering leaves it
    open; a finished one is acknowledged or dead-lettered. Its id."""
    row = db.execute(
        "with v as (select %s::timestamptz + %s::interval as c)"
        " insert into aicrm.ai_agent_messages (tenant_id, created_at, kind, message_type, from_role, to_role,"
        " thread_id, correlation_id, parts, status, visible_at, expires_at, acknowledged_at, dead_lettered_at,"
        " dead_letter_reason, deliveries)"
        " select %s, c, 'notification', 'notification.info', 'human', 'editor', gen_random_uuid(),"
        " gen_random_uuid(), '[]', %s,"
        " case when %s = 'delivered' then now() + interval '1 hour' else c end,"
        " case when %s in ('pending', 'delivered') then now() + interval '1 year' else c + interval '3 days' end,"
        " case when %s = 'acknowledged' then c + interval '1 hour' end,"
        " case when %s = 'dead_lettered' then c + interval '3 days' end,"
        " case when %s = 'dead_lettered' then 'expired' end,"
        " case when %s = 'pending' then 0 else 1 end"
        " from v returning message_id::text",
        (month_start(db, months_ago), at, tenant, status, *(status,) * 6),
    ).fetchone()
    assert row is not None
    return str(row[0])


def exists(db: Conn, name: str) -> bool:
    row = db.execute("select to_regclass(%s) is not null", (f"aicrm_private.{name}",)).fetchone()
    return bool(row and row[0])


def where(db: Conn, message_id: str) -> str | None:
    row = db.execute(
        "select tableoid::regclass::text from aicrm.ai_agent_messages where message_id = %s", (message_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def test_finished_partitions_past_the_retention_are_dropped_and_open_ones_kept(db: Conn) -> None:
    db.execute("set local timezone = 'Pacific/Auckland'")  # months are UTC months all the same
    a, b = make_tenant(db, "Agency A"), make_tenant(db, "Agency B")
    done = partition(db, 14)  # every message finished: dropped
    gone = [message(db, a, 14, "acknowledged"), message(db, b, 14, "dead_lettered")]
    open_in_b = partition(db, 13)  # A's finished, B's still pending: kept (B's rows are only B's to see)
    kept_13 = [message(db, a, 13, "acknowledged"), message(db, b, 13, "pending")]
    claimed = partition(db, 20)  # a live claim, however old: kept
    kept_20 = message(db, a, 20, "delivered")
    recent = partition(db, 12)  # ended 11 months ago: within the 12 months kept
    first = message(db, a, 12, "acknowledged", at="0 seconds")  # the month's first microsecond, UTC
    assert where(db, first) == f"aicrm_private.{recent}"
    assert where(db, message(db, a, 11, "acknowledged", at="-1 microsecond")) == f"aicrm_private.{recent}"

    db.execute(EXPIRE)
    assert not exists(db, done)
    assert [where(db, m) for m in gone] == [None, None]
    assert all(exists(db, p) for p in (open_in_b, claimed, recent, "ai_agent_messages_default"))
    assert [where(db, m) for m in kept_13] == [f"aicrm_private.{open_in_b}"] * 2
    assert where(db, kept_20) == f"aicrm_private.{claimed}"
    # the months ahead are there as before, and a second run drops nothing more
    assert exists(db, partition(db, 0))
    db.execute(EXPIRE)
    assert all(exists(db, p) for p in (open_in_b, claimed, recent))
    # once B's message is finished, its month goes too
    db.execute(
        "update aicrm.ai_agent_messages set status = 'acknowledged', acknowledged_at = now() where message_id = %s",
        (kept_13[1],),
    )
    db.execute(EXPIRE)
    assert not exists(db, open_in_b)
    assert exists(db, claimed)


def test_the_retention_is_a_setting(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    old = partition(db, 3)
    message(db, tenant, 3, "acknowledged")
    db.execute(EXPIRE)
    assert exists(db, old)  # 12 months by default
    db.execute("set local aicrm.agent_messages_retention = '40 days'")
    db.execute(EXPIRE)
    assert not exists(db, old)
    assert exists(db, partition(db, 0))


def test_a_bad_setting_keeps_every_partition_and_the_dead_lettering_goes_on(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    old = partition(db, 24)
    message(db, tenant, 24, "acknowledged")
    expired = message(db, tenant, 0, "pending", at="0 seconds")
    db.execute("update aicrm.ai_agent_messages set expires_at = now() - interval '1 minute' where message_id = %s",
               (expired,))  # fmt: skip
    db.execute("set local aicrm.agent_messages_retention = 'forever'")
    err = sql_error(db, "select aicrm_private.drop_old_agent_message_partitions()")
    assert (err.sqlstate, err.diag.column_name) == ("AC001", "aicrm.agent_messages_retention")
    assert db.execute(EXPIRE).fetchone() == (1,)
    assert exists(db, old)
    row = db.execute("select status from aicrm.ai_agent_messages where message_id = %s", (expired,)).fetchone()
    assert row == ("dead_lettered",)


@pytest.mark.parametrize("role", ["aicrm_app", "aicrm_worker", "aicrm_readonly"])
def test_no_tenant_role_drops_partitions(db: Conn, role: str) -> None:
    db.execute(f"set local role {role}")
    for call in (
        "aicrm_private.drop_old_agent_message_partitions()",
        "aicrm_private.create_agent_message_partition(now())",
    ):
        assert sql_error(db, f"select {call}").sqlstate == "42501", call
    db.execute("reset role")
