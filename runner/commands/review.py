"""`aicrm review`: walk every task waiting for a person (aicrm.review_queue: escalated tasks first,
then the drafts the rules sent to review) in the terminal. Each is shown with why it waits; the
person approves it (as it is, or edited), rejects it, requeues it with a note, cancels it or skips
it. Every decision is aicrm.review_task, bound to the version shown. An edit is measured here
(runner.scoring: readability, sentiment) and scored by the database before it is approved; an
approval the database finds critical or major problems in is recorded only once the person
confirms them."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant
from runner.errors import AicrmError, ConfigurationError, Conflict, from_psycopg

CHOICES = {
    "a": "approve",
    "e": "edit",
    "r": "reject",
    "c": "request_changes",
    "x": "cancel",
    "s": "skip",
    "q": "quit",
}
PROMPT = "[a]pprove  [e]dit and approve  [r]eject  [c] requeue with a note  [x] cancel  [s]kip  [q]uit"
# What each decision's reason is for: a rejected or cancelled task is not written again.
REASON_PROMPTS = {
    "reject": "Why reject it? (kept with the decision; the task is not rewritten)",
    "request_changes": "Note for the writer (the task is queued again with it)",
    "cancel": "Why cancel it? (kept with the decision)",
}
SUBJECT_LINE = "Subject: "


def review_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    reviewer: str = typer.Option(
        "", "--reviewer", envvar="AICRM_REVIEWER", help="Who decides (default: the login name)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="How many tasks to walk."),
    list_only: bool = typer.Option(False, "--list", help="Print the queue (as JSON Lines) and decide nothing."),
) -> None:
    """Walk the tasks waiting for a person (escalated first, then by urgency) and decide on each."""
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
            typer.echo("Nothing waits for a person.")
            return
        decided = 0
        for index, row in enumerate(rows, 1):
            _show(row, index, len(rows))
            choice = _ask()
            if choice == "quit":
                break
            if choice == "skip":
                continue
            decision, edit = choice, None
            if choice == "edit":
                try:
                    edit = _edit(row)
                except AicrmError as err:
                    typer.echo(f"Not recorded: {err.one_line()}")
                    continue
                if edit is None:
                    typer.echo("No change: skipped.")
                    continue
                decision = "approve"
            reason = typer.prompt(REASON_PROMPTS[decision]).strip() if decision in REASON_PROMPTS else None
            if _decide(conn, tenant, row, decision, edit, reason, who):
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
    state = "ESCALATED" if row["execution_state"] == "escalated" else "in review"
    typer.echo(f"[{index}/{total}] {state}: {row['customer_name']} - {row['channel']} - {row['title']}")
    draft = f"version {row['version']}" if row["version"] is not None else "no draft"
    typer.echo(
        f"priority {row['priority']}, waiting since {row['waiting_since']:%Y-%m-%d %H:%M}, {draft}, "
        f"attempt(s) {row['attempts']}, failure(s) {row['failures']}, quality {row['quality_score']}"
    )
    typer.echo(f"why: {row['reason']}")
    if row["summary"]:
        typer.echo(f"scorecard: {row['summary']}")
    typer.echo("-" * 72)
    if row["version"] is None:
        typer.echo("(no draft: [e] writes the text to approve, [c] sends the task back to the writer)")
    else:
        if row["subject"]:
            typer.echo(f"Subject: {row['subject']}\n")
        typer.echo(row["content"])
    typer.echo("-" * 72)


def _ask() -> str:
    while True:
        answer = typer.prompt(PROMPT, default="s").strip().lower()[:1]
        if answer in CHOICES:
            return CHOICES[answer]
        typer.echo(f"Answer {', '.join(CHOICES)}.")


def edit_text(text: str) -> str:
    """The text after the person edited it in $VISUAL or $EDITOR (vi when neither is set), through a
    temporary file (typer has no editor of its own, and click is not a dependency)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="aicrm-review-") as tmp:
        path = Path(tmp) / "draft.txt"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*shlex.split(editor, posix=os.name != "nt"), str(path)], check=False)
        except OSError as exc:
            raise ConfigurationError(
                f"EDITOR: cannot run {editor!r} ({exc.strerror})", hint="Set EDITOR to an editor on PATH, e.g. nano."
            ) from exc
        if done.returncode != 0:
            raise ConfigurationError(
                f"EDITOR: {editor!r} exited with status {done.returncode}", hint="Save and quit the editor normally."
            )
        return path.read_text(encoding="utf-8")


def _edit(row: dict[str, Any]) -> dict[str, Any] | None:
    """The edited draft ({content, subject, text_metrics}), or None when nothing changed. An email is
    edited with its subject on the first line ("Subject: ...")."""
    content = row["content"] or ""
    email = row["channel"] == "email"
    before = f"{SUBJECT_LINE}{row['subject'] or ''}\n\n{content}" if email else content
    after = edit_text(before)
    if after.strip() == before.strip():
        return None
    subject = None
    if email and after.startswith(SUBJECT_LINE):
        first, _, after = after.partition("\n")
        subject = first.removeprefix(SUBJECT_LINE).strip() or None
        after = after.lstrip("\n")
    if not content.endswith("\n"):
        after = after.rstrip("\n")  # the newline an editor adds at the end
    edited_subject = subject if subject != row["subject"] else None
    from runner.scoring import text_metrics  # textstat and VADER: only when a person edits

    metrics = text_metrics(
        after, subject=edited_subject or row["subject"], content_format=row["content_format"] or "text"
    )
    return {"content": after, "subject": edited_subject, "text_metrics": metrics}


def _decide(
    conn: psycopg.Connection[tuple[Any, ...]],
    tenant: str,
    row: dict[str, Any],
    decision: str,
    edit: dict[str, Any] | None,
    reason: str | None,
    reviewer: str,
) -> bool:
    """One decision in its own transaction. A task changed since it was shown is reported, not
    decided; findings the database wants confirmed are shown and confirmed (or not) by the person."""
    params = {
        "task_id": row["task_id"],
        "version": row["version"],
        "decision": decision,
        "edited_content": edit["content"] if edit else None,
        "edited_subject": edit["subject"] if edit else None,
        "text_metrics": Jsonb(edit["text_metrics"]) if edit else None,
        "reason": reason or None,
        "reviewer": reviewer,
        "confirm_findings": False,
    }
    while True:
        try:
            with conn.transaction():
                set_tenant(conn, tenant)
                result = conn.execute(queries()["review_task"], params).fetchone()
            break
        except psycopg.Error as exc:
            err = from_psycopg(exc)
            if err.field == "confirm_findings" and not params["confirm_findings"]:
                _show_findings(err.detail)
                if typer.confirm("Approve it with these findings?", default=False):
                    params["confirm_findings"] = True
                    continue
                typer.echo("Not recorded.")
                return False
            why = "it changed since it was shown" if isinstance(err, Conflict) else "refused"
            typer.echo(f"Not recorded ({why}): {err.one_line()}")
            return False
    state = result[0]["execution_state"] if result else "?"
    typer.echo(f"Recorded: {decision.replace('_', ' ')} -> {state}.")
    return True


def _show_findings(detail: str | None) -> None:
    try:
        findings = json.loads(detail or "[]")
    except ValueError:
        findings = []
    typer.echo("The text to approve has critical or major findings:")
    for f in findings:
        typer.echo(f"  - {f.get('severity')} {f.get('dimension')} {f.get('check')}: {f.get('detail')}")
