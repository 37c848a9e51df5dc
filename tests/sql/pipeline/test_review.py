"""Human review: review_queue (what waits, escalated tasks first, then the most urgent, with the
reason), review_deliverable and review_task bound to the exact version read (approve, approve with
an edit kept with its word diff and scored, critical or major findings confirmed, reject, cancel,
request changes that reach the next writer), the batch form (all or nothing), and who may do it."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import add_maria, make_tenant
from tests.helpers import act_as, call, refused, sql_error
from tests.samples import ERROR, GOOD_EMAIL, LEAKS_CONTACT, LONG_SMS, SMS, SMS_INSTRUCTIONS, SUBJECT
from tests.tasks import (
    REVIEW,
    claim_task,
    create_task,
    in_review,
    last_transition,
    record_evaluation,
    review,
    task_row,
    task_state,
    to_evaluating,
)

Conn = psycopg.Connection[Any]


def review_refused(db: Conn, tenant: str, draft: str, version: int, decision: str, **kw: Any) -> tuple[Any, ...]:
    """review_deliverable (tasks.review) refused: (SQLSTATE, the column it names)."""
    return refused(db, tenant, REVIEW, (draft, version, decision, kw.get("edited"), kw.get("reason")), "aicrm_app")


def counts(db: Conn) -> tuple[Any, ...]:
    row = db.execute(
        "select (select count(*) from aicrm.deliverable_reviews), (select count(*) from aicrm.project_deliverables),"
        " (select count(*) from aicrm.task_state_transitions)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_the_queue_lists_what_waits_most_urgent_first(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    low, _ = in_review(db, tenant, customer, priority=4)
    urgent, urgent_draft = in_review(db, tenant, customer, priority=1)
    older, _ = in_review(db, tenant, customer, priority=4)
    other = make_tenant(db, "Agency B")
    with act_as(db, tenant):
        rows = db.execute(
            "select task_id::text, deliverable_id::text, version, customer_name from aicrm.review_queue"
        ).fetchall()
    assert [r[0] for r in rows] == [urgent, low, older]
    assert rows[0][1:] == (urgent_draft, 1, "Sunrise Bakery")
    with act_as(db, other):
        assert db.execute("select count(*) from aicrm.review_queue").fetchone() == (0,)
    review(db, tenant, urgent_draft, 1, "approve")
    with act_as(db, tenant):
        assert db.execute("select count(*) from aicrm.review_queue").fetchone() == (2,)


def test_approve_as_is_or_with_an_edit_kept_for_learning(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    got = review(db, tenant, draft, 1, "approve")
    assert (got["execution_state"], got["approved_deliverable_id"], got["edit_diff"]) == ("approved", draft, None)
    assert task_state(db, task) == "approved"

    task, draft = in_review(db, tenant, customer)
    edited = GOOD_EMAIL.replace("skip the morning line", "skip the queue").replace(
        "Bring a friend", "Bring two friends"
    )
    got = review(db, tenant, draft, 1, "approve", edited=edited, reason="tighter")
    assert got["execution_state"] == "approved"
    row = db.execute(
        "select version, content, created_by, provenance from aicrm.project_deliverables where deliverable_id = %s",
        (got["approved_deliverable_id"],),
    ).fetchone()
    assert row == (2, edited, "ana@agency", {"edited_from_version": 1, "editor": "ana@agency"})
    assert got["edit_diff"]["removed"] == {"line": 1, "morning": 1, "a": 1, "friend": 1}
    assert got["edit_diff"]["added"] == {"queue": 1, "friends": 1, "two": 1}
    stored = db.execute(
        "select reviewer, decision, version, edited, edit_diff from aicrm.deliverable_reviews where task_id = %s",
        (task,),
    ).fetchone()
    assert stored == ("ana@agency", "approve", 1, True, got["edit_diff"])
    assert db.execute(
        "select actor, reason from aicrm.task_state_transitions where task_id = %s order by transition_id desc limit 1",
        (task,),
    ).fetchone() == ("ana@agency", "tighter")


def test_a_stale_version_or_a_task_not_in_review_is_refused(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    before = counts(db)
    assert review_refused(db, tenant, draft, 2, "approve") == ("AC005", "version")
    review(db, tenant, draft, 1, "approve")
    assert review_refused(db, tenant, draft, 1, "approve") == ("AC005", "execution_state")
    assert review_refused(db, tenant, draft, 1, "maybe") == ("AC001", "decision")
    assert review_refused(db, tenant, draft, 1, "reject") == ("AC001", "reason")
    assert review_refused(db, tenant, draft, 1, "reject", edited="x", reason="no") == ("AC001", "edited_content")
    assert counts(db)[0] == before[0] + 1  # only the one approval
    assert task_state(db, task) == "approved"


def test_reject_and_request_changes_reach_the_next_writer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    assert review(db, tenant, draft, 1, "reject", reason="off brand")["execution_state"] == "rejected"
    assert task_state(db, task) == "rejected"

    task, draft = in_review(db, tenant, customer)
    got = review(db, tenant, draft, 1, "request_changes", reason="Mention the Saturday market stall.")
    assert got["execution_state"] == "queued"
    claimed = claim_task(db, "worker-2")
    assert claimed["task_id"] == task
    assert claimed["last_draft"]["version"] == 1
    assert claimed["last_draft"]["fixes"][0] == {
        "code": "reviewer_request",
        "dimension": "review",
        "severity": "major",
        "message": "Mention the Saturday market stall.",
        "reviewer": "ana@agency",
    }


def test_a_batch_is_all_or_nothing_and_names_the_item(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    first_task, first = in_review(db, tenant, customer)
    second_task, second = in_review(db, tenant, customer)
    batch = [
        {"deliverable_id": first, "version": 1, "decision": "approve"},
        {"deliverable_id": second, "version": 7, "decision": "approve"},
    ]
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "reviews[1].version")
    assert (task_state(db, first_task), task_state(db, second_task)) == ("awaiting_review", "awaiting_review")
    batch[1]["version"] = 1
    with act_as(db, tenant):
        row = db.execute("select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),)).fetchone()
    assert row is not None
    assert [r["execution_state"] for r in row[0]] == ["approved", "approved"]


def test_only_people_of_the_tenant_review(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    other = make_tenant(db, "Agency B")
    assert review_refused(db, other, draft, 1, "approve") == ("AC002", "deliverable_id")
    with act_as(db, tenant, "aicrm_worker"):
        assert sql_error(db, REVIEW, (draft, 1, "approve", None, None)).sqlstate == "42501"
    with act_as(db, tenant):
        err = sql_error(
            db,
            "insert into aicrm.deliverable_reviews (task_id, deliverable_id, version, reviewer, decision)"
            " values (%s, %s, 1, 'me', 'approve')",
            (task, draft),
        )
        assert err.sqlstate == "42501"
    assert task_state(db, task) == "awaiting_review"


# Escalations (issue 12, point 6) and scored edits (point 7).
REVIEW_TASK = (
    "select aicrm.review_task(p_task_id => %s, p_version => %s, p_decision => %s, p_edited_content => %s,"
    " p_reason => %s, p_reviewer => 'ana@agency', p_text_metrics => %s, p_confirm_findings => %s,"
    " p_edited_subject => %s)"
)


def params_of(task: str, version: int | None, decision: str, kw: dict[str, Any]) -> tuple[Any, ...]:
    return (
        task,
        version,
        decision,
        kw.get("edited"),
        kw.get("reason"),
        kw.get("metrics"),
        kw.get("confirm", False),
        kw.get("subject"),
    )


def decide(db: Conn, tenant: str, task: str, version: int | None, decision: str, **kw: Any) -> dict[str, Any]:
    params = params_of(task, version, decision, kw)
    with act_as(db, tenant):
        row = db.execute(REVIEW_TASK, params).fetchone()
    assert row is not None
    return dict(row[0])


def decide_refused(db: Conn, tenant: str, task: str, version: int | None, decision: str, **kw: Any) -> Any:
    params = params_of(task, version, decision, kw)
    with act_as(db, tenant):
        return sql_error(db, REVIEW_TASK, params)


def escalated_without_draft(db: Conn, tenant: str, customer: str, priority: int = 3) -> str:
    """A task its worker gave up on before writing a draft (fail_task, not retryable)."""
    task = create_task(db, tenant, customer, priority)
    token = claim_task(db)["lease_token"]
    call(db, tenant, "select aicrm.fail_task(%s, %s, %s, false)", (task, token, Jsonb(ERROR)))
    return task


def escalated_by_the_rules(db: Conn, tenant: str, customer: str) -> tuple[str, str]:
    """A task whose draft shows a contact's email address: the rules escalate it (a critical violation)."""
    add_maria(db, tenant, customer)
    task, token, draft = to_evaluating(db, tenant, customer, LEAKS_CONTACT)
    record_evaluation(db, tenant, draft, LEAKS_CONTACT, token)
    assert task_state(db, task) == "escalated"
    return task, draft


