"""A sweep of the catalog: the rules every object must follow, checked for all of them at once, so
a table, view or function added later cannot forget one."""

from __future__ import annotations

from typing import Any

import psycopg


def rows(conn: psycopg.Connection[Any], query: str) -> list[tuple[Any, ...]]:
    return list(conn.execute(query).fetchall())


TENANT_TABLES = """
    select c.oid, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('aicrm', 'aicrm_private') and c.relkind in ('r', 'p')
      and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
                  and not a.attisdropped)
"""


def test_every_tenant_table_forces_row_level_security(db: psycopg.Connection[Any]) -> None:
    offenders = rows(
        db,
        f"""select t.relname from ({TENANT_TABLES}) t join pg_class c on c.oid = t.oid
            where not (c.relrowsecurity and c.relforcerowsecurity)""",
    )
    assert offenders == []


def test_every_tenant_table_has_a_policy_through_the_one_helper(db: psycopg.Connection[Any]) -> None:
    # A policy for aicrm_owner alone is no exception to isolation: the owner owns the table and
    # could switch RLS off; tenants_select_owner lets `aicrm seed` list tenants to install defaults.
    offenders = rows(
        db,
        f"""select t.relname from ({TENANT_TABLES}) t
            where not exists (select from pg_policy p where p.polrelid = t.oid)
               or exists (select from pg_policy p where p.polrelid = t.oid
                          and p.polroles <> array['aicrm_owner'::regrole::oid]
                          and coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
                              not like '%( SELECT aicrm_private.current_tenant_id()%')""",
    )
    assert offenders == []


def test_only_the_owner_has_a_policy_outside_the_helper(db: psycopg.Connection[Any]) -> None:
    owner_only = rows(
        db,
        """select c.relname, p.polname, p.polcmd from pg_policy p join pg_class c on c.oid = p.polrelid
           where p.polroles = array['aicrm_owner'::regrole::oid]
             and coalesce(pg_get_expr(p.polqual, p.polrelid), '') not like '%current_tenant_id()%'""",
    )
    # The owner lists tenants (library install) and claim_next_task sees the queue across tenants,
    # the latter only with a key no other role can read (tests/sql/pipeline/test_worker_api.py).
    # And every migrate empties the compiled decision rule sets of every tenant (derived data).
    assert sorted(owner_only) == [
        ("alert_notifications", "alert_notifications_claim", "*"),  # claim_alert_notification, the same way
        ("decision_rule_sets", "decision_rule_sets_delete_owner", "d"),
        ("outbox", "outbox_claim", "*"),  # claim_next_delivery_v2, the same way
        ("project_tasks", "project_tasks_claim", "*"),
        ("tenants", "tenants_select_owner", "r"),
    ]


def test_tenant_id_leads_every_primary_key(db: psycopg.Connection[Any]) -> None:
    offenders = rows(
        db,
        f"""select t.relname from ({TENANT_TABLES}) t
            left join pg_constraint k on k.conrelid = t.oid and k.contype = 'p'
            where k.oid is null
               or (select attname from pg_attribute where attrelid = t.oid and attnum = k.conkey[1]) <> 'tenant_id'""",
    )
    assert offenders == []


def test_tenant_id_is_in_every_unique_key_and_index(db: psycopg.Connection[Any]) -> None:
    offenders = rows(
        db,
        f"""select t.relname, i.indexrelid::regclass::text from ({TENANT_TABLES}) t
            join pg_index i on i.indrelid = t.oid and i.indisunique
            where not exists (select from pg_attribute a where a.attrelid = t.oid and a.attname = 'tenant_id'
                              and a.attnum = any(i.indkey))""",
    )
    assert offenders == []


