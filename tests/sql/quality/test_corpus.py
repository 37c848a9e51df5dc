"""The quality corpus (corpus.json): realistic drafts we wrote ourselves, across channels (email, SMS,
social, blog) and industries, with planted violations of every kind and clean drafts that must raise
none. Every draft runs through the real scorecard (aicrm.evaluate_content with the runner's text
metrics) and must find exactly the violations and failed structure checks the corpus expects. A clean
draft's facts that its customer's profile lacks ("7 a.m.", "$79") come from its brief
(instructions.key_points), as a task would give them: the scorecard's accuracy part grounds every
checkable claim (docs/quality.md).

A draft with "known_issue" is one the scorecard misjudges today: its expectation stays as written,
the scorecard must still give exactly the misjudgement recorded in "known_issue.actual" (anything
else fails: the SQL changed), and the test then xfails with the reason. The day the SQL is fixed
the draft meets its expectation and the test fails, asking for the known issue to be removed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import make_customer, make_tenant
from tests.helpers import act_as

CORPUS: dict[str, Any] = json.loads(Path(__file__).with_name("corpus.json").read_text(encoding="utf-8"))
CUSTOMERS: dict[str, dict[str, Any]] = CORPUS["customers"]
CONTACTS: dict[str, list[dict[str, Any]]] = CORPUS.get("contacts", {})
DRAFTS: list[dict[str, Any]] = CORPUS["drafts"]

CHANNELS = {"email", "sms", "social", "blog"}
INDUSTRIES = {
    "food_beverage",
    "health_wellness",
    "fitness",
    "home_services",
    "automotive",
    "retail",
    "professional_services",
    "real_estate",
}
# Every kind of finding the corpus must plant at least twice, in at least two industries (and, when
# the kind is not tied to one channel, in at least two channels).
COMPLIANCE_KINDS = {
    "general.guaranteed_results",
    "general.hundred_percent_guaranteed",
    "general.risk_free",
    "general.miracle",
    "general.profanity",
    "general.mild_profanity",
    "general.competitor_named",
    "general.instruction_to_evaluator",
    "privacy.contact_personal_data",
    "email_marketing.unsubscribe_missing",
    "email_marketing.postal_address_missing",
    "sms.opt_out_missing",
    "health.cure_claim",
    "health.heal_claim",
    "health.pain_free",
    "health.fda_approved",
    "health.guaranteed_health_results",
    "finance.guaranteed_returns",
    "finance.risk_free_investment",
    "finance.get_rich",
    "instructions.required_term",
    "instructions.forbidden_term",
}
STRUCTURE_KINDS = {"length", "cta", "subject", "links", "placeholders", "sms_segments", "social_limits"}
CHANNEL_BOUND = {
    "email_marketing.unsubscribe_missing",
    "email_marketing.postal_address_missing",
    "sms.opt_out_missing",
    "subject",
    "sms_segments",
    "social_limits",
}


def evaluate(conn: psycopg.Connection[Any], draft: dict[str, Any]) -> dict[str, Any]:
    """A fresh tenant with the draft's customer and its contacts, then the draft's scorecard."""
    tenant = make_tenant(conn, "Corpus Agency")
    customer: str | None = None
    if draft["customer"] is not None:
        customer = make_customer(conn, tenant, **CUSTOMERS[draft["customer"]])
        with act_as(conn, tenant):
            for contact in CONTACTS.get(draft["customer"], []):
                conn.execute("select aicrm.upsert_customer_contact(%s, %s)", (customer, Jsonb(contact)))
    with act_as(conn, tenant):
        row = conn.execute(
            "select aicrm.evaluate_content(p_content => %s, p_channel => %s, p_subject => %s, p_customer_id => %s, "
            "p_instructions => %s, p_text_metrics => %s)",
            (
                draft["content"],
                draft["channel"],
                draft["subject"],
                customer,
                Jsonb(draft.get("instructions") or {}),
                Jsonb(text_metrics(draft["content"], subject=draft["subject"])),
            ),
        ).fetchone()
    assert row is not None
    return dict(row[0])


def found_violations(card: dict[str, Any]) -> list[dict[str, Any]]:
    return list(card["details"]["compliance"]["violations"])


def failed_checks(card: dict[str, Any]) -> set[str]:
    return {c["check"] for c in card["details"]["structure"]["checks"] if not c["passed"]}


def describe(card: dict[str, Any]) -> str:
    """What came out, for a failing assertion's message."""
    violations = [
        f"{v['pack']}.{v['rule']} ({v['severity']}, {v['field']}: "
        f"{v['span']['text'] if v['span'] else v.get('term') or 'missing'})"
        for v in found_violations(card)
    ]
    checks = [f"{c['check']}: {c['detail']}" for c in card["details"]["structure"]["checks"] if not c["passed"]]
    return f"\nviolations: {violations}\nfailed checks: {checks}\n{card['summary']}"


