"""`aicrm up`: start the database, migrate, seed the demo tenant once, run the content worker's
processes (unless --no-worker; runner/supervisor.py), the publisher (unless --no-publisher, or when
no delivery transport is configured) and the scheduler of aicrm's jobs (unless --no-scheduler;
runner/scheduler.py) until stopped."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import typer

from runner import embedded
from runner.commands.worker import default_threads
from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, conninfo, queries
from runner.errors import AicrmError
from runner.migrate import migrate, seed

if TYPE_CHECKING:  # the daemons' modules (the openai SDK, textstat) load only when `up` starts them
    from runner.commands.stopping import StopSignals
    from runner.publisher import Publisher
    from runner.scheduler import Scheduler
    from runner.supervisor import ProcessGroup

WORKER_GRACE_S = 20.0  # for the worker's tasks and the publisher's deliveries alike


def _demo_present(settings: Settings) -> bool:
    with connect(settings, "owner", tenant_id=DEMO_TENANT_ID) as conn:
        row = conn.execute(queries()["tenant_exists"], {"tenant_id": DEMO_TENANT_ID}).fetchone()
    return bool(row and row[0])


def up_command(
    exit_when_ready: bool = typer.Option(
        False, "--exit-when-ready", help="Stop again once ready (for scripts and timing); starts no worker."
    ),
    no_worker: bool = typer.Option(False, "--no-worker", help="Do not run the content worker."),
    no_publisher: bool = typer.Option(False, "--no-publisher", help="Do not run the publisher."),
    no_scheduler: bool = typer.Option(
        False, "--no-scheduler", help="Do not run the scheduled jobs (pg_cron or another `aicrm scheduler` runs them)."
    ),
    worker_processes: int | None = typer.Option(
        None, "--worker-processes", min=1, max=64, help="Content worker processes [default: one per CPU, at most 8]."
    ),
    worker_concurrency: int | None = typer.Option(
        None,
        "--worker-concurrency",
        min=1,
        max=64,
        help="Tasks each worker process works at once [default: 1 for the template provider, 4 for a model].",
    ),
) -> None:
    """Start aicrm: the embedded server (or DATABASE_URL), migrations, the demo tenant, the content
    worker, the publisher, the scheduler; Ctrl-C stops."""
    settings = Settings.from_env()
    started_at = time.monotonic()
    we_started = False
    if settings.embedded:
        typer.echo(f"data directory: {settings.data_dir}")
        we_started = not embedded.status(settings.pgdata).running
        embedded.start(settings.pgdata, settings.database_name)
    try:
        with connect(settings, "admin", autocommit=True) as conn:
            report = migrate(conn, settings.sql_dir)
        if report.applied:
            typer.echo(f"migrations applied: {len(report.applied)}")
        if settings.demo_seed and not _demo_present(settings):
            with connect(settings, "admin", autocommit=True) as conn:
                seed(conn, settings.sql_dir, demo=True)
            typer.echo("demo tenant seeded")
        typer.echo(f"aicrm ready in {time.monotonic() - started_at:.1f}s")
        tenant = DEMO_TENANT_ID if settings.demo_seed else None
        typer.echo(f'psql "{conninfo(settings, "app", tenant)}"')
        typer.echo("   (or, without a psql of your own: aicrm psql; the demo tenant, as aicrm_app)")
        if exit_when_ready:
            return
        group = None if no_worker else _start_worker(worker_processes, worker_concurrency)
        publisher = None if no_publisher else _start_publisher(settings)
        scheduler = None if no_scheduler else _start_scheduler(settings)
        _wait_for_stop_signal(group, publisher, scheduler)
    finally:
        if we_started:
            embedded.stop(settings.pgdata)
            typer.echo("stopped")


def _start_worker(processes: int | None, threads: int | None) -> ProcessGroup | None:
    """The worker's processes; a provider that cannot be built is reported, and aicrm runs without."""
    from runner.supervisor import ProcessGroup, default_processes
    from runner.worker import WorkerOptions, log_to_stderr, provider_from_env

    try:
        provider = provider_from_env()
    except AicrmError as exc:
        typer.echo(f"warning: the content worker is not running: {exc.one_line()}", err=True)
        return None
    log_to_stderr()
    options = WorkerOptions(concurrency=threads or default_threads(provider))
    group = ProcessGroup(processes or default_processes(), options, WORKER_GRACE_S).start()
    typer.echo(
        f"content worker: {len(group.children)} processes x {options.concurrency} threads, "
        f"provider {provider.name} (--no-worker to run without)"
    )
    return group


def _start_publisher(settings: Settings) -> Publisher | None:
    """The publisher in this process, when a transport is configured; otherwise one line says why not."""
    from runner.publisher import Publisher, PublisherOptions
    from runner.transports import PublishSettings, Router
    from runner.worker import log_to_stderr

    try:
        publish = PublishSettings.from_env()
        router = Router(publish)
        # The default lease, or longer for a long timeout (no heartbeat: a delivery must fit in it).
        options = PublisherOptions(lease_seconds=max(PublisherOptions.lease_seconds, math.ceil(3 * publish.timeout)))
    except AicrmError as exc:
        typer.echo(f"warning: the publisher is not running: {exc.one_line()}", err=True)
        return None
    log_to_stderr()
    publisher = Publisher(settings, router, options).start()
    transports = " and ".join(publish.transports)
    typer.echo(f"publisher: {options.concurrency} threads, {transports} (--no-publisher to run without)")
    return publisher


def _start_scheduler(settings: Settings) -> Scheduler:
    """The scheduler of aicrm's jobs, a thread of this process (the database claims each tick, so it
    runs beside pg_cron or other schedulers without running a tick twice)."""
    from runner.scheduler import Scheduler, SchedulerOptions, log_to_stderr

    log_to_stderr()
    scheduler = Scheduler(settings, SchedulerOptions(poll=settings.scheduler_poll)).start()
    typer.echo(f"scheduler: every {settings.scheduler_poll:g} s (--no-scheduler to run without)")
    return scheduler


def _wait_for_stop_signal(
    group: ProcessGroup | None = None, publisher: Publisher | None = None, scheduler: Scheduler | None = None
) -> None:
    from runner.commands.stopping import stop_signals

    with stop_signals() as got:
        _run_until_stopped(got, group, publisher, scheduler)


def _run_until_stopped(
    got: StopSignals, group: ProcessGroup | None, publisher: Publisher | None, scheduler: Scheduler | None = None
) -> None:
    from runner.supervisor import KILL_MARGIN

    stop, force = got.stop, got.force  # a second signal: the workers release their tasks at once
    typer.echo("running; Ctrl-C or SIGTERM stops")
    try:
        while not stop.wait(1.0):
            if group is not None:
                group.check()  # a worker process that died is started again
        # Both stop claiming at once and share one grace period.
        deadline = time.monotonic() + WORKER_GRACE_S
        if scheduler is not None:
            scheduler.stop()  # after the tick in progress; joined below
        if publisher is not None:
            publisher.stop()
        if group is not None:
            group.signal()
            forced = False
            while not group.wait(0.2):
                if force.is_set() and not forced:
                    forced = True
                    group.signal()
                if time.monotonic() >= deadline + KILL_MARGIN:
                    group.kill()
                    break
        if publisher is not None:
            publisher.drain(max(deadline - time.monotonic(), 0.0), force)
        if scheduler is not None:
            scheduler.join(max(deadline - time.monotonic(), 0.0))  # a daemon thread: not waited for past it
    finally:
        if group is not None and group.running():
            group.kill()
