"""Migration 0023: aicrm_private.context_templates_v2 is context_templates again (its v1 is long
gone), and a database upgraded from before the rename keeps no copy under the old name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

MIGRATION = Path(__file__).resolve().parents[2] / "sql" / "migrations" / "0023_rename_context_templates.sql"
SIGNATURE = "(aicrm.customers, text, text, jsonb)"


def context_template_functions(db: psycopg.Connection[Any]) -> list[str]:
    rows = db.execute(
        "select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'aicrm_private' and p.proname like 'context\\_templates%' order by 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_a_migrated_database_has_the_name_without_its_suffix(db: psycopg.Connection[Any]) -> None:
    assert context_template_functions(db) == ["aicrm_private.context_templates(aicrm.customers,text,text,jsonb)"]


def test_the_migration_drops_the_old_name_of_an_upgraded_database(db: psycopg.Connection[Any]) -> None:
    # What a database migrated before 0023 holds: the function under its old name (owned by aicrm_owner).
    db.execute("set local role aicrm_owner")
    db.execute(
        f"create function aicrm_private.context_templates_v2{SIGNATURE} returns jsonb"
        " language sql set search_path = '' as 'select ''[]''::jsonb'"
    )
    assert len(context_template_functions(db)) == 2
    db.execute(MIGRATION.read_text())
    db.execute("reset role")
    assert context_template_functions(db) == ["aicrm_private.context_templates(aicrm.customers,text,text,jsonb)"]