def sms_in_review(db: Conn, tenant: str, customer: str) -> tuple[str, str]:
    """An SMS task (at most 160 characters) whose draft the rules sent to review: (task, draft)."""
    return in_review(db, tenant, customer, content=SMS, channel="sms", instructions=SMS_INSTRUCTIONS, subject=None)


def queue_rows(db: Conn, tenant: str) -> list[dict[str, Any]]:
    with act_as(db, tenant):
        cur = db.execute(
            "select task_id::text, execution_state, deliverable_id::text, version, reason, findings, error, failures"
            " from aicrm.review_queue"
        )
        assert cur.description is not None
        names = [c.name for c in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_escalated_tasks_wait_first_in_the_queue_with_their_reason(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    urgent, _ = in_review(db, tenant, customer, priority=1)
    failed = escalated_without_draft(db, tenant, customer)
    flagged, flagged_draft = escalated_by_the_rules(db, tenant, customer)
    rows = queue_rows(db, tenant)
    assert [(r["task_id"], r["execution_state"]) for r in rows] == [
        (failed, "escalated"),
        (flagged, "escalated"),
        (urgent, "awaiting_review"),
    ]
    no_draft, by_rules, in_review_row = rows
    # Failed before any draft: still listed, with the worker's error as data and in the reason.
    assert (no_draft["deliverable_id"], no_draft["version"], no_draft["findings"]) == (None, None, [])
    assert no_draft["error"] == ERROR
    assert ERROR["message"] in no_draft["reason"]
    assert no_draft["failures"] == 1
    # Escalated by a rule: the rule, and the failing check (the contact's personal data) by name.
    assert by_rules["deliverable_id"] == flagged_draft
    worst = by_rules["findings"][0]
    assert (worst["severity"], worst["dimension"]) == ("critical", "compliance")
    assert worst["check"] in by_rules["reason"]
    rule = db.execute(
        "select success_evaluation #>> '{rule,name}' from aicrm.project_deliverables where deliverable_id = %s",
        (flagged_draft,),
    ).fetchone()
    assert rule is not None
    assert rule[0] in by_rules["reason"]
    assert in_review_row["reason"]
    other = make_tenant(db, "Agency B")
    assert queue_rows(db, other) == []


def test_a_person_requeues_rejects_or_cancels_an_escalated_task(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    failed = escalated_without_draft(db, tenant, customer)
    assert decide_refused(db, tenant, failed, 1, "request_changes", reason="x").diag.column_name == "version"
    assert decide_refused(db, tenant, failed, None, "approve").diag.column_name == "edited_content"
    assert decide_refused(db, tenant, failed, None, "cancel").diag.column_name == "reason"
    got = decide(db, tenant, failed, None, "request_changes", reason="The provider is back; try again.")
    assert (got["from_state"], got["execution_state"]) == ("escalated", "queued")
    assert task_row(db, failed)["failures"] == 0  # a fresh start: not escalated again at its next failure
    got = claim_task(db, "worker-2")
    assert got["task_id"] == failed
    # No draft to improve, but the person's note reaches the writer as the first fix.
    assert got["last_draft"]["content"] is None
    assert got["last_draft"]["fixes"][0]["code"] == "reviewer_request"
    assert got["last_draft"]["fixes"][0]["message"] == "The provider is back; try again."

    flagged, _draft = escalated_by_the_rules(db, tenant, customer)
    got = decide(db, tenant, flagged, 1, "request_changes", reason="Leave out Maria's address.")
    assert got["execution_state"] == "queued"
    assert claim_task(db, "worker-3")["last_draft"]["fixes"][0]["message"] == "Leave out Maria's address."

    for decision, to in (("reject", "rejected"), ("cancel", "cancelled")):
        task = escalated_without_draft(db, tenant, customer)
        assert decide(db, tenant, task, None, decision, reason="Not needed any more.")["execution_state"] == to
        stored = db.execute(
            "select decision, from_state, deliverable_id, version, reason from aicrm.deliverable_reviews"
            " where task_id = %s",
            (task,),
        ).fetchone()
        assert stored == (decision, "escalated", None, None, "Not needed any more.")
        assert task_state(db, task) == to
    assert queue_rows(db, tenant) == []


def test_approving_an_escalated_draft_with_a_critical_finding_needs_a_confirmation(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    task, draft = escalated_by_the_rules(db, tenant, customer)
    before = counts(db)
    err = decide_refused(db, tenant, task, 1, "approve")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "confirm_findings")
    assert json.loads(err.diag.message_detail)[0]["severity"] == "critical"
    assert counts(db) == before
    assert task_state(db, task) == "escalated"
    got = decide(db, tenant, task, 1, "approve", confirm=True)
    assert (got["execution_state"], got["approved_deliverable_id"]) == ("approved", draft)
    confirmed = db.execute(
        "select confirmed_findings from aicrm.deliverable_reviews where task_id = %s", (task,)
    ).fetchone()
    assert confirmed is not None
    assert confirmed[0] == got["confirmed_findings"]
    assert confirmed[0][0]["severity"] == "critical"
    assert last_transition(db, task)[4]["confirmed_findings"] == confirmed[0]


def test_a_person_writes_the_text_of_a_task_that_has_no_draft(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = escalated_without_draft(db, tenant, customer)
    metrics = Jsonb(text_metrics(GOOD_EMAIL))
    # An email without a subject line (there is no draft to keep it from): a major finding.
    err = decide_refused(db, tenant, task, None, "approve", edited=GOOD_EMAIL, metrics=metrics)
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "confirm_findings")
    assert {f["check"] for f in json.loads(err.diag.message_detail)} == {"subject"}
    assert decide_refused(db, tenant, task, None, "approve", subject=SUBJECT).diag.column_name == "edited_subject"
    got = decide(db, tenant, task, None, "approve", edited=GOOD_EMAIL, subject=SUBJECT, metrics=metrics)
    assert (got["execution_state"], got["confirmed_findings"]) == ("approved", None)
    row = db.execute(
        "select version, subject, created_by, provenance, quality_score::float, content_quality -> 'readability'"
        " from aicrm.project_deliverables where deliverable_id = %s",
        (got["approved_deliverable_id"],),
    ).fetchone()
    editor = {"edited_from_version": None, "editor": "ana@agency"}
    assert row == (1, SUBJECT, "ana@agency", editor, got["scorecard"]["overall"], got["scorecard"]["readability"])
    assert row[5] is not None


def test_an_edited_sms_over_its_limit_is_scored_and_needs_a_confirmation(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, _draft = sms_in_review(db, tenant, customer)
    assert len(LONG_SMS) == 200
    metrics = Jsonb(text_metrics(LONG_SMS))
    before = counts(db)
    err = decide_refused(db, tenant, task, 1, "approve", edited=LONG_SMS, metrics=metrics)
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "confirm_findings")
    findings = json.loads(err.diag.message_detail)
    assert {f["check"] for f in findings} == {"length", "sms_segments"}
    assert {f["severity"] for f in findings} == {"major"}
    assert counts(db) == before
    assert task_state(db, task) == "awaiting_review"

    got = decide(db, tenant, task, 1, "approve", edited=LONG_SMS, metrics=metrics, confirm=True)
    assert got["execution_state"] == "approved"
    stored = db.execute(
        "select version, content, content_quality, quality_score, quality_passed, evaluated_at is not null"
        " from aicrm.project_deliverables where deliverable_id = %s",
        (got["approved_deliverable_id"],),
    ).fetchone()
    assert stored is not None
    version, content, card, score, passed, evaluated = stored
    assert (version, content, evaluated) == (2, LONG_SMS, True)
    assert card == got["scorecard"]
    assert card["details"]["structure"]["character_count"] == 200  # the edited text's, not the draft's
    assert card["readability"] is not None  # the runner's metrics were used
    assert (float(score), passed) == (card["overall"], card["passed"])
    reviewed = db.execute(
        "select confirmed_findings, edited from aicrm.deliverable_reviews where task_id = %s", (task,)
    ).fetchone()
    assert reviewed == (findings, True)


def test_an_edit_through_the_first_signature_is_scored_in_sql(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    _task, draft = sms_in_review(db, tenant, customer)
    # No way to confirm there: an edit with major findings is refused, naming the parameter.
    assert review_refused(db, tenant, draft, 1, "approve", edited=LONG_SMS) == ("AC001", "confirm_findings")
    shorter = SMS.replace(" is back!", " is here!")  # (still on its topic, pumpkin sourdough)
    got = review(db, tenant, draft, 1, "approve", edited=shorter)
    assert got["execution_state"] == "approved"
    card = db.execute(
        "select content_quality from aicrm.project_deliverables where deliverable_id = %s",
        (got["approved_deliverable_id"],),
    ).fetchone()
    assert card is not None
    # The SQL part of the scorecard: checks, lengths, compliance; no readability or sentiment.
    assert card[0]["details"]["structure"]["character_count"] == len(shorter)
    assert card[0]["compliance"] == 100
    assert (card[0]["readability"], card[0]["sentiment"]) == (None, None)


def test_a_batch_names_tasks_and_confirms_findings(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    failed = escalated_without_draft(db, tenant, customer)
    sms_task, sms_draft = sms_in_review(db, tenant, customer)
    batch: list[dict[str, Any]] = [
        {"task_id": failed, "version": None, "decision": "cancel", "reason": "duplicate"},
        {"deliverable_id": sms_draft, "version": 1, "decision": "approve", "edited_content": LONG_SMS},
    ]
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "reviews[1].confirm_findings")
    assert (task_state(db, failed), task_state(db, sms_task)) == ("escalated", "awaiting_review")
    batch[1]["confirm_findings"] = True
    with act_as(db, tenant):
        row = db.execute("select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),)).fetchone()
    assert row is not None
    assert [r["execution_state"] for r in row[0]] == ["cancelled", "approved"]


def test_review_task_is_for_people_of_the_tenant(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = escalated_without_draft(db, tenant, customer)
    other = make_tenant(db, "Agency B")
    err = decide_refused(db, other, task, None, "cancel", reason="not mine")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "task_id")
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, REVIEW_TASK, (task, None, "cancel", None, "x", None, False, None))
    assert err.sqlstate == "42501"
    assert task_state(db, task) == "escalated"
