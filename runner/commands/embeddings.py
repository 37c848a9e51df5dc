"""`aicrm embeddings config` and `aicrm embeddings reindex`: choose the embedder, and (re-)embed the
knowledge base's content examples with it (docs/embeddings.md).

Reindex embeds what is pending (no embedding, or another model's) in batches, one transaction per
batch, so a run that stops (a provider outage, Ctrl-C) keeps what it did and the next run continues
from there. The hashing embedder is recomputed by the database; openai and minilm are computed here
and written back through aicrm.record_example_embeddings as the worker role, one tenant at a time.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
import typer

from runner.config import Settings
from runner.db import Role, connect, ensure_server, queries, translated_errors
from runner.errors import AicrmError, ConfigurationError, NotFound

if TYPE_CHECKING:  # imported where used: the openai SDK alone takes a second to import
    from rich.progress import Progress, TaskID

    from runner.providers.embeddings import Embedder

embeddings_app = typer.Typer(
    help="Embeddings of the knowledge base: the embedder, and re-embedding (docs/embeddings.md).",
    no_args_is_help=True,
)

Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Target:
    """What one pass embeds: a tenant's examples, or (tenant_id None) the deployment's library."""

    tenant_id: str | None
    pending: int


@dataclass
class Tally:
    embedded: int = 0
    library: int = 0
    skipped: int = 0  # rows whose text changed while they were being embedded


@embeddings_app.command("config")
def config_command(
    provider: str | None = typer.Option(None, "--provider", help="hashing | openai | minilm"),
    model: str | None = typer.Option(
        None, "--model", help="The model; a new provider defaults to its usual one (e.g. text-embedding-3-small)."
    ),
) -> None:
    """Show the embedder, or set it (deployment-wide); a new model needs a reindex."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "owner") as conn, translated_errors():
        if provider is None and model is None:
            row = conn.execute(queries()["get_embedding_config"]).fetchone()
            assert row is not None, "aicrm.embedding_config has its one row from the migration"
            typer.echo(f"provider {row[0]}, model {row[1]}, {row[2]} dimensions (set {row[3]:%Y-%m-%d %H:%M %Z})")
            return
        row = conn.execute(queries()["set_embedding_config"], {"provider": provider, "model": model}).fetchone()
        assert row is not None
        new_provider, new_model, dimensions, _, old_model = row
        check_usable(str(new_provider), str(new_model), settings)  # refused: the transaction rolls back
        conn.commit()
    typer.echo(f"provider {new_provider}, model {new_model}, {dimensions} dimensions")
    if new_model != old_model:
        typer.echo(
            f"warning: the model changed from {old_model} to {new_model}; examples embedded with {old_model} are "
            "not searched until re-embedded. Run: aicrm embeddings reindex --all-tenants",
            err=True,
        )


def check_usable(provider: str, model: str, settings: Settings) -> None:
    """Refuse a setting this runner could not embed with (ConfigurationError naming what is missing),
    so `config` saves nothing that makes every later reindex fail. The database has checked the
    names; this checks the machine by building the embedder reindex would build: openai needs a key
    or a local endpoint (no request is made), minilm needs its extra (and loads the bundled model)."""
    if provider not in ("openai", "minilm"):
        return
    from runner.providers.embeddings import embedder_from_config

    try:
        embedder_from_config(provider, model, settings)
    except ConfigurationError as exc:
        if exc.field is None and not exc.message.startswith(("model:", "AICRM_")):
            raise ConfigurationError(f"provider: {exc.message}", field="provider", hint=exc.hint) from exc
        raise


@embeddings_app.command("reindex")
def reindex_command(
    tenant: str | None = typer.Option(None, "--tenant", help="Embed this tenant's examples."),
    all_tenants: bool = typer.Option(
        False, "--all-tenants", help="Embed every tenant's examples, and the deployment's content library."
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", min=1, max=2048, help="Examples per transaction (default: AICRM_EMBEDDINGS_BATCH_SIZE)."
    ),
    full: bool = typer.Option(False, "--full", help="Re-embed every example, not only the pending ones."),
    watch: float | None = typer.Option(
        None,
        "--watch",
        min=0.1,
        help="Keep running: every SECONDS embed what became pending, until Ctrl-C or SIGTERM "
        "(fills runner-embedded rows in the background; a failed pass is reported and retried).",
    ),
) -> None:
    """Embed the examples that have no embedding or another model's; resumable: a re-run continues."""
    if tenant is not None and all_tenants:
        raise ConfigurationError("--tenant and --all-tenants: pass one of them, not both")
    if tenant is None and not all_tenants:
        raise ConfigurationError("--tenant: which tenant?", hint="Pass --tenant ID, or --all-tenants.")
    if watch is not None and full:
        raise ConfigurationError("--watch and --full: a full re-embedding runs once; drop one of them")
    settings = Settings.from_env()
    size = batch_size or settings.embeddings_batch_size
    ensure_server(settings)
    embedders: dict[tuple[str, str], Embedder] = {}  # built once, reused by every pass (a model loads slowly)
    if watch is None:
        _reindex_pass(settings, tenant, all_tenants, size, full, embedders, quiet=False)
        return

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        while not stop.is_set():
            try:
                _reindex_pass(settings, tenant, all_tenants, size, False, embedders, quiet=True)
            except AicrmError as exc:  # a provider or database outage: say so, try again next pass
                typer.echo(f"error: {exc.one_line()} (retrying in {watch:g} s)", err=True)
            stop.wait(watch)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    typer.echo("stopped")


