"""What create_content_task refuses when a task is written, so the worker never escalates it later:
every enum of the task (its channel and the instructions' fields) against the list the later steps
read (one stored list each), what no schema can say, a due date in the past, a tenant that does
not exist; its warnings; aicrm.resolve_customer_id; migration 0019 on tasks stored before; the demo
tenant's seeded tasks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.migrate import seed
from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error

Conn = psycopg.Connection[Any]
SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
CREATE = (
    "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
    " p_due_at => %s, p_idempotency_key => %s)"
)
TOPIC = {"topic": "the winter menu"}
DEMO_TENANT = "00000000-0000-4000-8000-00000000de00"


@pytest.fixture
def customer_profile() -> dict[str, Any]:
    """The bakery (a plain profile) as its agency's CRM knows it: crm-17."""
    return {"external_id": "crm-17"}


def create(conn: Conn, customer: str, channel: str = "email", instructions: Any = None, **kw: Any) -> dict[str, Any]:
    row = conn.execute(
        CREATE,
        (customer, channel, Jsonb(TOPIC if instructions is None else instructions), kw.get("due"), kw.get("key")),
    ).fetchone()
    assert row is not None
    return dict(row[0])


def refused(conn: Conn, customer: str, channel: str, instructions: Any, due: Any = None) -> psycopg.Error:
    return sql_error(conn, CREATE, (customer, channel, Jsonb(instructions), due, None))


def written(conn: Conn, tenant: str) -> tuple[int, int, int]:
    """Tasks, transitions and projects of the tenant (as the superuser, whatever the role is)."""
    row = conn.execute(
        "select (select count(*) from aicrm.project_tasks where tenant_id = %(t)s),"
        " (select count(*) from aicrm.task_state_transitions where tenant_id = %(t)s),"
        " (select count(*) from aicrm.projects where tenant_id = %(t)s)",
        {"t": tenant},
    ).fetchone()
    assert row is not None
    return tuple(row)  # type: ignore[return-value]


def resolved(conn: Conn, schema: Any) -> Any:
    """The schema with every $ref replaced by the stored schema it names."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            row = conn.execute(
                "select definition from aicrm.json_schemas where schema_name = %s", (schema["$ref"],)
            ).fetchone()
            assert row is not None, schema["$ref"]
            return resolved(conn, row[0])
        return {k: resolved(conn, v) for k, v in schema.items()}
    return schema


def enums(schema: dict[str, Any], path: str) -> dict[str, list[Any]]:
    """Every enum of a (resolved) schema by the path an error names: {"a.b[0]": [allowed, ...]}."""
    found = {path: schema["enum"]} if "enum" in schema else {}
    for key, sub in (schema.get("properties") or {}).items():
        found |= enums(sub, f"{path}.{key}" if path else key)
    if isinstance(schema.get("items"), dict):
        found |= enums(schema["items"], f"{path}[0]")
    return found


def task_enums(conn: Conn) -> dict[str, list[Any]]:
    """The enums a caller of create_content_task sets: the channel and the instructions' fields."""
    row = conn.execute("select definition from aicrm.json_schemas where schema_name = 'row.project_tasks'").fetchone()
    assert row is not None
    task = resolved(conn, row[0])
    return {"channel": task["properties"]["channel"]["enum"]} | enums(
        task["properties"]["ai_instructions"], "ai_instructions"
    )


def with_value(path: str, value: Any) -> tuple[str, dict[str, Any]]:
    """The channel and instructions of a task whose field at `path` is `value`."""
    if path == "channel":
        return value, dict(TOPIC)
    instructions: dict[str, Any] = dict(TOPIC)
    keys = path.removeprefix("ai_instructions.").split(".")
    target = instructions
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    last = keys[-1]
    if last.endswith("[0]"):
        target[last.removesuffix("[0]")] = [value]
    else:
        target[last] = value
    return "email", instructions


def test_every_enum_of_a_task_is_checked(db: Conn) -> None:
    """The fields the later steps read as a fixed list are enums of the task's schemas: the purpose
    (find_similar_content's filters, the templates) and the tone (the brand voice the scorecard
    compares) were free text before."""
    assert set(task_enums(db)) >= {
        "channel", "ai_instructions.purpose", "ai_instructions.tone_override[0]", "ai_instructions.output_type",
        "ai_instructions.output_format", "ai_instructions.success_criteria.sentiment_target",
    }  # fmt: skip


