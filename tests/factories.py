"""Test data from small factories: tenants, customers, their contacts, and the two-tenant world.
Plain functions taking a connection and ids. Personas: alice and bob in tenant A, charlie in B.
A task's steps through the SQL API (created, claimed, drafted, reviewed, delivered) are in
tests/tasks.py; the values themselves in tests/samples.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import act_as
from tests.samples import BAKERY, MARIA
from tests.tasks import walk_to_review

T = TypeVar("T")
PERSONAS = {"alice": "A", "bob": "A", "charlie": "B"}


@dataclass
class World:
    tenant_a: str
    tenant_b: str
    customer_a: str
    customer_b: str

    def tenant_of(self, persona: str) -> str:
        return self.tenant_a if PERSONAS[persona] == "A" else self.tenant_b


def new_id() -> str:
    return str(uuid.uuid4())


def make_tenant(conn: psycopg.Connection[Any], name: str) -> str:
    row = conn.execute("select aicrm.create_tenant(%s)", (name,)).fetchone()
    assert row is not None
    return str(row[0])


def make_customer(conn: psycopg.Connection[Any], tenant: str, **profile: Any) -> str:
    """A customer of `tenant` from a business profile: a plain Sunrise Bakery unless `profile` says
    more (samples.BAKERY is the full one)."""
    doc = {"name": "Sunrise Bakery", "industry_category": "food_beverage", "industry_subcategory": "bakery"}
    doc.update(profile)
    with act_as(conn, tenant):
        row = conn.execute("select aicrm.upsert_business_profile(p_profile => %s)", (Jsonb(doc),)).fetchone()
    assert row is not None
    return str(row[0]["customer_id"])


def make_contact(conn: psycopg.Connection[Any], tenant: str, customer: str, **contact: Any) -> str:
    """A contact of the customer (upsert_customer_contact's fields); its id."""
    with act_as(conn, tenant):
        row = conn.execute("select aicrm.upsert_customer_contact(%s, %s)", (customer, Jsonb(contact))).fetchone()
    assert row is not None
    return str(row[0])


def add_maria(conn: psycopg.Connection[Any], tenant: str, customer: str) -> str:
    """Maria Delgado, the bakery's owner (samples.MARIA), as a contact who opted in to email; her id."""
    return make_contact(conn, tenant, customer, first_name="Maria", last_name="Delgado", email=MARIA, email_opt_in=True)


def make_bakery(conn: psycopg.Connection[Any], agency: str = "Agency A") -> tuple[str, str]:
    """A new agency with Sunrise Bakery (samples.BAKERY) as its customer: (tenant, customer)."""
    tenant = make_tenant(conn, agency)
    return tenant, make_customer(conn, tenant, **BAKERY)


def two_agencies(
    conn: psycopg.Connection[Any], profiles: Sequence[dict[str, Any]] = (BAKERY, BAKERY)
) -> dict[str, str]:
    """Agencies a and b with one customer each, from `profiles`:
    {"tenant_a": ..., "customer_a": ..., "tenant_b": ..., "customer_b": ...}."""
    out: dict[str, str] = {}
    for side, profile in zip("ab", profiles, strict=True):
        tenant = out[f"tenant_{side}"] = make_tenant(conn, f"Agency {side.upper()}")
        out[f"customer_{side}"] = make_customer(conn, tenant, **profile)
    return out


def committed(db_url: str, build: Callable[[psycopg.Connection[Any]], T]) -> T:
    """`build` run on a connection of its own and committed: setup for code under test that opens
    its own connections (the CLI, the worker, the publisher)."""
    with psycopg.connect(db_url) as conn:
        out = build(conn)
        conn.commit()
    return out


def make_world(conn: psycopg.Connection[Any]) -> World:
    """Tenant A (alice, bob) and tenant B (charlie), each with one customer, project, task,
    deliverable, contact and agent, so every tenant-owned table has rows on both sides."""
    tenant_a = make_tenant(conn, "Agency A")
    tenant_b = make_tenant(conn, "Agency B")
    customers = {}
    for tenant, name in ((tenant_a, "Alpha Bakery"), (tenant_b, "Beta Dental")):
        customer = make_customer(conn, tenant, name=name, external_id=f"ext-{name}")
        customers[tenant] = customer
        with act_as(conn, tenant):
            conn.execute(
                "select aicrm.upsert_customer_contact(%s, %s)",
                (customer, Jsonb({"first_name": "Pat", "email": f"pat@{tenant[:8]}.example.com", "is_primary": True})),
            )
            project = conn.execute(
                "insert into aicrm.projects (customer_id, name) values (%s, 'Launch') returning project_id",
                (customer,),
            ).fetchone()
            assert project is not None
            task = conn.execute(
                "insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel) "
                "values (%s, %s, 'Welcome email', 'email', 'email') returning task_id",
                (project[0], customer),
            ).fetchone()
            assert task is not None
            draft = conn.execute(
                "insert into aicrm.project_deliverables (task_id, content) values (%s, 'Hello!')"
                " returning deliverable_id",
                (task[0],),
            ).fetchone()
            assert draft is not None
            conn.execute("select aicrm.transition_task_state(%s, 'queued', 'tester')", (task[0],))
        # Through review: history and a review on both sides.
        walk_to_review(conn, tenant, task[0])
        with act_as(conn, tenant):
            conn.execute("select aicrm.review_deliverable(%s, 1, 'approve', null, 'test world')", (draft[0],))
        # a spot check of the draft with its verdict (aicrm.spot_checks) on both sides; written as the
        # owner, as record_evaluation holds a draft and review_task records the verdict
        # (tests/sql/pipeline/test_spot_checks.py takes that path)
        conn.execute(
            "insert into aicrm.spot_checks (tenant_id, deliverable_id, task_id, customer_id, channel, task_type, "
            "drawn, share, verdict, review_decision, verdict_at, reviewer) "
            "values (%s, %s, %s, %s, 'email', 'email', 0.25, 0.5, 'agreement', 'approve', now(), 'test world')",
            (tenant, draft[0], task[0], customer),
        )
        with act_as(conn, tenant):
            # feedback on the draft (aicrm.ai_content_feedback) on both sides
            conn.execute(
                "select aicrm.record_content_feedback(%s, %s, 'alice')",
                (draft[0], Jsonb({"source": "reviewer", "rating": 5, "comment": "Warm and short."})),
            )
            # a draft made an example (aicrm.learning_promotions) on both sides
            conn.execute("select aicrm.promote_example(%s, 'negative', 'Says nothing yet.', 'alice')", (draft[0],))
            writer = conn.execute(
                "insert into aicrm.ai_agents (name, agent_role) values ('Writer', 'writer') returning agent_id"
            ).fetchone()
            assert writer is not None
            conn.execute("insert into aicrm.ai_agents (name, agent_role) values ('Editor', 'editor')")
            # an agent message (aicrm.ai_agent_messages) on both sides, waiting in the editors' inbox
            conn.execute(
                "select aicrm.send_agent_message(%s)",
                (
                    Jsonb(
                        {
                            "kind": "handoff",
                            "message_type": "handoff.draft_ready",
                            "from_agent_id": str(writer[0]),
                            "to_role": "editor",
                            "parts": [
                                {"type": "data", "data": {"task_id": str(task[0])}},
                                {"type": "artifact", "deliverable_id": str(draft[0]), "relation": "produced"},
                            ],
                        }
                    ),
                ),
            )
            conn.execute("insert into aicrm.tenant_compliance_packs (pack_code, enabled) values ('general', true)")
            conn.execute(
                "insert into aicrm.tenant_compliance_terms (customer_id, term, kind) values (%s, 'cheap', 'forbidden')",
                (customer,),
            )
            conn.execute("select aicrm.set_decision_setting('max_attempts', '4')")
            conn.execute(
                "insert into aicrm.content_templates (name, purpose, channel, subject, body) values "
                "('Welcome', 'welcome', 'email', 'Welcome to {{business_name}}', 'Hello from {{business_name}}.')"
            )
            # the bandit's choice of a template for the task's next draft (aicrm.selection_choices)
            conn.execute("select aicrm.get_draft_brief(%s)", (task[0],))
            conn.execute(
                "insert into aicrm.content_examples (customer_id, purpose, channel, content, polarity) "
                "values (%s, 'welcome', 'email', 'Welcome to our bakery: fresh bread daily.', 'positive')",
                (customer,),
            )
            conn.execute(
                "select aicrm.evaluate_decision(%s)",
                (Jsonb({"quality": {"overall": 90, "confidence": 0.9}, "task": {"attempts": 1}}),),
            )
        # Published (the outbox and a delivery on both sides).
        with act_as(conn, None, "aicrm_worker"):
            got = conn.execute("select aicrm.claim_next_delivery_v2('publisher-1')").fetchone()
            assert got is not None
            conn.execute(
                "select aicrm.record_delivery(%s, %s, true, 'webhook', 'https://hooks.example.com/in')",
                (got[0]["outbox_id"], got[0]["lease_token"]),
            )
        # Its outcomes: counters (with their idempotency key) and an event on both sides.
        with act_as(conn, tenant):
            delivery = conn.execute(
                "select delivery_id from aicrm.deliveries where outbox_id = %s", (got[0]["outbox_id"],)
            ).fetchone()
            assert delivery is not None
            conn.execute(
                "select aicrm.record_delivery_metrics(%s, %s, 'world')", (delivery[0], Jsonb({"sent": 1, "opens": 1}))
            )
            event = {
                "delivery_id": str(delivery[0]),
                "event": "open",
                "recipient": "pat@example.com",
                "occurred_at": "2026-05-01T09:30:00Z",
                "provider": "test",
                "provider_event_id": "world-open",
            }
            conn.execute("select aicrm.record_delivery_events(%s)", (Jsonb([event]),))
    # The operations dashboard's summaries (the job rollup-task-stats folds the events so far), and
    # an event after it on both sides (a task the rollup has not seen).
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    conn.execute("select aicrm.rollup_task_stats()")
    # The learning loop's feedback on the reviewed drafts (process-ai-feedback) on both sides.
    conn.execute("select aicrm.process_ai_feedback()")
    for tenant, customer in customers.items():
        with act_as(conn, tenant):
            conn.execute(
                "insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel) "
                "select project_id, customer_id, 'Follow-up', 'sms', 'sms' from aicrm.projects where customer_id = %s",
                (customer,),
            )
    # An alert rule, a webhook, an alert with its history and a notice on both sides.
    for tenant in customers:
        with act_as(conn, tenant):
            rule = {"rule_key": "always", "name": "Always", "metric": "review_sla", "alert_threshold": 0}
            conn.execute("select aicrm.set_alert_rule(%s)", (Jsonb(rule),))
            conn.execute("select aicrm.set_alert_webhook(%s)", (f"https://hooks.example.com/{tenant[:8]}",))
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    conn.execute("select aicrm.evaluate_alert_rules()")
    return World(tenant_a, tenant_b, customers[tenant_a], customers[tenant_b])
