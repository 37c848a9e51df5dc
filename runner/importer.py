"""Reading customer files for `aicrm import customers`. Parsing is all the runner does: mapping,
checks and writes happen in aicrm.import_customers (sql/functions/customers/import_customers.sql)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import ConfigurationError


@dataclass
class Record:
    line: int
    data: dict[str, Any]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, part: dict[str, Any]) -> None:
        self.rows += int(part["rows"])
        self.created += int(part["created"])
        self.updated += int(part["updated"])
        self.unchanged += int(part["unchanged"])
        self.errors += list(part["errors"])
        self.changes += list(part["changes"])

    def as_dict(self, *, applied: bool, dry_run: bool) -> dict[str, Any]:
        return {
            "applied": applied,
            "dry_run": dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "changes": self.changes,
            "errors": self.errors,
        }


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("csv", "jsonl"):
            raise ConfigurationError(f"--format: {fmt!r} is not csv or jsonl")
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise ConfigurationError(f"{path.name}: cannot tell the format from the extension; pass --format csv|jsonl")


def read_records(path: Path, fmt: str, parse_errors: list[dict[str, Any]]) -> Iterator[Record]:
    """Yield records with the line they start on; unreadable lines go to parse_errors."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                raise ConfigurationError(f"{path.name}: no header row")
            start = reader.line_num + 1
            for row in reader:
                if None in row:
                    parse_errors.append({"line": start, "error": "more cells than header columns"})
                else:
                    yield Record(start, {k: v for k, v in row.items() if k is not None})
                start = reader.line_num + 1
        return
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                parse_errors.append({"line": number, "error": f"not valid JSON: {exc.msg}"})
                continue
            if not isinstance(data, dict):
                parse_errors.append({"line": number, "error": "each line must be a JSON object"})
                continue
            yield Record(number, data)


def read_mapping(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"--mapping {path}: {exc}") from exc
    if not isinstance(mapping, dict):
        raise ConfigurationError(f"--mapping {path}: must be a JSON object")
    return mapping
