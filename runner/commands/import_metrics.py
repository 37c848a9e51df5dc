"""`aicrm import metrics FILE --tenant ID` (docs/learning.md, "Outcomes in"): a delivery's
cumulative counters per row, from CSV (a header: delivery_id and counters) or JSON Lines, each row
one call of aicrm.record_delivery_metrics. The database checks every value; the runner only reads
the file, turns a CSV cell into a number when it is one, and reports each refused row with its line
and the field the database named. Good rows are recorded, bad ones reported (exit status 2); each
row's idempotency key is its content (or its idempotency_key column), so a re-run of the same file
changes nothing and a corrected file records only what changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import psycopg
import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import InvalidInput
from runner.importer import check_encoding, detect_format, read_records


def import_metrics(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (with a header) or JSON Lines."),
    tenant: str = typer.Option(..., "--tenant", envvar="AICRM_TENANT_ID", help="The tenant the deliveries are in."),
    fmt: str | None = typer.Option(None, "--format", help="csv or jsonl (default: from the extension)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's encoding."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Record deliveries' cumulative counters (sent, delivered, opens, clicks, ...), one row each."""
    settings = Settings.from_env()
    kind = detect_format(file, fmt)
    encoding = check_encoding(encoding)
    ensure_server(settings)
    errors: list[dict[str, Any]] = []
    recorded = 0
    records = read_records(file, kind, errors, encoding)
    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        for record in records:
            data = dict(record.data)
            delivery = data.pop("delivery_id", None)
            key = data.pop("idempotency_key", None)
            values = {name: _value(v) for name, v in data.items() if not (isinstance(v, str) and v.strip() == "")}
            if not key:
                content = json.dumps([delivery, values], sort_keys=True)
                key = "import:" + hashlib.sha256(content.encode()).hexdigest()
            try:
                with conn.transaction():  # a savepoint: a refused row leaves the others
                    conn.execute(
                        queries()["record_delivery_metrics"],
                        {"delivery_id": delivery or None, "metrics": Jsonb(values), "key": key},
                    )
            except psycopg.Error as exc:
                if exc.sqlstate is None or not exc.sqlstate.startswith(("AC", "22")):
                    raise
                field = exc.diag.column_name or ("delivery_id" if exc.sqlstate.startswith("22") else None)
                errors.append({"line": record.line, "field": field, "error": exc.diag.message_primary or str(exc)})
            else:
                recorded += 1
        conn.commit()
    errors.sort(key=lambda e: int(e["line"]))
    if as_json:
        typer.echo(json.dumps({"file": file.name, "recorded": recorded, "errors": errors}, indent=2))
    else:
        typer.echo(f"{file.name}: {recorded} rows recorded, {len(errors)} refused")
        for e in errors:
            where = f" {e['field']}" if e.get("field") else ""
            typer.echo(f"  line {e['line']}{where}: {e['error']}", err=True)
    if errors:
        raise InvalidInput(f"{len(errors)} rows of {file.name} refused; the others were recorded")


def _value(cell: Any) -> Any:
    """A CSV cell as the number it spells, else as it is (the database names what it refuses)."""
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            continue
    return text
