"""Test jobs for the scheduler: functions of aicrm_private that count their calls in a table of
their own (aicrm_private.test_job_calls), fail, or return a number; made as the owner, since the
scheduler runs only the owner's schemas' functions."""

from __future__ import annotations

from typing import Any

import psycopg

Conn = psycopg.Connection[Any]


def make_test_jobs(conn: Conn) -> None:
    """aicrm_private.test_job_count() (one row per call in test_job_calls; returns the calls so far),
    test_job_fail() (raises 22012) and test_job_seven() (returns 7)."""
    conn.execute("set local role aicrm_owner")
    conn.execute("create table aicrm_private.test_job_calls (called_at timestamptz not null default clock_timestamp())")
    conn.execute(
        """create function aicrm_private.test_job_count() returns bigint language sql as $$
           insert into aicrm_private.test_job_calls default values;
           select count(*) from aicrm_private.test_job_calls $$"""
    )
    conn.execute(
        "create function aicrm_private.test_job_fail() returns bigint language plpgsql as $$ begin return 1 / 0; end $$"
    )
    conn.execute("create function aicrm_private.test_job_seven() returns bigint language sql as $$ select 7::bigint $$")
    conn.execute("reset role")


def add_job(conn: Conn, name: str, function: str, schedule: str = "* * * * *", created_at: str | None = None) -> None:
    """A job through aicrm.set_scheduled_job; `created_at` moves its creation back (for due ticks)."""
    conn.execute(
        "select aicrm.set_scheduled_job(p_name => %s, p_schedule => %s, p_function_name => %s)",
        (name, schedule, function),
    )
    if created_at is not None:
        conn.execute("update aicrm.scheduled_jobs set created_at = %s where name = %s", (created_at, name))


def calls(conn: Conn) -> int:
    row = conn.execute("select count(*) from aicrm_private.test_job_calls").fetchone()
    assert row is not None
    return int(row[0])
