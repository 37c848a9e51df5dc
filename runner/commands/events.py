"""`aicrm events`: tails what the database announces (docs/agents.md, "Realtime"), one JSON line per
notification: agent messages (aicrm_agent_message: the tenant and message ids; with the message's
kind, type, sender, recipient and thread, read through row-level security), tasks queued, deliveries
to make, alert notices and dashboard refreshes. NOTIFY carries ids only and is not durable: what a
line names is read from the tables, and what happened while nobody listened is in them too.
`--thread` keeps one thread's messages; `--count N` stops after N lines (scripts, tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import psycopg
import typer

from runner.commands.status import check_tenant
from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant, translated_errors

LISTENS = (
    "listen_agent_message",
    "listen_task_queued",
    "listen_delivery_queued",
    "listen_alert_notification",
    "listen_dashboard",
)


def events_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    thread: str | None = typer.Option(None, "--thread", help="Only the agent messages of this thread."),
    count: int | None = typer.Option(None, "--count", min=1, help="Stop after this many lines."),
) -> None:
    """Print what the database announces, one JSON line each, until Ctrl-C (or --count lines)."""
    settings = Settings.from_env()
    ensure_server(settings)
    printed = 0
    with (
        connect(settings, "app", autocommit=True) as listener,
        connect(settings, "app") as reader,
        translated_errors(),
    ):
        with reader.transaction():
            set_tenant(reader, tenant)
            check_tenant(reader, tenant)
        for name in LISTENS:
            listener.execute(queries()[name])
        typer.echo(json.dumps({"listening": [n.removeprefix("listen_") for n in LISTENS], "tenant_id": tenant}))
        try:
            for note in listener.notifies():
                line = _line(reader, tenant, thread, note.channel, note.payload)
                if line is None:
                    continue
                typer.echo(json.dumps(line, default=str))
                printed += 1
                if count is not None and printed >= count:
                    break
        except KeyboardInterrupt:
            pass


def _line(
    reader: psycopg.Connection[tuple[Any, ...]], tenant: str, thread: str | None, channel: str, payload: str
) -> dict[str, Any] | None:
    """The line for one notification, or None when it is another tenant's or another thread's."""
    line: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "channel": channel}
    if channel != "aicrm_agent_message":
        return None if thread else line | ({"payload": payload} if payload else {})
    ids = json.loads(payload)
    if ids.get("tenant_id") != tenant:
        return None
    with reader.transaction():
        set_tenant(reader, tenant)
        cur = reader.execute(queries()["agent_message_line"], {"message_id": ids.get("message_id")})
        row = cur.fetchone()
    if row is None:  # gone (or not this tenant's): nothing to show
        return None
    message = dict(zip([c.name for c in cur.description or []], row, strict=True))
    if thread and str(message["thread_id"]) != thread:
        return None
    return line | message
