"""`aicrm import customers FILE --tenant ID`: all or nothing, bad rows reported by line."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, cast

import typer
from psycopg.types.json import Jsonb
from rich.progress import Progress

from runner.config import Settings
from runner.db import connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import InvalidInput
from runner.importer import ImportReport, Record, detect_format, read_mapping, read_records

import_app = typer.Typer(help="Import data from an existing CRM.", no_args_is_help=True)


@import_app.command("customers")
def import_customers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (with a header) or JSON Lines."),
    tenant: str = typer.Option(..., "--tenant", envvar="AICRM_TENANT_ID", help="The tenant to import into."),
    mapping: Path | None = typer.Option(None, "--mapping", help="JSON mapping of legacy columns (docs/import.md)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing."),
    fmt: str | None = typer.Option(None, "--format", help="csv or jsonl (default: from the extension)."),
    batch_size: int = typer.Option(500, min=1, max=5000, help="Rows per database call."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Import customers with their business context; re-running the same file changes nothing."""
    settings = Settings.from_env()
    ensure_server(settings)
    mapping_doc = read_mapping(mapping)
    kind = detect_format(file, fmt)
    report = ImportReport()
    parse_errors: list[dict[str, Any]] = []
    records = read_records(file, kind, parse_errors)
    size = file.stat().st_size

    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        with Progress(transient=True, disable=size < 1_000_000) as progress:
            task = progress.add_task(f"importing {file.name}", total=None)
            while batch := list(itertools.islice(records, batch_size)):
                row = conn.execute(
                    queries()["import_customers"],
                    {"rows": Jsonb([_item(r) for r in batch]), "mapping": Jsonb(mapping_doc), "dry_run": False},
                ).fetchone()
                report.add(cast(dict[str, Any], row[0]) if row else {})
                progress.update(task, advance=len(batch), description=f"importing {file.name}: {report.rows} rows")
        report.errors = sorted(parse_errors + report.errors, key=lambda e: int(e["line"]))
        # The database refused bad rows and undid their batch; the runner makes the whole file one
        # unit: commit only when every row was good and this is not a dry run.
        applied = not dry_run and not report.errors
        if applied:
            conn.commit()
        else:
            conn.rollback()

    result = report.as_dict(applied=applied, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        verb = "would" if dry_run or report.errors else "did"
        typer.echo(
            f"{file.name}: {report.rows} rows; {verb} create {report.created}, update {report.updated}, "
            f"leave {report.unchanged} unchanged"
        )
        for err in report.errors:
            field = f"{err['field']}: " if err.get("field") and not str(err["error"]).startswith(err["field"]) else ""
            hint = f" (hint: {err['hint']})" if err.get("hint") else ""
            typer.echo(f"line {err['line']}: {field}{err['error']}{hint}", err=True)
    if report.errors:
        raise InvalidInput(f"{len(report.errors)} bad rows in {file.name}: nothing was imported")


def _item(record: Record) -> dict[str, Any]:
    return {"line": record.line, "data": record.data}
