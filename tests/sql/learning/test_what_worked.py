"""What worked (aicrm.what_worked; docs/learning.md, "What worked"): the features of sent drafts that
moved effectiveness, per customer, industry and tenant, with effect, interval and sample size, pooled
hierarchically; a writer is told (get_draft_brief, get_customer_context_for_ai) only the patterns
whose interval excludes zero."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.factories import make_customer
from tests.helpers import act_as, call
from tests.sql.learning.feedback import measured, process
from tests.tasks import create_task

Conn = psycopg.Connection[Any]
QUESTION = "Is your autumn sourdough here?"
PLAIN = "Our autumn sourdough is here"


def twelve_emails(db: Conn, tenant: str, customer: str) -> None:
    """Twelve measured emails of `customer`, sent at the same hour and weekday, alike but for the
    subject: the six asking a question were clicked by 12-16%, the others by 3-5%."""
    for i in range(12):
        question = i % 2 == 0
        clicks = (120 + 10 * (i % 3)) if question else (30 + 10 * (i % 3))
        measured(db, tenant, customer, {"sent": 1000, "clicks": clicks}, 168 * (20 - i),
                 subject=QUESTION if question else PLAIN)  # fmt: skip


def rows(db: Conn, tenant: str, feature: str) -> dict[str, dict[str, Any]]:
    with act_as(db, tenant, "aicrm_readonly"):
        got = db.execute(
            "select scope, to_jsonb(w) from aicrm.what_worked w where feature = %s and channel = 'email'", (feature,)
        ).fetchall()
    return {str(r[0]): dict(r[1]) for r in got}


def test_a_feature_that_moved_clicks_is_learned_at_every_level(db: Conn, tenant: str, customer: str) -> None:
    twelve_emails(db, tenant, customer)
    process(db)
    q = rows(db, tenant, "question_in_subject")
    assert set(q) == {"customer", "industry", "tenant"}
    for scope, r in q.items():
        assert (r["n_with"], r["n_without"], r["sample_size"]) == (6, 6, 12), scope
        assert r["effect_low"] <= r["effect"] <= r["effect_high"], scope
        assert (r["pooled_low"] > 0, r["excludes_zero"], r["lift"] > 2) == (True, True, True), scope
    assert q["customer"]["customer_id"] == customer
    assert q["industry"]["industry_category"] == "food_beverage"
    # the same subject length, hour and weekday everywhere: nothing to compare, no row
    assert rows(db, tenant, "morning_send") == {}
    assert rows(db, tenant, "weekend_send") == {}


def test_a_writer_is_told_only_what_excludes_zero(db: Conn, tenant: str, customer: str) -> None:
    before = call(db, tenant, "select aicrm.get_customer_context_for_ai(%s, null, 'email')", (customer,), "aicrm_app")
    assert before["what_worked"] == []  # nothing measured yet
    twelve_emails(db, tenant, customer)
    process(db)
    task = create_task(db, tenant, customer)
    brief = call(db, tenant, "select aicrm.get_draft_brief(%s, false)", (task,), "aicrm_app")
    told = brief["what_worked"]
    assert [(w["feature"], w["channel"], w["scope"]) for w in told] == [("question_in_subject", "email", "customer")]
    assert told[0]["interval"][0] > 1
    assert told[0]["sample_size"] == 12
    assert told[0]["says"].startswith("question in subject on email: ")
    context = call(db, tenant, "select aicrm.get_customer_context_for_ai(%s, null, 'email')", (customer,), "aicrm_app")
    assert context["what_worked"] == told
    # an SMS writer is told nothing of email
    sms = call(db, tenant, "select aicrm.get_customer_context_for_ai(%s, null, 'sms')", (customer,), "aicrm_app")
    assert sms["what_worked"] == []
    # a customer of another industry without data of its own: the tenant's pattern
    florist = make_customer(
        db,
        tenant,
        name="Petal Florist",
        industry_category="retail",
        industry_subcategory="florist",
        external_id="petal",
    )
    theirs = call(db, tenant, "select aicrm.get_customer_context_for_ai(%s, null, 'email')", (florist,), "aicrm_app")
    assert [(w["feature"], w["scope"]) for w in theirs["what_worked"]] == [("question_in_subject", "tenant")]


def test_a_pattern_on_few_deliveries_is_not_told(db: Conn, tenant: str, customer: str) -> None:
    # however large the difference, fewer than three deliveries on a side tell nothing
    for i, (subject, clicks) in enumerate(((QUESTION, 120), (PLAIN, 40), (QUESTION, 130), (PLAIN, 30))):
        measured(db, tenant, customer, {"sent": 1000, "clicks": clicks}, 168 * (9 - i), subject=subject)
    process(db)
    q = rows(db, tenant, "question_in_subject")
    assert q["customer"]["sample_size"] == 4
    assert q["customer"]["excludes_zero"] is False
    assert q["customer"]["pooled_low"] > 0  # the interval alone would have said so
    assert call(db, tenant, "select aicrm.get_customer_context_for_ai(%s, null, 'email')", (customer,),
                "aicrm_app")["what_worked"] == []  # fmt: skip


def test_the_analyst_tells_the_strategist_what_worked_once(db: Conn, tenant: str, customer: str) -> None:
    """Once new scores make a pattern certain, the strategist's role gets a notification.what_worked
    from the analyst (docs/agents.md, "The analyst"), once; a tenant without a strategist gets none."""
    twelve_emails(db, tenant, customer)
    assert process(db)["notified"] == 0  # nobody to tell yet: no strategist
    with act_as(db, tenant):
        strategist = db.execute(
            "insert into aicrm.ai_agents (name, agent_role) values ('Sol', 'strategist') returning agent_id"
        ).fetchone()
    assert strategist is not None
    measured(db, tenant, customer, {"sent": 1000, "clicks": 130}, 1, subject=QUESTION)  # a new score
    done = process(db)
    assert done["notified"] >= 3  # the question in the subject, at the customer, industry and tenant level
    with act_as(db, tenant):
        inbox = [r[0] for r in db.execute("select aicrm.read_agent_inbox(%s, 50, 300)", (strategist[0],)).fetchall()]
    notices = [m for m in inbox if m["message_type"] == "notification.what_worked"]
    assert len(notices) == done["notified"]
    assert all((m["from_role"], m["to_role"]) == ("analyst", "strategist") for m in notices)
    mine = next(m for m in notices if next(p for p in m["parts"] if p["type"] == "data")["data"]["scope"] == "customer")
    data = next(p for p in mine["parts"] if p["type"] == "data")["data"]
    assert (data["feature"], data["channel"], data["customer_id"]) == ("question_in_subject", "email", customer)
    assert data["lift"] > 2
    assert mine["thread_id"] == customer
    assert "question in subject on email" in mine["parts"][0]["text"]
    # told once: more scores with the same pattern tell nothing new
    measured(db, tenant, customer, {"sent": 1000, "clicks": 35}, 2, subject=PLAIN)
    assert process(db)["notified"] == 0
