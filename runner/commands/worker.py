"""`aicrm worker`: the content worker daemon (docs/pipeline.md, "The worker daemon"). SIGTERM or
Ctrl-C stops claiming and gives the tasks in flight --grace seconds, then releases what is left; a
second signal releases at once."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from types import FrameType

import typer

from runner.config import Settings
from runner.db import connect, ensure_server
from runner.worker import WorkerOptions, WorkerPool, log, log_to_stderr, provider_from_env


def worker_command(
    concurrency: int = typer.Option(2, "--concurrency", "-c", min=1, max=64, help="Tasks worked at once (threads)."),
    lease: int = typer.Option(
        300, "--lease", min=5, max=86400, help="Seconds a claimed task is leased; renewed every third of it."
    ),
    once: bool = typer.Option(False, "--once", help="Exit once nothing is left to claim (cron, tests)."),
    max_tasks: int | None = typer.Option(None, "--max-tasks", min=1, help="Exit after claiming this many tasks."),
    grace: float = typer.Option(
        20.0, "--grace", min=0.0, help="Seconds the tasks in flight get after SIGTERM before they are released."
    ),
    poll: float = typer.Option(
        5.0, "--poll", min=0.1, max=3600.0, help="Seconds an idle worker waits for a notification before looking again."
    ),
) -> None:
    """Claim queued content tasks of every tenant, draft them with the LLM and let the database decide."""
    settings = Settings.from_env()
    provider = provider_from_env()  # a configuration error is reported before anything starts
    ensure_server(settings)
    with connect(settings, "worker"):  # an unreachable database is exit 6 now, not a reconnect loop
        pass
    log_to_stderr()
    options = WorkerOptions(concurrency=concurrency, lease_seconds=lease, once=once, max_tasks=max_tasks, poll=poll)
    pool = WorkerPool(settings, provider, options)
    log.info("worker %s: %d threads, provider %s, lease %d s", pool.name, concurrency, provider.name, lease)
    run_pool(pool, grace)
    states = Counter(o.state for o in pool.outcomes)
    summary = ", ".join(f"{state} {n}" for state, n in sorted(states.items())) or "nothing to do"
    log.info("worker %s stopped: %d tasks (%s)", pool.name, len(pool.outcomes), summary)


def run_pool(pool: WorkerPool, grace: float) -> None:
    """Run until the pool ends by itself (--once, --max-tasks) or a signal stops it gracefully."""
    stop, force = threading.Event(), threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            force.set()  # a second signal: release now
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        pool.start()
        while pool.running() and not stop.wait(0.2):
            pass
        if stop.is_set():
            in_flight = len(pool.held())
            log.info(
                "stopping: %d tasks in flight get up to %g s (a second signal releases them now)", in_flight, grace
            )
            pool.drain(grace, force)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