def test_the_reported_purposes_are_refused_naming_the_field_and_the_allowed_ones(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    allowed = task_enums(db)["ai_instructions.purpose"]
    with act_as(db, tenant):
        for purpose in ("reminder", "educational"):
            err = refused(db, customer, "email", {**TOPIC, "purpose": purpose})
            assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "ai_instructions.purpose")
            assert all(value in (err.diag.message_hint or "") for value in allowed)
    assert written(db, tenant) == (0, 0, 0)


def test_a_value_outside_any_enum_is_refused_and_nothing_is_queued(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    fields = task_enums(db)
    every_value = {v for values in fields.values() for v in values}
    with act_as(db, tenant):
        for path, allowed in fields.items():
            # Near misses (another case, a space, another enum's value) and made-up ones.
            bad = {"reminder", "educational", "", f"{allowed[0]}".upper(), f" {allowed[0]}", 7, None}
            bad |= every_value - set(allowed)
            for value in bad:
                if path == "channel" and not isinstance(value, str | None):
                    continue  # a text parameter
                channel, instructions = with_value(path, value)
                err = refused(db, customer, channel, instructions)
                assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", path), (path, value)
                if value is not None:  # a missing channel says it is required, and lists the channels too
                    assert str(value) not in allowed
                assert all(str(v) in (err.diag.message_hint or "") for v in allowed), (path, err.diag.message_hint)
    assert written(db, tenant) == (0, 0, 0)


def test_every_allowed_value_is_accepted_and_the_later_steps_take_it(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    fields = task_enums(db)
    with act_as(db, tenant):
        for path, allowed in fields.items():
            for value in allowed:
                channel, instructions = with_value(path, value)
                assert create(db, customer, channel, instructions)["execution_state"] == "queued"
    with act_as(db, tenant, "aicrm_worker"):
        # What the worker asks for each task (runner/queries.sql get_task_context), every purpose
        # on every channel: the context's templates and its examples (find_similar_content).
        for purpose in fields["ai_instructions.purpose"]:
            for channel in fields["channel"]:
                row = db.execute(
                    "select aicrm.get_customer_context_for_ai(p_customer_id => %s, p_context_version => null,"
                    " p_channel => %s, p_purpose => %s, p_topic => 'the winter menu')",
                    (customer, channel, purpose),
                ).fetchone()
                assert row is not None
                assert row[0]["customer"]
    with act_as(db, tenant):
        queued = db.execute("select count(*) from aicrm.project_tasks where execution_state = 'queued'").fetchone()
    assert queued == (sum(len(v) for v in fields.values()),)


def test_one_stored_list_decides_at_creation_and_in_the_later_step(db: Conn, bakery: tuple[str, str]) -> None:
    """The purposes are one stored schema (content.purpose): changed, then the schemas seeded again
    (as every migrate does), create_content_task and find_similar_content accept the same new list.
    The test's transaction is rolled back."""
    tenant, customer = bakery
    filters = "select count(*) from aicrm.find_similar_content('bread', 3, %s)"
    db.execute(
        "update aicrm.json_schemas set definition = jsonb_set(definition, '{enum}',"
        " (definition -> 'enum') - 'promotion' || '[\"reminder\"]') where schema_name = 'content.purpose'"
    )
    for path in sorted((SQL_DIR / "seeds" / "defaults").glob("*schemas.sql")):
        if path.name != "0000_vocabulary_schemas.sql":  # the file would put the list back
            db.execute(path.read_text())
    with act_as(db, tenant):
        create(db, customer, instructions={**TOPIC, "purpose": "reminder"})
        db.execute(filters, (Jsonb({"purpose": "reminder"}),))
        err = refused(db, customer, "email", {**TOPIC, "purpose": "promotion"})
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "ai_instructions.purpose")
        err = sql_error(db, filters, (Jsonb({"purpose": "promotion"}),))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "filters.purpose")


