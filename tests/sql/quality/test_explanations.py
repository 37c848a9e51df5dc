"""Why a draft fails, in words (issue 12, point 10): the scorecard's failures name each failed
criterion with its value, the summary's verdict names them instead of an overall score that
passed, and the decision's explanation names them too, with what kept the rules from retrying or
approving when none matched."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import act_as, call
from tests.samples import FOOTER, GOOD_EMAIL
from tests.tasks import claim_task, evaluate_content, record_evaluation, start_generating, submit_draft

Conn = psycopg.Connection[Any]
HARD_TO_READ = {"success_criteria": {"readability_score_min": 90}}  # GOOD_EMAIL reads at about 60
NO_ADDRESS = GOOD_EMAIL.replace("Sunrise Bakery, 12 Baker Street, Portland, OR 97201\n", "")


def scorecard(db: Conn, tenant: str, customer: str, content: str, instructions: dict[str, Any]) -> dict[str, Any]:
    return evaluate_content(db, tenant, content, customer=customer, instructions=instructions)


def explain(db: Conn, tenant: str, context: dict[str, Any]) -> str:
    with act_as(db, tenant):
        row = db.execute("select aicrm.evaluate_decision(%s) ->> 'explanation'", (Jsonb(context),)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_passing_draft_has_no_failures(db: Conn, bakery: tuple[str, str]) -> None:
    card = scorecard(db, *bakery, GOOD_EMAIL, {})
    assert (card["passed"], card["failures"]) == (True, [])
    assert "passes" in card["summary"]


def test_a_criterion_that_fails_under_a_passing_overall_is_named(db: Conn, bakery: tuple[str, str]) -> None:
    card = scorecard(db, *bakery, GOOD_EMAIL, HARD_TO_READ)
    fre = card["details"]["readability"]["flesch_reading_ease"]
    assert card["overall"] >= card["threshold"]
    assert card["passed"] is False
    [failure] = card["failures"]
    assert "reading ease" in failure
    assert str(fre) in failure
    assert "90" in failure
    # The verdict is not "fails (threshold 75 ...)" beside a score above 75: it names the criterion.
    assert "fails (threshold" not in card["summary"]
    assert failure in card["summary"]


def test_every_kind_of_criterion_is_named_with_its_value(db: Conn, bakery: tuple[str, str]) -> None:
    card = scorecard(
        db, *bakery, GOOD_EMAIL, {"success_criteria": {"grade_level_max": 2, "sentiment_target": "negative"}}
    )
    grade = card["details"]["readability"]["flesch_kincaid_grade"]
    grade_level, sentiment = card["failures"]
    assert "grade level" in grade_level
    assert str(grade) in grade_level
    assert "2" in grade_level
    assert "positive" in sentiment
    assert "negative" in sentiment

    # An overall capped by a finding (70 for a major one) is not named beside it: the finding says why.
    card = scorecard(db, *bakery, NO_ADDRESS, {})
    [finding] = card["failures"]
    assert card["overall"] == 70
    assert next(c for c in card["criteria"] if c["criterion"] == "overall_min")["passed"] is False
    assert finding.startswith("compliance:")
    assert "postal address" in finding
    assert "(major)" in finding

    short = "Hi {{name}}, our bread is here. Book a table." + FOOTER
    card = scorecard(db, *bakery, short, {"output_length": {"min_words": 80, "max_words": 200}})
    structure = [f for f in card["failures"] if f.startswith("structure:")]
    assert any("{{name}}" in f for f in structure)
    assert any("80-200 words" in f for f in structure)
    assert not any("  " in f for f in structure)  # no empty slot ("at most  characters")


def test_the_engine_says_what_kept_it_from_deciding(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, _ = bakery
    fails = "readability 41.2 is below the task's minimum 60"
    text = explain(
        db,
        tenant,
        {
            "quality": {"overall": 93.6, "confidence": 0.9, "passed": False, "failures": [fails]},
            "task": {"attempts": 3},
        },
    )
    assert text.startswith("Sent to review: none of")
    assert fails in text
    assert "max_attempts 3" in text
    text = explain(db, tenant, {"quality": {"overall": 93.6, "confidence": 0.5}, "task": {"attempts": 1}})
    assert "confidence 0.5" in text
    assert "approve_min_confidence 0.7" in text
    assert "no quality score" in explain(db, tenant, {"task": {"attempts": 1}})
    # A rule that decides names the failures too.
    text = explain(
        db,
        tenant,
        {
            "quality": {"overall": 70, "confidence": 0.9, "passed": False, "failures": ["overall 70 is below 75"]},
            "task": {"attempts": 1},
        },
    )
    assert text.startswith("Sent back for a rewrite (quality below threshold): overall 70 is below 75.")
    assert text.endswith("Rule 'Retry below the quality threshold' (v1, retry, priority 20).")


def test_the_pipelines_decision_names_the_failing_criterion(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        db.execute("select aicrm.set_decision_setting('max_attempts', '2')")
        row = db.execute(
            "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'email', p_ai_instructions => %s,"
            " p_quality_thresholds => %s)",
            (customer, Jsonb(HARD_TO_READ), Jsonb({"readability_min": 60})),
        ).fetchone()
    assert row is not None
    task = str(row[0]["task_id"])
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    for attempt, action in ((1, "retry"), (2, "review")):
        draft = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
        got = record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
        card, decision = got["scorecard"], got["decision"]
        assert (card["passed"], decision["action"]["type"]) == (False, action), attempt
        readability = next(f for f in card["failures"] if f.startswith("readability "))
        assert str(card["readability"]) in readability
        assert "60" in readability
        assert readability in decision["explanation"], decision["explanation"]
        stored = call(
            db,
            tenant,
            "select success_evaluation ->> 'explanation' from aicrm.project_deliverables where deliverable_id = %s",
            (draft,),
        )
        assert stored == decision["explanation"]
    # The same draft again fails the same checks: the rewrite changed nothing, so a person looks
    # (before the attempts run out), and the explanation says so.
    assert decision["explanation"].startswith("Sent to review (rewrite changed nothing): ")
    assert decision["rule"]["name"] == "Stop retrying when a rewrite changed nothing"


def test_the_summary_lists_a_fix_once_however_often_its_finding_occurs(db: Conn, bakery: tuple[str, str]) -> None:
    repeated = GOOD_EMAIL.replace("\n\n", "\n\nGuaranteed results, every single loaf.\n\n", 3)
    card = scorecard(db, *bakery, repeated, {})
    messages = [f["message"] for f in card["fixes"]]
    assert len(messages) > len(set(messages)), messages  # one fix per occurrence, each with its span
    listed = card["summary"].split("To fix: ", 1)[1]
    for message in set(messages):
        assert listed.count(message) <= 1, card["summary"]