def test_tenant_id_is_in_every_foreign_key_between_tenant_tables(db: psycopg.Connection[Any]) -> None:
    # A foreign key to global reference data (industries, the pipeline's states and transitions) is
    # allowed: a Citus reference table.
    offenders = rows(
        db,
        f"""select t.relname, k.conname from ({TENANT_TABLES}) t
            join pg_constraint k on k.conrelid = t.oid and k.contype = 'f'
            where exists (select from pg_attribute a where a.attrelid = k.confrelid and a.attname = 'tenant_id')
              and not exists (select from pg_attribute a where a.attrelid = t.oid and a.attname = 'tenant_id'
                              and a.attnum = any(k.conkey))""",
    )
    assert offenders == []
    global_refs = rows(
        db,
        f"""select distinct k.confrelid::regclass::text from ({TENANT_TABLES}) t
            join pg_constraint k on k.conrelid = t.oid and k.contype = 'f'
            where not exists (select from pg_attribute a where a.attrelid = k.confrelid and a.attname = 'tenant_id')""",
    )
    assert sorted(global_refs) == [
        ("aicrm.industries",),
        ("aicrm.task_state_transition_rules",),  # the pipeline's allowed transitions
        ("aicrm.task_states",),
    ]


def test_every_view_is_security_invoker(db: psycopg.Connection[Any]) -> None:
    views = rows(
        db,
        """select c.relname, coalesce(c.reloptions, '{}') from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname in ('aicrm', 'aicrm_private') and c.relkind in ('v', 'm')""",
    )
    assert views, "the sweep must see at least one view"
    assert [v for v in views if "security_invoker=true" not in v[1]] == []


def test_no_function_is_executable_by_public(db: psycopg.Connection[Any]) -> None:
    functions = rows(
        db,
        """select p.oid::regprocedure::text,
                  exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                          where a.grantee = 0 and a.privilege_type = 'EXECUTE')
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname in ('aicrm', 'aicrm_private')""",
    )
    assert len(functions) > 10
    assert [f for f, public in functions if public] == []


def test_security_definer_functions_pin_an_empty_search_path(db: psycopg.Connection[Any]) -> None:
    definers = rows(
        db,
        """select p.oid::regprocedure::text, coalesce(p.proconfig, '{}')
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname in ('aicrm', 'aicrm_private') and p.prosecdef""",
    )
    assert definers, "the audit and snapshot triggers are SECURITY DEFINER"
    assert [d for d, config in definers if 'search_path=""' not in config] == []


def test_roles_are_not_privileged_and_own_nothing_but_the_owner(db: psycopg.Connection[Any]) -> None:
    flags = rows(
        db,
        """select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles
           where rolname like 'aicrm\\_%' order by 1""",
    )
    assert [f[0] for f in flags] == ["aicrm_app", "aicrm_owner", "aicrm_readonly", "aicrm_worker"]
    assert all(not any(f[1:]) for f in flags)
    owners = rows(
        db,
        """select distinct pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname in ('aicrm', 'aicrm_private')
           union
           select distinct pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname in ('aicrm', 'aicrm_private')
           union
           select pg_get_userbyid(nspowner) from pg_namespace where nspname in ('aicrm', 'aicrm_private')""",
    )
    assert owners == [("aicrm_owner",)]


def test_public_schema_is_untouched(db: psycopg.Connection[Any]) -> None:
    objects = rows(
        db,
        """select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'
           union all
           select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'""",
    )
    assert objects == []


def test_every_api_function_is_called_by_a_test() -> None:
    """STYLE: every function in the SQL API is called by a test module (tests/**/test_*.py). A call in
    a factory, a helper or a conftest does not count: it runs the function on the way to something
    else, and asserts nothing about it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = set()
    for path in (root / "sql" / "functions").rglob("*.sql"):
        for line in path.read_text().splitlines():
            if line.startswith("create or replace function aicrm."):
                names.add(line.removeprefix("create or replace function aicrm.").split("(")[0])
    assert names, "no API functions found"
    modules = sorted((root / "tests").rglob("test_*.py"))
    assert (root / "tests" / "rls" / "test_schema_sweep.py") in modules
    assert not {"tasks.py", "factories.py", "helpers.py", "conftest.py"} & {p.name for p in modules}
    corpus = "\n".join(p.read_text() for p in modules)
    assert sorted(n for n in names if f"aicrm.{n}(" not in corpus) == []
