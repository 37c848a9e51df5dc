"""`aicrm task create`: content tasks with structured AI instructions, queued for the worker
(aicrm.create_content_task; docs/pipeline.md, "Creating work").

One task from flags, or many from a JSON Lines file, one object per line with the same fields; in
the demo tenant unless --tenant (or AICRM_TENANT_ID) says otherwise, like `aicrm review`. The
customer is its id or its external id (aicrm.resolve_customer_id). SQL checks every value and may
add warnings (a customer that is not active, no topic): they go to stderr as `warning: ...`.
A file is all or nothing, like `aicrm import customers`: every line is tried in its own savepoint
inside one transaction, so every bad line is reported by number, and the transaction is committed
only when none was bad. Each line carries an idempotency key, by default `<file name>:<line>`, so
running the same file again returns the tasks it created and creates none; a key reused for another
request is refused (AC005) and reported on its line."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import AicrmError, ConfigurationError, DatabaseUnavailable, InvalidInput, from_psycopg
from runner.importer import count_lines

task_app = typer.Typer(help="Content tasks for the pipeline (docs/pipeline.md).", no_args_is_help=True)

# The fields of a line (and the flags), with the SQL API's names accepted as well.
FIELDS = {
    "customer": "customer_id",
    "channel": "channel",
    "instructions": "instructions",
    "title": "title",
    "priority": "priority",
    "due": "due_at",
    "thresholds": "thresholds",
    "key": "idempotency_key",
    "project": "project_id",
}
ALIASES = {
    "customer_id": "customer", "project_id": "project", "ai_instructions": "instructions",
    "quality_thresholds": "thresholds", "due_at": "due", "idempotency_key": "key",
}  # fmt: skip
MAX_LINE_BYTES = 1_000_000


@dataclass
class Report:
    lines: int = 0
    tasks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    first_error: AicrmError | None = None

    def fail(self, line: int, err: AicrmError) -> None:
        self.first_error = self.first_error or err
        self.errors.append(
            {"line": line, "field": err.field, "error": err.message, "hint": err.hint, "sqlstate": err.sqlstate}
        )


@task_app.command("create")
def create_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    customer: str | None = typer.Option(None, "--customer", help="The customer's id or external id."),
    channel: str | None = typer.Option(None, "--channel", help="email | sms | social | blog | web"),
    instructions: str | None = typer.Option(
        None, "--instructions", help="The AI instructions: a JSON object, or @FILE (docs/ai-instructions.md)."
    ),
    title: str | None = typer.Option(None, "--title", help="Default: the output type, customer and topic."),
    priority: int | None = typer.Option(None, "--priority", help="1 (first) to 5; default 3."),
    due: str | None = typer.Option(None, "--due", help="Due date, ISO 8601 (2026-11-01 or 2026-11-01T09:00+01:00)."),
    thresholds: str | None = typer.Option(None, "--thresholds", help="Quality thresholds: a JSON object, or @FILE."),
    key: str | None = typer.Option(None, "--key", help="Idempotency key: the same key never creates a second task."),
    project: str | None = typer.Option(None, "--project", help="The project (default: the customer's Content)."),
    file: str | None = typer.Option(
        None, "--file", "-f", help="JSON Lines, one task per line with the fields above; - reads standard input."
    ),
    key_prefix: str | None = typer.Option(
        None, "--key-prefix", help="Keys of a file's lines without one: PREFIX:LINE (default: the file's name)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create one content task from flags, or many from a JSON Lines file (all or nothing)."""
    flags = {
        "customer": customer, "channel": channel, "instructions": instructions, "title": title, "priority": priority,
        "due": due, "thresholds": thresholds, "key": key, "project": project,
    }  # fmt: skip
    if file is not None:
        given = [f"--{name}" for name, value in flags.items() if value is not None]
        if given:
            raise ConfigurationError(f"--file: one task per line; drop {', '.join(given)}")
        _create_from_file(tenant, file, key_prefix, as_json)
        return
    if customer is None or channel is None:
        raise ConfigurationError("--customer and --channel: both are required", hint="Or pass --file tasks.jsonl.")
    spec = {name: value for name, value in flags.items() if value is not None}
    for name in ("instructions", "thresholds"):
        if name in spec:
            spec[name] = _json_option(name, str(spec[name]))
    params = _params(spec)
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        row = conn.execute(queries()["create_content_task"], params).fetchone()
        conn.commit()
    result = cast(dict[str, Any], row[0]) if row else {}
    typer.echo(json.dumps(result) if as_json else str(result.get("task_id")))
    if not as_json and result.get("created") is False:
        typer.echo(f"task {result.get('task_id')} was already created with key {key}; nothing new", err=True)
    for warning in result.get("warnings") or []:
        typer.echo(f"warning: {warning}", err=True)


