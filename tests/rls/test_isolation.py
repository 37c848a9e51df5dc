"""The isolation suite: every tenant-owned table x select/insert/update/delete x own tenant /
other tenant / no tenant, as aicrm_app. Tables are read from the catalog, so a new table is
covered the day it is added."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.factories import World
from tests.helpers import act_as, sql_error
from tests.tasks import unsubscribe

# Natural keys whose values are a closed list: a copy takes another valid value, not "-copy".
NATURAL_KEY_COPIES = {("ai_decision_settings", "setting_key"): "escalate_after_failures"}

TENANT_TABLES = """
select c.relname
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'aicrm' and c.relkind in ('r', 'p')
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
order by 1
"""


@pytest.fixture
def world(db: psycopg.Connection[Any], world: World) -> World:
    """The shared world with an unsubscribe on both sides: rows in aicrm.email_suppressions too."""
    for tenant, customer in ((world.tenant_a, world.customer_a), (world.tenant_b, world.customer_b)):
        unsubscribe(db, unsubscribe_token(db, tenant, customer, "gone@example.org"))
    return world


def unsubscribe_token(conn: psycopg.Connection[Any], tenant: str, customer: str, email: str) -> str:
    """A recipient's signed unsubscribe token, as aicrm.email_messages mints it (as the owner)."""
    row = conn.execute("select aicrm_private.unsubscribe_token(%s, %s, %s)", (tenant, customer, email)).fetchone()
    assert row is not None
    return str(row[0])


def tenant_tables(conn: psycopg.Connection[Any]) -> list[str]:
    return [str(r[0]) for r in conn.execute(TENANT_TABLES).fetchall()]


def count_as_superuser(conn: psycopg.Connection[Any], table: str, tenant: str) -> int:
    row = conn.execute(
        sql.SQL("select count(*) from aicrm.{} where tenant_id = %s").format(sql.Identifier(table)), (tenant,)
    ).fetchone()
    return int(row[0]) if row else 0


def has_privilege(conn: psycopg.Connection[Any], table: str, privilege: str) -> bool:
    row = conn.execute("select has_table_privilege('aicrm_app', %s, %s)", (f"aicrm.{table}", privilege)).fetchone()
    return bool(row and row[0])


def rows_on_both_sides(conn: psycopg.Connection[Any], world: World, table: str) -> None:
    """Both tenants hold rows of the table (as the superuser sees it): what makes "sees nothing" or
    "changed nothing" below a real refusal rather than an empty table. Each test checks it for
    itself, on the rows its own world made."""
    assert count_as_superuser(conn, table, world.tenant_a) > 0, f"{table}: tenant A has no rows"
    assert count_as_superuser(conn, table, world.tenant_b) > 0, f"{table}: tenant B has no rows"


def test_the_suite_covers_every_tenant_table(db: psycopg.Connection[Any], world: World) -> None:
    tables = tenant_tables(db)
    assert {
        "tenants",
        "customers",
        "customer_contacts",
        "customer_context_versions",
        "projects",
        "project_tasks",
        "project_deliverables",
        "ai_agents",
        "ai_agent_messages",
        "ai_content_feedback",
        "selection_choices",
        "audit_log",
    } <= set(tables)
    for table in tables:
        rows_on_both_sides(db, world, table)


@pytest.mark.parametrize("scope", ["own", "other", "none"])
def test_select(db: psycopg.Connection[Any], world: World, scope: str) -> None:
    tenant = {"own": world.tenant_a, "other": world.tenant_b, "none": None}[scope]
    for table in tenant_tables(db):
        rows_on_both_sides(db, world, table)
        query = sql.SQL("select tenant_id from aicrm.{}").format(sql.Identifier(table))
        with act_as(db, world.tenant_a if scope != "none" else None):
            if scope == "other":
                query = sql.SQL("select tenant_id from aicrm.{} where tenant_id = %s").format(sql.Identifier(table))
                rows = db.execute(query, (tenant,)).fetchall()
                assert rows == [], f"{table}: tenant A read tenant B's rows"
            else:
                rows = db.execute(query).fetchall()
                if scope == "own":
                    assert rows, f"{table}: tenant A sees none of its own rows"
                    assert {str(r[0]) for r in rows} == {world.tenant_a}, table
                else:
                    assert rows == [], f"{table}: rows visible with no tenant set"


