"""Feedback on a draft (aicrm.record_content_feedback, migration 0036): an agent's or a person's
rating and comment kept for the learning loop. It decides nothing (the task and the draft stay as
they are), every field is checked and a refused call writes nothing, and it is idempotent by its
key (deliverable, source, author): the same author's new feedback replaces the old."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_bakery
from tests.helpers import act_as, call, refused
from tests.tasks import history, in_review, task_row

Conn = psycopg.Connection[Any]
RECORD = "select aicrm.record_content_feedback(%s, %s, %s)"
UNKNOWN = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def draft(db: Conn) -> dict[str, str]:
    """A draft the rules sent to review, and the tenant's outside agent Claude."""
    tenant, customer = make_bakery(db)
    task, deliverable = in_review(db, tenant, customer)
    with act_as(db, tenant):
        row = db.execute(
            "insert into aicrm.ai_agents (name, agent_role) values ('Claude', 'external') returning agent_id::text"
        ).fetchone()
    assert row is not None
    return {"tenant": tenant, "task": task, "deliverable": deliverable, "claude": row[0]}


def feedback_rows(db: Conn, tenant: str) -> list[tuple[Any, ...]]:
    with act_as(db, tenant):
        return db.execute(
            "select source, created_by, rating, comment, tags, payload from aicrm.ai_content_feedback"
            " order by source, created_by"
        ).fetchall()


def test_an_agents_feedback_is_kept_and_decides_nothing(db: Conn, draft: dict[str, str]) -> None:
    tenant = draft["tenant"]

    def state() -> tuple[Any, ...]:
        with act_as(db, tenant):
            row = db.execute(
                "select status, quality_score from aicrm.project_deliverables where deliverable_id = %s",
                (draft["deliverable"],),
            ).fetchone()
        return (task_row(db, draft["task"]), history(db, draft["task"]), row)

    before = state()
    feedback = {"source": "agent", "agent_id": draft["claude"], "rating": 5, "comment": "Approve it!",
                "tags": ["on-brand", "clear_cta"], "payload": {"readability": "easy"}}  # fmt: skip
    got = call(db, tenant, RECORD, (draft["deliverable"], Jsonb(feedback), "mcp:Claude"))
    assert (got["created"], got["changed"]) == (True, True)
    assert (got["deliverable_id"], got["task_id"]) == (draft["deliverable"], draft["task"])
    assert (got["agent_id"], got["rating"], got["created_by"]) == (draft["claude"], 5, "mcp:Claude")
    assert (got["tags"], got["payload"]) == (["on-brand", "clear_cta"], {"readability": "easy"})
    # The task still waits for a person: feedback, however glowing, is no decision.
    assert state() == before
    assert before[0]["execution_state"] == "awaiting_review"


BAD = [
    ({"source": "agent", "rating": 4}, None, ("AC001", "deliverable_id")),
    ([{"rating": 4}], "deliverable", ("AC001", "feedback")),
    ({"rating": 4}, "deliverable", ("AC001", "feedback.source")),
    ({"source": "bot", "rating": 4}, "deliverable", ("AC001", "feedback.source")),
    ({"source": "agent"}, "deliverable", ("AC001", "feedback")),
    ({"source": "agent", "rating": 0}, "deliverable", ("AC001", "feedback.rating")),
    ({"source": "agent", "rating": 6}, "deliverable", ("AC001", "feedback.rating")),
    ({"source": "agent", "rating": 4.5}, "deliverable", ("AC001", "feedback.rating")),
    ({"source": "agent", "rating": "5"}, "deliverable", ("AC001", "feedback.rating")),
    ({"source": "agent", "comment": ""}, "deliverable", ("AC001", "feedback.comment")),
    ({"source": "agent", "comment": "x" * 4001}, "deliverable", ("AC001", "feedback.comment")),
    ({"source": "agent", "comment": " \n "}, "deliverable", ("AC001", "feedback.comment")),
    ({"source": "agent", "rating": 3, "tags": ["Off Brand"]}, "deliverable", ("AC001", "feedback.tags[0]")),
    ({"source": "agent", "rating": 3, "tags": "short"}, "deliverable", ("AC001", "feedback.tags")),
    ({"source": "agent", "rating": 3, "tags": [f"t{i}" for i in range(21)]}, "deliverable", ("AC001", "feedback.tags")),
    ({"source": "agent", "rating": 3, "tags": ["a", "a"]}, "deliverable", ("AC001", "feedback.tags")),
    ({"source": "agent", "rating": 3, "payload": [1]}, "deliverable", ("AC001", "feedback.payload")),
    ({"source": "agent", "rating": 3, "payload": {"x": "y" * 17000}}, "deliverable", ("AC001", "feedback.payload")),
    ({"source": "agent", "rating": 3, "score": 80}, "deliverable", ("AC001", "feedback.score")),
    ({"source": "agent", "rating": 3, "agent_id": "Claude"}, "deliverable", ("AC001", "feedback.agent_id")),
    ({"source": "agent", "rating": 3, "agent_id": UNKNOWN}, "deliverable", ("AC002", "feedback.agent_id")),
    ({"source": "reviewer", "rating": 3, "agent_id": "claude"}, "deliverable", ("AC001", "feedback.agent_id")),
    ({"source": "agent", "rating": 3}, UNKNOWN, ("AC002", "deliverable_id")),
]


