"""The scheduler module against a real pg_cron (issue 17; docs/operations.md, "With pg_cron"):
Debian's PostgreSQL 15 with postgresql-15-cron (installed with apt when missing and possible,
skipped otherwise), the module alone installed from the checkout (sql/README.md, "The scheduler
module"), a test job handed to pg_cron by aicrm.schedule_jobs() and run by pg_cron itself.

Checked: registration (name, command, schedule, role), idempotence (same jobid, one row; a changed
schedule updates it in place), unscheduling of deleted and disabled jobs but of no pg_cron job
aicrm did not make, and the run history pg_cron's run leaves in aicrm.job_runs. pg_cron fires on
minute boundaries, so the run takes up to a minute of waiting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.sql.scheduler.pg_cron_server import ADMIN, PgCronServer, install_pg_cron

Conn = psycopg.Connection[Any]
SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
DATABASE = "aicrm_cron"

# What the module needs of bootstrap.sql and migration 0001 (their pgvector line cannot run here):
# the four roles, the owner's two schemas, default deny on what the owner creates.
STAND_INS = """
create role aicrm_owner nologin;
create role aicrm_app nologin;
create role aicrm_worker nologin;
create role aicrm_readonly nologin;
grant create, connect, temporary on database {database} to aicrm_owner;
create schema aicrm authorization aicrm_owner;
create schema aicrm_private authorization aicrm_owner;
alter default privileges for role aicrm_owner revoke execute on functions from public;
alter default privileges for role aicrm_owner revoke all on tables from public;
"""

# The test job: a function of aicrm taking no arguments and returning bigint, as the module
# requires; each call leaves a row, so a tick run twice would show.
TEST_JOB = """
create table aicrm.pg_cron_test_calls (called_at timestamptz not null);
create function aicrm.pg_cron_test_job() returns bigint language sql as $$
    insert into aicrm.pg_cron_test_calls (called_at) values (now());
    select 1::bigint
