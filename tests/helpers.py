"""Small factories and the act_as helper. Personas: alice and bob in tenant A, charlie in B."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

PERSONAS = {"alice": "A", "bob": "A", "charlie": "B"}


@dataclass
class World:
    tenant_a: str
    tenant_b: str
    customer_a: str
    customer_b: str

    def tenant_of(self, persona: str) -> str:
        return self.tenant_a if PERSONAS[persona] == "A" else self.tenant_b


@contextmanager
def act_as(
    conn: psycopg.Connection[Any], tenant: str | None, role: str = "aicrm_app"
) -> Iterator[psycopg.Connection[Any]]:
    """Run as `role` inside `tenant` (or no tenant) until the block ends; the test's transaction
    is never committed, so nothing leaks into other tests."""
    conn.execute(f"set local role {role}")
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant or "",))
    try:
        yield conn
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            conn.execute("reset role")
            conn.execute("select set_config('aicrm.tenant_id', '', true)")


@contextmanager
def as_postgrest(
    conn: psycopg.Connection[Any], claims: dict[str, Any], role: str = "authenticated"
) -> Iterator[psycopg.Connection[Any]]:
    """What PostgREST does per request: SET LOCAL ROLE and request.jwt.claims, no aicrm.tenant_id."""
    conn.execute(f"set local role {role}")
    conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    try:
        yield conn
    finally:
        conn.execute("reset role")
        conn.execute("select set_config('request.jwt.claims', '', true)")


def sql_error(conn: psycopg.Connection[Any], query: str, params: Any = None) -> psycopg.Error:
    """Run a statement that must fail; return the error. A savepoint keeps the test's
    transaction usable afterwards."""
    with pytest.raises(psycopg.Error) as info, conn.transaction():
        conn.execute(query, params)
    return info.value


def make_tenant(conn: psycopg.Connection[Any], name: str) -> str:
    row = conn.execute("select aicrm.create_tenant(%s)", (name,)).fetchone()
    assert row is not None
    return str(row[0])


def make_customer(conn: psycopg.Connection[Any], tenant: str, **profile: Any) -> str:
    doc = {"name": "Sunrise Bakery", "industry_category": "food_beverage", "industry_subcategory": "bakery"}
    doc.update(profile)
    with act_as(conn, tenant):
        row = conn.execute("select aicrm.upsert_business_profile(p_profile => %s)", (Jsonb(doc),)).fetchone()
    assert row is not None
    return str(row[0]["customer_id"])


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
        # Through review (the worker API's own path is tested in tests/sql/pipeline): history and a
        # review on both sides.
        conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
        for to, via in (
            ("gathering_context", "claim_next_task"),
            ("generating", "start_generating"),
            ("evaluating", "submit_draft"),
            ("awaiting_review", "record_evaluation"),
        ):
            conn.execute(
                "select aicrm_private.transition_task(%s, %s, 'tester', null, null, '{}', %s)", (task[0], to, via)
            )
        with act_as(conn, tenant):
            conn.execute("select aicrm.review_deliverable(%s, 1, 'approve', null, 'test world')", (draft[0],))
            conn.execute("insert into aicrm.ai_agents (name, agent_role) values ('Writer', 'writer')")
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
    return World(tenant_a, tenant_b, customers[tenant_a], customers[tenant_b])


def new_id() -> str:
    return str(uuid.uuid4())
