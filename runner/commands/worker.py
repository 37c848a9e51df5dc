"""`aicrm worker`: the content worker daemon (docs/pipeline.md, "The worker daemon"). One process
per CPU by default (runner/supervisor.py), each a pool of threads (runner/worker.py). SIGTERM or
Ctrl-C stops claiming and gives the tasks in flight --grace seconds, then releases what is left; a
second signal releases at once."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING

import typer

from runner.config import Settings
from runner.db import connect, ensure_server

if TYPE_CHECKING:  # the worker, its providers (the openai SDK) and scoring load only when it runs
    from runner.providers.llm import LLMProvider
    from runner.supervisor import ProcessGroup

# Threads per process when --concurrency is not given: the offline writer is CPU (one thread a
# process, processes do the rest); a model over HTTP is waiting, so a process waits on several.
THREADS = {"template": 1}
THREADS_WAITING = 4


def default_threads(provider: LLMProvider) -> int:
    return THREADS.get(provider.name, THREADS_WAITING)


def worker_command(
    processes: int | None = typer.Option(
        None, "--processes", "-p", min=1, max=64, help="Worker processes [default: one per CPU, at most 8]."
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        max=64,
        help="Tasks each process works at once (threads) [default: 1 for the template provider, 4 for a model].",
    ),
    lease: int = typer.Option(
        300, "--lease", min=5, max=86400, help="Seconds a claimed task is leased; renewed every third of it."
    ),
    once: bool = typer.Option(False, "--once", help="Exit once nothing is left to claim (cron, tests)."),
    max_tasks: int | None = typer.Option(
        None, "--max-tasks", min=1, help="Exit after claiming this many tasks (all processes together)."
    ),
    grace: float = typer.Option(
        20.0, "--grace", min=0.0, help="Seconds the tasks in flight get after SIGTERM before they are released."
    ),
    poll: float = typer.Option(
        5.0, "--poll", min=0.1, max=3600.0, help="Seconds an idle worker waits for a notification before looking again."
    ),
    supervised_by: int | None = typer.Option(None, "--supervised-by", hidden=True),
) -> None:
    """Claim queued content tasks of every tenant, draft them with the LLM and let the database decide."""
    from runner.commands.stopping import run_pool
    from runner.supervisor import FORCE, ProcessGroup, default_processes
    from runner.worker import WorkerOptions, WorkerPool, log, log_to_stderr, provider_from_env

    settings = Settings.from_env()
    provider = provider_from_env()  # a configuration error is reported before anything starts
    ensure_server(settings)
    with connect(settings, "worker"):  # an unreachable database is exit 6 now, not a reconnect loop
        pass
    log_to_stderr()
    threads = concurrency or default_threads(provider)
    options = WorkerOptions(concurrency=threads, lease_seconds=lease, once=once, max_tasks=max_tasks, poll=poll)
    count = processes or default_processes()
    if count > 1:
        run_processes(ProcessGroup(count, options, grace), provider.name)
        return
    pool = WorkerPool(settings, provider, options)
    log.info("worker %s: %d threads, provider %s, lease %d s", pool.name, threads, provider.name, lease)
    run_pool(pool, grace, parent=supervised_by, force_signal=FORCE if supervised_by is not None else None)
    states = Counter(o.state for o in pool.outcomes)
    summary = ", ".join(f"{state} {n}" for state, n in sorted(states.items())) or "nothing to do"
    log.info("worker %s stopped: %d tasks (%s)", pool.name, len(pool.outcomes), summary)
    if supervised_by is not None:  # the tally the supervisor adds up: the last line on stdout
        sys.stdout.write(json.dumps({"tasks": len(pool.outcomes), "states": dict(states)}) + "\n")
        sys.stdout.flush()


def run_processes(group: ProcessGroup, provider: str) -> None:
    """Supervise the worker processes until they end by themselves or a signal stops them; a second
    signal is passed on too (the children release their tasks at once)."""
    from runner.commands.stopping import stop_signals
    from runner.supervisor import KILL_MARGIN
    from runner.worker import log

    o = group.options
    log.info(
        "worker %s: %d processes x %d threads, provider %s, lease %d s",
        group.name, len(group.children), o.concurrency, provider, o.lease_seconds,
    )  # fmt: skip
    with stop_signals() as got:
        try:
            group.start()
            passed = 0
            deadline: float | None = None
            while group.running():
                if got.count > passed:
                    passed = got.count
                    group.signal()
                    if deadline is None:
                        log.info("stopping: the processes get up to %g s (a second signal releases now)", group.grace)
                        deadline = time.monotonic() + group.grace + KILL_MARGIN
                if deadline is not None and time.monotonic() >= deadline:
                    group.kill()
                    break
                group.wait(0.2)
        finally:
            if group.running():  # an exception here: leave no orphan working on
                group.signal()
                if not group.wait(group.grace + KILL_MARGIN):
                    group.kill()
    log.info("worker %s stopped: %s", group.name, group.summary())
