"""Reading customer files for `aicrm import customers`. Parsing is all the runner does: mapping,
checks and writes happen in aicrm.import_customers (sql/functions/customers/import_customers.sql)."""

from __future__ import annotations

import codecs
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
    """The reports of one file's calls of aicrm.import_customers, added up."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, part: dict[str, Any]) -> None:
        self.rows += int(part["rows"])
        self.created += int(part["created"])
        self.updated += int(part["updated"])
        self.unchanged += int(part["unchanged"])
        self.skipped += int(part.get("skipped", 0))
        self.errors += list(part["errors"])
        self.changes += list(part["changes"])
        for note in part.get("notes", []):
            # One note per kind and field for the file: a later batch adds its lines to it.
            same = next((n for n in self.notes if (n["code"], n["field"]) == (note["code"], note["field"])), None)
            if same is None:
                self.notes.append(dict(note))
            else:
                same["lines"] = sorted(same["lines"] + note["lines"])

    def as_dict(self, *, applied: bool, dry_run: bool) -> dict[str, Any]:
        return {
            "applied": applied,
            "dry_run": dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "changes": sorted(self.changes, key=lambda c: int(c["line"])),
            "errors": self.errors,
            "notes": self.notes,
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


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; legacy exports are often cp1252 or latin-1 rather than UTF-8."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise ConfigurationError(f"--encoding: {encoding!r} is not a known encoding (e.g. utf-8, cp1252)") from exc
    if name.startswith(("utf-16", "utf-32")):
        raise ConfigurationError(f"--encoding: {encoding} is not supported; convert the file to UTF-8")
    return name


def count_lines(path: Path) -> int:
    """Lines in the file, for the progress bar (records report the line they start on)."""
    total = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            total += chunk.count(b"\n")
            last = chunk[-1:]
    return total + (last != b"\n")


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines with their endings, decoded one by one so a bad byte is named by line."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                # utf-8-sig drops the byte order mark spreadsheet programs put before the header.
                yield raw.decode("utf-8-sig" if number == 1 and encoding == "utf-8" else encoding)
            except UnicodeDecodeError as exc:
                raise ConfigurationError(
                    f"{path.name}: line {number} is not valid {encoding} ({exc.reason}); "
                    "pass the file's encoding with --encoding, e.g. --encoding cp1252"
                ) from exc


def read_records(path: Path, fmt: str, parse_errors: list[dict[str, Any]], encoding: str = "utf-8") -> Iterator[Record]:
    """Yield records with the line they start on; unreadable lines go to parse_errors."""
    lines = _decoded_lines(path, check_encoding(encoding))
    if fmt == "csv":
        yield from _csv_records(path, lines, parse_errors)
    else:
        yield from _jsonl_records(path, lines, parse_errors)


def _csv_records(path: Path, lines: Iterator[str], parse_errors: list[dict[str, Any]]) -> Iterator[Record]:
    reader = csv.reader(lines)
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise ConfigurationError(f"{path.name}: no header row")
    names = [cell.strip() for cell in header]
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(f"{path.name}: header: column {duplicates[0]!r} appears more than once")
    consumed = reader.line_num
    for cells in reader:
        start, consumed = consumed + 1, reader.line_num  # a quoted cell may span several lines
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or one of only separators as spreadsheets leave at the end
        if len(cells) > len(names):
            parse_errors.append(
                {"line": start, "error": f"{len(cells)} cells, but the header has {len(names)} columns"}
            )
            continue
        # Missing trailing cells are empty; a column without a name may only hold empty cells
        # (the trailing comma some exporters put at the end of every line).
        data = dict(zip(names, cells, strict=False))
        unnamed = data.pop("", "")
        if unnamed.strip():
            parse_errors.append({"line": start, "error": f"a value ({unnamed!r}) under a column with no name"})
            continue
        yield Record(start, data)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _jsonl_records(path: Path, lines: Iterator[str], parse_errors: list[dict[str, Any]]) -> Iterator[Record]:
    first = True
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        if first and text.lstrip().startswith("["):
            raise ConfigurationError(
                f"{path.name}: is a JSON array; aicrm imports JSON Lines, one object per line "
                "(convert with: jq -c '.[]' FILE > FILE.jsonl)"
            )
        first = False
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            parse_errors.append({"line": number, "error": f"not valid JSON: {exc.msg} (column {exc.colno})"})
            continue
        except ValueError as exc:
            parse_errors.append({"line": number, "error": f"not valid JSON: {exc}"})
            continue
        if not isinstance(data, dict):
            parse_errors.append({"line": number, "error": "each line must be a JSON object"})
            continue
        yield Record(number, data)


def read_mapping(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"--mapping {path}: {exc}") from exc
    if not isinstance(mapping, dict):
        raise ConfigurationError(f"--mapping {path}: must be a JSON object")
    return mapping
