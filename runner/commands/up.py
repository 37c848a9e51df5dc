"""`aicrm up`: start the database, migrate, seed the demo tenant once, run the content worker (unless
--no-worker) and the publisher (unless --no-publisher, or when no delivery transport is configured)
until stopped."""

from __future__ import annotations

import math
import signal
import threading
import time
from types import FrameType

import typer

from runner import embedded
from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, conninfo, queries
from runner.errors import AicrmError
from runner.migrate import migrate, seed
from runner.publisher import Publisher, PublisherOptions
from runner.transports import PublishSettings, Router
from runner.worker import WorkerOptions, WorkerPool, log_to_stderr, provider_from_env

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
    worker_concurrency: int = typer.Option(
        2, "--worker-concurrency", min=1, max=64, help="Tasks the content worker works at once."
    ),
) -> None:
    """Start aicrm: the embedded server (or DATABASE_URL), migrations, the demo tenant, the content
    worker, the publisher; Ctrl-C stops."""
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
        typer.echo('   (or: psql "$(.venv/bin/aicrm db url)"; the demo tenant, as aicrm_app)')
        if exit_when_ready:
            return
        pool = None if no_worker else _start_worker(settings, worker_concurrency)
        publisher = None if no_publisher else _start_publisher(settings)
        _wait_for_stop_signal(pool, publisher)
    finally:
        if we_started:
            embedded.stop(settings.pgdata)
            typer.echo("stopped")


def _start_worker(settings: Settings, concurrency: int) -> WorkerPool | None:
    """The worker in this process; a provider that cannot be built is reported, and aicrm runs without."""
    try:
        provider = provider_from_env()
    except AicrmError as exc:
        typer.echo(f"warning: the content worker is not running: {exc.one_line()}", err=True)
        return None
    log_to_stderr()
    pool = WorkerPool(settings, provider, WorkerOptions(concurrency=concurrency)).start()
    typer.echo(f"content worker: {concurrency} threads, provider {provider.name} (--no-worker to run without)")
    return pool


def _start_publisher(settings: Settings) -> Publisher | None:
    """The publisher in this process, when a transport is configured; otherwise one line says why not."""
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


def _wait_for_stop_signal(pool: WorkerPool | None = None, publisher: Publisher | None = None) -> None:
    stop, force = threading.Event(), threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            force.set()  # a second signal: the worker releases its tasks at once
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    typer.echo("running; Ctrl-C or SIGTERM stops")
    try:
        while not stop.wait(1.0):
            pass
        # Both stop claiming at once and share one grace period.
        deadline = time.monotonic() + WORKER_GRACE_S
        if publisher is not None:
            publisher.stop()
        if pool is not None:
            pool.drain(WORKER_GRACE_S, force)
        if publisher is not None:
            publisher.drain(max(deadline - time.monotonic(), 0.0), force)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