def test_the_schemas_validated_per_draft_hold_the_lists_and_still_compile(db: Conn) -> None:
    """task.ai_instructions (the scorecard, every draft) and api.similarity_filters (the context,
    every task) get the vocabularies copied in when seeded: no $ref, so they compile to a path."""
    rows = db.execute(
        "select schema_name, definition, check_path is not null from aicrm.json_schemas"
        " where schema_name in ('task.ai_instructions', 'api.similarity_filters', 'content.channel',"
        " 'content.purpose', 'content.tone', 'content.output_type')"
    ).fetchall()
    schemas = {name: (definition, compiled) for name, definition, compiled in rows}
    vocabulary = {name: schemas[f"content.{name}"][0] for name in ("channel", "purpose", "tone", "output_type")}
    instructions, compiled = schemas["task.ai_instructions"]
    assert compiled
    assert instructions["properties"]["purpose"] == vocabulary["purpose"]
    assert instructions["properties"]["output_type"] == vocabulary["output_type"]
    assert instructions["properties"]["tone_override"]["items"] == vocabulary["tone"]
    filters, compiled = schemas["api.similarity_filters"]
    assert compiled
    assert filters["properties"]["purpose"] == vocabulary["purpose"]
    assert filters["properties"]["channel"] == vocabulary["channel"]


@pytest.mark.parametrize(
    ("instructions", "column"),
    [
        ({"output_length": {"min_words": 300, "max_words": 100}}, "ai_instructions.output_length.min_words"),
        ({"must_include": ["CTA", "Discount"], "must_not_include": ["cheap", " discount"]},
         "ai_instructions.must_not_include[1]"),
        ({"key_points": ["Open Sundays", "Free delivery"], "must_not_include": ["free delivery "]},
         "ai_instructions.key_points[1]"),
        ({"key_points": ["Pies and stollen"], "avoid_topics": ["pies and stollen"]}, "ai_instructions.key_points[0]"),
        ({"offer": {"description": "15% off", "valid_until": "2020-03-31"}}, "ai_instructions.offer.valid_until"),
        ({"offer": {"description": "15% off", "valid_until": "2027-02-30"}}, "ai_instructions.offer.valid_until"),
        ({"event": {"name": "Open day", "starts_at": "2020-05-14T18:00"}}, "ai_instructions.event.starts_at"),
        ({"event": {"name": "Open day", "starts_at": "2099-13-01"}}, "ai_instructions.event.starts_at"),
    ],
)  # fmt: skip
def test_instructions_no_draft_could_satisfy_are_refused(
    db: Conn, bakery: tuple[str, str], instructions: dict[str, Any], column: str
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        err = refused(db, customer, "email", {**TOPIC, **instructions})
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", column)
    assert written(db, tenant) == (0, 0, 0)


BRIEF = {
    "purpose": "promotion",
    "topic": "holiday pre-orders for pies and stollen",
    "key_points": ["Pre-order by December 20", "Pick up December 23 or 24"],
    "offer": {"description": "10% off pre-orders of three pies or more", "code": "PIE10", "valid_until": "2099-12-20"},
    "event": {"name": "Stollen tasting", "starts_at": "2099-12-12T16:00", "place": "the shop, 12 Mill Lane"},
    "links": {"cta_url": "https://sunrise.example/preorder", "booking_url": "https://sunrise.example/book"},
    "avoid_topics": ["the sourdough loaf"],
}


def test_a_brief_with_key_points_offer_event_and_links_is_stored_as_given(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        result = create(db, customer, instructions=BRIEF)
        stored = db.execute("select ai_instructions from aicrm.project_tasks where task_id = %s", (result["task_id"],))
        assert stored.fetchone() == (BRIEF,)
    assert "warnings" not in result


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"key_points": [f"point {i}" for i in range(11)]}, "ai_instructions.key_points"),
        ({"key_points": [""]}, "ai_instructions.key_points[0]"),
        ({"offer": {"code": "PIE10"}}, "ai_instructions.offer.description"),
        ({"offer": {"description": "10% off", "valid_until": "20 December"}}, "ai_instructions.offer.valid_until"),
        ({"offer": {"description": "10% off", "percent": 10}}, "ai_instructions.offer.percent"),
        ({"event": {"name": "Tasting"}}, "ai_instructions.event.starts_at"),
        ({"event": {"name": "Tasting", "starts_at": "next Friday"}}, "ai_instructions.event.starts_at"),
        ({"links": {"review_url": "google reviews"}}, "ai_instructions.links.review_url"),
        ({"links": {"menu_url": "https://sunrise.example/menu"}}, "ai_instructions.links.menu_url"),
        ({"avoid_topics": "sourdough"}, "ai_instructions.avoid_topics"),
    ],
)  # fmt: skip
def test_a_bad_brief_field_is_refused_naming_it(
    db: Conn, bakery: tuple[str, str], change: dict[str, Any], column: str
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        err = refused(db, customer, "email", {**BRIEF, **change})
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", column)
    assert written(db, tenant) == (0, 0, 0)


@pytest.mark.parametrize(
    ("brief", "warned"),
    [
        ({"purpose": "review_request", "topic": "how was your visit"}, "ai_instructions.links.review_url"),
        ({"purpose": "review_request", "topic": "how was your visit",
          "links": {"review_url": "https://g.page/r/sunrise/review"}}, None),
        ({"purpose": "event", "topic": "the stollen tasting"}, "ai_instructions.event"),
        ({"purpose": "event", "topic": "the stollen tasting", "event": BRIEF["event"]}, None),
    ],
)  # fmt: skip
def test_a_purpose_without_what_its_draft_needs_is_created_with_a_warning(
    db: Conn, bakery: tuple[str, str], brief: dict[str, Any], warned: str | None
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        result = create(db, customer, instructions=brief)
    assert result["created"] is True
    assert [w.split(":")[0] for w in result.get("warnings", [])] == ([warned] if warned else [])


def test_a_due_date_in_the_past_is_refused_today_is_not(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        for due in ("yesterday", "2020-01-01"):
            (value,) = db.execute("select %s::timestamptz", (due,)).fetchone() or (None,)
            err = refused(db, customer, "email", TOPIC, due=value)
            assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "due_at")
        assert written(db, tenant) == (0, 0, 0)
        for due in ("today", "tomorrow"):  # a date alone is midnight: due today is not in the past
            (value,) = db.execute("select %s::timestamptz", (due,)).fetchone() or (None,)
            assert create(db, customer, due=value)["created"] is True


@pytest.mark.parametrize(("status", "warned"), [("active", False), ("prospect", False), ("paused", True),
                                                ("churned", True), ("archived", True)])  # fmt: skip
def test_a_customer_that_is_not_active_gets_its_task_with_a_warning(db: Conn, status: str, warned: bool) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, status=status)
    with act_as(db, tenant):
        result = create(db, customer)
    assert result["execution_state"] == "queued"
    warnings = result.get("warnings", [])
    assert [w.split(":")[0] for w in warnings] == (["customer_id"] if warned else [])
    assert (status in warnings[0]) if warned else "warnings" not in result


def test_instructions_without_a_topic_are_created_with_a_warning(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        result = create(db, customer, instructions={"output_type": "email", "topic": "  "})
        assert [w.split(":")[0] for w in result["warnings"]] == ["ai_instructions.topic"]
        # A replay answers as the first call did, without checking or warning again.
        first = create(db, customer, instructions={"purpose": "event"}, key="k-1")
        assert "warnings" in first
        again = create(db, customer, instructions={"purpose": "event"}, key="k-1")
        assert again == {"task_id": first["task_id"], "created": False, "execution_state": "queued"}


def test_a_tenant_that_does_not_exist_says_so(db: Conn, bakery: tuple[str, str]) -> None:
    _, customer = bakery
    with act_as(db, "00000000-0000-4000-8000-0000000000aa"):
        err = refused(db, customer, "email", TOPIC)
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "tenant_id")
        err = sql_error(db, "select aicrm.resolve_customer_id('crm-17')")
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "tenant_id")
    with act_as(db, None):
        err = sql_error(db, "select aicrm.resolve_customer_id('crm-17')")
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC003", "tenant_id")


