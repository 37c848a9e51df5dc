"""Applies aicrm's SQL: bootstrap, pending migrations, then every function, view and default seed.

Order (docs/architecture.md): sql/bootstrap.sql as the administrator; each pending
sql/migrations/NNNN_*.sql in its own transaction as aicrm_owner, its id recorded first; then, in one
transaction as aicrm_owner, sql/functions/ (private/ first, then the other folders, then top-level
files such as triggers.sql), sql/views/ and sql/seeds/defaults/. A session advisory lock makes two
concurrent runs take turns; the second finds nothing pending and re-applies the repeatables,
which changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from runner.errors import AicrmError, ConfigurationError
from runner.named_queries import admin_queries, admin_statement

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(AicrmError):
    """A SQL file failed to apply, or the migration history does not match the files."""

    exit_code = 7


@dataclass(frozen=True)
class SqlFile:
    path: Path
    relative: str
    body: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()


@dataclass(frozen=True)
class Migration(SqlFile):
    migration_id: str = ""
    name: str = ""


@dataclass
class Plan:
    bootstrap: SqlFile
    migrations: list[Migration]
    repeatables: list[SqlFile]
    default_seeds: list[SqlFile]
    demo_seeds: list[SqlFile]


@dataclass
class MigrateReport:
    applied: list[str] = field(default_factory=list)
    repeatables: int = 0


def _read(root: Path, path: Path) -> SqlFile:
    return SqlFile(path, str(path.relative_to(root)), path.read_text())


def plan(sql_dir: Path) -> Plan:
    if not (sql_dir / "bootstrap.sql").is_file():
        raise ConfigurationError(f"no aicrm SQL in {sql_dir} (set AICRM_SQL_DIR to the checkout's sql/ folder)")
    migrations: list[Migration] = []
    seen: set[str] = set()
    for path in sorted((sql_dir / "migrations").glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise ConfigurationError(f"{path.name}: migration files are named NNNN_snake_description.sql")
        if m.group(1) in seen:
            raise ConfigurationError(f"{path.name}: migration number {m.group(1)} is used twice")
        seen.add(m.group(1))
        f = _read(sql_dir, path)
        migrations.append(Migration(f.path, f.relative, f.body, m.group(1), m.group(2)))
    functions = sql_dir / "functions"
    private = sorted((functions / "private").rglob("*.sql"))
    folders = sorted(
        p for p in functions.rglob("*.sql") if p.parent != functions and (functions / "private") not in p.parents
    )
    top_level = sorted(functions.glob("*.sql"))
    views = sorted((sql_dir / "views").rglob("*.sql"))
    return Plan(
        bootstrap=_read(sql_dir, sql_dir / "bootstrap.sql"),
        migrations=migrations,
        repeatables=[_read(sql_dir, p) for p in [*private, *folders, *top_level, *views]],
        default_seeds=[_read(sql_dir, p) for p in sorted((sql_dir / "seeds" / "defaults").glob("*.sql"))],
        demo_seeds=[_read(sql_dir, p) for p in sorted((sql_dir / "seeds" / "demo").glob("*.sql"))],
    )


def _apply(conn: psycopg.Connection[tuple[object, ...]], f: SqlFile) -> None:
    try:
        conn.execute(f.body.encode())
    except psycopg.Error as exc:
        diag = exc.diag
        where = f" (line {_line_of(f.body, diag.statement_position)})" if diag.statement_position else ""
        raise MigrationError(
            f"{f.relative}{where}: {diag.message_primary or exc}",
            sqlstate=exc.sqlstate,
            detail=diag.message_detail,
            hint=diag.message_hint,
        ) from exc


def _line_of(body: str, position: str | None) -> int:
    return body[: int(position or 0)].count("\n") + 1


def _record(m: Migration) -> sql.Composed:
    """The statement recording a migration, first in its transaction (migrate and bundle alike)."""
    return admin_statement(
        "record_migration",
        migration_id=sql.Literal(m.migration_id),
        name=sql.Literal(m.name),
        checksum=sql.Literal(m.checksum),
    )


def migrate(conn: psycopg.Connection[tuple[object, ...]], sql_dir: Path) -> MigrateReport:
    """Apply everything pending; `conn` is an administrator connection in autocommit mode."""
    p = plan(sql_dir)
    report = MigrateReport()
    conn.execute(admin_queries()["migration_lock"])
    try:
        with conn.transaction():
            _apply(conn, p.bootstrap)
        applied = {str(r[0]): str(r[1]) for r in conn.execute(admin_queries()["applied_migrations"]).fetchall()}
        for m in p.migrations:
            recorded = applied.get(m.migration_id)
            if recorded is not None:
                if recorded != m.checksum:
                    raise MigrationError(
                        f"{m.relative} was changed after it was applied",
                        hint="Migrations are append-only: revert the edit and add a new migration.",
                    )
                continue
            with conn.transaction():
                conn.execute(admin_queries()["as_owner"])
                conn.execute(_record(m))
                _apply(conn, m)
            report.applied.append(m.relative)
        with conn.transaction():
            conn.execute(admin_queries()["as_owner"])
            for f in [*p.repeatables, *p.default_seeds]:
                _apply(conn, f)
                report.repeatables += 1
    finally:
        conn.execute(admin_queries()["migration_unlock"])
    return report


def seed(conn: psycopg.Connection[tuple[object, ...]], sql_dir: Path, *, demo: bool) -> list[str]:
    """Apply the default seeds, and the demo tenant with --demo; all idempotent, one transaction."""
    p = plan(sql_dir)
    files = [*p.default_seeds, *(p.demo_seeds if demo else [])]
    with conn.transaction():
        conn.execute(admin_queries()["as_owner"])
        for f in files:
            _apply(conn, f)
    return [f.relative for f in files]


def bundle(sql_dir: Path) -> str:
    """One SQL file with everything `migrate` applies, for psql or the Supabase SQL editor."""
    p = plan(sql_dir)
    out = [
        "-- aicrm bundle: bootstrap, every migration (recorded), functions, views and default seeds.",
        '-- Apply to a database without aicrm: psql -v ON_ERROR_STOP=1 -f aicrm.sql "$DATABASE_URL"',
        "-- Later upgrades: aicrm migrate (it sees the recorded migrations and applies only new ones).",
        "",
        f"-- {p.bootstrap.relative}",
        p.bootstrap.body.strip(),
        "",
    ]
    begin, as_owner, commit = admin_queries()["begin"], admin_queries()["as_owner"], admin_queries()["commit"]
    for m in p.migrations:
        out += [f"-- {m.relative}", begin, as_owner, _record(m).as_string(None), m.body.strip(), commit, ""]
    out += [begin, as_owner]
    for f in [*p.repeatables, *p.default_seeds]:
        out += [f"-- {f.relative}", f.body.strip(), ""]
    out += [commit, ""]
    return "\n".join(out)
