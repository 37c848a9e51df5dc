"""`aicrm scheduler`: runs aicrm's scheduled jobs where pg_cron does not (docs/operations.md,
"Scheduled jobs"). The loop is runner/scheduler.py; the database decides what is due and claims each
tick once, so several schedulers (and pg_cron) can run side by side. SIGTERM or Ctrl-C stops it after
the tick in progress."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from runner.config import Settings
from runner.db import connect, ensure_server
from runner.errors import InvalidInput


def parse_at(value: str | None) -> datetime | None:
    """--at as an aware time: an ISO timestamp, UTC when it names no zone."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"--at: {value!r} is not an ISO timestamp", field="--at", hint="For example 2026-12-07T10:00:00Z."
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def scheduler_command(
    once: bool = typer.Option(False, "--once", help="One pass over what is due, then exit (cron, tests)."),
    at: str | None = typer.Option(
        None,
        "--at",
        help="Take this ISO timestamp as now (UTC unless it says otherwise), run what is due then, and exit: "
        "tests, and catching up by hand.",
    ),
    poll: float | None = typer.Option(
        None, "--poll", min=0.1, max=60.0, help="Seconds between passes [default: AICRM_SCHEDULER_POLL, 20]."
    ),
) -> None:
    """Run the scheduled jobs of aicrm.scheduled_jobs on their cron schedules, each tick once."""
    from runner.commands.stopping import stop_signals
    from runner.scheduler import Scheduler, SchedulerOptions, log, log_to_stderr

    settings = Settings.from_env()
    options = SchedulerOptions(poll=poll or settings.scheduler_poll, once=once, at=parse_at(at))
    ensure_server(settings)
    with connect(settings, "owner"):  # an unreachable database is exit 6 now, not a reconnect loop
        pass
    log_to_stderr()
    with stop_signals() as got:  # the loop runs here; a signal ends its wait
        scheduler = Scheduler(settings, options, stopping=got.stop)
        log.info("%s: every %g s%s", scheduler.runner, options.poll, " (one pass)" if once or at else "")
        scheduler.run()
    log.info("%s stopped: %d ticks run", scheduler.runner, scheduler.ticks_run)
