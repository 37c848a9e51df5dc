"""`aicrm evaluate FILE`: the scorecard of ad-hoc content, computed the way drafts are scored (the
runner's text metrics, then aicrm.evaluate_content in PostgreSQL) and stored nowhere. The exit
status says the verdict, as a test runner's does: 0 passes, 1 fails (FAIL_EXIT), 2-8 a refusal."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, cast

import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import InvalidInput

# Content larger than this is refused before it is read into memory; the database refuses drafts
# over 200,000 characters with a clear error.
MAX_INPUT_BYTES = 5_000_000
DIMENSIONS = ("compliance", "structure", "brand_alignment", "readability", "sentiment")
# The draft was scored and fails its threshold or a criterion; README's refusals use 2 to 8.
FAIL_EXIT = 1


def evaluate_command(
    file: str = typer.Argument(..., help="The content to score: a file, or - for standard input."),
    subject: str | None = typer.Option(None, "--subject", help="The subject line (emails)."),
    channel: str = typer.Option("email", "--channel", help="email | sms | social | blog | web"),
    instructions: str | None = typer.Option(
        None,
        "--instructions",
        help='The task\'s AI instructions as JSON, e.g. \'{"output_length": {"max_words": 200}}\'.',
    ),
    customer: str | None = typer.Option(None, "--customer", help="Score against this customer's business context."),
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    content_format: str = typer.Option("text", "--format", help="text | html | markdown"),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard as one JSON document."),
) -> None:
    """Print the quality scorecard of a draft: sub-scores, pass/fail, confidence, violations, fixes."""
    from runner.scoring import text_metrics  # textstat and VADER: only for the commands that score

    content = _read(file)
    instructions_doc = _parse_instructions(instructions)
    metrics = text_metrics(content, subject=subject, content_format=content_format)
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "app") as conn, translated_errors():
        set_tenant(conn, tenant)
        row = conn.execute(
            queries()["evaluate_content"],
            {
                "content": content,
                "channel": channel,
                "subject": subject,
                "customer_id": customer,
                "instructions": Jsonb(instructions_doc),
                "text_metrics": Jsonb(metrics),
                "content_format": content_format,
            },
        ).fetchone()
        conn.rollback()  # nothing to keep: evaluate_content stores nothing
    card = cast(dict[str, Any], row[0]) if row else {}
    if as_json:
        typer.echo(json.dumps(card, indent=2, ensure_ascii=False))
    else:
        _print_card(card)
    if not card.get("passed"):
        raise typer.Exit(FAIL_EXIT)


def _read(file: str) -> str:
    if file == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        path = Path(file)
        if not path.is_file():
            raise InvalidInput(f"FILE: {file} is not a readable file")
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InvalidInput(f"FILE: {file} is larger than {MAX_INPUT_BYTES:,} bytes; score one draft at a time")
        data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInput(f"FILE: standard input is larger than {MAX_INPUT_BYTES:,} bytes; score one draft at a time")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"FILE: not UTF-8 text (byte {exc.start})") from exc


def _parse_instructions(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--instructions: not JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("--instructions: must be a JSON object")
    return cast(dict[str, Any], doc)


def _print_card(card: dict[str, Any]) -> None:
    verdict = "PASS" if card.get("passed") else "FAIL"
    typer.echo(
        f"{verdict}  overall {card.get('overall')}/100 (threshold {card.get('threshold')}), "
        f"confidence {card.get('confidence')}"
    )
    for name in DIMENSIONS:
        value = card.get(name)
        typer.echo(f"  {name.replace('_', ' '):<16} {'n/a' if value is None else value}")
    violations = card.get("details", {}).get("compliance", {}).get("violations", [])
    if violations:
        typer.echo("violations:")
    for v in violations:
        span = v.get("span") or {}
        where = f' "{span["text"]}"' if span.get("text") else ""
        typer.echo(f"  [{v.get('severity')}] {v.get('pack')}.{v.get('rule')}{where}: {v.get('message')}")
    failed = [c for c in card.get("criteria", []) if not c.get("passed")]
    if failed:
        typer.echo("criteria not met:")
    for c in failed:
        typer.echo(f"  {c.get('criterion')}: expected {c.get('expected')}, got {c.get('actual')}")
    # The scorecard has a fix per occurrence (three guarantees, three times the same advice): once here.
    fixes = Counter((f.get("severity"), f.get("code"), f.get("message")) for f in card.get("fixes", []))
    if fixes:
        typer.echo("fixes:")
    for (severity, code, message), times in fixes.items():
        typer.echo(f"  [{severity}] {code}: {message}" + (f" ({times} occurrences)" if times > 1 else ""))
    typer.echo(str(card.get("summary", "")))
