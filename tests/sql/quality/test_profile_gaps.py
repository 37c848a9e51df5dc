"""A part only the customer's profile can supply (the postal address's street, contact details)
missing from a draft is a profile gap: its finding says no rewrite can fix it and which field to
fill, and the default rules ask a person for it on the first attempt, with no retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tests.factories import make_customer, make_tenant
from tests.samples import BAKERY, FOOTER, GOOD_EMAIL
from tests.tasks import record_evaluation, task_row, to_evaluating

Conn = psycopg.Connection[Any]
NO_ADDRESS = GOOD_EMAIL.replace(FOOTER, "\n\nUnsubscribe: {{unsubscribe_url}}")  # no street anywhere
MIGRATION = Path(__file__).resolve().parents[3] / "sql" / "migrations" / "0025_profile_gap_rule.sql"
RULE = "Send a profile gap to a person"


def decide(db: Conn, profile: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An email draft without a postal address for a bakery with `profile`, recorded: (decision,
    the stored scorecard, the task)."""
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **profile)
    task, token, draft = to_evaluating(db, tenant, customer, NO_ADDRESS)
    decision = record_evaluation(db, tenant, draft, NO_ADDRESS, token)
    row = db.execute("select content_quality from aicrm.project_deliverables where deliverable_id = %s", (draft,))
    card = row.fetchone()
    assert card is not None
    return decision, card[0], task_row(db, task)


def test_a_missing_postal_address_the_profile_lacks_goes_to_a_person_at_once(db: Conn) -> None:
    profile = {k: v for k, v in BAKERY.items() if k != "address"}
    decision, card, task = decide(db, profile)
    assert card["profile_gaps"] == ["address.street"]
    gap = [v for v in card["details"]["compliance"]["violations"] if v.get("profile_gap")]
    assert [(v["fixable"], v["profile_gap"]) for v in gap] == [(False, "address.street")]
    assert "street address (address.street)" in gap[0]["fix"]
    assert decision["decision"]["action"] == {"type": "request_input", "params": {"reason": "profile_gap",
                                                                               "role": "human"}}  # fmt: skip
    assert decision["decision"]["rule"]["name"] == RULE
    assert "the customer's profile has no address.street" in decision["decision"]["explanation"]
    # the account manager is asked for it (tests/sql/agents/test_input_required.py follows it through)
    assert task["execution_state"] == "input_required"
    assert task["attempts"] == 1  # no retry was spent on it


def test_a_missing_postal_address_the_profile_has_is_added_by_aicrm(db: Conn) -> None:
    """Not the writer's to fix any more: submit_draft assembles the draft (docs/pipeline.md, "Assembly")."""
    decision, card, task = decide(db, BAKERY)
    assert card["profile_gaps"] == []
    assert card["details"]["compliance"]["elements"]["postal_address"] is True
    assert not [v for v in card["details"]["compliance"]["violations"] if v["rule"] == "postal_address_missing"]
    assert decision["decision"]["action"]["type"] != "escalate"
    assert task["execution_state"] != "escalated"


def test_the_migration_gives_existing_tenants_the_rule_and_keeps_their_own(db: Conn) -> None:
    kept, missing = make_tenant(db, "Kept"), make_tenant(db, "Missing")
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (kept,))
    db.execute("update aicrm.ai_decision_rules set priority = 42 where tenant_id = %s and name = %s", (kept, RULE))
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (missing,))
    db.execute("delete from aicrm.ai_decision_rules where tenant_id = %s and name = %s", (missing, RULE))
    db.execute(MIGRATION.read_text())
    rows = db.execute(
        "select tenant_id::text, priority from aicrm.ai_decision_rules where name = %s order by priority", (RULE,)
    ).fetchall()
    assert rows == [(missing, 5), (kept, 42)]