def _clone_row(
    conn: psycopg.Connection[Any], table: str, source_tenant: str, target_tenant: str
) -> tuple[sql.Composed, Jsonb]:
    """An INSERT of literal values: a copy of one of source_tenant's rows (read as superuser),
    moved to target_tenant, with its id and natural keys changed so that only row-level
    security or privileges can refuse it."""
    row = conn.execute(
        sql.SQL("select to_jsonb(t) from aicrm.{} t where tenant_id = %s limit 1").format(sql.Identifier(table)),
        (source_tenant,),
    ).fetchone()
    assert row is not None
    values: dict[str, Any] = dict(row[0])
    unique_columns = conn.execute(
        """
        select distinct a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = %s::regclass and i.indisunique and a.attname <> 'tenant_id'
          and not exists (  -- columns of a foreign key must keep pointing at a real row
              select from pg_constraint f
              where f.conrelid = i.indrelid and f.contype = 'f' and a.attnum = any(f.conkey))
        """,
        (f"aicrm.{table}",),
    ).fetchall()
    for column, type_name in unique_columns:
        if (table, column) in NATURAL_KEY_COPIES:
            values[column] = NATURAL_KEY_COPIES[(table, column)]
        elif type_name == "uuid":
            values[column] = str(uuid.uuid4())
        elif type_name in ("integer", "bigint"):
            values[column] = int(values[column]) + 1000
        else:
            values[column] = f"{values[column]}-copy"
    attributes = conn.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = %s::regclass "
        "and attnum > 0 and not attisdropped and attidentity = '' and attgenerated = '' order by attnum",
        (f"aicrm.{table}",),
    ).fetchall()
    for column, type_name in attributes:
        if type_name == "boolean":
            values[column] = False  # partial unique indexes ("one primary contact") key on flags
    values["tenant_id"] = target_tenant
    columns = sql.SQL(", ").join(sql.Identifier(str(r[0])) for r in attributes)
    statement = sql.SQL(
        "insert into aicrm.{t} ({cols}) select {cols} from jsonb_populate_record(null::aicrm.{t}, %s)"
    ).format(t=sql.Identifier(table), cols=columns)
    return statement, Jsonb(values)


@pytest.mark.parametrize("scope", ["own", "other", "none"])
def test_insert(db: psycopg.Connection[Any], world: World, scope: str) -> None:
    # "none" writes a row that names tenant A explicitly, with no tenant set for the session.
    target = world.tenant_b if scope == "other" else world.tenant_a
    for table in tenant_tables(db):
        rows_on_both_sides(db, world, table)
        statement, values = _clone_row(db, table, world.tenant_a, target)
        with act_as(db, world.tenant_a if scope != "none" else None):
            if scope == "own" and has_privilege(db, table, "INSERT"):
                with db.transaction():
                    assert db.execute(statement, (values,)).rowcount == 1, table
                continue
            err = sql_error(db, statement, (values,))
            # Refused by row-level security (or, where the app has no INSERT at all, by privilege).
            assert err.sqlstate == "42501", (table, err)


@pytest.mark.parametrize("command", ["update", "delete"])
@pytest.mark.parametrize("scope", ["own", "other", "none"])
def test_update_and_delete(db: psycopg.Connection[Any], world: World, command: str, scope: str) -> None:
    victim = {"own": world.tenant_a, "other": world.tenant_b, "none": world.tenant_b}[scope]
    for table in tenant_tables(db):
        rows_on_both_sides(db, world, table)
        before = count_as_superuser(db, table, victim)
        if command == "update":
            statement = sql.SQL("update aicrm.{} set tenant_id = tenant_id where tenant_id = %s").format(
                sql.Identifier(table)
            )
        else:
            statement = sql.SQL("delete from aicrm.{} where tenant_id = %s").format(sql.Identifier(table))
        privilege = has_privilege(db, table, command.upper())
        with act_as(db, world.tenant_a if scope != "none" else None):
            if not privilege:
                assert sql_error(db, statement, (victim,)).sqlstate == "42501", table
                continue
            with db.transaction(force_rollback=True):
                affected = db.execute(statement, (victim,)).rowcount
            if scope == "own":
                assert affected > 0, f"{table}: tenant A cannot {command} its own rows"
            else:
                assert affected == 0, f"{table}: {command} reached tenant B's rows ({scope})"
        assert count_as_superuser(db, table, victim) == before