def test_a_customer_is_found_by_its_id_or_its_external_id_in_this_tenant_only(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    other = make_tenant(db, "Other agency")
    theirs = make_customer(db, other, external_id="crm-99")
    resolve = "select aicrm.resolve_customer_id(%s)"
    for role in ("aicrm_app", "aicrm_readonly"):
        with act_as(db, tenant, role):
            for key in (customer, customer.upper(), "crm-17", " crm-17 "):
                assert str(db.execute(resolve, (key,)).fetchone()[0]) == customer  # type: ignore[index]
            for key in (theirs, "crm-99", "CRM-17", "00000000-0000-4000-8000-000000000001"):
                err = sql_error(db, resolve, (key,))
                assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "customer_id"), key
            for key in (None, "", "  "):
                err = sql_error(db, resolve, (key,))
                assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "customer_id")
    with act_as(db, other, "aicrm_worker"):
        assert sql_error(db, resolve, ("crm-99",)).diag.sqlstate == "42501"  # the app's, not the worker's
    with act_as(db, tenant):
        task = db.execute(
            "select aicrm.create_content_task(aicrm.resolve_customer_id('crm-17'), 'sms', %s)", (Jsonb(TOPIC),)
        ).fetchone()
        assert task is not None
        assert task[0]["created"] is True


