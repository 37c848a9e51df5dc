"""System-owned parts (docs/pipeline.md, "Assembly"): the unsubscribe footer and postal address of
an email, the opt-out and sender of an SMS are added by aicrm from the customer's profile when a
draft is assembled (aicrm.assemble_content; submit_draft stores the assembled draft), only where an
applicable compliance pack requires them, never twice; a part the profile cannot supply is a gap,
and the task goes to a person on the first attempt."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused
from tests.samples import BAKERY, FOOTER, GOOD_EMAIL, SUBJECT
from tests.tasks import EVALUATE, claim_task, create_task, start_generating, submit_draft, task_row

Conn = psycopg.Connection[Any]
ASSEMBLE = "select aicrm.assemble_content(%s, %s, %s, %s)"
BODY = GOOD_EMAIL.replace(FOOTER, "")  # what a writer now writes: no footer, no address
ADDRESS = "Sunrise Bakery \u00b7 12 Baker Street, Portland, OR 97201."
SMS_BODY = "Pumpkin sourdough is back this week! Order at sunrisebakery.example.com."
NO_STREET = {**BAKERY, "address": {"city": "Portland", "region": "OR"}}


def assemble(db: Conn, tenant: str, customer: str, content: str, channel: str = "email", fmt: str = "text") -> Any:
    return call(db, tenant, ASSEMBLE, (customer, channel, content, fmt), "aicrm_app")


def parts(result: dict[str, Any]) -> list[str]:
    return [p["part"] for p in result["added"]]


def compliance(db: Conn, tenant: str, customer: str, content: str, channel: str = "email", fmt: str = "text") -> Any:
    query = (
        "select aicrm.evaluate_content(p_content => %s, p_channel => %s, p_customer_id => %s, p_content_format => %s)"
    )
    return call(db, tenant, query, (content, channel, customer, fmt), "aicrm_app")["details"]["compliance"]


def test_an_email_gets_its_postal_address_and_unsubscribe_footer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    got = assemble(db, tenant, customer, BODY)
    assert parts(got) == ["postal_address", "unsubscribe"]
    assert got["gaps"] == []
    assert got["content"].startswith(BODY.rstrip())  # the writer's text, untouched
    footer = got["content"][len(BODY.rstrip()) :]
    assert ADDRESS in footer
    assert "{{unsubscribe_url}}" in footer  # the merge tag the publisher fills
    assert [p["text"] for p in got["added"]] == [line for line in footer.split("\n") if line]
    card = compliance(db, tenant, customer, got["content"])
    assert card["elements"]["unsubscribe"] is True
    assert card["elements"]["postal_address"] is True
    assert card["violations"] == []
    assert compliance(db, tenant, customer, BODY)["counts"]["critical"] == 1  # what assembly spares the writer


def test_assembling_twice_changes_nothing(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    once = assemble(db, tenant, customer, BODY)
    twice = assemble(db, tenant, customer, once["content"])
    assert (twice["content"], twice["added"]) == (once["content"], [])
    assert assemble(db, tenant, customer, GOOD_EMAIL) == {"content": GOOD_EMAIL, "added": [], "gaps": []}


def test_a_part_the_writer_wrote_is_not_added_again(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    only_link = BODY + "\n\nManage your preferences: {{unsubscribe_url}}"
    got = assemble(db, tenant, customer, only_link)
    assert parts(got) == ["postal_address"]
    only_address = BODY + "\n\nVisit us at 12 Baker Street, Portland."
    assert parts(assemble(db, tenant, customer, only_address)) == ["unsubscribe"]


def test_an_sms_gets_the_opt_out_and_the_sender_only_where_a_pack_requires_it(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    got = assemble(db, tenant, customer, SMS_BODY, "sms")
    assert parts(got) == ["sms_opt_out"]  # the default sms pack requires the opt-out only
    assert got["content"] == SMS_BODY + " Reply STOP to opt out."
    assert compliance(db, tenant, customer, got["content"], "sms")["violations"] == []
    # A pack requiring the sender's identification: the business's name opens the text.
    db.execute(
        "insert into aicrm.compliance_rules (pack_code, rule_code, kind, severity, element, message, fix)"
        " values ('sms', 'sender_missing', 'required_element', 'major', 'business_name', 'No sender.', 'Name it.')"
    )
    got = assemble(db, tenant, customer, SMS_BODY, "sms")
    assert sorted(parts(got)) == ["business_name", "sms_opt_out"]
    assert got["content"] == "Sunrise Bakery: " + SMS_BODY + " Reply STOP to opt out."
    named = "Sunrise Bakery bakes pumpkin sourdough this week. Reply STOP to opt out."
    assert assemble(db, tenant, customer, named, "sms")["added"] == []


def test_an_sms_the_parts_overflow_keeps_the_writers_text_whole(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    long_text = ("Pumpkin sourdough, maple croissants and cinnamon rolls are back at the counter. " * 2).strip()
    got = assemble(db, tenant, customer, long_text, "sms")
    assert got["content"] == long_text + " Reply STOP to opt out."
    assert len(got["content"]) > 160  # the length check says so; a rewrite can shorten the writer's part


def test_html_gets_a_paragraph_before_the_body_ends_and_markdown_a_footer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    html = "<html><body><p>Our pumpkin sourdough is back. Order ahead online.</p></body></html>"
    got = assemble(db, tenant, customer, html, fmt="html")
    tail = got["content"].split("</p>", 1)[1]
    assert tail.startswith("<p>Sunrise Bakery")
    assert '<a href="{{unsubscribe_url}}">' in tail
    assert tail.rstrip().endswith("</body></html>")
    assert compliance(db, tenant, customer, got["content"], fmt="html")["violations"] == []
    assert assemble(db, tenant, customer, got["content"], fmt="html")["added"] == []
    bare = assemble(db, tenant, customer, "<p>Our pumpkin sourdough is back.</p>", fmt="html")["content"]
    assert bare.endswith("</p>")
    assert bare.count("<p>") == 2
    markdown = assemble(db, tenant, customer, "# Pumpkin sourdough\n\nIt is back.", fmt="markdown")
    assert "\n\n---\n\n" in markdown["content"]
    assert "[Unsubscribe or manage your preferences]({{unsubscribe_url}})" in markdown["content"]
    assert assemble(db, tenant, customer, markdown["content"], fmt="markdown")["added"] == []


def test_a_name_is_escaped_in_html(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **{**BAKERY, "name": "Crumb & <Co>"})
    got = assemble(db, tenant, customer, "<p>Fresh bread.</p>", fmt="html")
    assert "Crumb &amp; &lt;Co&gt;" in got["content"]


def test_a_profile_without_a_street_is_a_gap_not_an_invented_address(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **NO_STREET)
    got = assemble(db, tenant, customer, BODY)
    assert parts(got) == ["unsubscribe"]
    assert got["gaps"] == [{"part": "postal_address", "field": "address.street"}]
    assert "Portland" not in got["content"][len(BODY) :]


def test_only_the_packs_that_apply(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    assert assemble(db, tenant, customer, BODY, "blog")["added"] == []  # no pack requires a part on a blog
    with act_as(db, tenant):
        db.execute("insert into aicrm.tenant_compliance_packs (pack_code, enabled) values ('email_marketing', false)")
    assert assemble(db, tenant, customer, BODY) == {"content": BODY, "added": [], "gaps": []}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((None, "email", BODY, "text"), "customer_id"),
        (("{c}", "email", "  ", "text"), "content"),
        (("{c}", "fax", BODY, "text"), "channel"),
        (("{c}", "email", BODY, "pdf"), "content_format"),
        (("{c}", "email", BODY, None), "content_format"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    db: Conn, bakery: tuple[str, str], args: tuple[Any, ...], field: str
) -> None:
    tenant, customer = bakery
    params = tuple(customer if a == "{c}" else a for a in args)
    assert refused(db, tenant, ASSEMBLE, params, "aicrm_app") == ("AC001", field)


def test_another_tenants_customer_is_not_found(db: Conn, bakery: tuple[str, str]) -> None:
    _, customer = bakery
    other = make_tenant(db, "Other")
    assert refused(db, other, ASSEMBLE, (customer, "email", BODY, "text"), "aicrm_app") == ("AC002", "customer_id")


# --- submit_draft stores the assembled draft ------------------------------------------------------------


def drafting(db: Conn, tenant: str, customer: str) -> tuple[str, str]:
    task = create_task(db, tenant, customer)
    token = claim_task(db, tenant=tenant)["lease_token"]
    start_generating(db, tenant, task, token)
    return task, token


def test_submit_draft_stores_and_returns_the_assembled_draft(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token = drafting(db, tenant, customer)
    got = submit_draft(db, tenant, task, token, BODY, key="k-1")
    expected = assemble(db, tenant, customer, BODY)
    assert got["content"] == expected["content"]
    assert got["system_parts"] == expected["added"]
    row = db.execute(
        "select content, provenance from aicrm.project_deliverables where deliverable_id = %s", (got["deliverable_id"],)
    ).fetchone()
    assert row is not None
    assert row[0] == expected["content"]
    assert row[1]["system_parts"] == expected["added"]
    assert row[1]["model"] == "gpt-4o-mini"  # the worker's meta kept
    # The same key and the writer's same text: the same row, answered again.
    assert submit_draft(db, tenant, task, token, BODY, key="k-1") == {**got, "created": False}
    assert refused(db, tenant, "select aicrm.submit_draft(%s, %s, %s, %s, 'text', '{}', 'k-1')",
                   (task, token, BODY + " More.", SUBJECT)) == ("AC005", "idempotency_key")  # fmt: skip


def evaluated(db: Conn, tenant: str, customer: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A writer's email with no footer and no address, submitted and evaluated with the runner's
    metrics of what was stored: (decision, stored scorecard, task)."""
    task, token = drafting(db, tenant, customer)
    stored = submit_draft(db, tenant, task, token, BODY)
    metrics = Jsonb(text_metrics(stored["content"], subject=SUBJECT))
    got = call(db, tenant, EVALUATE, (stored["deliverable_id"], metrics, token))
    card = db.execute(
        "select content_quality from aicrm.project_deliverables where deliverable_id = %s", (stored["deliverable_id"],)
    ).fetchone()
    assert card is not None
    return got["decision"], card[0], task_row(db, task)


def test_an_email_for_a_profile_without_a_street_goes_to_a_person_at_once(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    decision, card, task = evaluated(db, tenant, make_customer(db, tenant, **NO_STREET))
    assert decision["action"]["type"] == "request_input"  # the account manager is asked for it
    assert decision["action"]["params"]["reason"] == "profile_gap"
    assert card["profile_gaps"] == ["address.street"]
    assert (task["execution_state"], task["attempts"]) == ("input_required", 1)


def test_an_email_for_a_full_profile_is_not_escalated_for_a_footer_the_writer_left_out(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    decision, card, task = evaluated(db, tenant, customer)
    assert card["details"]["compliance"]["violations"] == []
    assert card["profile_gaps"] == []
    assert decision["action"]["type"] == "approve"
    assert task["execution_state"] == "approved"