def test_cannot_move_a_row_to_another_tenant(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        err = sql_error(
            db, "update aicrm.customers set tenant_id = %s where customer_id = %s", (world.tenant_b, world.customer_a)
        )
    assert err.sqlstate == "42501"


def test_functions_see_only_the_callers_tenant(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.get_customer_context_for_ai(%s)", (world.customer_b,))
        assert err.sqlstate == "AC002"
        assert err.diag.column_name == "customer_id"
        err = sql_error(db, 'select aicrm.set_brand_voice(%s, \'{"tone": ["bold"]}\')', (world.customer_b,))
        assert err.sqlstate == "AC002"
    with act_as(db, world.tenant_b):
        row = db.execute(
            "select brand_voice, context_version from aicrm.customers where customer_id = %s", (world.customer_b,)
        ).fetchone()
    assert row == ({}, 1), "tenant B's customer was changed by tenant A"


def test_a_project_brief_plans_only_the_callers_projects(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant A cannot set the brief of tenant B's project, nor plan tasks for it."""
    today = dt.date.today()
    brief = {
        "goals": ["Be found"],
        "audience": "neighbours",
        "channels": {"email": 1},
        "starts_on": (today + dt.timedelta(days=1)).isoformat(),
        "ends_on": (today + dt.timedelta(days=8)).isoformat(),
        "topic": "opening hours",
    }
    state = (
        "select p.brief, (select count(*) from aicrm.project_tasks t where t.project_id = p.project_id)"
        " from aicrm.projects p where p.project_id = %s"
    )
    with act_as(db, world.tenant_b):
        row = db.execute("select project_id from aicrm.projects limit 1").fetchone()
        assert row is not None
        before = db.execute(state, (row[0],)).fetchone()
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.create_project_brief(%s, %s)", (row[0], Jsonb(brief)))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "project_id")
    with act_as(db, world.tenant_b):
        after = db.execute(state, (row[0],)).fetchone()
    assert before is not None
    assert before[0] is None
    assert after == before, "tenant B's project was changed by tenant A"


def test_worker_and_readonly_roles_cannot_cross_tenants(db: psycopg.Connection[Any], world: World) -> None:
    for role in ("aicrm_worker", "aicrm_readonly"):
        with act_as(db, world.tenant_a, role):
            rows = db.execute("select distinct tenant_id from aicrm.customers").fetchall()
            assert [str(r[0]) for r in rows] == [world.tenant_a]
            assert sql_error(db, "delete from aicrm.customers").sqlstate == "42501"


def test_review_task_and_the_queue_see_only_the_callers_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """An escalated task of tenant A (no draft): B neither lists it nor decides on it; the worker
    role may not decide at all."""
    with act_as(db, world.tenant_a):
        row = db.execute(
            "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'sms', p_ai_instructions => %s)"
            " ->> 'task_id'",
            (world.customer_a, Jsonb({"topic": "opening hours", "purpose": "announcement"})),
        ).fetchone()
    assert row is not None
    task = str(row[0])
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (world.tenant_a,))
    for to, via in (("gathering_context", "claim_next_task"), ("escalated", "fail_task")):
        db.execute("select aicrm_private.transition_task(%s, %s, 'w-1', 'failed', null, '{}', %s)", (task, to, via))
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    decide = "select aicrm.review_task(p_task_id => %s, p_version => null, p_decision => 'cancel', p_reason => 'x')"
    for role in ("aicrm_app", "aicrm_readonly"):
        with act_as(db, world.tenant_b, role):
            assert db.execute("select count(*) from aicrm.review_queue where task_id = %s", (task,)).fetchone() == (0,)
    with act_as(db, world.tenant_b):
        err = sql_error(db, decide, (task,))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "task_id")
    with act_as(db, world.tenant_a, "aicrm_worker"):
        assert sql_error(db, decide, (task,)).sqlstate == "42501"
    with act_as(db, world.tenant_a):
        assert db.execute("select execution_state from aicrm.review_queue where task_id = %s", (task,)).fetchone() == (
            "escalated",
        )


def test_unsubscribes_and_sender_identities_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant B cannot use A's unsubscribe link, set A's customer's sender, or have A's email
    prepared; no aicrm role reads the signing keys."""
    token_a = unsubscribe_token(db, world.tenant_a, world.customer_a, "reader@example.org")
    with act_as(db, world.tenant_b):
        err = sql_error(db, "select aicrm.record_unsubscribe(%s)", (token_a,))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "token")
        err = sql_error(db, "select aicrm.set_email_sender(%s, 'news@b.example', null)", (world.customer_a,))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "customer_id")
    assert db.execute(
        "select count(*) from aicrm.email_suppressions where email = 'reader@example.org'"
    ).fetchone() == (0,)
    assert unsubscribe(db, token_a, world.tenant_a)["recorded"] is True  # its own tenant may
    row = db.execute("select outbox_id from aicrm.outbox where tenant_id = %s", (world.tenant_a,)).fetchone()
    assert row is not None
    with act_as(db, world.tenant_b, "aicrm_worker"):
        err = sql_error(
            db,
            "select aicrm.email_messages(%s, %s, 'https://example.com/u', null)",
            (row[0], str(uuid.uuid4())),
        )
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "outbox_id")
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, world.tenant_a, role):
            assert sql_error(db, "select secret from aicrm_private.unsubscribe_keys").sqlstate == "42501", role
            rows = db.execute("select distinct tenant_id::text from aicrm.email_suppressions").fetchall()
            assert rows == [(world.tenant_a,)], role


def test_compiled_rule_sets_and_replays_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """aicrm_private.decision_rule_sets (each tenant's rules compiled into one statement): the app
    and the worker read their own tenant's only, no role writes it, the readonly role does not
    read it; a decision of A cannot be replayed by B."""
    context = {"quality": {"overall": 90, "confidence": 0.9}, "task": {"attempts": 1, "failures": 0}}
    decisions = {}
    for tenant in (world.tenant_a, world.tenant_b):
        with act_as(db, tenant, "aicrm_worker"):
            row = db.execute("select aicrm.evaluate_decision(%s)", (Jsonb(context),)).fetchone()
            assert row is not None
            decisions[tenant] = row[0]["decision_id"]
    for role in ("aicrm_app", "aicrm_worker"):
        with act_as(db, world.tenant_a, role):
            rows = db.execute("select tenant_id::text from aicrm_private.decision_rule_sets").fetchall()
            assert rows == [(world.tenant_a,)], role
            for statement in (
                "delete from aicrm_private.decision_rule_sets",
                "update aicrm_private.decision_rule_sets set statement = 'select 1'",
                f"insert into aicrm_private.decision_rule_sets (tenant_id, statement_name, statement, rule_ids, "
                f"settings) values ('{world.tenant_b}', 'x', 'select 1', '{{}}', '{{}}')",
            ):
                assert sql_error(db, statement).sqlstate == "42501", (role, statement)
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert sql_error(db, "select * from aicrm_private.decision_rule_sets").sqlstate == "42501"
        assert db.execute("select aicrm.trace_decision(%s)", (decisions[world.tenant_a],)).fetchone() is not None
    with act_as(db, world.tenant_b, "aicrm_readonly"):
        err = sql_error(db, "select aicrm.trace_decision(%s)", (decisions[world.tenant_a],))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "decision_id")


def test_assembly_and_completeness_see_only_the_callers_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """assemble_content, context_completeness and the private assembly submit_draft calls: a customer
    of another tenant is not found, for the app and the worker role alike; their own tenant's is."""
    calls = (
        "select aicrm.assemble_content(%s, 'email', 'Fresh bread.')",
        "select aicrm.context_completeness(%s)",
        "select aicrm_private.assemble_draft(%s, 'sms', 'Fresh bread.', 'text')",
    )
    for role in ("aicrm_app", "aicrm_worker"):
        for query in calls:
            with act_as(db, world.tenant_a, role):
                err = sql_error(db, query, (world.customer_b,))
                assert (err.sqlstate, err.diag.column_name) == ("AC002", "customer_id"), (role, query)
                row = db.execute(query, (world.customer_a,)).fetchone()
                assert row is not None, (role, query)
                assert row[0], (role, query)
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert sql_error(db, calls[0], (world.customer_a,)).sqlstate == "42501"  # the assembly is not for readers


def test_the_accuracy_grounding_sees_only_the_callers_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """The claims of a customer's approved examples (stored in its scoring profile, or read on the spot
    when there is none) are its own tenant's only, for the app and the worker role, whatever tenant
    the caller names."""
    with act_as(db, world.tenant_b):
        db.execute(
            "insert into aicrm.content_examples (customer_id, purpose, channel, subject, content, polarity) "
            "values (%s, 'promotion', 'email', 'Rolls', 'Cinnamon rolls are $6 this week.', 'positive')",
            (world.customer_b,),
        )
        own = db.execute(
            "select aicrm_private.accuracy_example_claims(%s, %s)", (world.tenant_b, world.customer_b)
        ).fetchone()
    assert own is not None
    assert {"kind": "price", "v": "6"} in own[0]
    for role in ("aicrm_app", "aicrm_worker"):
        with act_as(db, world.tenant_a, role):
            row = db.execute(
                "select aicrm_private.accuracy_example_claims(%s, %s)", (world.tenant_b, world.customer_b)
            ).fetchone()
            assert row == ([],), role
            grounding = db.execute(
                "select count(*) from aicrm.customer_scoring_profiles where customer_id = %s", (world.customer_b,)
            ).fetchone()
            assert grounding == (0,), role


def test_the_operations_dashboard_and_its_summaries_stay_in_their_tenant(
    db: psycopg.Connection[Any], world: World
) -> None:
    """aicrm.ai_operations_dashboard and the summaries under it show the caller's tenant only, to every
    role; folding the events (rollup_task_stats) and deriving the summaries afresh are the owner's."""
    with act_as(db, world.tenant_a):
        mine = db.execute("select customer_id from aicrm.ai_operations_dashboard").fetchall()
    assert {str(r[0]) for r in mine} == {world.customer_a}
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, world.tenant_a, role):
            for table in ("task_stat_events", "task_state_counts", "task_stats_hourly", "task_ttc_hourly"):
                row = db.execute(
                    sql.SQL("select count(*) filter (where tenant_id <> %s), count(*) from aicrm.{}").format(
                        sql.Identifier(table)
                    ),
                    (world.tenant_a,),
                ).fetchone()
                assert row == (0, row[1]), (role, table)
                assert row[1] > 0, (role, table)
            for function in ("aicrm.rollup_task_stats()", "aicrm_private.rebuild_task_stats()"):
                err = sql_error(db, f"select {function}")
                assert err.diag.sqlstate == "42501", (role, function)


def test_alerts_and_their_notices_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """A tenant sees, changes and delivers its own alerts only; a worker with a tenant set claims that
    tenant's notices only."""
    with act_as(db, world.tenant_b):
        theirs = db.execute("select alert_id from aicrm.ai_alerts").fetchone()
    assert theirs is not None
    with act_as(db, world.tenant_a):
        mine = {r[0] for r in db.execute("select tenant_id from aicrm.ai_alerts").fetchall()}
        assert {str(t) for t in mine} == {world.tenant_a}
        for function in ("acknowledge_alert(%s)", "resolve_alert(%s)", "assign_alert(%s, 'x')"):
            err = sql_error(db, f"select aicrm.{function}", (theirs[0],))
            assert err.diag.sqlstate == "AC002", function
    with act_as(db, world.tenant_a, "aicrm_worker"):
        got = db.execute("select aicrm.claim_alert_notification('notifier-a')").fetchone()
        assert got is not None
        assert got[0]["tenant_id"] == world.tenant_a
        assert db.execute("select aicrm.claim_alert_notification('notifier-a')").fetchone() == (None,)


def test_agent_messages_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant A cannot read, claim, acknowledge, reply to or address tenant B's messages and agents;
    the worker role with a tenant set claims that tenant's inbox only; readers may not send or claim."""
    ids = {}
    for tenant in (world.tenant_a, world.tenant_b):
        with act_as(db, tenant):
            row = db.execute(
                "select m.message_id, m.thread_id, w.agent_id, e.agent_id from aicrm.ai_agent_messages m"
                " join aicrm.ai_agents w on w.name = 'Writer' join aicrm.ai_agents e on e.name = 'Editor'"
                " where m.from_agent_id = w.agent_id"  # the writer's message, not the pipeline's records
            ).fetchone()
        assert row is not None
        ids[tenant] = [str(v) for v in row]
    message_b, thread_b, writer_b, editor_b = ids[world.tenant_b]
    _, _, writer_a, editor_a = ids[world.tenant_a]
    reply = {
        "kind": "notification",
        "message_type": "notification.info",
        "from_agent_id": writer_a,
        "to_role": "editor",
        "reply_to": message_b,
        "parts": [{"type": "text", "text": "thanks"}],
    }
    with act_as(db, world.tenant_b, "aicrm_worker"):
        token_b = db.execute("select * from aicrm.read_agent_inbox(%s)", (editor_b,)).fetchone()
    assert token_b is not None
    # the worker claims first: A's message, and nothing of B's; then the app finds A's claimed already
    for role, claimable in (("aicrm_worker", [world.tenant_a]), ("aicrm_app", [])):
        with act_as(db, world.tenant_a, role):
            calls = [
                ("select aicrm.get_thread(%s)", (thread_b,), "thread_id"),
                ("select aicrm.get_agent_responses(%s)", (message_b,), "correlation_id"),
                ("select aicrm.ack_agent_message(%s, %s)", (message_b, token_b[0]["claim_token"]), "message_id"),
                ("select * from aicrm.read_agent_inbox(%s)", (editor_b,), "agent_id"),
                ("select aicrm.send_agent_message(%s)", (Jsonb(reply),), "reply_to"),
                (
                    "select aicrm.send_agent_message(%s)",
                    (Jsonb({**reply, "reply_to": None, "from_agent_id": writer_b}),),
                    "from_agent_id",
                ),
                (
                    "select aicrm.send_agent_message(%s)",
                    (Jsonb({**reply, "reply_to": None, "to_role": None, "to_agent_id": editor_b}),),
                    "to_agent_id",
                ),
            ]
            for query, params, column in calls:
                err = sql_error(db, query, params)
                assert (err.sqlstate, err.diag.column_name) == ("AC002", column), (role, query)
            got = db.execute("select * from aicrm.read_agent_inbox(%s)", (editor_a,)).fetchall()
            assert [r[0]["tenant_id"] for r in got] == claimable, role
            assert db.execute(
                "select count(*) from aicrm.ai_agent_messages where tenant_id = %s", (world.tenant_b,)
            ).fetchone() == (0,)
    with act_as(db, None, "aicrm_worker"):
        assert sql_error(db, "select * from aicrm.read_agent_inbox(%s)", (editor_a,)).sqlstate == "AC003"
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert db.execute("select aicrm.get_thread(%s)", (ids[world.tenant_a][1],)).fetchone() is not None
        for query in ("select aicrm.send_agent_message('{}')", f"select * from aicrm.read_agent_inbox('{editor_a}')"):
            assert sql_error(db, query).sqlstate == "42501", query
    row = db.execute(
        "select status, claimed_by::text from aicrm.ai_agent_messages where message_id = %s", (message_b,)
    ).fetchone()
    assert row == ("delivered", editor_b), "tenant B's message is B's editor's claim, untouched by A"


def test_a_request_is_answered_only_in_its_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """respond_to_request (callable by the app and the worker) does not find another tenant's request,
    and so writes nothing into its customer's profile; the readonly role may not call it."""
    with act_as(db, world.tenant_b):
        writer = db.execute("select agent_id::text from aicrm.ai_agents where name = 'Writer'").fetchone()
        assert writer is not None
        data = {"field": "target_audience", "question": "Who?", "customer_id": world.customer_b}
        message = {"kind": "request", "message_type": "request.missing_profile_field", "from_agent_id": writer[0],
                   "to_role": "human", "parts": [{"type": "data", "data": data}]}  # fmt: skip
        row = db.execute("select aicrm.send_agent_message(%s) ->> 'message_id'", (Jsonb(message),)).fetchone()
    assert row is not None
    answer = "select aicrm.respond_to_request(%s, %s, 'intruder')"
    for role in ("aicrm_app", "aicrm_worker"):
        with act_as(db, world.tenant_a, role):
            err = sql_error(db, answer, (row[0], Jsonb({"summary": "anyone"})))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "request_id"), role
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert sql_error(db, answer, (row[0], Jsonb({"summary": "anyone"}))).sqlstate == "42501"
    with act_as(db, world.tenant_b):
        status = db.execute("select status from aicrm.ai_agent_messages where message_id = %s", (row[0],)).fetchone()
        audience = db.execute(
            "select target_audience from aicrm.customers where customer_id = %s", (world.customer_b,)
        ).fetchone()
    assert status == ("pending",)
    assert audience is not None
    assert audience[0] != {"summary": "anyone"}


