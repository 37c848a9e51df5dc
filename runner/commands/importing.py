"""`aicrm import customers FILE --tenant ID`: all or nothing, bad rows reported by line."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import InvalidInput
from runner.importer import ImportReport, Record, check_encoding, count_lines, detect_format, read_mapping, read_records

import_app = typer.Typer(help="Import data from an existing CRM.", no_args_is_help=True)

# Files from this size on get a progress bar (on stderr, and only when it is a terminal).
PROGRESS_MIN_BYTES = 1_000_000
# A dry run lists this many changes; --json lists them all.
CHANGES_SHOWN = 50


@import_app.command("customers")
def import_customers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (with a header) or JSON Lines."),
    tenant: str = typer.Option(..., "--tenant", envvar="AICRM_TENANT_ID", help="The tenant to import into."),
    mapping: Path | None = typer.Option(None, "--mapping", help="JSON mapping of legacy columns (docs/import.md)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing."),
    fmt: str | None = typer.Option(None, "--format", help="csv or jsonl (default: from the extension)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's encoding, e.g. cp1252 for old exports."),
    batch_size: int = typer.Option(500, min=1, max=5000, help="Rows per database call."),
    on_duplicate: str | None = typer.Option(
        None,
        "--on-duplicate",
        metavar="first|last|error",
        help="An external id on several rows: import the first or the last, or refuse them "
        "(default: the mapping's on_duplicate, else error).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Import customers with their business context; re-running the same file changes nothing."""
    settings = Settings.from_env()
    mapping_doc = read_mapping(mapping)
    if on_duplicate is not None:
        mapping_doc["on_duplicate"] = on_duplicate  # checked by the database with the rest of the mapping
    # With "last", the database keeps the row it meets first: the batches go from the end of the file.
    backwards = mapping_doc.get("on_duplicate") == "last"
    kind = detect_format(file, fmt)
    encoding = check_encoding(encoding)
    ensure_server(settings)
    report = ImportReport()
    parse_errors: list[dict[str, Any]] = []
    records = read_records(file, kind, parse_errors, encoding)
    from rich.console import Console  # rich: only for the commands that draw a progress bar
    from rich.progress import Progress

    console = Console(stderr=True)
    # Rich writes a stray newline even to a pipe, so no bar at all unless stderr is a terminal.
    show_progress = console.is_terminal and file.stat().st_size >= PROGRESS_MIN_BYTES

    # One transaction for the whole file: the database undoes a batch with a bad row, the runner
    # rolls back the batches before it, so nothing is written unless every row was good. A dry run
    # writes for real and rolls back, so later batches see what earlier ones would have done.
    import_id = str(uuid.uuid4())  # ties the batches together: a duplicate id across them is caught
    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        with Progress(console=console, transient=True, disable=not show_progress) as progress:
            total = count_lines(file) if show_progress else 0
            task = progress.add_task(f"importing {file.name}", total=total or None)
            for batch in _batches(records, batch_size, backwards=backwards):
                row = conn.execute(
                    queries()["import_customers"],
                    {
                        "rows": Jsonb([_item(r) for r in batch]),
                        "mapping": Jsonb(mapping_doc),
                        "dry_run": False,
                        "import_id": import_id,
                    },
                ).fetchone()
                report.add(cast(dict[str, Any], row[0]) if row else {})
                progress.update(
                    task,
                    completed=total - batch[0].line + 1 if backwards else batch[-1].line,
                    description=f"importing {file.name}: {report.rows} rows",
                )
        report.errors = sorted(parse_errors + report.errors, key=lambda e: int(e["line"]))
        applied = not dry_run and not report.errors
        if applied:
            conn.commit()
        else:
            conn.rollback()

    if as_json:
        typer.echo(json.dumps(report.as_dict(applied=applied, dry_run=dry_run), indent=2))
    else:
        _print_report(file, report, dry_run=dry_run)
    if report.errors:
        raise InvalidInput(f"{len(report.errors)} bad rows in {file.name}: nothing was imported")


def _batches(records: Iterator[Record], size: int, *, backwards: bool) -> Iterator[list[Record]]:
    """The file's records in batches, from its start or (the whole file read first) its end."""
    if not backwards:
        while batch := list(itertools.islice(records, size)):
            yield batch
        return
    everything = list(records)
    for end in range(len(everything), 0, -size):
        yield everything[max(0, end - size) : end]


def _item(record: Record) -> dict[str, Any]:
    return {"line": record.line, "data": record.data}


def _lines(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    shown = ", ".join(map(str, lines[:10]))
    return f"lines {shown}" + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


def _prefixed(field: Any, message: str) -> str:
    """The message with its field in front, unless it already starts with it."""
    return f"{field}: {message}" if field and not message.startswith(str(field)) else message


def _print_report(file: Path, report: ImportReport, *, dry_run: bool) -> None:
    verb = "would" if dry_run or report.errors else "did"
    skipped = f", skip {report.skipped} duplicate rows" if report.skipped else ""
    typer.echo(
        f"{file.name}: {report.rows} rows; {verb} create {report.created}, update {report.updated}, "
        f"leave {report.unchanged} unchanged{skipped}"
    )
    for note in report.notes:
        typer.echo(f"note: {_prefixed(note.get('field'), str(note['note']))} ({_lines(note['lines'])})")
    if dry_run and not report.errors:
        changes = sorted(report.changes, key=lambda c: int(c["line"]))
        for change in changes[:CHANGES_SHOWN]:
            if change["action"] == "skip":
                detail = f" (line {change['kept_line']} kept)"
            else:
                detail = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
            typer.echo(f"line {change['line']}: {change['action']} {change['external_id']}{detail}")
        if len(changes) > CHANGES_SHOWN:
            typer.echo(f"... and {len(changes) - CHANGES_SHOWN} more changes (--json lists them all)")
    for err in report.errors:
        hint = f" (hint: {err['hint']})" if err.get("hint") else ""
        typer.echo(f"line {err['line']}: {_prefixed(err.get('field'), str(err['error']))}{hint}", err=True)


from runner.commands.import_metrics import import_metrics  # noqa: E402 (the command lives in its own module)

import_app.command("metrics")(import_metrics)
