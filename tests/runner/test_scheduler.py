"""`aicrm scheduler` (runner/scheduler.py): processes started at once for the same minute run a
job once between them, the database claiming the tick; a pass with nothing due exits at once."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg

from tests.factories import committed
from tests.processes import AICRM, command_env, execute, query, run_aicrm
from tests.sql.scheduler.jobs import add_job, make_test_jobs


def _count_job(conn: psycopg.Connection[Any]) -> None:
    make_test_jobs(conn)
    add_job(conn, "count", "aicrm_private.test_job_count", "*/5 * * * *", created_at="2026-12-07 09:00+00")


def test_schedulers_started_together_run_a_job_once_per_tick(db_url: str, tmp_path: Path) -> None:
    """Two schedulers of one installation and a third of another (its own data directory, the same
    database settings, as on a second machine)."""
    committed(db_url, _count_job)
    args = [str(AICRM), "scheduler", "--once", "--at", "2026-12-07T10:02:30Z"]
    envs = [command_env(db_url), command_env(db_url), command_env(db_url, AICRM_DATA_DIR=str(tmp_path / "other"))]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for env in envs]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert query(db_url, "select count(*) from aicrm_private.test_job_calls") == [(1,)]
    runs = query(
        db_url,
        "select to_char(tick at time zone 'UTC', 'HH24:MI'), status, missed_ticks, runner like 'aicrm scheduler %' "
        "from aicrm.job_runs where job_name = 'count' order by tick",
    )
    # 09:05 … 09:55 passed before any scheduler ran: recorded once, not run; 10:00 ran once.
    assert runs == [("09:55", "missed", 11, False), ("10:00", "succeeded", None, True)]
    logs = "".join(err for _, err in outputs)
    # One ran it; the others found the tick taken, or (asking after it ran) nothing due.
    assert logs.count("succeeded, 1 rows") == 1
    assert logs.count("job count at") == 1 + logs.count("by another scheduler, not run here")
    # Later the same minute: nothing is due any more.
    again = run_aicrm(db_url, "scheduler", "--at", "2026-12-07T10:04:00Z")
    assert again.returncode == 0, again.stderr
    assert query(db_url, "select count(*) from aicrm_private.test_job_calls") == [(1,)]


def test_once_with_nothing_due_exits_zero_quickly(db_url: str) -> None:
    execute(db_url, "update aicrm.scheduled_jobs set enabled = false")  # the seeded jobs: not due by chance
    started = time.monotonic()
    result = run_aicrm(db_url, "scheduler", "--once", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "stopped: 0 ticks run" in result.stderr
    assert time.monotonic() - started < 15
    assert query(db_url, "select count(*) from aicrm.job_runs where runner like 'aicrm scheduler %'") == [(0,)]


def test_a_bad_at_is_refused_naming_it(db_url: str) -> None:
    result = run_aicrm(db_url, "scheduler", "--at", "yesterday")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --at")
