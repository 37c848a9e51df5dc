"""`aicrm review`: walk the review queue in the terminal. Each draft the rules sent to a person is
shown with why it is there; the person approves it (as it is, or edited), rejects it, asks for
changes or skips it. Every decision is aicrm.review_deliverable, bound to the version shown."""

from __future__ import annotations

import getpass
import json
from typing import Any

import click
import psycopg
import typer

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant
from runner.errors import Conflict, from_psycopg

CHOICES = {"a": "approve", "e": "edit", "r": "reject", "c": "request_changes", "s": "skip", "q": "quit"}
PROMPT = "[a]pprove  [e]dit and approve  [r]eject  [c]hanges  [s]kip  [q]uit"


def review_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    reviewer: str = typer.Option(
        "", "--reviewer", envvar="AICRM_REVIEWER", help="Who decides (default: the login name)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="How many drafts to walk."),
    list_only: bool = typer.Option(False, "--list", help="Print the queue (as JSON Lines) and decide nothing."),
) -> None:
    """Walk the drafts waiting for a person, most urgent first, and decide on each."""
    who = reviewer or getpass.getuser()
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "app") as conn:
        rows = _queue(conn, tenant, limit)
        if list_only:
            for row in rows:
                typer.echo(json.dumps({k: v for k, v in row.items() if k != "content"}, default=str))
            return
        if not rows:
            typer.echo("Nothing waits for review.")
            return
        decided = 0
        for index, row in enumerate(rows, 1):
            _show(row, index, len(rows))
            choice = _ask()
            if choice == "quit":
                break
            if choice == "skip":
                continue
            edited = reason = None
            decision = choice
            if choice == "edit":
                edited = click.edit(row["content"])
                if edited is None or edited.strip() == row["content"].strip():
                    typer.echo("No change: skipped.")
                    continue
                decision = "approve"
            if decision in ("reject", "request_changes"):
                reason = typer.prompt("Reason (the writer reads it)").strip()
            if _decide(conn, tenant, row, decision, edited, reason, who):
                decided += 1
        typer.echo(f"{decided} decision(s) recorded.")


def _queue(conn: psycopg.Connection[tuple[Any, ...]], tenant: str, limit: int) -> list[dict[str, Any]]:
    try:
        with conn.transaction():
            set_tenant(conn, tenant)
            cur = conn.execute(queries()["review_queue"], {"limit": limit})
            names = [c.name for c in cur.description or []]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc


def _show(row: dict[str, Any], index: int, total: int) -> None:
    typer.echo("")
    typer.echo(f"[{index}/{total}] {row['customer_name']} - {row['channel']} - {row['title']}")
    typer.echo(
        f"priority {row['priority']}, waiting since {row['waiting_since']:%Y-%m-%d %H:%M}, "
        f"version {row['version']}, attempt(s) {row['attempts']}, quality {row['quality_score']}"
    )
    typer.echo(f"why: {row['rule_name'] or 'no rule'}: {row['explanation'] or ''}")
    if row["summary"]:
        typer.echo(f"scorecard: {row['summary']}")
    typer.echo("-" * 72)
    if row["subject"]:
        typer.echo(f"Subject: {row['subject']}\n")
    typer.echo(row["content"])
    typer.echo("-" * 72)


def _ask() -> str:
    while True:
        answer = typer.prompt(PROMPT, default="s").strip().lower()[:1]
        if answer in CHOICES:
            return CHOICES[answer]
        typer.echo("Answer a, e, r, c, s or q.")


def _decide(
    conn: psycopg.Connection[tuple[Any, ...]],
    tenant: str,
    row: dict[str, Any],
    decision: str,
    edited: str | None,
    reason: str | None,
    reviewer: str,
) -> bool:
    """One decision in its own transaction; a draft changed since it was shown is reported, not decided."""
    params = {
        "deliverable_id": row["deliverable_id"],
        "version": row["version"],
        "decision": decision,
        "edited_content": edited,
        "reason": reason or None,
        "reviewer": reviewer,
    }
    try:
        with conn.transaction():
            set_tenant(conn, tenant)
            result = conn.execute(queries()["review_deliverable"], params).fetchone()
    except psycopg.Error as exc:
        err = from_psycopg(exc)
        why = "it changed since it was shown" if isinstance(err, Conflict) else "refused"
        typer.echo(f"Not recorded ({why}): {err.one_line()}")
        return False
    state = result[0]["execution_state"] if result else "?"
    typer.echo(f"Recorded: {decision.replace('_', ' ')} -> {state}.")
    return True
