"""`aicrm unsubscribe TOKEN`: what an unsubscribe page does with a link's token, from the shell (a
recipient who wrote back "unsubscribe me" and forwarded the email, or a test of the page). It calls
aicrm.record_unsubscribe as aicrm_app with no tenant: the token names its tenant and is verified
there (docs/pipeline.md, "Merge tags and unsubscribe links")."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, cast

import typer

from runner.config import Settings
from runner.db import connect, ensure_server, queries, translated_errors


def token_of(link_or_token: str) -> str:
    """The token itself, or the `token` parameter of a whole link pasted as it came."""
    text = link_or_token.strip()
    if "://" in text or text.startswith("?"):
        values = urllib.parse.parse_qs(urllib.parse.urlsplit(text).query).get("token")
        return values[0] if values else ""
    return text


def unsubscribe_command(
    token: str = typer.Argument(..., help="The token of an unsubscribe link, or the whole link."),
    as_json: bool = typer.Option(False, "--json", help="Print record_unsubscribe's answer as JSON."),
) -> None:
    """Record the unsubscribe an email's link carries (once: the same link again changes nothing)."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "app") as conn, translated_errors():
        row = conn.execute(queries()["record_unsubscribe"], {"token": token_of(token)}).fetchone()
    result: dict[str, Any] = dict(cast("dict[str, Any]", row[0])) if row else {}
    if as_json:
        typer.echo(json.dumps(result, default=str))
        return
    what = "unsubscribed" if result.get("recorded") else "already unsubscribed"
    since = result.get("unsubscribed_at")
    typer.echo(f"{result.get('email')}: {what} from {result.get('customer_name')} (since {since})")
