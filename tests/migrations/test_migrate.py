"""The SQL applier: migrations once each, repeatables every time, the bundle, concurrency."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from runner import embedded
from runner.migrate import MigrationError, bundle, migrate, plan

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def schema_dump(conninfo: str) -> str:
    out = subprocess.run(
        [str(embedded.bin_dir() / "pg_dump"), "--schema-only", conninfo],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # pg_dump 18 brackets its output with a random \restrict key; everything else must match.
    return "\n".join(line for line in out.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))


def ledger(conninfo: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(
            "select migration_id, name, checksum from aicrm_private.schema_migrations order by 1"
        ).fetchall()


def run_migrate(conninfo: str, sql_dir: Path = SQL_DIR) -> list[str]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return migrate(conn, sql_dir).applied


def test_applied_twice_changes_nothing(empty_database: str) -> None:
    first = run_migrate(empty_database)
    assert first == [m.relative for m in plan(SQL_DIR).migrations]
    dump, recorded = schema_dump(empty_database), ledger(empty_database)
    assert run_migrate(empty_database) == []
    assert schema_dump(empty_database) == dump
    assert ledger(empty_database) == recorded
    assert [r[0] for r in recorded] == [m.migration_id for m in plan(SQL_DIR).migrations]


def test_bundle_applies_to_an_empty_database_like_migrate(
    empty_database: str, server_conninfo: Any, tmp_path: Path
) -> None:
    run_migrate(empty_database)
    expected = schema_dump(empty_database)
    target = f"aicrm_bundle_{tmp_path.name[-8:].replace('-', '_')}"
    with psycopg.connect(server_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f"create database {target}")
    try:
        bundle_file = tmp_path / "aicrm.sql"
        bundle_file.write_text(bundle(SQL_DIR))
        result = subprocess.run(
            [
                str(embedded.bin_dir() / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                str(bundle_file),
                server_conninfo(target),
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert "ERROR" not in result.stderr
        assert schema_dump(server_conninfo(target)) == expected
        assert ledger(server_conninfo(target)) == ledger(empty_database)
        # A database installed from the bundle upgrades with aicrm migrate: nothing is pending.
        assert run_migrate(server_conninfo(target)) == []
    finally:
        with psycopg.connect(server_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f"drop database if exists {target} with (force)")


def test_two_concurrent_runs_are_safe(empty_database: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(run_migrate(empty_database))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    # One run applied everything, the other found nothing pending.
    assert sorted(map(len, results)) == [0, len(plan(SQL_DIR).migrations)]
    assert len(ledger(empty_database)) == len(plan(SQL_DIR).migrations)


def test_an_edited_migration_is_refused(empty_database: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    run_migrate(empty_database, sql_dir)
    first = sorted((sql_dir / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent edit\n")
    with pytest.raises(MigrationError, match=first.name) as info:
        run_migrate(empty_database, sql_dir)
    assert info.value.hint
    assert "new migration" in info.value.hint


def test_a_failing_migration_writes_nothing_and_names_file_and_line(empty_database: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    run_migrate(empty_database, sql_dir)
    (sql_dir / "migrations" / "9999_broken.sql").write_text(
        "create table aicrm.half_done (x int);\n\nselect * from aicrm.no_such_table;\n"
    )
    with pytest.raises(MigrationError) as info:
        run_migrate(empty_database, sql_dir)
    assert "9999_broken.sql (line 3)" in info.value.message
    assert info.value.sqlstate == "42P01"
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("select to_regclass('aicrm.half_done')").fetchone() == (None,)
    assert "9999" not in [r[0] for r in ledger(empty_database)]


def test_repeatables_are_reapplied_every_run(empty_database: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    run_migrate(empty_database, sql_dir)
    (sql_dir / "views" / "zz_probe.sql").write_text(
        "create or replace view aicrm.zz_probe with (security_invoker = true) as select 1 as one;\n"
    )
    assert run_migrate(empty_database, sql_dir) == []
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("select one from aicrm.zz_probe").fetchone() == (1,)
        owner = conn.execute("select pg_get_userbyid(relowner) from pg_class where relname = 'zz_probe'").fetchone()
    assert owner == ("aicrm_owner",)


def test_order_private_functions_first_then_domains_then_triggers_then_views() -> None:
    p = plan(SQL_DIR)
    names = [f.relative for f in p.repeatables]
    first_view = next(i for i, n in enumerate(names) if n.startswith("views/"))
    assert names[0].startswith("functions/private/")
    assert names.index("functions/triggers.sql") == first_view - 1
    assert all(n.startswith("views/") for n in names[first_view:])
