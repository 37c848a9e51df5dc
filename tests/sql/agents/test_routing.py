"""Who gets what (docs/agents.md): a tenant's `routing` rules choose who a task is addressed to when
it needs someone — a person's review, an answer only a person knows — a role or one agent; the
choice is kept on the task and shown by the review queue, the thread's handoff goes to it, an agent
no longer active is passed over, and a routing rule is checked when it is saved."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused
from tests.samples import BAKERY, FOOTER, GOOD_EMAIL
from tests.tasks import in_review, record_evaluation, to_evaluating

Conn = psycopg.Connection[Any]
UPSERT = "select aicrm.upsert_decision_rule(%s)"
NO_ADDRESS = GOOD_EMAIL.replace(FOOTER, "\n\nUnsubscribe: {{unsubscribe_url}}")  # aicrm adds the address


def agent(db: Conn, tenant: str, name: str, role: str = "human") -> str:
    with act_as(db, tenant):
        row = db.execute(
            "insert into aicrm.ai_agents (name, agent_role) values (%s, %s) returning agent_id", (name, role)
        ).fetchone()
    assert row is not None
    return str(row[0])


def rule(name: str, condition: Any, params: dict[str, Any], priority: int = 10, **scope: Any) -> Jsonb:
    return Jsonb({"name": name, "category": "routing", "priority": priority, "condition": condition,
                  "action": {"type": "route", "params": params}, **scope})  # fmt: skip


def routed(db: Conn, tenant: str, task: str) -> tuple[Any, ...]:
    with act_as(db, tenant):
        row = db.execute(
            "select routed_role, routed_agent, routed_by from aicrm.review_queue where task_id = %s", (task,)
        ).fetchone()
    assert row is not None
    return tuple(row)


def review_handoff(db: Conn, tenant: str, task: str) -> tuple[Any, ...]:
    with act_as(db, tenant):
        row = db.execute(
            "select m.to_role, a.name, m.parts from aicrm.ai_agent_messages as m"
            " left join aicrm.ai_agents as a on a.tenant_id = m.tenant_id and a.agent_id = m.to_agent_id"
            " where m.thread_id = %s and m.message_type = 'handoff.review_requested'",
            (task,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_urgent_reviews_go_to_one_person_and_the_rest_to_the_role(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **BAKERY)
    agent(db, tenant, "ana@agency")
    call(db, tenant, UPSERT, (rule("Urgent reviews to Ana", {"<=": [{"var": "task.priority"}, 2]},
                                   {"to_agent": "ana@agency", "for": ["review"]}),), "aicrm_app")  # fmt: skip
    urgent, _ = in_review(db, tenant, customer, priority=1)
    usual, _ = in_review(db, tenant, customer, priority=4)
    assert routed(db, tenant, urgent) == (None, "ana@agency", "Urgent reviews to Ana")
    assert routed(db, tenant, usual) == ("human", None, None)
    to_role, to_agent, parts = review_handoff(db, tenant, urgent)
    assert (to_role, to_agent) == (None, "ana@agency")
    assert next(p["data"] for p in parts if p["type"] == "data")["routed_by"] == "Urgent reviews to Ana"
    assert review_handoff(db, tenant, usual)[:2] == ("human", None)


def test_the_first_rule_by_priority_wins_and_a_retired_agent_is_passed_over(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **BAKERY)
    ben = agent(db, tenant, "ben@agency")
    agent(db, tenant, "cleo@agency")
    anything = {"==": [1, 1]}
    for r in (rule("B first", anything, {"to_agent": "ben@agency"}, priority=1),
              rule("C second", anything, {"to_agent": "cleo@agency"}, priority=2)):  # fmt: skip
        call(db, tenant, UPSERT, (r,), "aicrm_app")
    first, _ = in_review(db, tenant, customer)
    assert routed(db, tenant, first)[1:] == ("ben@agency", "B first")
    with act_as(db, tenant):
        db.execute("update aicrm.ai_agents set status = 'retired' where agent_id = %s", (ben,))
    second, _ = in_review(db, tenant, customer)
    assert routed(db, tenant, second)[1:] == ("cleo@agency", "C second")
    # a rule scoped to another channel is not in scope for an email
    call(db, tenant, UPSERT, (rule("SMS to compliance", anything, {"to_role": "compliance"}, priority=0,
                                   channel="sms"),), "aicrm_app")  # fmt: skip
    third, _ = in_review(db, tenant, customer)
    assert routed(db, tenant, third)[1:] == ("cleo@agency", "C second")


def test_a_question_only_a_person_can_answer_goes_where_the_rules_route_it(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **{k: v for k, v in BAKERY.items() if k != "address"})
    dana = agent(db, tenant, "dana@agency")
    agent(db, tenant, "erin@agency")
    gap = {"in": ["address.street", {"var": "profile_gaps"}]}
    call(db, tenant, UPSERT, (rule("Addresses to Dana", gap, {"to_agent": "dana@agency", "for": ["input"]}),),
         "aicrm_app")  # fmt: skip
    task, token, draft = to_evaluating(db, tenant, customer, NO_ADDRESS)
    decision = record_evaluation(db, tenant, draft, NO_ADDRESS, token)
    assert decision["task"]["execution_state"] == "input_required"
    with act_as(db, tenant):
        mine = [r[0] for r in db.execute("select aicrm.read_agent_inbox(%s, 10, 300)", (dana,)).fetchall()]
        row = db.execute("select routed_agent_id, routed_by ->> 'rule' from aicrm.project_tasks where task_id = %s",
                         (task,)).fetchone()  # fmt: skip
    assert [(m["message_type"], m["thread_id"]) for m in mine] == [("request.missing_profile_field", task)]
    assert row is not None
    assert (str(row[0]), row[1]) == (dana, "Addresses to Dana")
    # Dana, holding the claim, answers it; the task goes back to the queue
    with act_as(db, tenant):
        answer = db.execute(
            "select aicrm.respond_to_request(%s, %s, 'dana@agency')",
            (mine[0]["message_id"], Jsonb(BAKERY["address"])),
        ).fetchone()
    assert answer is not None
    assert answer[0]["task"]["execution_state"] == "queued"


@pytest.mark.parametrize(
    ("category", "action", "field", "state"),
    [
        ("routing", {"type": "approve"}, "action.type", "AC001"),
        ("approval", {"type": "route", "params": {"to_role": "human"}}, "action.type", "AC001"),
        ("routing", {"type": "route", "params": {}}, "action.params.to_role", "AC001"),
        ("routing", {"type": "route", "params": {"to_role": "human", "to_agent": "x"}}, "action.params.to_role",
         "AC001"),
        ("routing", {"type": "route", "params": {"to_role": "boss"}}, "action.params.to_role", "AC001"),
        ("routing", {"type": "route", "params": {"to_agent": "nobody@agency"}}, "action.params.to_agent", "AC002"),
        ("routing", {"type": "route", "params": {"to_role": "human", "for": ["publish"]}}, "action.params.for",
         "AC001"),
    ],
)  # fmt: skip
def test_a_routing_rule_is_checked_when_it_is_saved(
    db: Conn, category: str, action: dict[str, Any], field: str, state: str
) -> None:
    tenant = make_tenant(db, "Agency")
    other = make_tenant(db, "Other agency")
    agent(db, other, "nobody@agency")  # another tenant's agent is not this tenant's to route to
    before = call(db, tenant, "select count(*) from aicrm.ai_decision_rules", role="aicrm_app")
    bad = {"name": "Bad", "category": category, "condition": {"==": [1, 1]}, "action": action}
    assert refused(db, tenant, UPSERT, (Jsonb(bad),), "aicrm_app") == (state, field)
    assert call(db, tenant, "select count(*) from aicrm.ai_decision_rules", role="aicrm_app") == before