def test_feedback_is_recorded_only_on_the_callers_drafts(db: psycopg.Connection[Any], world: World) -> None:
    """record_content_feedback (app and worker) finds no draft or agent of another tenant, and writes
    nothing there; the readonly role may not call it."""
    ids = {}
    for tenant in (world.tenant_a, world.tenant_b):
        with act_as(db, tenant):
            row = db.execute(
                "select d.deliverable_id::text, a.agent_id::text from aicrm.project_deliverables d"
                " cross join aicrm.ai_agents a where a.name = 'Writer' limit 1"
            ).fetchone()
        assert row is not None
        ids[tenant] = row
    (draft_a, writer_a), (draft_b, writer_b) = ids[world.tenant_a], ids[world.tenant_b]
    record = "select aicrm.record_content_feedback(%s, %s, 'intruder')"
    for role in ("aicrm_app", "aicrm_worker"):
        with act_as(db, world.tenant_a, role):
            err = sql_error(db, record, (draft_b, Jsonb({"source": "agent", "rating": 1})))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "deliverable_id"), role
            err = sql_error(db, record, (draft_a, Jsonb({"source": "agent", "agent_id": writer_b, "rating": 1})))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "feedback.agent_id"), role
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert sql_error(db, record, (draft_a, Jsonb({"source": "agent", "rating": 1}))).sqlstate == "42501"
    assert db.execute("select count(*) from aicrm.ai_content_feedback where created_by = 'intruder'").fetchone() == (0,)
    assert writer_a != writer_b


