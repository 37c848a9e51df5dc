"""Email as aicrm sends it over SMTP: aicrm.email_messages gives one message per recipient with every
merge tag filled (the name where a contact has one, else a neutral greeting) and a signed unsubscribe
link; aicrm.record_unsubscribe verifies the token, records the unsubscribe once (suppression,
contact consent, audit) and the next email leaves that address out with the reason; a customer's
sender identity; the webhook payload lists the merge tags its receiver fills."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import add_maria, make_contact, make_customer, make_tenant
from tests.helpers import act_as, call, sql_error
from tests.samples import MARIA, WALK_IN
from tests.tasks import claim_delivery, email_task, unsubscribe

Conn = psycopg.Connection[Any]
URL = "https://example.com/unsubscribe"
MESSAGES = "select aicrm.email_messages(%s, %s, %s, %s::text[])"
UNSUBSCRIBE = "select aicrm.record_unsubscribe(%s)"


def messages(db: Conn, got: dict[str, Any], url: str = URL, default_to: list[str] | None = None) -> Any:
    return call(db, got["tenant_id"], MESSAGES, (got["outbox_id"], got["lease_token"], url, default_to))


def refused_unsubscribe(db: Conn, token: Any, tenant: str | None = None) -> tuple[Any, ...]:
    with act_as(db, tenant):
        err = sql_error(db, UNSUBSCRIBE, (token,))
    return err.diag.sqlstate, err.diag.column_name


def token_of(link: str) -> str:
    assert link.startswith(URL + "?token=")
    return link.removeprefix(URL + "?token=")


def count(db: Conn, table: str) -> int:
    row = db.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def bakery_with_maria(db: Conn, bakery: tuple[str, str]) -> tuple[str, str]:
    """Agency A with the bakery, whose owner Maria is a contact who opted in to email."""
    add_maria(db, *bakery)
    return bakery


def test_each_recipient_gets_its_own_message_with_every_tag_filled(
    db: Conn, bakery_with_maria: tuple[str, str]
) -> None:
    tenant, customer = bakery_with_maria
    email_task(db, tenant, customer, [MARIA.upper(), WALK_IN, MARIA])  # Maria twice: once
    got = claim_delivery(db)
    prepared = messages(db, got)
    assert (prepared["from"], prepared["skipped"], prepared["content_format"]) == (None, [], "text")
    maria, walk_in = prepared["messages"]
    assert (maria["to"], maria["name"], walk_in["to"], walk_in["name"]) == (
        MARIA.upper(),
        "Maria Delgado",
        WALK_IN,
        None,
    )
    assert maria["subject"] == "Maria, autumn is here"
    assert maria["content"].startswith("Hi Maria,\n")
    assert walk_in["subject"] == "Autumn is here"  # no name, no hole and no tag
    assert walk_in["content"].startswith("Hello,\n")
    for one in (maria, walk_in):
        assert "{{" not in one["subject"] + one["content"]
        assert one["content"].endswith("Unsubscribe: " + one["unsubscribe_url"])
    assert token_of(maria["unsubscribe_url"]) != token_of(walk_in["unsubscribe_url"])  # per recipient
    # The same recipient always gets the same link (an old email's link keeps working).
    assert messages(db, got)["messages"][0]["unsubscribe_url"] == maria["unsubscribe_url"]
    # A base URL with a query of its own gets the token as one more parameter.
    assert messages(db, got, URL + "?list=news")["messages"][0]["unsubscribe_url"].startswith(URL + "?list=news&token=")


@pytest.mark.parametrize(
    ("text", "values", "html", "filled"),
    [
        ("Dear {{first_name}} {{last_name}},", {}, False, "Hello,"),
        ("Welcome to Sunrise Bakery, {{ First_Name }}", {}, False, "Welcome to Sunrise Bakery"),
        ("Intro\n{{first_name}}, here's what to order", {}, False, "Intro\nHere's what to order"),
        ("<p>{{first_name}}, look</p>", {}, True, "<p>Look</p>"),
        ("Thanks {{first_name}} for joining", {}, False, "Thanks for joining"),
        ("Hi {{first_name}} {{last_name}}", {"first_name": "Tom"}, False, "Hi Tom"),
        ("Hi {{first_name}}", {"first_name": "Tom & <Jerry> \\1"}, True, "Hi Tom &amp; &lt;Jerry&gt; \\1"),
        ('<a href="{{unsubscribe_url}}">x</a>', {"unsubscribe_url": URL + "?a=1&token=t"}, True,
         '<a href="' + URL + '?a=1&amp;token=t">x</a>'),
        ("Sent to {{email}}. {{view_in_browser_url}}", {"email": "a@b.example"}, False, "Sent to a@b.example. "),
        ("Manage: {{preferences_url}} {{unsubscribe}}", {"preferences_url": "P", "unsubscribe": "U"}, False,
         "Manage: P U"),
        ("{{business_name}} stays", {}, False, "{{business_name}} stays"),  # not a merge tag: not ours to fill
    ],
)  # fmt: skip
def test_fill_merge_tags(db: Conn, text: str, values: dict[str, Any], html: bool, filled: str) -> None:
    row = db.execute("select aicrm_private.fill_merge_tags(%s, %s, %s)", (text, Jsonb(values), html)).fetchone()
    assert row is not None
    assert row[0] == filled


def test_an_unsubscribe_is_verified_recorded_once_and_audited(db: Conn, bakery_with_maria: tuple[str, str]) -> None:
    tenant, customer = bakery_with_maria
    email_task(db, tenant, customer, [MARIA, WALK_IN])
    maria, walk_in = messages(db, claim_delivery(db))["messages"]
    audit_before = count(db, "aicrm.audit_log")

    first = unsubscribe(db, token_of(maria["unsubscribe_url"]))  # as the page would: aicrm_app, no tenant
    assert (first["recorded"], first["email"], first["customer_name"], first["contacts_updated"]) == (
        True, MARIA, "Sunrise Bakery", 1,
    )  # fmt: skip
    contact = db.execute(
        "select email_opt_in, consent_source, consent_updated_at is not null from aicrm.customer_contacts"
        " where email = %s",
        (MARIA,),
    ).fetchone()
    assert contact == (False, "unsubscribe link", True)
    assert db.execute("select customer_id::text, email, reason from aicrm.email_suppressions").fetchall() == [
        (customer, MARIA, "unsubscribed")
    ]
    audited = db.execute(
        "select table_name, operation, actor_role from aicrm.audit_log order by audit_id desc limit 2"
    ).fetchall()
    assert sorted(audited) == [
        ("customer_contacts", "update", "aicrm_app"),
        ("email_suppressions", "insert", "aicrm_app"),
    ]
    audit_after = count(db, "aicrm.audit_log")
    assert audit_after == audit_before + 2

    again = unsubscribe(db, token_of(maria["unsubscribe_url"]))  # idempotent: nothing new
    assert (again["recorded"], again["unsubscribed_at"], again["contacts_updated"]) == (
        False, first["unsubscribed_at"], 0,
    )  # fmt: skip
    assert count(db, "aicrm.email_suppressions") == 1
    assert count(db, "aicrm.audit_log") == audit_after

    # An address that is no contact is suppressed all the same.
    assert unsubscribe(db, token_of(walk_in["unsubscribe_url"]))["recorded"] is True
    assert count(db, "aicrm.email_suppressions") == 2
    assert db.execute("select current_setting('aicrm.tenant_id', true)").fetchone() == ("",)  # restored


def test_a_forged_or_altered_token_is_refused_and_records_nothing(db: Conn, bakery_with_maria: tuple[str, str]) -> None:
    tenant, customer = bakery_with_maria
    email_task(db, tenant, customer, [MARIA])
    token = token_of(messages(db, claim_delivery(db))["messages"][0]["unsubscribe_url"])
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    other_address = token[:-50] + token[-49:]  # a byte of the MAC gone
    for bad in (flipped, other_address, token[:-1], token + "A", "not a token", "", None, "x" * 5000):
        assert refused_unsubscribe(db, bad) == ("AC001", "token"), bad
    # Another deployment's (or a rotated) key: the same payload does not verify.
    db.execute("update aicrm_private.unsubscribe_keys set secret = decode(repeat('ab', 64), 'hex')")
    assert refused_unsubscribe(db, token) == ("AC001", "token")
    assert count(db, "aicrm.email_suppressions") == 0
    assert db.execute("select bool_and(email_opt_in) from aicrm.customer_contacts").fetchone() == (True,)


def test_the_next_email_leaves_out_who_unsubscribed_and_who_never_consented(
    db: Conn, bakery_with_maria: tuple[str, str]
) -> None:
    tenant, customer = bakery_with_maria
    make_contact(db, tenant, customer, first_name="Tom", email="tom@sunrisebakery.example.com", email_opt_in=False)
    email_task(db, tenant, customer, [MARIA, WALK_IN])
    first = messages(db, claim_delivery(db))
    unsubscribe(db, token_of(first["messages"][0]["unsubscribe_url"]))

    email_task(db, tenant, customer, [MARIA, "tom@sunrisebakery.example.com", WALK_IN])
    second = messages(db, claim_delivery(db))
    assert [m["to"] for m in second["messages"]] == [WALK_IN]
    assert [(s["to"], s["reason"]) for s in second["skipped"]] == [
        (MARIA, "unsubscribed"),
        ("tom@sunrisebakery.example.com", "no_consent"),
    ]
    assert second["skipped"][0]["since"] is not None
    # Per customer: the same address is not unsubscribed from another customer of the agency.
    dental = make_customer(
        db, tenant, name="Bright Smile Dental", industry_category="health_wellness", industry_subcategory="dental"
    )
    email_task(db, tenant, dental, [MARIA])
    assert [m["to"] for m in messages(db, claim_delivery(db))["messages"]] == [MARIA]


def test_email_messages_is_fenced_and_refuses_bad_input(db: Conn, bakery_with_maria: tuple[str, str]) -> None:
    tenant, customer = bakery_with_maria
    email_task(db, tenant, customer)  # no recipients of its own: the publisher's default ones
    got = claim_delivery(db)
    default = messages(db, got, default_to=["desk@agency.example", "Desk@agency.example"])
    assert [m["to"] for m in default["messages"]] == ["desk@agency.example"]
    assert messages(db, got)["messages"] == []  # nobody at all: the publisher records why

    def refused(params: tuple[Any, ...], tenant_id: str = tenant) -> tuple[Any, ...]:
        with act_as(db, tenant_id, "aicrm_worker"):
            err = sql_error(db, MESSAGES, params)
        return err.diag.sqlstate, err.diag.column_name

    ok = (got["outbox_id"], got["lease_token"], URL, None)
    assert refused((*ok[:2], "ftp://example.com/u", None)) == ("AC001", "unsubscribe_url")
    assert refused((*ok[:2], "https://example.com/u#x", None)) == ("AC001", "unsubscribe_url")
    assert refused((*ok[:2], None, None)) == ("AC001", "unsubscribe_url")
    assert refused((*ok[:3], ["desk@agency.example", "not an address"])) == ("AC001", "default_to")
    assert refused((got["outbox_id"], "00000000-0000-4000-8000-000000000000", URL, None)) == ("AC005", "lease_token")
    other = make_tenant(db, "Agency B")
    assert refused(ok, other) == ("AC002", "outbox_id")
    with act_as(db, tenant, "aicrm_app"):  # the publisher's function only
        assert sql_error(db, MESSAGES, ok).sqlstate == "42501"


def test_a_customer_sends_from_its_own_identity(db: Conn, bakery_with_maria: tuple[str, str]) -> None:
    tenant, customer = bakery_with_maria
    version = db.execute("select context_version from aicrm.customers where customer_id = %s", (customer,)).fetchone()
    sender = "select aicrm.set_email_sender(%s, %s, %s)"
    with act_as(db, tenant):
        set_ = db.execute(sender, (customer, "hello@sunrisebakery.example.com", "Sunrise Bakery Team")).fetchone()
        assert set_ is not None
        assert set_[0]["from_name"] == "Sunrise Bakery Team"
        for args, field in (
            (("not an address", None), "from_address"),
            (("a@b.example", "Line\nbreak"), "from_name"),
            (("a@b.example", "x" * 101), "from_name"),
            ((None, "A name alone"), "from_address"),
        ):
            err = sql_error(db, sender, (customer, *args))
            assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", field), args
    email_task(db, tenant, customer, [MARIA])
    got = claim_delivery(db)
    assert messages(db, got)["from"] == {"name": "Sunrise Bakery Team", "address": "hello@sunrisebakery.example.com"}
    with act_as(db, tenant):
        db.execute(sender, (customer, "news@sunrisebakery.example.com", None))
    assert messages(db, got)["from"] == {"name": "Sunrise Bakery", "address": "news@sunrisebakery.example.com"}
    with act_as(db, tenant):
        db.execute(sender, (customer, None, None))
    assert messages(db, got)["from"] is None  # back to the publisher's address
    after = db.execute("select context_version from aicrm.customers where customer_id = %s", (customer,)).fetchone()
    assert after == version  # not business context: no new version


def test_the_webhook_payload_lists_the_merge_tags_its_receiver_fills(
    db: Conn, bakery_with_maria: tuple[str, str]
) -> None:
    tenant, customer = bakery_with_maria
    task = email_task(db, tenant, customer, [MARIA])
    row = db.execute("select payload -> 'merge_tags' from aicrm.outbox where task_id = %s", (task,)).fetchone()
    assert row == (["first_name", "unsubscribe_url"],)


def test_tokens_are_signed_with_hmac_sha256(db: Conn) -> None:
    """RFC 4231's test cases 2 and 6 (a key longer than the block is hashed first)."""
    for key, data, mac in (
        ("4a656665", b"what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("aa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ):  # fmt: skip
        row = db.execute(
            "select encode(aicrm_private.hmac_sha256(decode(%s, 'hex'), %s), 'hex')", (key, data)
        ).fetchone()
        assert row == (mac,)