$$;
"""


def module_files() -> list[Path]:
    """The scheduler module, in apply order (migration, private helpers, API), read from the checkout."""
    functions = SQL_DIR / "functions"
    return [
        SQL_DIR / "migrations" / "0029_scheduled_jobs.sql",
        *sorted((functions / "private" / "scheduler").glob("*.sql")),
        *sorted((functions / "scheduler").glob("*.sql")),
    ]


@pytest.fixture(scope="module")
def cron_server() -> Iterator[PgCronServer]:
    reason = install_pg_cron()
    if reason is not None:
        pytest.skip(reason)
    server = PgCronServer(DATABASE)
    try:
        server.start()
        with server.connect() as conn, conn.transaction():
            conn.execute(STAND_INS.format(database=DATABASE).encode())
            conn.execute("set local role aicrm_owner")  # as `aicrm migrate` applies them
            for path in module_files():
                conn.execute(path.read_bytes())
            conn.execute(TEST_JOB.encode())
        with server.connect() as conn:
            conn.execute("create extension pg_cron")
        server.wait_for_launcher()
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(cron_server: PgCronServer) -> Iterator[Conn]:
    """The administrator (a superuser that can log in), on autocommit: pg_cron sees what it commits."""
    with cron_server.connect() as conn:
        yield conn


def one(conn: Conn, query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


@contextmanager
def as_owner(conn: Conn) -> Iterator[Conn]:
    conn.execute("set role aicrm_owner")
    try:
        yield conn
    finally:
        conn.execute("reset role")


def set_job(conn: Conn, name: str, schedule: str, function: str, enabled: bool = True) -> None:
    """Written by the owner, as docs/operations.md says."""
    with as_owner(conn):
        conn.execute(
            "select aicrm.set_scheduled_job(p_name => %s, p_schedule => %s, p_function_name => %s, p_enabled => %s)",
            (name, schedule, function, enabled),
        )


def schedule_jobs(conn: Conn) -> dict[str, Any]:
    result: dict[str, Any] = one(conn, "select aicrm.schedule_jobs()")
    return result


def cron_jobs(conn: Conn, like: str) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select jobid, jobname, schedule, command, username, database, active from cron.job "
        "where jobname like %s order by jobname",
        (like,),
    ).fetchall()


def test_schedule_jobs_registers_each_job_once_and_unschedules_only_its_own(admin: Conn) -> None:
    # Daily at 03:17 and 04:17: registered, never run while the test lasts.
    set_job(admin, "pg-cron-keep", "17 3 * * *", "aicrm.pg_cron_test_job")
    set_job(admin, "pg-cron-disable", "17 3 * * *", "aicrm.pg_cron_test_job")
    set_job(admin, "pg-cron-delete", "17 4 * * *", "aicrm.pg_cron_test_job")
    admin.execute("select cron.schedule('other', '17 3 * * *', 'select 1')")

    first = schedule_jobs(admin)
    assert first["pg_cron"] is True
    assert {"pg-cron-keep", "pg-cron-disable", "pg-cron-delete"} <= set(first["scheduled"])
    assert first["runs_as"] == ADMIN
    assert "warning" not in first  # the administrator can log in: pg_cron can run its jobs
    registered = cron_jobs(admin, "aicrm:pg-cron-%")
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in registered] == [
        (f"aicrm:{name}", schedule, f"select aicrm.run_scheduled_job('{name}')", ADMIN, DATABASE, True)
        for name, schedule in [("pg-cron-delete", "17 4 * * *"), ("pg-cron-disable", "17 3 * * *"),
                               ("pg-cron-keep", "17 3 * * *")]
    ]  # fmt: skip

    # Again: nothing changes, no second row, the same pg_cron job ids.
    assert schedule_jobs(admin)["unscheduled"] == []
    assert cron_jobs(admin, "aicrm:pg-cron-%") == registered

    # A changed schedule updates the pg_cron job in place (cron.schedule is idempotent by name).
    set_job(admin, "pg-cron-keep", "18 3 * * *", "aicrm.pg_cron_test_job")
    schedule_jobs(admin)
    kept = cron_jobs(admin, "aicrm:pg-cron-keep")
    assert [(r[0], r[2]) for r in kept] == [(registered[2][0], "18 3 * * *")]

    # Disabled and deleted jobs leave pg_cron; the job aicrm did not make stays.
    set_job(admin, "pg-cron-disable", "17 3 * * *", "aicrm.pg_cron_test_job", enabled=False)
    with as_owner(admin):
        admin.execute("delete from aicrm.scheduled_jobs where name = 'pg-cron-delete'")
    result = schedule_jobs(admin)
    assert sorted(result["unscheduled"]) == ["pg-cron-delete", "pg-cron-disable"]
    assert "pg-cron-keep" in result["scheduled"]
    assert [r[1] for r in cron_jobs(admin, "aicrm:pg-cron-%")] == ["aicrm:pg-cron-keep"]
    assert [r[2] for r in cron_jobs(admin, "other")] == ["17 3 * * *"]
    assert schedule_jobs(admin)["unscheduled"] == []

    admin.execute("select cron.unschedule('other')")
    with as_owner(admin):
        admin.execute("delete from aicrm.scheduled_jobs where name = 'pg-cron-keep'")
    assert schedule_jobs(admin)["unscheduled"] == ["pg-cron-keep"]


@pytest.mark.slow
def test_pg_cron_runs_the_job_once_per_tick_and_aicrm_records_it(admin: Conn) -> None:
    set_job(admin, "pg-cron-tick", "* * * * *", "aicrm.pg_cron_test_job")
    assert "pg-cron-tick" in schedule_jobs(admin)["scheduled"]
    [(jobid, *_)] = cron_jobs(admin, "aicrm:pg-cron-tick")

    # The next minute boundary, plus pg_cron's start-up of the job: a minute and a bit at most.
    run = None
    deadline = time.monotonic() + 130
    while run is None:
        assert time.monotonic() < deadline, "pg_cron did not run the job within 130 s"
        time.sleep(0.5)
        run = admin.execute(
            "select tick, status, rows_affected, error, ended_at is not null from aicrm.job_runs "
            "where job_name = 'pg-cron-tick' and status <> 'running' order by tick limit 1"
        ).fetchone()
    tick, status, rows_affected, error, ended = run
    assert (status, rows_affected, error, ended) == ("succeeded", 1, None, True)
    assert one(admin, "select runner from aicrm.job_runs where job_name = 'pg-cron-tick' and tick = %s", (tick,)) == (
        "pg_cron"
    )
    # The job's function ran once for that tick.
    calls = one(
        admin, "select count(*) from aicrm.pg_cron_test_calls where date_trunc('minute', called_at) = %s", (tick,)
    )
    assert calls == 1

    # pg_cron's own history says the same of that minute (it writes it as the command ends).
    details = None
    deadline = time.monotonic() + 30
    while details is None or details[0] == "running":
        assert time.monotonic() < deadline, "pg_cron did not finish its run record"
        time.sleep(0.2)
        details = admin.execute(
            "select status, command from cron.job_run_details where jobid = %s "
            "and date_trunc('minute', start_time) = %s",
            (jobid, tick),
        ).fetchone()
    assert details == ("succeeded", "select aicrm.run_scheduled_job('pg-cron-tick')")

    # The tick is claimed: a second caller for it runs nothing and reports pg_cron's run.
    again = one(admin, "select aicrm.run_scheduled_job('pg-cron-tick', %s, 'test')", (tick,))
    assert (again["status"], again["ran"]) == ("succeeded", False)

    # Disabled: schedule_jobs() takes it out of pg_cron.
    set_job(admin, "pg-cron-tick", "* * * * *", "aicrm.pg_cron_test_job", enabled=False)
    assert "pg-cron-tick" in schedule_jobs(admin)["unscheduled"]
    assert cron_jobs(admin, "aicrm:pg-cron-tick") == []


def test_as_the_owner_pg_cron_refuses_and_granted_its_schema_the_answer_warns(admin: Conn) -> None:
    """pg_cron would run the owner's jobs as aicrm_owner, which cannot log in. Without the cron
    schema's USAGE (pg_cron grants it to no one) the owner is refused outright; granted it, the
    jobs are registered under aicrm_owner and the answer says they cannot run."""
    set_job(admin, "pg-cron-owner", "17 3 * * *", "aicrm.pg_cron_test_job")
    with as_owner(admin), pytest.raises(psycopg.errors.InsufficientPrivilege):
        schedule_jobs(admin)
    admin.execute("grant usage on schema cron to aicrm_owner")
    try:
        with as_owner(admin):
            result = schedule_jobs(admin)
        assert result["runs_as"] == "aicrm_owner"
        assert "aicrm_owner" in result["warning"]
        assert one(admin, "select username from cron.job where jobname = 'aicrm:pg-cron-owner'") == "aicrm_owner"
        with as_owner(admin):
            admin.execute("delete from aicrm.scheduled_jobs where name = 'pg-cron-owner'")
            assert schedule_jobs(admin)["unscheduled"] == ["pg-cron-owner"]
    finally:
        admin.execute("revoke usage on schema cron from aicrm_owner")
    assert cron_jobs(admin, "aicrm:pg-cron-owner") == []