def test_delivery_outcomes_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant B, as the app or as the publisher (the worker role with B set), can neither record
    counters nor events for A's delivery, by delivery id or by outbox id, nor read A's outcomes; A's
    own calls work; the readonly role records nothing."""
    row = db.execute(
        "select delivery_id::text, outbox_id::text from aicrm.deliveries where tenant_id = %s", (world.tenant_a,)
    ).fetchone()
    assert row is not None
    delivery_a, outbox_a = row
    before = db.execute("select count(*) from aicrm.delivery_events").fetchone()
    event = {"event": "click", "recipient": "x@example.com", "occurred_at": "2026-05-02T10:00:00Z",
             "provider": "test", "provider_event_id": "cross"}  # fmt: skip
    for role in ("aicrm_app", "aicrm_worker"):
        with act_as(db, world.tenant_b, role):
            err = sql_error(db, "select aicrm.record_delivery_metrics(%s, %s, 'b')", (delivery_a, Jsonb({"sent": 9})))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "delivery_id"), role
            err = sql_error(
                db, "select aicrm.record_delivery_events(%s)", (Jsonb([event | {"delivery_id": delivery_a}]),)
            )
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "events[0].delivery_id"), role
            err = sql_error(db, "select aicrm.record_delivery_events(%s)", (Jsonb([event | {"outbox_id": outbox_a}]),))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "events[0].outbox_id"), role
            for table in ("delivery_metrics", "delivery_events", "delivery_metric_calls"):
                rows = db.execute(
                    sql.SQL("select distinct tenant_id::text from aicrm.{}").format(sql.Identifier(table))
                )
                assert rows.fetchall() == [(world.tenant_b,)], (role, table)
    assert db.execute("select count(*) from aicrm.delivery_events").fetchone() == before
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        err = sql_error(db, "select aicrm.record_delivery_metrics(%s, %s, 'r')", (delivery_a, Jsonb({"sent": 9})))
        assert err.sqlstate == "42501"
    with act_as(db, world.tenant_a, "aicrm_worker"):
        answer = db.execute(
            "select aicrm.record_delivery_events(%s)", (Jsonb([event | {"outbox_id": outbox_a}]),)
        ).fetchone()
        assert answer is not None
        assert answer[0]["recorded"] == 1


def test_feedback_promotions_and_what_worked_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """The feedback job's rows and the promotions are each tenant's (make_world has both on both
    sides); tenant B can neither promote A's draft nor reverse A's promotion; process_ai_feedback for
    B touches B only (and no tenant role may run it); what_worked and the patterns a writer reads are
    B's own."""
    row = db.execute(
        "select p.promotion_id::text, p.deliverable_id::text from aicrm.learning_promotions p where tenant_id = %s",
        (world.tenant_a,),
    ).fetchone()
    assert row is not None
    promotion_a, draft_a = row
    for source in ("review",):
        for tenant in (world.tenant_a, world.tenant_b):
            assert count_as_superuser_where(db, tenant, source) == 1, (tenant, source)
    before = db.execute("select to_jsonb(p) from aicrm.learning_promotions p order by promotion_id").fetchall()
    with act_as(db, world.tenant_b):
        err = sql_error(db, "select aicrm.promote_example(%s, 'positive', 'mine now')", (draft_a,))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "deliverable_id")
        err = sql_error(db, "select aicrm.reverse_promotion(%s, 'gone')", (promotion_a,))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "promotion_id")
        for view in ("learning_promotions", "ai_content_feedback", "what_worked"):
            rows = db.execute(sql.SQL("select distinct tenant_id::text from aicrm.{}").format(sql.Identifier(view)))
            assert set(rows.fetchall()) <= {(world.tenant_b,)}, view
        context = db.execute("select aicrm.get_customer_context_for_ai(%s)", (world.customer_b,)).fetchone()
        assert context is not None
        assert context[0]["what_worked"] == []
    assert db.execute("select to_jsonb(p) from aicrm.learning_promotions p order by promotion_id").fetchall() == before
    # the job with B set works on B's rows only
    for tenant in (world.tenant_a, world.tenant_b):  # new ratings on both sides
        db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
        db.execute(
            "update aicrm.ai_content_feedback set rating = 4 where source = 'reviewer' and tenant_id = %s", (tenant,)
        )
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    done = db.execute("select aicrm.process_ai_feedback(10, %s)", (world.tenant_b,)).fetchone()
    assert done is not None
    assert (done[0]["tenants"], done[0]["review"]) == (1, 1)
    done = db.execute("select aicrm.process_ai_feedback(10, %s)", (world.tenant_a,)).fetchone()
    assert done is not None
    assert (done[0]["tenants"], done[0]["review"]) == (1, 1)  # A's was left for A's turn
    for tenant in (world.tenant_a, world.tenant_b):
        with act_as(db, tenant, "aicrm_app"):
            err = sql_error(db, "select aicrm.process_ai_feedback(10, %s)", (tenant,))
            assert err.sqlstate == "42501", tenant


