"""`aicrm publish`: the publisher daemon (docs/pipeline.md, "The publisher"). SIGTERM or Ctrl-C stops
claiming and gives the deliveries in flight --grace seconds, then gives back (release_delivery) what
is left; a second signal gives them back at once. The next claim delivers them again, with the same
idempotency key."""

from __future__ import annotations

from collections import Counter

import typer

from runner.config import Settings
from runner.db import connect, ensure_server


def publish_command(
    concurrency: int = typer.Option(2, "--concurrency", "-c", min=1, max=64, help="Deliveries made at once (threads)."),
    lease: int = typer.Option(
        120,
        "--lease",
        min=5,
        max=86400,
        help="Seconds a claimed delivery is leased (at least 3 times AICRM_PUBLISH_TIMEOUT).",
    ),
    once: bool = typer.Option(False, "--once", help="Exit once nothing is left to deliver (cron, tests)."),
    grace: float = typer.Option(
        20.0,
        "--grace",
        min=0.0,
        help="Seconds the deliveries in flight get after SIGTERM before they are given back and the publisher exits.",
    ),
    poll: float = typer.Option(
        2.0,
        "--poll",
        min=0.1,
        max=3600.0,
        help="Seconds an idle publisher waits for a notification (an approved draft) before it claims again.",
    ),
) -> None:
    """Deliver approved drafts of every tenant to the webhook or by SMTP (AICRM_PUBLISH_*), once each."""
    # Imported here: the publisher's modules pull in scoring (textstat) and the worker (the openai SDK).
    from runner.commands.stopping import run_pool
    from runner.publisher import Publisher, PublisherOptions, log
    from runner.transports import PublishSettings, Router
    from runner.worker import log_to_stderr

    settings = Settings.from_env()
    publish = PublishSettings.from_env()  # a configuration error is reported before anything starts
    router = Router(publish)
    publish.check_lease(lease)
    ensure_server(settings)
    with connect(settings, "worker"):  # an unreachable database is exit 6 now, not a reconnect loop
        pass
    log_to_stderr()
    publisher = Publisher(
        settings, router, PublisherOptions(concurrency=concurrency, lease_seconds=lease, once=once, poll=poll)
    )
    log.info(
        "publisher %s: %d threads, %s, lease %d s", publisher.name, concurrency, " and ".join(publish.transports), lease
    )
    run_pool(publisher, grace)
    states = Counter(d.status for d in publisher.deliveries)
    summary = ", ".join(f"{state} {n}" for state, n in sorted(states.items())) or "nothing to do"
    log.info("publisher %s stopped: %d deliveries (%s)", publisher.name, len(publisher.deliveries), summary)
