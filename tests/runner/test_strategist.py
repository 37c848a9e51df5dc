"""The strategist with a model (docs/agents.md): `aicrm plan` asks the model for the project's plan
(each piece's due date, title, angle, the brief's key points it carries, call to action, why), the
database checks every piece and creates the tasks; a plan that adds a key point of its own is refused
naming the field, the model is told and plans again; two refused plans give the offline plan, said so.
Without a model, `aicrm plan` is the database's offline plan."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.factories import committed
from tests.fakes.openai_chat import FakeOpenAIChat, reply
from tests.helpers import act_as
from tests.processes import AICRM
from tests.runner.workers import worker_env

START = dt.date.today() + dt.timedelta(days=7)
BRIEF: dict[str, Any] = {
    "goals": ["Fill the spring baking classes"],
    "audience": "regulars and neighbours",
    "channels": {"email": 2, "social": 1},
    "starts_on": START.isoformat(),
    "ends_on": (START + dt.timedelta(days=27)).isoformat(),
    "topic": "spring baking classes",
    "purpose": "promotion",
    "key_points": ["Classes on Saturday mornings", "Six places per class"],
}


def day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


def piece(channel: str, n: int, due: int, title: str, points: list[str], why: str) -> dict[str, Any]:
    return {"channel": channel, "piece": n, "due_on": day(due), "title": title, "topic": f"{title.lower()}",
            "key_points": points, "cta": "Book a place", "why": why}  # fmt: skip


GOOD = [
    piece("email", 1, 0, "Classes open", ["Classes on Saturday mornings"], "Announce early."),
    piece("social", 1, 3, "Behind the bench", [], "Show the kitchen."),
    piece("email", 2, 20, "Last places", ["Six places per class"], "Remind before they fill."),
]
INVENTED = [dict(GOOD[0], key_points=["Half price for the first class"]), *GOOD[1:]]


@pytest.fixture
def project(db_url: str, agency: tuple[str, str], tmp_path: Path) -> tuple[str, str, Path]:
    tenant, customer = agency

    def build(conn: psycopg.Connection[Any]) -> str:
        with act_as(conn, tenant):
            conn.execute("insert into aicrm.ai_agents (name, agent_role) values ('Sol', 'strategist')")
            row = conn.execute(
                "insert into aicrm.projects (customer_id, name) values (%s, 'Spring classes') returning project_id",
                (customer,),
            ).fetchone()
        assert row is not None
        return str(row[0])

    brief = tmp_path / "brief.json"
    brief.write_text(json.dumps(BRIEF))
    return tenant, committed(db_url, build), brief


def planned(db_url: str, tenant: str, project: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url) as conn, act_as(conn, tenant):
        return [
            tuple(r)
            for r in conn.execute(
                "select t.channel, t.due_at::date::text, t.title, t.ai_instructions -> 'key_points',"
                " t.ai_instructions ->> 'topic', t.ai_instructions ->> 'cta' from aicrm.project_tasks as t"
                " where t.project_id = %s order by t.due_at, t.channel",
                (project,),
            ).fetchall()
        ]


def run_plan(db_url: str, fake: FakeOpenAIChat, tenant: str, project: str, brief: Path) -> Any:
    return subprocess.run(
        [str(AICRM), "plan", project, str(brief), "--tenant", tenant, "--strategist", "Sol", "--json"],
        env=worker_env(db_url, fake), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_model_plans_and_the_database_creates_the_tasks(
    db_url: str, fake: FakeOpenAIChat, project: tuple[str, str, Path]
) -> None:
    tenant, project_id, brief = project
    fake.set_script([reply(json.dumps({"pieces": GOOD}))])
    done = run_plan(db_url, fake, tenant, project_id, brief)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["proposed_by"] == "gpt-test-mini"
    assert "email: 2 pieces as the strategist planned them" in " ".join(answer["plan"])
    assert planned(db_url, tenant, project_id) == [
        ("email", day(0), "Classes open", ["Classes on Saturday mornings"], "classes open", "Book a place"),
        ("social", day(3), "Behind the bench", ["Classes on Saturday mornings", "Six places per class"],
         "behind the bench", "Book a place"),
        ("email", day(20), "Last places", ["Six places per class"], "last places", "Book a place"),
    ]  # fmt: skip
    # the model was given the brief as data and the rules of a plan, once
    [request] = fake.requests
    system, user = (m["content"] for m in request.body["messages"])
    assert "Plan exactly the pieces the brief's channels count (2 email, 1 social)" in system
    assert "never add a fact" in system
    assert '"Classes on Saturday mornings"' in user
    # every task's thread starts with the strategist's handoff, its why included
    with psycopg.connect(db_url) as conn, act_as(conn, tenant):
        texts = [r[0] for r in conn.execute(
            "select m.parts -> 0 ->> 'text' from aicrm.ai_agent_messages as m"
            " where m.message_type = 'handoff.task_planned' order by m.created_at").fetchall()]  # fmt: skip
    assert len(texts) == 3
    assert any(t.endswith("Why: Remind before they fill.") for t in texts)


def test_a_plan_that_adds_a_fact_is_refused_and_the_model_plans_again(
    db_url: str, fake: FakeOpenAIChat, project: tuple[str, str, Path]
) -> None:
    tenant, project_id, brief = project
    fake.set_script([reply(json.dumps({"pieces": INVENTED})), reply(json.dumps({"pieces": GOOD}))])
    done = run_plan(db_url, fake, tenant, project_id, brief)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["proposed_by"] == "gpt-test-mini"
    second = fake.requests[1].body["messages"][1]["content"]
    assert "Your last plan was refused: brief.pieces[0].key_points[0]: Half price for the first class is not one" in (
        second
    )
    assert [r[2] for r in planned(db_url, tenant, project_id)] == ["Classes open", "Behind the bench", "Last places"]


def test_two_refused_plans_give_the_offline_plan_and_say_so(
    db_url: str, fake: FakeOpenAIChat, project: tuple[str, str, Path]
) -> None:
    tenant, project_id, brief = project
    late = [dict(GOOD[0], due_on=day(90)), *GOOD[1:]]  # after ends_on
    fake.set_script([reply(json.dumps({"pieces": INVENTED})), reply(json.dumps({"pieces": late}))])
    done = run_plan(db_url, fake, tenant, project_id, brief)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["proposed_by"] == "offline"
    assert "brief.pieces[0].due_on" in answer["warnings"][-1]
    rows = planned(db_url, tenant, project_id)
    assert [(r[0], r[1]) for r in rows] == [("email", day(0)), ("social", day(0)), ("email", day(14))]
    assert rows[0][2] == "email 1/2: spring baking classes"