def outcome(card: dict[str, Any], expect: dict[str, Any]) -> dict[str, Any]:
    """The scorecard in the corpus's terms, for the keys the expectation names."""
    violations = found_violations(card)
    got: dict[str, Any] = {
        "violations": sorted({f"{v['pack']}.{v['rule']}" for v in violations}),
        "failed_checks": sorted(failed_checks(card)),
    }
    if "instruction_terms" in expect:
        got["instruction_terms"] = sorted({v["term"] for v in violations if v["pack"] == "instructions"})
    if "passed" in expect:
        got["passed"] = card["passed"]
    return got


def wanted(expect: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in expect.items()}


def assert_consistent(card: dict[str, Any], draft: dict[str, Any], why: str) -> None:
    """The scorecard agrees with its own findings, whatever they are."""
    violations = found_violations(card)
    severities = [v["severity"] for v in violations]
    assert card["violations"] == {s: severities.count(s) for s in ("critical", "major", "minor")}, why
    for v in violations:
        if v["span"] is not None:
            source = draft["content"] if v["field"] == "content" else draft["subject"] or ""
            assert source[v["span"]["start"] : v["span"]["end"]] == v["span"]["text"], v
        assert any(
            f["code"] == "compliance" and f["pack"] == v["pack"] and f["rule"] == v["rule"] for f in card["fixes"]
        ), v
    structure_fixes = [f for f in card["fixes"] if f.get("dimension") == "structure"]
    assert len(structure_fixes) == len(failed_checks(card)), why
    if "critical" in severities:
        assert card["overall"] <= 40, why
        assert card["passed"] is False, why
    elif "major" in severities:
        assert card["overall"] <= 70, why
        assert card["passed"] is False, why
    if not violations and not failed_checks(card):
        assert card["compliance"] == 100, why
        assert card["structure"] == 100, why


@pytest.mark.parametrize("draft", [pytest.param(d, id=d["id"]) for d in DRAFTS])
def test_draft_is_scored_as_the_corpus_expects(db: psycopg.Connection[Any], draft: dict[str, Any]) -> None:
    card = evaluate(db, draft)
    why = describe(card)
    assert_consistent(card, draft, why)
    expect = wanted(draft["expect"])
    got = outcome(card, expect)
    known = draft.get("known_issue")
    if known is None:
        assert got == expect, why
        return
    assert got != expect, f"known issue fixed, remove known_issue from {draft['id']}{why}"
    assert got == wanted(known["actual"]), f"the scorecard changed for {draft['id']}{why}"
    pytest.xfail(known["reason"])


def detected(draft: dict[str, Any], key: str) -> set[str]:
    """What a draft plants of `key` (violations or failed_checks) that the scorecard finds today."""
    planted = set(draft["expect"][key])
    known = draft.get("known_issue")
    return planted & set(known["actual"][key]) if known else planted


def test_the_corpus_covers_every_kind_channel_and_industry() -> None:
    ids = [d["id"] for d in DRAFTS]
    assert len(ids) == len(set(ids)), "draft ids must be unique"
    assert len(DRAFTS) >= 30
    for d in DRAFTS:
        assert d["channel"] in CHANNELS, d["id"]
        assert d["industry"] in INDUSTRIES, d["id"]
        assert d["customer"] is None or CUSTOMERS[d["customer"]]["industry_category"] == d["industry"], d["id"]
        assert set(d["expect"]["violations"]) <= COMPLIANCE_KINDS | {"general.cure_all"}, d["id"]
        assert set(d["expect"]["failed_checks"]) <= STRUCTURE_KINDS | {"paragraphs"}, d["id"]
        if d.get("known_issue"):
            assert d["known_issue"]["reason"], d["id"]
            assert {"violations", "failed_checks"} <= d["known_issue"]["actual"].keys(), d["id"]
    assert {d["channel"] for d in DRAFTS} == CHANNELS
    assert {d["industry"] for d in DRAFTS} == INDUSTRIES

    # Clean drafts the scorecard judges right today (known issues not counted).
    clean = [
        d
        for d in DRAFTS
        if not d["expect"]["violations"] and not d["expect"]["failed_checks"] and not d.get("known_issue")
    ]
    assert len(clean) >= 10
    assert {d["channel"] for d in clean} == CHANNELS
    assert len({d["industry"] for d in clean}) == len(INDUSTRIES)
    assert all(d["expect"].get("passed") is True and d["customer"] is not None for d in clean)

    for kind in sorted(COMPLIANCE_KINDS | STRUCTURE_KINDS):
        planted = [d for d in DRAFTS if kind in detected(d, "violations") | detected(d, "failed_checks")]
        assert len(planted) >= 2, kind
        assert len({d["industry"] for d in planted}) >= 2, kind
        if kind not in CHANNEL_BOUND:
            assert len({d["channel"] for d in planted}) >= 2, kind

    # Drafts that try to instruct the evaluator carry a planted violation and never pass.
    injections = [d for d in DRAFTS if "injection" in d.get("tags", [])]
    assert len(injections) >= 2
    for d in injections:
        assert "ignore previous rules" in d["content"].lower(), d["id"]
        assert d["expect"]["violations"], d["id"]
        assert d["expect"]["passed"] is False, d["id"]
