"""The scheduler (docs/operations.md, "Scheduled jobs"): where pg_cron does not run aicrm's jobs,
this loop does, from the same table and with the same function. Every `poll` seconds it asks the
database what is due (aicrm.due_job_ticks: the clock is the database's, so schedulers on several
machines agree) and runs each due tick with aicrm.run_scheduled_job, one transaction each. It
decides nothing: the database claims each tick once, records a job still running as busy and the
ticks missed while no scheduler ran, so any number of schedulers (and pg_cron) can run side by side.
After each pass it delivers the alert notices that are due (runner/notifier.py).

It connects as aicrm_owner: the jobs are the deployment's housekeeping, acting across every tenant
on tables only the owner writes, and the job functions are EXECUTE-granted to the owner alone; a
worker's or an application's credentials cannot run them. A lost connection is reopened with a
growing delay, for ever; SIGTERM or Ctrl-C stops after the tick in progress."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

import psycopg

from runner.config import Settings
from runner.db import connect, queries
from runner.errors import AicrmError, from_psycopg
from runner.notifier import deliver_due

log = logging.getLogger("aicrm.scheduler")
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 30.0  # as runner/pool.py's (not imported: it loads the worker)
RESULTS_KEPT = 100


def log_to_stderr() -> None:
    """One line per event on stderr, once per process (the worker's format)."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


@dataclass(frozen=True)
class SchedulerOptions:
    poll: float = 20.0  # seconds between passes
    once: bool = False  # one pass, then stop
    at: datetime | None = None  # take this as now (tests, catching up by hand); implies once


@dataclass
class Scheduler:
    settings: Settings
    options: SchedulerOptions = field(default_factory=SchedulerOptions)
    runner: str = field(default_factory=lambda: f"aicrm scheduler {socket.gethostname()} {os.getpid()}")
    # run_scheduled_job's latest answers, in order (bounded: a daemon runs for months), and how many
    # ticks this scheduler ran
    results: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RESULTS_KEPT))
    ticks_run: int = 0
    # record_alert_notification's latest answers (runner/notifier.py)
    notices: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RESULTS_KEPT))
    stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    # --- in a thread of its own (aicrm up) ------------------------------------------------------------

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.run, name="aicrm-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # --- the loop -------------------------------------------------------------------------------------

    def run(self) -> None:
        """Passes until stopped (or one, with --once or --at). A pass that fails (the database
        unreachable) is tried again after a growing delay; with --once the error is raised."""
        once = self.options.once or self.options.at is not None
        delay = RECONNECT_FIRST
        while not self.stopping.is_set():
            try:
                self.run_once()
                delay = RECONNECT_FIRST
            except AicrmError as exc:  # the database unreachable, or a pass refused: tried again later
                if once:
                    raise
                log.warning("scheduler: %s; trying again in %.1f s", exc.one_line(), delay)
                if self.stopping.wait(delay):
                    break
                delay = min(delay * 2, RECONNECT_MAX)
                continue
            if once or self.stopping.wait(self.options.poll):
                break

    def run_once(self) -> list[dict[str, Any]]:
        """One pass: the due ticks, each run in its own transaction; returns what each run did."""
        done: list[dict[str, Any]] = []
        try:
            with connect(self.settings, "owner", autocommit=True) as conn:
                due = conn.execute(queries()["due_job_ticks"], {"now": self.options.at}).fetchall()
                for job_name, tick, missed in due:
                    assert isinstance(tick, datetime)
                    if missed:
                        log.warning("job %s: %d ticks missed while no scheduler ran (not replayed)", job_name, missed)
                    if self.stopping.is_set():
                        break
                    done.append(self._run_tick(conn, str(job_name), tick))
                if not self.stopping.is_set():
                    # the alert notices the jobs (and people) queued: runner/notifier.py
                    self.notices.extend(deliver_due(conn, self.runner))
        except psycopg.Error as exc:
            raise from_psycopg(exc) from exc
        self.results.extend(done)
        self.ticks_run += sum(1 for r in done if r.get("ran"))
        return done

    def _run_tick(self, conn: psycopg.Connection[Any], job_name: str, tick: datetime) -> dict[str, Any]:
        params = {"name": job_name, "tick": tick, "runner": self.runner}
        try:
            row = conn.execute(queries()["run_scheduled_job"], params).fetchone()
        except psycopg.OperationalError:
            raise  # the connection: the pass ends, the loop reconnects
        except psycopg.Error as exc:  # refused (the job deleted since it was due): logged, the pass goes on
            err: AicrmError = from_psycopg(exc)
            log.warning("job %s at %s: %s", job_name, tick.isoformat(), err.one_line())
            return {"job": job_name, "tick": tick.isoformat(), "status": "refused", "error": err.one_line()}
        result: dict[str, Any] = row[0] if row else {}
        log.log(logging.WARNING if result.get("status") == "failed" else logging.INFO, "%s", describe(result))
        return result


def describe(result: dict[str, Any]) -> str:
    """The one line logged per tick."""
    job, tick, status = result.get("job"), result.get("tick"), result.get("status")
    if status == "succeeded" and result.get("ran"):
        return f"job {job} at {tick}: succeeded, {result.get('rows_affected')} rows"
    if status == "failed" and result.get("ran"):
        return f"job {job} at {tick}: failed: {result.get('error')}"
    if status == "busy":
        return f"job {job} at {tick}: busy (still running from an earlier tick), skipped"
    return f"job {job} at {tick}: {status} by another scheduler, not run here"