def test_migration_0019_drops_the_values_stored_tasks_can_no_longer_hold(db: Conn, bakery: tuple[str, str]) -> None:
    """A task stored before the vocabularies (written here with the row triggers off) would be
    refused at its next transition; the migration drops what no longer fits and keeps the rest."""
    tenant, customer = bakery
    with act_as(db, tenant):
        kept = create(db, customer, instructions={**TOPIC, "purpose": "event", "tone_override": ["warm"]})["task_id"]
        old = create(db, customer)["task_id"]
    before = {**TOPIC, "purpose": "reminder", "tone_override": ["Warm", "cheerful"], "cta": "Book now"}
    db.execute("set local session_replication_role = replica")
    db.execute("update aicrm.project_tasks set ai_instructions = %s where task_id = %s", (Jsonb(before), old))
    db.execute("set local session_replication_role = origin")
    db.execute((SQL_DIR / "migrations" / "0019_task_instructions_vocabularies.sql").read_text())
    rows = dict(db.execute("select task_id::text, ai_instructions from aicrm.project_tasks").fetchall())
    assert rows[old] == {**TOPIC, "tone_override": ["warm"], "cta": "Book now"}
    assert rows[kept] == {**TOPIC, "purpose": "event", "tone_override": ["warm"]}
    with act_as(db, tenant):
        db.execute("select aicrm.transition_task_state(%s, 'cancelled', 'tester')", (old,))
    audit = db.execute(
        "select changes -> 'ai_instructions' -> 'old' from aicrm.audit_log"
        " where row_key = jsonb_build_object('task_id', %s::uuid) and operation = 'update' order by audit_id",
        (old,),
    ).fetchall()
    assert before in [a[0] for a in audit]  # the old instructions are kept in the audit log


def test_the_demo_tasks_have_instructions_create_content_task_accepts(db: Conn) -> None:
    seed(db, SQL_DIR, demo=True)
    db.execute("reset role")
    query = (
        "select task_id::text, customer_id::text, channel, title, ai_instructions, ctid::text from aicrm.project_tasks"
        " where tenant_id = %s and execution_state = 'draft' order by task_id"
    )
    with act_as(db, DEMO_TENANT):
        drafts = db.execute(query, (DEMO_TENANT,)).fetchall()
        assert len(drafts) == 5
        for _, customer, channel, title, instructions, _ in drafts:
            assert instructions.get("topic"), title
            assert instructions.get("purpose"), title
            row = db.execute(
                "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
                " p_title => %s)",
                (customer, channel, Jsonb(instructions), title),
            ).fetchone()
            assert row is not None
            assert "warnings" not in row[0], (title, row)
        # A demo seeded before the instructions gets them; instructions changed since are kept.
        db.execute("update aicrm.project_tasks set ai_instructions = '{}' where task_id = %s", (drafts[0][0],))
        db.execute(
            "update aicrm.project_tasks set ai_instructions = %s where task_id = %s", (Jsonb(TOPIC), drafts[1][0])
        )
    seed(db, SQL_DIR, demo=True)
    db.execute("reset role")
    with act_as(db, DEMO_TENANT):
        again = db.execute(query, (DEMO_TENANT,)).fetchall()
    assert again[0][4] == drafts[0][4]
    assert again[1][4] == TOPIC
    assert [r[:5] for r in again[2:]] == [r[:5] for r in drafts[2:]]
    assert [r[5] for r in again[2:]] == [r[5] for r in drafts[2:]]  # seeding again wrote no new row version


def test_every_brief_in_the_docs_is_valid(db: Conn) -> None:
    """docs/ai-instructions.md's JSON examples, one per purpose, hold to task.ai_instructions."""
    docs = (SQL_DIR.parent / "docs" / "ai-instructions.md").read_text()
    briefs = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", docs, re.S)]
    assert {b.get("purpose") for b in briefs} >= {
        "welcome", "promotion", "newsletter", "re_engagement", "event", "review_request", "announcement", "other"
    }  # fmt: skip
    for brief in briefs:
        db.execute("select aicrm_private.assert_json_valid('task.ai_instructions', %s, 'x')", (Jsonb(brief),))