def _reindex_pass(
    settings: Settings,
    tenant: str | None,
    all_tenants: bool,
    size: int,
    full: bool,
    embedders: dict[tuple[str, str], Embedder],
    *,
    quiet: bool,
) -> None:
    """One reindex over the tenant (or all tenants and the library); with quiet, says nothing when
    there was nothing to embed."""
    started = time.monotonic()
    with connect(settings, "worker", tenant_id=tenant, autocommit=True) as conn, translated_errors():
        config = conn.execute(queries()["get_embedding_config"]).fetchone()
        assert config is not None, "aicrm.embedding_config has its one row from the migration"
        provider, model = str(config[0]), str(config[1])
        targets = _tenant_targets(conn, tenant, full)
    if all_tenants:
        with connect(settings, "owner", autocommit=True) as conn, translated_errors():
            row = conn.execute(queries()["count_library_examples_to_embed"], {"full": full}).fetchone()
        targets.insert(0, Target(None, _first(row)))
    total = sum(t.pending for t in targets)
    if quiet and not total:
        return
    # The model is loaded (minilm) or the client built (openai) only when there is something to embed.
    embedder: Embedder | None = None
    if provider != "hashing" and total:
        if (provider, model) not in embedders:
            from runner.providers.embeddings import embedder_from_config

            embedders[(provider, model)] = embedder_from_config(provider, model, settings)
        embedder = embedders[(provider, model)]

    from rich.console import Console
    from rich.progress import Progress

    tally = Tally()
    console = Console(stderr=True)
    # Rich writes a stray newline even to a pipe, so no bar at all unless stderr is a terminal.
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"embedding with {model}", total=total)
        try:
            for target in targets:
                if target.pending:
                    _reindex_target(settings, target, embedder, size, full, tally, progress, task)
        except (AicrmError, KeyboardInterrupt):
            if not quiet:
                done = tally.embedded + tally.library
                typer.echo(f"stopped after embedding {done} examples; run the same command again to continue", err=True)
            raise

    elapsed = time.monotonic() - started
    summary = f"embedded {tally.embedded} examples with {model} in {elapsed:.1f} s"
    if all_tenants:
        tenants = sum(1 for t in targets if t.tenant_id is not None)
        summary += f" ({tenants} tenants with pending examples; {tally.library} library examples)"
    typer.echo(summary)
    if tally.skipped:
        typer.echo(
            f"{tally.skipped} examples changed while being embedded; run reindex again to embed their new text",
            err=True,
        )


def _tenant_targets(conn: Connection, tenant: str | None, full: bool) -> list[Target]:
    if tenant is None:
        rows = conn.execute(queries()["tenants_with_pending_embeddings"], {"full": full}).fetchall()
        return [Target(str(r[0]), int(r[1])) for r in rows]
    # Counting first: a malformed id is refused by the tenancy helper, with its own clear message.
    row = conn.execute(queries()["count_examples_to_embed"], {"full": full}).fetchone()
    found = conn.execute(queries()["tenant_exists"], {"tenant_id": tenant}).fetchone()
    if not found or not found[0]:
        raise NotFound(f"tenant: {tenant} does not exist", field="tenant")
    return [Target(tenant, _first(row))]


def _reindex_target(
    settings: Settings,
    target: Target,
    embedder: Embedder | None,
    size: int,
    full: bool,
    tally: Tally,
    progress: Progress,
    task: TaskID,
) -> None:
    library = target.tenant_id is None
    # Autocommit: each statement is its own transaction, so every batch written is kept at once and
    # no transaction stays open while the provider is asked.
    role: Role = "owner" if library else "worker"
    with connect(settings, role, tenant_id=target.tenant_id, autocommit=True) as conn, translated_errors():
        if embedder is None:
            _hashing(conn, library, size, full, tally, progress, task)
            return
        list_query, record_query = (
            ("list_library_examples_to_embed", "record_library_example_embeddings")
            if library
            else ("list_examples_to_embed", "record_example_embeddings")
        )
        after: Any = None
        while rows := conn.execute(queries()[list_query], {"limit": size, "after": after, "full": full}).fetchall():
            vectors = embedder.embed([str(r[1]) for r in rows])
            row = conn.execute(
                queries()[record_query],
                {
                    "model": embedder.model,
                    "keys": [r[0] for r in rows],
                    "text_md5s": [r[2] for r in rows],
                    "embeddings": [_vector_literal(v) for v in vectors],
                },
            ).fetchone()
            written = _first(row)
            _count(tally, library, written, len(rows) - written)
            progress.advance(task, len(rows))
            after = rows[-1][0]


def _hashing(
    conn: Connection, library: bool, size: int, full: bool, tally: Tally, progress: Progress, task: TaskID
) -> None:
    if library:  # a few hundred rows at most: one statement
        row = conn.execute(queries()["reembed_library_hashing"], {"full": full}).fetchone()
        written = _first(row)
        _count(tally, library, written, 0)
        progress.advance(task, written)
        return
    after: Any = None
    while True:
        row = conn.execute(
            queries()["reembed_examples_hashing"], {"limit": size, "after": after, "full": full}
        ).fetchone()
        if row is None or row[1] is None:
            return
        _count(tally, library, int(row[0]), 0)
        progress.advance(task, int(row[0]))
        after = row[1]


def _count(tally: Tally, library: bool, written: int, skipped: int) -> None:
    if library:
        tally.library += written
    else:
        tally.embedded += written
    tally.skipped += skipped


def _first(row: tuple[Any, ...] | None) -> int:
    return int(row[0]) if row and row[0] is not None else 0


def _vector_literal(vector: list[float]) -> str:
    """pgvector's text form, cast to halfvec by the query; repr keeps every digit a float32 has."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"
