"""`aicrm import customers FILE --tenant ID`: all or nothing, bad rows reported by line."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path
from typing import Any, cast

import typer
from psycopg.types.json import Jsonb
from rich.console import Console
from rich.progress import Progress

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
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Import customers with their business context; re-running the same file changes nothing."""
    settings = Settings.from_env()
    mapping_doc = read_mapping(mapping)
    kind = detect_format(file, fmt)
    encoding = check_encoding(encoding)
    ensure_server(settings)
    report = ImportReport()
    parse_errors: list[dict[str, Any]] = []
    records = read_records(file, kind, parse_errors, encoding)
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
            task = progress.add_task(f"importing {file.name}", total=count_lines(file) if show_progress else None)
            while batch := list(itertools.islice(records, batch_size)):
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
                    task, completed=batch[-1].line, description=f"importing {file.name}: {report.rows} rows"
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


def _item(record: Record) -> dict[str, Any]:
    return {"line": record.line, "data": record.data}


def _print_report(file: Path, report: ImportReport, *, dry_run: bool) -> None:
    verb = "would" if dry_run or report.errors else "did"
    typer.echo(
        f"{file.name}: {report.rows} rows; {verb} create {report.created}, update {report.updated}, "
        f"leave {report.unchanged} unchanged"
    )
    if dry_run and not report.errors:
        for change in report.changes[:CHANGES_SHOWN]:
            fields = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
            typer.echo(f"line {change['line']}: {change['action']} {change['external_id']}{fields}")
        if len(report.changes) > CHANGES_SHOWN:
            typer.echo(f"... and {len(report.changes) - CHANGES_SHOWN} more changes (--json lists them all)")
    for err in report.errors:
        message = str(err["error"])
        field = f"{err['field']}: " if err.get("field") and not message.startswith(str(err["field"])) else ""
        hint = f" (hint: {err['hint']})" if err.get("hint") else ""
        typer.echo(f"line {err['line']}: {field}{message}{hint}", err=True)
