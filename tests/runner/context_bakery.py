"""The demo bakery's context as get_customer_context_for_ai returned it (fixtures/context_bakery.json,
with three positive examples of the bakery's own), and what the template provider's tests do with it:
requests for drafts, twenty varied tasks, the same customer made again in a fresh database
(`context_bakery` fixture), its live context for a task, and the real scorecard of a draft."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from runner.providers.llm import Draft, DraftRequest
from tests.factories import make_customer, make_tenant
from tests.helpers import act_as
from tests.tasks import evaluate_content, task_context

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "context_bakery.json").read_text())
CONTEXT: dict[str, Any] = FIXTURE["context"]

# Twenty tasks across channels, purposes, formats, voices and constraints.
TASKS: list[tuple[str, dict[str, Any]]] = [
    ("email", {"topic": "pumpkin sourdough is back", "cta": "Pre-order your pumpkin loaf",
               "must_include": ["pumpkin", "CTA"], "output_length": {"min_words": 80, "max_words": 200}}),
    ("email", {"topic": "welcome to the Sunrise Bakery family", "audience": "new newsletter subscribers",
               "must_include": ["business name", "unsubscribe", "postal address"]}),
    ("email", {"output_type": "newsletter", "topic": "November news from our kitchen",
               "must_not_include": ["sale", "discount"]}),
    ("email", {"topic": "a sourdough workshop this Saturday", "cta": "RSVP for the workshop",
               "tone_override": ["calm", "professional"]}),
    ("email", {"topic": "how was your celebration cake?", "must_include": ["review"],
               "output_length": {"max_words": 150}}),
    ("email", {"topic": "we have missed you", "output_format": "html", "must_include": ["contact info"]}),
    ("email", {"topic": "almond croissants for the weekend", "output_format": "markdown",
               "output_length": {"max_words": 120}, "must_not_include": ["country sourdough loaf"]}),
    ("email", {"topic": "gluten-free banana bread is here", "must_include": ["gluten-free", "Saturday"],
               "must_not_include": ["cheap"],
               "success_criteria": {"cta_present": True, "sentiment_target": "positive"}}),
    ("sms", {"topic": "pumpkin loaves are back this weekend", "must_include": ["business name", "opt out"]}),
    ("sms", {"topic": "tasting night on Friday", "cta": "RSVP now"}),
    ("sms", {"audience": "new text club members", "output_length": {"max_characters": 150}}),
    ("sms", {"topic": "tell us how we did", "must_not_include": ["free"]}),
    ("social", {"topic": "holiday celebration cake orders are open", "must_include": ["celebration cake"]}),
    ("social", {"topic": "our sourdough workshop this Saturday", "output_length": {"max_words": 80}}),
    ("social", {"topic": "behind the scenes at 4 am", "must_not_include": ["best"]}),
    ("social", {"topic": "say hello to our new morning crew", "tone_override": ["enthusiastic"]}),
    ("blog", {"topic": "How we bake our sourdough", "output_format": "markdown",
              "output_length": {"min_words": 300}}),
    ("blog", {"topic": "Planning a celebration cake", "output_format": "html",
              "must_include": ["celebration cake", "CTA"]}),
    ("web", {"topic": "About Sunrise Bakery", "output_length": {"min_words": 150, "max_words": 400}}),
    ("email", {"topic": "pre-order your holiday cake", "audience": "families planning a holiday party",
               "success_criteria": {"readability_score_min": 60}}),
]  # fmt: skip


def request(channel: str, instructions: dict[str, Any], context: dict[str, Any] = CONTEXT, **kw: Any) -> DraftRequest:
    return DraftRequest(
        task_id=kw.pop("task_id", "task-1"), channel=channel, instructions=instructions, context=context, **kw
    )


def profile_of(context: dict[str, Any]) -> dict[str, Any]:
    """The business profile the context was made from (upsert_business_profile's fields)."""
    b = context["business"]
    return {
        "name": context["customer"]["name"],
        "external_id": context["customer"]["external_id"],
        "industry_category": context["industry"]["category"],
        "industry_subcategory": context["industry"]["subcategory"],
        **{k: b[k] for k in ("website", "email", "phone", "address", "unique_selling_points", "competitors")},
        **{k: b[k] for k in ("products_services", "target_audience", "business_hours")},
        "business_description": b["description"],
        "brand_voice": context["brand_voice"],
        "content_preferences": context["content_preferences"],
    }


def make_context_bakery(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """The customer the context was made from, with its own examples, in a new agency: (tenant, customer)."""
    tenant = make_tenant(conn, "Northwind Marketing")
    customer = make_customer(conn, tenant, **profile_of(CONTEXT))
    with act_as(conn, tenant):
        for e in FIXTURE["own_examples"]:
            conn.execute(
                "insert into aicrm.content_examples (customer_id, industry_category, purpose, channel, subject, "
                "content, polarity, annotations) values (%s, 'food_beverage', %s, %s, %s, %s, %s, %s)",
                (customer, e["purpose"], e["channel"], e["subject"], e["content"], e["polarity"],
                 Jsonb(e["annotations"])),
            )  # fmt: skip
    return tenant, customer


def live_context(db: psycopg.Connection[Any], bakery: tuple[str, str], channel: str, topic: str | None) -> Any:
    """What the worker passes: the customer's context for the task's channel and topic."""
    return task_context(db, *bakery, channel, topic)


def scorecard(db: psycopg.Connection[Any], bakery: tuple[str, str], draft: Draft, channel: str, ins: Any) -> Any:
    """The real scorecard of a provider's draft for the customer as submit_draft stores it: assembled
    (the unsubscribe footer, postal address, SMS opt-out: aicrm.assemble_content), with the runner's
    metrics of the assembled text."""
    tenant, customer = bakery
    content = assembled(db, bakery, draft, channel)
    return evaluate_content(
        db, tenant, content, channel, draft.subject, customer, ins, content_format=draft.content_format
    )


def assembled(db: psycopg.Connection[Any], bakery: tuple[str, str], draft: Draft, channel: str) -> str:
    """The draft's content with the system-owned parts aicrm adds when it is stored."""
    tenant, customer = bakery
    with act_as(db, tenant):
        row = db.execute(
            "select aicrm.assemble_content(%s, %s, %s, %s) ->> 'content'",
            (customer, channel, draft.content, draft.content_format),
        ).fetchone()
    assert row is not None
    return str(row[0])
