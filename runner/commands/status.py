"""`aicrm status`: one screen of where a tenant's work stands (docs/operations.md, "People's screens"):
per customer and channel, how many tasks are drafts, queued, being written, in review, escalated,
approved, publishing, delivered and rejected (aicrm.ai_operations_dashboard), and under it the tasks waiting
for a person, oldest first, each with why it waits in plain words (aicrm.review_queue). It only
reads those views; `aicrm dashboard` (runner/dashboard_app.py) reads the same through the functions
here."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import psycopg
import typer

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import NotFound

Connection = psycopg.Connection[tuple[Any, ...]]

# The pipeline's columns as people read them: (column of aicrm.ai_operations_dashboard, heading).
STATE_COLUMNS = (
    ("draft", "draft"),
    ("queued", "queued"),
    ("working", "working"),
    ("awaiting_review", "in review"),
    ("input_required", "asked"),  # a person was asked for what is missing (docs/agents.md)
    ("escalated", "escalated"),
    ("approved", "approved"),
    ("publishing", "publishing"),
    ("delivered", "delivered"),
    ("rejected", "rejected"),
)
STATE_LABELS = {"awaiting_review": "in review", "escalated": "ESCALATED"}


def _dicts(cur: psycopg.Cursor[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = [c.name for c in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def check_tenant(conn: Connection, tenant: str) -> None:
    """Refuse a tenant that does not exist (a malformed id is refused by set_tenant itself). Call it
    inside a transaction that set the tenant."""
    found = conn.execute(queries()["tenant_exists"], {"tenant_id": tenant}).fetchone()
    if not found or not found[0]:
        raise NotFound(f"tenant: {tenant} does not exist", field="tenant", hint="aicrm tenant create NAME makes one.")


def find_customer(conn: Connection, customer: str | None) -> str | None:
    """The id of the customer named by --customer: its name (when one customer has it), its id or its
    external id (aicrm.resolve_customer_id, which refuses one it does not find)."""
    if customer is None:
        return None
    row = conn.execute(queries()["find_customer"], {"customer": customer}).fetchone()
    return str(row[0]) if row else None


def read_pipeline(conn: Connection, customer_id: str | None = None) -> list[dict[str, Any]]:
    """aicrm.ai_operations_dashboard's rows (one per customer and channel), by customer and channel."""
    return _dicts(conn.execute(queries()["operations_dashboard"], {"customer_id": customer_id}))


def read_waiting(
    conn: Connection, customer_id: str | None = None, limit: int = 20, *, escalated_first: bool = False
) -> list[dict[str, Any]]:
    """The tasks waiting for a person (aicrm.review_queue), oldest first (or in the queue's own order:
    escalated first); each row also carries `total`, how many wait in all."""
    params = {"customer_id": customer_id, "limit": limit, "escalated_first": escalated_first}
    return _dicts(conn.execute(queries()["waiting_tasks"], params))


def human_age(age: timedelta | None) -> str:
    """A duration as people say it: 45s, 12m, 3h 5m, 2d 4h."""
    if age is None:
        return ""
    seconds = max(int(age.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def status_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    customer: str | None = typer.Option(
        None, "--customer", help="Only this customer: its name, id or external id (default: every customer)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="How many waiting tasks to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts and the waiting tasks as JSON."),
) -> None:
    """Per customer and channel: what is queued, in review, escalated, approved and delivered; then
    every task waiting for a person and why, oldest first."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "app") as conn, translated_errors(), conn.transaction():
        set_tenant(conn, tenant)
        check_tenant(conn, tenant)
        customer_id = find_customer(conn, customer)
        pipeline = read_pipeline(conn, customer_id)
        waiting = read_waiting(conn, customer_id, limit)
    total = int(waiting[0]["total"]) if waiting else 0
    if as_json:
        doc = {
            "tenant_id": tenant,
            "customer_id": customer_id,
            "pipeline": pipeline,
            "waiting_total": total,
            "waiting": [{k: v for k, v in row.items() if k != "total"} for row in waiting],
        }
        typer.echo(json.dumps(doc, default=_json_value))
        return
    _print(tenant, customer, pipeline, waiting, total)


def _json_value(value: object) -> object:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


def _print(
    tenant: str, customer: str | None, pipeline: list[dict[str, Any]], waiting: list[dict[str, Any]], total: int
) -> None:
    from rich.console import Console  # rich: only for the commands that draw tables
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # a pipe or a file: wide enough for the tables, and no colour codes
        console = Console(width=max(console.width, 160), no_color=True, highlight=False)
    scope = f"customer {customer}" if customer else "every customer"
    pipe = Table(title=f"Pipeline of tenant {tenant} ({scope})", title_justify="left")
    pipe.add_column("customer")
    pipe.add_column("channel")
    for _, heading in STATE_COLUMNS:
        pipe.add_column(heading, justify="right")
    for row in pipeline:
        pipe.add_row(row["customer_name"], row["channel"], *(_count(row[col]) for col, _ in STATE_COLUMNS))
    if len(pipeline) > 1:
        pipe.add_section()
        pipe.add_row("total", "", *(_count(sum(int(r[col]) for r in pipeline)) for col, _ in STATE_COLUMNS))
    if pipeline:
        console.print(pipe)
    else:
        console.print(f"No tasks for {scope} in tenant {tenant}.")
    if not waiting:
        console.print("Nothing waits for a person.")
        return
    shown = f", the oldest {len(waiting)} shown" if total > len(waiting) else ""
    queue = Table(title=f"Waiting for a person: {total} (oldest first{shown})", title_justify="left")
    for heading in ("waiting", "state", "customer", "channel", "title"):
        queue.add_column(heading, no_wrap=heading in ("waiting", "state", "channel"))
    queue.add_column("why it waits", ratio=1)
    for row in waiting:
        queue.add_row(
            human_age(row["age"]),
            STATE_LABELS.get(row["execution_state"], row["execution_state"]),
            row["customer_name"],
            row["channel"],
            row["title"] or "",
            row["reason"] or "",
        )
    console.print(queue)


def _count(value: object) -> str:
    return str(value) if value else "-"
