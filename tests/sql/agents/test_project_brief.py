"""The strategist's offline plan (docs/agents.md, "The strategist: from a project brief to tasks"):
create_project_brief validates a project's brief, stores it, and plans its content tasks through
create_content_task (queued, full instructions, due dates spread over the brief's dates); the same
brief again creates nothing, a changed one plans anew and reports the old plan's queued tasks as
superseded; with a strategist, each new task's thread starts with its handoff to the writers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused

Conn = psycopg.Connection[Any]
PLAN = "select aicrm.create_project_brief(%s, %s, %s)"
START = dt.date.today() + dt.timedelta(days=10)
END = START + dt.timedelta(days=30)


def make_project(conn: Conn, tenant: str, customer: str, name: str = "Spring launch") -> str:
    with act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.projects (customer_id, name) values (%s, %s) returning project_id", (customer, name)
        ).fetchone()
    assert row is not None
    return str(row[0])


def make_agent(conn: Conn, tenant: str, name: str, role: str, status: str = "active") -> str:
    with act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.ai_agents (name, agent_role, status) values (%s, %s, %s) returning agent_id",
            (name, role, status),
        ).fetchone()
    assert row is not None
    return str(row[0])


def brief(**changes: Any) -> dict[str, Any]:
    """A month of spring launch content: two emails and three social posts."""
    doc: dict[str, Any] = {
        "goals": ["Fill the spring baking classes", "Bring lapsed regulars back"],
        "audience": "regulars and neighbours",
        "channels": {"email": 2, "social": 3},
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
        "topic": "spring baking classes",
        "purpose": "promotion",
        "key_points": ["Classes on Saturday mornings", "Small groups of six"],
        "offer": {"description": "10% off a class booked this month", "code": "SPRING10"},
        "links": {"booking_url": "https://sunrise.example/classes"},
        "avoid_topics": ["the old oven"],
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


def plan(conn: Conn, tenant: str, project: str, doc: dict[str, Any], strategist: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = call(conn, tenant, PLAN, (project, Jsonb(doc), strategist), "aicrm_app")
    return result


def task_rows(conn: Conn, tenant: str, project: str) -> list[tuple[Any, ...]]:
    with act_as(conn, tenant):
        return conn.execute(
            "select task_id::text, channel, title, execution_state, ai_instructions, due_at from aicrm.project_tasks"
            " where project_id = %s order by channel, due_at",
            (project,),
        ).fetchall()


@pytest.fixture
def project(db: Conn, tenant: str, customer: str) -> str:
    return make_project(db, tenant, customer)


def test_a_brief_plans_queued_tasks_with_full_instructions_spread_over_its_dates(
    db: Conn, tenant: str, project: str
) -> None:
    doc = brief()
    result = plan(db, tenant, project, doc)
    assert result["project_id"] == project
    tasks = result["tasks"]
    assert [(t["channel"], t["piece"], t["created"]) for t in tasks] == [
        ("email", 1, True),
        ("email", 2, True),
        ("social", 1, True),
        ("social", 2, True),
        ("social", 3, True),
    ]
    assert tasks[0]["title"] == "email 1/2: spring baking classes"
    assert tasks[4]["title"] == "social 3/3: spring baking classes"
    # 31 days: email at the start of each half, social at the start of each third
    due = {(t["channel"], t["piece"]): dt.datetime.fromisoformat(t["due_at"]).date() for t in tasks}
    offsets = {key: (day - START).days for key, day in due.items()}
    assert offsets == {("email", 1): 0, ("email", 2): 15, ("social", 1): 0, ("social", 2): 10, ("social", 3): 20}
    assert all(START <= day <= END for day in due.values())
    rows = task_rows(db, tenant, project)
    assert {r[0] for r in rows} == {t["task_id"] for t in tasks}
    expected = {k: doc[k] for k in ("topic", "purpose", "audience", "key_points", "offer", "links", "avoid_topics")}
    for _, channel, title, state, instructions, due_at in rows:
        assert state == "queued"
        assert instructions == expected, "the brief's instruction fields, and nothing else"
        assert title.startswith(f"{channel} ")
        assert due_at.astimezone(dt.UTC).time() == dt.time(0)
    with act_as(db, tenant):
        stored = db.execute(
            "select brief, brief_updated_at is not null from aicrm.projects where project_id = %s", (project,)
        ).fetchone()
    assert stored == (doc, True)
    assert result["superseded"] == []
    assert any(line.startswith("email: 2 pieces") for line in result["plan"])
    assert "5 new tasks created, 0 already planned from this brief." in result["plan"]


def test_the_same_brief_again_creates_nothing_and_answers_with_the_same_tasks(
    db: Conn, tenant: str, project: str
) -> None:
    first = plan(db, tenant, project, brief())
    again = plan(db, tenant, project, brief())
    assert [t["task_id"] for t in again["tasks"]] == [t["task_id"] for t in first["tasks"]]
    assert not any(t["created"] for t in again["tasks"])
    assert len(task_rows(db, tenant, project)) == 5
    assert "0 new tasks created, 5 already planned from this brief." in again["plan"]


def test_a_changed_brief_plans_anew_and_reports_the_old_queued_tasks_as_superseded(
    db: Conn, tenant: str, project: str
) -> None:
    old = plan(db, tenant, project, brief())
    changed = brief(topic="summer bread club", channels={"email": 1}, offer=None)
    new = plan(db, tenant, project, changed)
    assert [(t["channel"], t["piece"], t["created"]) for t in new["tasks"]] == [("email", 1, True)]
    assert new["tasks"][0]["title"] == "email 1/1: summer bread club"
    assert sorted(new["superseded"]) == sorted(t["task_id"] for t in old["tasks"])
    assert any("superseded" in line for line in new["plan"])
    rows = task_rows(db, tenant, project)
    assert len(rows) == 6, "the old plan's tasks are left, not deleted"
    assert {r[3] for r in rows} == {"queued"}
    with act_as(db, tenant):
        stored = db.execute("select brief from aicrm.projects where project_id = %s", (project,)).fetchone()
    assert stored == (changed,)
    assert plan(db, tenant, project, changed)["tasks"][0]["created"] is False


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"channels": {"email": 1, "fax": 2}}, "brief.channels.fax"),
        ({"channels": {"email": 21}}, "brief.channels.email"),
        ({"channels": {}}, "brief.channels"),
        ({"ends_on": (START - dt.timedelta(days=1)).isoformat()}, "brief.ends_on"),
        ({"ends_on": (START + dt.timedelta(days=400)).isoformat()}, "brief.ends_on"),
        ({"starts_on": "2027-02-30"}, "brief.starts_on"),
        ({"starts_on": (dt.date.today() - dt.timedelta(days=1)).isoformat()}, "brief.starts_on"),
        ({"budget": 1000}, "brief.budget"),
        ({"goals": []}, "brief.goals"),
        ({"topic": None}, "brief.topic"),
        ({"purpose": "bragging"}, "brief.purpose"),
        ({"avoid_topics": ["Small groups of six"]}, "brief.key_points[1]"),
    ],
)
def test_a_bad_brief_is_refused_naming_the_field(
    db: Conn, tenant: str, project: str, changes: dict[str, Any], column: str
) -> None:
    assert refused(db, tenant, PLAN, (project, Jsonb(brief(**changes)), None), "aicrm_app") == ("AC001", column)
    assert task_rows(db, tenant, project) == []


def test_another_tenants_project_is_refused(db: Conn, tenant: str, project: str) -> None:
    other = make_tenant(db, "Agency B")
    make_customer(db, other, name="Beta Dental")
    assert refused(db, other, PLAN, (project, Jsonb(brief()), None), "aicrm_app") == ("AC002", "project_id")
    assert refused(db, tenant, PLAN, (None, Jsonb(brief()), None), "aicrm_app") == ("AC001", "project_id")
    assert task_rows(db, tenant, project) == []


def test_with_a_strategist_each_new_tasks_thread_starts_with_its_handoff(db: Conn, tenant: str, project: str) -> None:
    strategist = make_agent(db, tenant, "Strategist", "strategist")
    writer = make_agent(db, tenant, "Writer", "writer")
    result = plan(db, tenant, project, brief(), strategist)
    for task in result["tasks"]:
        thread = call(db, tenant, "select aicrm.get_thread(%s)", (task["task_id"],), "aicrm_readonly")
        first = thread["messages"][0]
        assert len(thread["messages"]) == 1
        assert (first["kind"], first["message_type"], first["from_agent_id"]) == (
            "handoff",
            "handoff.task_planned",
            strategist,
        )
        assert (first["from_role"], first["to_role"], first["thread_id"]) == ("strategist", "writer", task["task_id"])
        data = next(p["data"] for p in first["parts"] if p["type"] == "data")
        assert data == {
            "task_id": task["task_id"],
            "project_id": project,
            "channel": task["channel"],
            "piece": task["piece"],
        }
    with act_as(db, tenant, "aicrm_worker"):
        inbox = db.execute("select * from aicrm.read_agent_inbox(%s, 10, 60)", (writer,)).fetchall()
    assert len(inbox) == 5
    # the same brief again: no new task, no new handoff
    plan(db, tenant, project, brief(), strategist)
    with act_as(db, tenant):
        sent = db.execute("select count(*) from aicrm.ai_agent_messages").fetchone()
    assert sent == (5,)


def test_the_strategist_must_be_an_active_strategist_of_the_tenant(db: Conn, tenant: str, project: str) -> None:
    writer = make_agent(db, tenant, "Writer", "writer")
    paused = make_agent(db, tenant, "Resting strategist", "strategist", status="paused")
    other = make_tenant(db, "Agency B")
    foreign = make_agent(db, other, "Their strategist", "strategist")
    for agent, code in ((writer, "AC006"), (paused, "AC005"), (foreign, "AC002")):
        got = refused(db, tenant, PLAN, (project, Jsonb(brief()), agent), "aicrm_app")
        assert got == (code, "strategist_agent_id"), agent
    assert task_rows(db, tenant, project) == []


# --- a strategist's own plan: the brief's pieces ------------------------------------------------------------


def piece(channel: str, n: int, day: int, **more: Any) -> dict[str, Any]:
    return {"channel": channel, "piece": n, "due_on": (START + dt.timedelta(days=day)).isoformat(), **more}


PIECES = [piece("email", 1, 0, title="Classes open", key_points=["Small groups of six"], why="Announce early."),
          piece("email", 2, 25, topic="last places in the spring classes", cta="Book the last places"),
          piece("social", 1, 2), piece("social", 2, 9), piece("social", 3, 16)]  # fmt: skip


def test_proposed_pieces_give_each_task_its_date_title_and_angle(db: Conn, tenant: str, project: str) -> None:
    answer = plan(db, tenant, project, brief(pieces=PIECES))
    assert "email: 2 pieces as the strategist planned them" in " ".join(answer["plan"])
    emails = [r for r in task_rows(db, tenant, project) if r[1] == "email"]
    assert [(r[2], r[5].date()) for r in emails] == [
        ("Classes open", START),
        ("email 2/2: spring baking classes", START + dt.timedelta(days=25)),
    ]
    first, second = (r[4] for r in emails)
    assert first["key_points"] == ["Small groups of six"]
    assert first["topic"] == "spring baking classes"  # the brief's, where the piece gives none
    assert (second["topic"], second["cta"]) == ("last places in the spring classes", "Book the last places")
    assert second["key_points"] == ["Classes on Saturday mornings", "Small groups of six"]
    assert second["offer"]["code"] == "SPRING10"  # the brief's facts, which a plan cannot change


@pytest.mark.parametrize(
    ("pieces", "column"),
    [
        ([*PIECES[:4], piece("sms", 1, 3)], "brief.pieces[4].channel"),
        ([*PIECES, piece("social", 4, 3)], "brief.pieces[5].piece"),
        ([*PIECES, piece("social", 3, 20)], "brief.pieces[4].piece"),
        (PIECES[:4], "brief.pieces"),
        ([*PIECES[:4], piece("social", 3, 31)], "brief.pieces[4].due_on"),
        ([*PIECES[:4], piece("social", 3, 3, key_points=["Free cake for everyone"])], "brief.pieces[4].key_points[0]"),
        ([*PIECES[:4], piece("social", 3, 3, why="")], "brief.pieces[4].why"),
    ],
)  # fmt: skip
def test_a_plan_that_breaks_the_brief_is_refused_naming_the_piece(
    db: Conn, tenant: str, project: str, pieces: list[dict[str, Any]], column: str
) -> None:
    assert refused(db, tenant, PLAN, (project, Jsonb(brief(pieces=pieces)), None), "aicrm_app") == ("AC001", column)
    assert task_rows(db, tenant, project) == []