def count_as_superuser_where(conn: psycopg.Connection[Any], tenant: str, source: str) -> int:
    row = conn.execute(
        "select count(*) from aicrm.ai_content_feedback where tenant_id = %s and source = %s", (tenant, source)
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_template_choices_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant B can neither have the bandit choose for A's task (the chooser is SECURITY DEFINER: it
    finds no task of another tenant and records nothing) nor see A's choices or arms; A's own
    choice and arms are there."""
    row = db.execute(
        "select task_id::text, attempt from aicrm.selection_choices where tenant_id = %s", (world.tenant_a,)
    ).fetchone()
    assert row is not None
    task_a, attempt = row
    before = db.execute("select count(*) from aicrm.selection_choices").fetchone()
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, world.tenant_b, role):
            err = sql_error(db, "select aicrm_private.choose_template_arm(%s, %s, null, '[]')", (task_a, attempt + 1))
            assert (err.sqlstate, err.diag.column_name) == ("AC002", "task_id"), role
            for view in ("selection_choices", "selection_arms"):
                rows = db.execute(sql.SQL("select distinct tenant_id::text from aicrm.{}").format(sql.Identifier(view)))
                assert rows.fetchall() == [(world.tenant_b,)], (role, view)
        with act_as(db, None, role):
            err = sql_error(db, "select aicrm_private.choose_template_arm(%s, %s, null, '[]')", (task_a, attempt + 1))
            assert err.sqlstate == "AC003", role
    assert db.execute("select count(*) from aicrm.selection_choices").fetchone() == before
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        mine = db.execute("select count(*) from aicrm.selection_arms").fetchone()
    assert mine is not None
    assert mine[0] > 0


def test_spot_checks_and_their_evidence_stay_in_their_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """make_world holds a spot check with its verdict on both sides: tenant B sees only its own, in the
    table and in autonomy_evidence, and no tenant role can write one (record_evaluation and
    review_task do)."""
    rows_on_both_sides(db, world, "spot_checks")
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, world.tenant_b, role):
            for view in ("spot_checks", "autonomy_evidence"):
                rows = db.execute(sql.SQL("select distinct tenant_id::text from aicrm.{}").format(sql.Identifier(view)))
                assert rows.fetchall() == [(world.tenant_b,)], (role, view)
            mine = db.execute("select n, x, customer_id::text from aicrm.autonomy_evidence").fetchall()
            assert mine == [(1, 0, world.customer_b)], role
            err = sql_error(db, "update aicrm.spot_checks set verdict = 'false_approval'")
            assert err.sqlstate == "42501", role
