"""Scheduled jobs (docs/operations.md, "Scheduled jobs"): cron expressions as pg_cron reads them,
a job written and refused, a tick run once (succeeded, failed, claimed twice, busy), the due ticks
with missed ones recorded once, pruning the history, pg_cron absent, and who may do what."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.factories import committed
from tests.helpers import act_as, sql_error
from tests.sql.scheduler.jobs import add_job, calls, make_test_jobs

Conn = psycopg.Connection[Any]


def one(conn: Conn, query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def run(conn: Conn, name: str, tick: str | None = None, runner: str = "test") -> dict[str, Any]:
    result: dict[str, Any] = one(
        conn, "select aicrm.run_scheduled_job(p_name => %s, p_tick => %s, p_runner => %s)", (name, tick, runner)
    )
    return result


def due(conn: Conn, now: str, job: str) -> list[tuple[str, int]]:
    """The due ticks of `job` at `now` (UTC, 'YYYY-MM-DD HH:MI'), with the ticks missed before each."""
    rows = conn.execute(
        "select to_char(tick at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), missed_ticks "
        "from aicrm.due_job_ticks(%s::timestamptz) where job_name = %s",
        (now + "+00", job),
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


# --- cron expressions -----------------------------------------------------------------------------------

# 2026-12-06 is a Sunday, 2026-12-07 a Monday, 2026-12-01 a Tuesday. Times are UTC unless marked.
MATCHES = [
    ("* * * * *", "2026-12-07 16:20", True),
    ("*/5 * * * *", "2026-12-07 16:20", True),
    ("*/5 * * * *", "2026-12-07 16:21", False),
    ("1-10/2 * * * *", "2026-12-07 16:03", True),
    ("1-10/2 * * * *", "2026-12-07 16:04", False),
    ("1-10/2 * * * *", "2026-12-07 16:11", False),
    ("0,30 * * * *", "2026-12-07 16:30", True),
    ("0,30 * * * *", "2026-12-07 16:15", False),
    ("5-7,50 9 * * *", "2026-12-07 09:06", True),
    ("5-7,50 9 * * *", "2026-12-07 10:06", False),
    ("0 9-17 * * mon-fri", "2026-12-07 09:00", True),
    ("0 9-17 * * mon-fri", "2026-12-06 09:00", False),
    ("0 9-17 * * 1-5", "2026-12-07 18:00", False),
    ("0 0 * * 7", "2026-12-06 00:00", True),  # 7 is Sunday too
    ("0 0 * * 0", "2026-12-06 00:00", True),
    # Both day fields restricted: either matches.
    ("0 0 1 * 1", "2026-12-01 00:00", True),  # the 1st, a Tuesday
    ("0 0 1 * 1", "2026-12-07 00:00", True),  # a Monday, the 7th
    ("0 0 1 * 1", "2026-12-08 00:00", False),
    # One starts with *: both must match (Vixie cron's rule, */2 included).
    ("0 0 */2 * 1", "2026-12-07 00:00", True),  # Monday the 7th (odd)
    ("0 0 */2 * 1", "2026-12-14 00:00", False),  # Monday the 14th (even)
    ("0 0 */2 * 1", "2026-12-09 00:00", False),  # Wednesday the 9th
    ("0 0 1 jan *", "2027-01-01 00:00", True),
    ("0 0 1 JAN *", "2027-02-01 00:00", False),
    ("0 0 29 feb *", "2028-02-29 00:00", True),
    ("@hourly", "2026-12-07 16:00", True),
    ("@hourly", "2026-12-07 16:01", False),
    ("@daily", "2026-12-07 00:00", True),
    ("@weekly", "2026-12-06 00:00", True),
    ("@monthly", "2026-12-01 00:00", True),
    ("@yearly", "2027-01-01 00:00", True),
    ("  0   12 * * *  ", "2026-12-07 12:00:59", True),  # any second of the minute
    ("0 12 * * *", "2026-12-07 13:00+01", True),  # noon UTC, whatever zone the time is written in
    ("0 12 * * *", "2026-12-07 12:00+01", False),
]


@pytest.mark.parametrize(("schedule", "at", "expected"), MATCHES)
def test_cron_matches(db: Conn, schedule: str, at: str, expected: bool) -> None:
    at_utc = at if "+" in at else at + "+00"
    assert one(db, "select aicrm_private.cron_matches(%s, %s::timestamptz)", (schedule, at_utc)) is expected


def test_cron_ticks_lists_the_matching_minutes_of_a_span(db: Conn) -> None:
    ticks = db.execute(
        "select to_char(t at time zone 'UTC', 'HH24:MI') from aicrm_private.cron_ticks("
        "'*/20 * * * *', '2026-12-07 10:00+00', '2026-12-07 11:00+00') as t"
    ).fetchall()
    assert [t[0] for t in ticks] == ["10:20", "10:40", "11:00"]  # after the start, up to the end


BAD_SCHEDULES = [
    "",
    "* * * *",
    "* * * * * *",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 8",
    "5/10 * * * *",
    "10-5 * * * *",
    "*/0 * * * *",
    "a * * * *",
    "0 0 * * funday",
    "30 seconds",
    "0 12 $ * *",
    "1,,2 * * * *",
]


@pytest.mark.parametrize("schedule", BAD_SCHEDULES)
def test_a_bad_schedule_is_refused_naming_schedule_and_writes_nothing(db: Conn, schedule: str) -> None:
    before = one(db, "select count(*) from aicrm.scheduled_jobs")
    err = sql_error(
        db, "select aicrm.set_scheduled_job(p_name => 'x', p_schedule => %s, p_function_name => %s)",
        (schedule, "aicrm.prune_job_runs"),
    )  # fmt: skip
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "schedule")
    assert (err.diag.message_primary or "").startswith("schedule: ")
    assert one(db, "select count(*) from aicrm.scheduled_jobs") == before
    err = sql_error(db, "select aicrm_private.cron_matches(%s, now())", (schedule,))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "schedule")


@pytest.mark.parametrize(
    ("name", "function", "field"),
    [
        ("Bad Name", "aicrm.prune_job_runs", "name"),
        ("ok", "aicrm.no_such_function", "function_name"),
        ("ok", "aicrm.run_scheduled_job", "function_name"),  # takes arguments
        ("ok", "aicrm.schedule_jobs", "function_name"),  # returns jsonb, not bigint
        ("ok", "pg_catalog.pg_backend_pid", "function_name"),  # not the owner's schemas
        ("ok", "prune_job_runs", "function_name"),  # no schema
    ],
)
def test_a_bad_name_or_function_is_refused_naming_it(db: Conn, name: str, function: str, field: str) -> None:
    err = sql_error(
        db, "select aicrm.set_scheduled_job(p_name => %s, p_schedule => '* * * * *', p_function_name => %s)",
        (name, function),
    )  # fmt: skip
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", field)


def test_a_job_is_written_then_changed(db: Conn) -> None:
    first = one(
        db, "select aicrm.set_scheduled_job(p_name => 'p', p_schedule => ' @daily ', "
        "p_function_name => 'aicrm.prune_job_runs', p_description => 'd')",
    )  # fmt: skip
    assert first == {
        "name": "p", "schedule": "@daily", "function_name": "aicrm.prune_job_runs", "enabled": True, "created": True,
    }  # fmt: skip
    again = one(
        db, "select aicrm.set_scheduled_job(p_name => 'p', p_schedule => '0 1 * * *', "
        "p_function_name => 'aicrm.prune_job_runs', p_enabled => false)",
    )  # fmt: skip
    assert again["created"] is False
    row = db.execute("select schedule, enabled, description from aicrm.scheduled_jobs where name = 'p'").fetchone()
    assert row == ("0 1 * * *", False, "d")  # the description kept when not given


def test_the_default_jobs_are_seeded(db: Conn) -> None:
    jobs = db.execute(
        "select name, schedule, function_name, enabled from aicrm.scheduled_jobs order by name"
    ).fetchall()
    assert jobs == [
        ("close-metrics-windows", "7 * * * *", "aicrm.close_metrics_windows", True),
        ("detect-stuck-tasks", "*/5 * * * *", "aicrm.detect_stuck_tasks", True),
        ("evaluate-alert-rules", "* * * * *", "aicrm.evaluate_alert_rules", True),
        ("expire-agent-messages", "*/5 * * * *", "aicrm.expire_agent_messages", True),
        ("process-ai-feedback", "*/15 * * * *", "aicrm.process_ai_feedback_job", True),
        ("prune-alert-history", "43 3 * * *", "aicrm.prune_alert_history", True),
        ("prune-job-runs", "17 3 * * *", "aicrm.prune_job_runs", True),
        ("rollup-task-stats", "* * * * *", "aicrm.rollup_task_stats", True),
    ]
    assert one(db, "select aicrm.expire_agent_messages()") == 0  # no agent message to dead-letter


# --- running a tick --------------------------------------------------------------------------------------


def test_a_tick_runs_and_records_the_rows(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "seven", "aicrm_private.test_job_seven")
    result = run(db, "seven", "2026-12-07 10:00:42+00")
    assert result["status"] == "succeeded"
    assert result["ran"] is True
    assert result["rows_affected"] == 7
    assert datetime.fromisoformat(result["tick"]) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # the minute
    row = db.execute(
        "select status, rows_affected, error, runner, ended_at >= started_at from aicrm.job_runs where run_id = %s",
        (result["run_id"],),
    ).fetchone()
    assert row == ("succeeded", 7, None, "test", True)


def test_the_tick_defaults_to_this_minute_and_the_runner_to_pg_cron(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "seven", "aicrm_private.test_job_seven")
    result = one(db, "select aicrm.run_scheduled_job('seven')")
    row = db.execute(
        "select tick = date_trunc('minute', now(), 'UTC'), runner from aicrm.job_runs where run_id = %s",
        (result["run_id"],),
    ).fetchone()
    assert row == (True, "pg_cron")


def test_a_failing_job_is_recorded_and_the_transaction_stays_usable(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "fails", "aicrm_private.test_job_fail")
    result = run(db, "fails", "2026-12-07 10:00+00")
    assert (result["status"], result["ran"], result["rows_affected"]) == ("failed", True, None)
    assert result["error"].startswith("22012: division by zero")
    assert one(db, "select error from aicrm.job_runs where run_id = %s", (result["run_id"],)) == result["error"]
    assert one(db, "select 1") == 1


def test_a_second_call_for_the_same_tick_does_not_run_it_again(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "count", "aicrm_private.test_job_count")
    first = run(db, "count", "2026-12-07 10:00+00")
    second = run(db, "count", "2026-12-07 10:00:30+00", runner="another")
    assert (first["ran"], second["ran"]) == (True, False)
    assert second["status"] == "succeeded"
    assert second["run_id"] == first["run_id"]
    assert calls(db) == 1
    assert run(db, "count", "2026-12-07 10:01+00")["ran"] is True  # the next tick runs
    assert calls(db) == 2


def test_an_unknown_disabled_or_unnamed_runner_job(db: Conn) -> None:
    err = sql_error(db, "select aicrm.run_scheduled_job('nope')")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "name")
    make_test_jobs(db)
    add_job(db, "count", "aicrm_private.test_job_count")
    err = sql_error(db, "select aicrm.run_scheduled_job('count', null, '')")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "runner")
    db.execute("select aicrm.set_scheduled_job('count', '* * * * *', 'aicrm_private.test_job_count', false)")
    assert run(db, "count")["status"] == "disabled"
    assert calls(db) == 0
    assert one(db, "select count(*) from aicrm.job_runs where job_name = 'count'") == 0


def test_a_function_dropped_since_fails_the_run(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "seven", "aicrm_private.test_job_seven")
    db.execute("drop function aicrm_private.test_job_seven()")
    result = run(db, "seven", "2026-12-07 10:00+00")
    assert result["status"] == "failed"
    assert "function_name" in result["error"]


def test_overlapping_runs_of_one_job_the_second_is_busy(db_url: str) -> None:
    def setup(conn: Conn) -> None:
        make_test_jobs(conn)
        add_job(conn, "count", "aicrm_private.test_job_count")

    committed(db_url, setup)
    with psycopg.connect(db_url) as first, psycopg.connect(db_url, autocommit=True) as second:
        second.execute("set lock_timeout = '5s'")  # waiting on the first would fail the test, not hang it
        assert run(first, "count", "2026-12-07 10:00+00")["status"] == "succeeded"  # still open: holds its locks
        started = time.monotonic()
        same_tick = run(second, "count", "2026-12-07 10:00+00", runner="second")
        assert (same_tick["status"], same_tick["ran"], same_tick["run_id"]) == ("running", False, None)
        busy = run(second, "count", "2026-12-07 10:01+00", runner="second")
        assert time.monotonic() - started < 2  # returned at once
        assert (busy["status"], busy["ran"]) == ("busy", False)
        assert one(second, "select status from aicrm.job_runs where run_id = %s", (busy["run_id"],)) == "busy"
        first.commit()
        after = run(second, "count", "2026-12-07 10:00+00", runner="second")
        assert (after["status"], after["ran"]) == ("succeeded", False)
        assert run(second, "count", "2026-12-07 10:01+00")["status"] == "busy"  # recorded: not run later
        assert calls(second) == 1


# --- due ticks ------------------------------------------------------------------------------------------


def test_due_ticks_one_due_none_after_it_ran_and_a_long_gap_caught_up_once(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "count", "aicrm_private.test_job_count", "*/5 * * * *", created_at="2026-12-07 09:58:30+00")
    assert due(db, "2026-12-07 09:59", "count") == []  # nothing since its creation
    assert due(db, "2026-12-07 10:02", "count") == [("2026-12-07 10:00", 0)]
    run(db, "count", "2026-12-07 10:00+00")
    assert due(db, "2026-12-07 10:04", "count") == []
    # No scheduler from 10:02 to 11:02: 10:05 … 10:55 pass (11 ticks); 11:00 runs, once.
    assert due(db, "2026-12-07 11:02", "count") == [("2026-12-07 11:00", 11)]
    assert due(db, "2026-12-07 11:02", "count") == [("2026-12-07 11:00", 0)]  # asked again: recorded once
    missed = db.execute(
        "select to_char(tick at time zone 'UTC', 'HH24:MI'), missed_ticks, error from aicrm.job_runs "
        "where job_name = 'count' and status = 'missed'"
    ).fetchall()
    assert len(missed) == 1
    assert missed[0][:2] == ("10:55", 11)
    assert "not replayed" in missed[0][2]
    run(db, "count", "2026-12-07 11:00+00")
    assert due(db, "2026-12-07 11:03", "count") == []
    assert calls(db) == 2


def test_due_ticks_look_back_one_day_at_most_and_skip_disabled_jobs(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "count", "aicrm_private.test_job_count", "0 * * * *", created_at="2026-11-01 00:00+00")
    assert due(db, "2026-12-07 10:30", "count") == [("2026-12-07 10:00", 23)]  # 11:00 yesterday … 09:00
    assert "looked back one day" in one(db, "select error from aicrm.job_runs where job_name = 'count'")
    db.execute("update aicrm.scheduled_jobs set enabled = false where name = 'count'")
    assert due(db, "2026-12-07 12:30", "count") == []


# --- history --------------------------------------------------------------------------------------------


def test_prune_job_runs_deletes_past_the_retention(db: Conn) -> None:
    make_test_jobs(db)
    add_job(db, "seven", "aicrm_private.test_job_seven")
    for days in (40, 31, 20, 1):
        run(db, "seven", f"{_days_ago(db, days)}")
    assert one(db, "select aicrm.prune_job_runs()") == 2  # the default: 30 days
    db.execute("select set_config('aicrm.job_runs_retention', '10 days', true)")
    assert one(db, "select aicrm.prune_job_runs()") == 1
    assert one(db, "select count(*) from aicrm.job_runs where job_name = 'seven'") == 1
    db.execute("select set_config('aicrm.job_runs_retention', 'forever', true)")
    err = sql_error(db, "select aicrm.prune_job_runs()")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "aicrm.job_runs_retention")


def _days_ago(db: Conn, days: int) -> str:
    return str(one(db, "select (now() - make_interval(days => %s))::text", (days,)))


def test_schedule_jobs_without_pg_cron_does_nothing_and_says_so(db: Conn) -> None:
    assert one(db, "select count(*) from pg_extension where extname = 'pg_cron'") == 0
    result = one(db, "select aicrm.schedule_jobs()")
    assert result["pg_cron"] is False
    assert result["scheduled"] == []
    assert "aicrm scheduler" in result["message"]


# --- who may do what -------------------------------------------------------------------------------------

WRITES = [
    "insert into aicrm.scheduled_jobs (name, schedule, function_name) "
    "values ('x', '* * * * *', 'aicrm.prune_job_runs')",
    "update aicrm.scheduled_jobs set enabled = false",
    "delete from aicrm.job_runs",
    "insert into aicrm.job_runs (job_name, tick, runner) values ('prune-job-runs', now(), 'me')",
    "select aicrm.set_scheduled_job('x', '* * * * *', 'aicrm.prune_job_runs')",
    "select aicrm.run_scheduled_job('prune-job-runs')",
    "select * from aicrm.due_job_ticks()",
    "select aicrm.schedule_jobs()",
    "select aicrm.prune_job_runs()",
    "select aicrm.expire_agent_messages()",
    "select aicrm_private.cron_matches('* * * * *', now())",
]


@pytest.mark.parametrize("role", ["aicrm_app", "aicrm_worker", "aicrm_readonly"])
def test_only_the_owner_writes_and_runs_the_jobs_others_read(db: Conn, role: str) -> None:
    run(db, "prune-job-runs", "2026-12-07 03:17+00")
    for statement in WRITES:
        with act_as(db, None, role):
            err = sql_error(db, statement)
        assert err.diag.sqlstate == "42501", statement
    with act_as(db, None, role):
        assert one(db, "select count(*) from aicrm.scheduled_jobs") == 8
        assert one(db, "select status from aicrm.job_runs") == "succeeded"