@pytest.mark.parametrize(("feedback", "deliverable", "expected"), BAD)
def test_every_field_is_checked_and_a_refused_call_writes_nothing(
    db: Conn, draft: dict[str, str], feedback: Any, deliverable: str | None, expected: tuple[str, str]
) -> None:
    if isinstance(feedback, dict) and feedback.get("agent_id") == "claude":
        feedback = {**feedback, "agent_id": draft["claude"]}
    target = draft["deliverable"] if deliverable == "deliverable" else deliverable
    assert refused(db, draft["tenant"], RECORD, (target, Jsonb(feedback), "mcp:Claude")) == expected
    assert feedback_rows(db, draft["tenant"]) == []


def test_the_author_is_checked_too(db: Conn, draft: dict[str, str]) -> None:
    params = (draft["deliverable"], Jsonb({"source": "reviewer", "rating": 2}), "a" * 201)
    assert refused(db, draft["tenant"], RECORD, params, "aicrm_app") == ("AC001", "by")
    assert feedback_rows(db, draft["tenant"]) == []


def test_feedback_is_idempotent_by_deliverable_source_and_author(db: Conn, draft: dict[str, str]) -> None:
    tenant, deliverable = draft["tenant"], draft["deliverable"]
    feedback = {"source": "agent", "rating": 3, "comment": "The offer comes late."}
    first = call(db, tenant, RECORD, (deliverable, Jsonb(feedback), "mcp:Claude"))
    again = call(db, tenant, RECORD, (deliverable, Jsonb(feedback), "mcp:Claude"))
    assert (again["created"], again["changed"], again["feedback_id"]) == (False, False, first["feedback_id"])
    changed = call(db, tenant, RECORD, (deliverable, Jsonb({**feedback, "rating": 4}), "mcp:Claude"))
    assert (changed["created"], changed["changed"], changed["feedback_id"]) == (False, True, first["feedback_id"])
    assert changed["rating"] == 4
    # another author, or the same name as a person, is a row of its own
    call(db, tenant, RECORD, (deliverable, Jsonb(feedback), "mcp:Gemini"))
    call(db, tenant, RECORD, (deliverable, Jsonb({"source": "reviewer", "rating": 5}), "mcp:Claude"), "aicrm_app")
    rows = feedback_rows(db, tenant)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("agent", "mcp:Claude", 4),
        ("agent", "mcp:Gemini", 3),
        ("reviewer", "mcp:Claude", 5),
    ]
    # the audit log keeps what the replaced feedback said
    with act_as(db, tenant):
        changes = db.execute(
            "select operation, changes -> 'rating' from aicrm.audit_log where table_name = 'ai_content_feedback'"
            " and row_key ->> 'feedback_id' = %s order by audit_id",
            (first["feedback_id"],),
        ).fetchall()
    assert changes == [("insert", 3), ("update", {"old": 3, "new": 4})]


def test_roles_may_write_feedback_only_through_the_function(db: Conn, draft: dict[str, str]) -> None:
    call(db, draft["tenant"], RECORD, (draft["deliverable"], Jsonb({"source": "agent", "rating": 4}), "w"))
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        assert refused(db, draft["tenant"], "update aicrm.ai_content_feedback set rating = 5", None, role)[0] == "42501"
    with act_as(db, draft["tenant"], "aicrm_readonly"):
        assert db.execute("select count(*) from aicrm.ai_content_feedback").fetchone() == (1,)
    params = (draft["deliverable"], Jsonb({"source": "reviewer", "rating": 4}), "r")
    assert refused(db, draft["tenant"], RECORD, params, "aicrm_readonly")[0] == "42501"


def test_a_rating_written_as_a_whole_decimal_is_that_rating(db: Conn, draft: dict[str, str]) -> None:
    got = call(db, draft["tenant"], RECORD, (draft["deliverable"], Jsonb({"source": "agent", "rating": 4.0}), "w"))
    assert got["rating"] == 4