def _create_from_file(tenant: str, file: str, key_prefix: str | None, as_json: bool) -> None:
    stdin = file == "-"
    path = Path(file)
    if not stdin and not path.is_file():
        raise ConfigurationError(f"--file: {file} is not a readable file")
    name = "standard input" if stdin else path.name
    prefix = key_prefix if key_prefix is not None else (None if stdin else path.name)
    settings = Settings.from_env()
    ensure_server(settings)
    report = Report()
    from rich.console import Console  # rich: only for the commands that draw a progress bar
    from rich.progress import Progress

    console = Console(stderr=True)
    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        # Rich writes a stray newline even to a pipe, so no bar at all unless stderr is a terminal.
        with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
            bar = progress.add_task(f"creating tasks from {name}", total=None if stdin else count_lines(path))
            for line, text in _lines(sys.stdin if stdin else path.open(encoding="utf-8")):
                report.lines += 1
                _create_line(conn, report, line, text, prefix)
                progress.update(bar, completed=line, description=f"{name}: {len(report.tasks)} tasks")
        applied = not report.errors
        if applied:
            conn.commit()
        else:
            conn.rollback()
    created = sum(1 for t in report.tasks if t["created"])
    if as_json:
        doc = {
            "applied": applied, "lines": report.lines, "created": created if applied else 0,
            "existing": len(report.tasks) - created, "tasks": report.tasks if applied else [], "errors": report.errors,
        }  # fmt: skip
        typer.echo(json.dumps(doc, indent=2))
    elif applied:
        typer.echo(
            f"{name}: {len(report.tasks)} tasks; created {created}, already created {len(report.tasks) - created}"
        )
    for task in report.tasks if applied else []:
        for warning in task.get("warnings") or []:
            typer.echo(f"warning: line {task['line']}: {warning}", err=True)
    for err in report.errors if not as_json else []:
        message = str(err["error"])
        where = f"{err['field']}: " if err.get("field") and not message.startswith(str(err["field"])) else ""
        hint = f" (hint: {err['hint']})" if err.get("hint") else ""
        typer.echo(f"line {err['line']}: {where}{message}{hint}", err=True)
    if report.first_error is not None:
        # The first bad line's kind sets the exit code (2 invalid, 3 not found, 4 conflict, ...).
        raise type(report.first_error)(
            f"{len(report.errors)} bad lines in {name}: nothing was created", hint="Fix them and run it again."
        )


def _lines(stream: Any) -> Iterator[tuple[int, str]]:
    with stream:
        for number, text in enumerate(stream, start=1):
            if text.strip():
                yield number, text


def _create_line(conn: psycopg.Connection[Any], report: Report, line: int, text: str, prefix: str | None) -> None:
    try:
        if len(text) > MAX_LINE_BYTES:
            raise InvalidInput(f"line: longer than {MAX_LINE_BYTES:,} characters")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line: not JSON ({exc.msg} at character {exc.pos})") from None
        if not isinstance(doc, dict):
            raise InvalidInput("line: must be a JSON object, one task")
        spec = {ALIASES.get(str(k), str(k)): v for k, v in doc.items()}
        if "key" not in spec and prefix is not None:
            spec["key"] = f"{prefix}:{line}"
        params = _params(spec)
        try:
            with conn.transaction():  # a savepoint: a refused line leaves the others intact
                row = conn.execute(queries()["create_content_task"], params).fetchone()
        except psycopg.Error as exc:
            raise from_psycopg(exc) from exc
    except DatabaseUnavailable:
        raise
    except AicrmError as err:
        report.fail(line, err)
        return
    result = cast(dict[str, Any], row[0]) if row else {}
    task = {"line": line, "task_id": result.get("task_id"), "created": result.get("created")}
    report.tasks.append(task | ({"warnings": result["warnings"]} if result.get("warnings") else {}))


def _params(spec: dict[str, Any]) -> dict[str, Any]:
    """The query's parameters from a task's fields. Only the shape is checked here (numbers,
    objects, dates); what the values mean is SQL's to judge: the customer is an id or an external
    id (aicrm.resolve_customer_id), the rest create_content_task's."""
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"{unknown[0]}: not a field of a task", field=unknown[0], hint=f"Fields: {', '.join(FIELDS)}."
        )
    if spec.get("project") is not None:
        try:
            uuid.UUID(str(spec["project"]))
        except ValueError:
            raise InvalidInput(f"project_id: {spec['project']!r} is not an id", field="project_id") from None
    if spec.get("priority") is not None and (
        isinstance(spec["priority"], bool) or not isinstance(spec["priority"], int)
    ):
        raise InvalidInput(f"priority: {spec['priority']!r} is not a whole number", field="priority")
    for name in ("instructions", "thresholds"):
        if spec.get(name) is not None and not isinstance(spec[name], dict):
            raise InvalidInput(f"{name}: must be a JSON object", field=name)
    due_at = None
    if spec.get("due") is not None:
        try:
            due_at = datetime.fromisoformat(str(spec["due"]))
        except ValueError:
            raise InvalidInput(f"due_at: {spec['due']!r} is not an ISO 8601 date", field="due_at") from None
    for name in ("customer", "channel", "title", "key"):
        if spec.get(name) is not None and not isinstance(spec[name], str):
            raise InvalidInput(f"{FIELDS[name]}: must be a string", field=FIELDS[name])
    return {
        "customer": spec.get("customer"),
        "channel": spec.get("channel"),
        "instructions": Jsonb(spec.get("instructions") or {}),
        "title": spec.get("title"),
        "project_id": spec.get("project"),
        "priority": spec.get("priority", 3),
        "due_at": due_at,
        "thresholds": Jsonb(spec.get("thresholds") or {}),
        "idempotency_key": spec.get("key"),
    }


def _json_option(name: str, value: str) -> Any:
    """A JSON object given inline or as @FILE."""
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise ConfigurationError(f"--{name}: {value[1:]} is not a readable file")
        text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--{name}: not JSON ({exc.msg} at character {exc.pos})", field=name) from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"--{name}: must be a JSON object", field=name)
    return doc
