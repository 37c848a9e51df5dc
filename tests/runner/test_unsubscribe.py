"""Issue 12, point 4, end to end: an email delivered over SMTP (a local SMTP server) has no literal
merge tag, comes From the customer's sender identity, and carries a working per-recipient
unsubscribe link with RFC 8058's headers; following the link (the one-click POST a mailbox provider
makes, then a click on the link in the body, at a local unsubscribe page calling
aicrm.record_unsubscribe) records the unsubscribe once; the next email to that address is not sent
to it, and its delivery says why. A publisher with SMTP and no unsubscribe URL refuses to start."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from runner.commands.unsubscribe import token_of, unsubscribe_command
from runner.config import Settings
from runner.errors import AicrmError
from runner.publisher import Publisher, PublisherOptions
from runner.transports import PublishSettings, Router
from tests.factories import add_maria, committed
from tests.fakes.receiver import Mail, SMTPServer
from tests.fakes.unsubscribe_page import UnsubscribePage
from tests.helpers import act_as
from tests.processes import query, run_aicrm
from tests.samples import MARIA, WALK_IN
from tests.tasks import email_task

SENDER = "hello@sunrisebakery.example.com"
RELAY = "relay@agency.example"


def delivery(db_url: str, task: str) -> tuple[Any, ...]:
    [row] = query(db_url, "select status, target, response from aicrm.deliveries where task_id = %s", (task,))
    return row


def sends_as_itself(conn: psycopg.Connection[Any], bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    add_maria(conn, tenant, customer)
    with act_as(conn, tenant):
        conn.execute("select aicrm.set_email_sender(%s, %s, %s)", (customer, SENDER, "Sunrise Bakery"))


@pytest.fixture
def sending_bakery(db_url: str, agency: tuple[str, str]) -> tuple[str, str]:
    """The bakery of agency A, sending as itself; its owner Maria a contact who opted in; committed."""
    committed(db_url, lambda conn: sends_as_itself(conn, agency))
    return agency


def approved_email(db_url: str, bakery: tuple[str, str], recipients: list[str]) -> str:
    return committed(db_url, lambda conn: email_task(conn, *bakery, recipients))


@pytest.fixture
def mail_world(db_url: str) -> Iterator[tuple[SMTPServer, UnsubscribePage]]:
    with SMTPServer() as smtp, UnsubscribePage(db_url) as page:
        yield smtp, page


def link_mailed_to_maria(
    db_url: str, settings: Settings, bakery: tuple[str, str], mail_world: tuple[SMTPServer, UnsubscribePage]
) -> str:
    """An email to Maria, approved and sent over SMTP: the unsubscribe link it carries (List-Unsubscribe)."""
    smtp, page = mail_world
    approved_email(db_url, bakery, [MARIA])
    publish_once(settings, smtp, page)
    return str(smtp.mails[0].message["List-Unsubscribe"]).strip("<>")


def publish_once(settings: Settings, smtp: SMTPServer, page: UnsubscribePage) -> Publisher:
    publish = PublishSettings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from=RELAY, timeout=5.0, unsubscribe_url=page.url
    )
    publisher = Publisher(settings, Router(publish), PublisherOptions(concurrency=1, lease_seconds=30, once=True))
    publisher.start()
    try:
        assert publisher.join(60)
    finally:
        publisher.stop()
        publisher.join(10)
    return publisher


def follow(link: str, one_click: bool) -> dict[str, Any]:
    """What a mailbox provider's unsubscribe button does (RFC 8058: POST List-Unsubscribe=One-Click
    to the List-Unsubscribe URI), or a recipient clicking the link (GET)."""
    request = urllib.request.Request(link, method="POST" if one_click else "GET")
    if one_click:
        request.data = b"List-Unsubscribe=One-Click"
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
        return dict(json.loads(answer.read()))


def plain(mail: Mail) -> str:
    body = mail.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_an_email_has_its_tags_filled_a_working_link_and_the_next_one_is_not_sent(
    db_url: str,
    settings: Settings,
    sending_bakery: tuple[str, str],
    mail_world: tuple[SMTPServer, UnsubscribePage],
) -> None:
    smtp, page = mail_world
    approved_email(db_url, sending_bakery, [MARIA, WALK_IN])
    publish_once(settings, smtp, page)

    mails = {m.recipients[0]: m for m in smtp.mails}
    assert sorted(mails) == sorted([MARIA, WALK_IN])  # one message per recipient
    links = {}
    for address, mail in mails.items():
        message, body = mail.message, plain(mail)
        assert "{{" not in body + str(message["Subject"]), address  # no literal merge tag
        header = str(message["List-Unsubscribe"])
        assert re.fullmatch(re.escape(f"<{page.url}?token=") + r"[A-Za-z0-9_-]+>", header), header
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links[address] = header.strip("<>")
        assert body.rstrip().endswith("Unsubscribe: " + links[address])  # the same link in the body
        assert (message["From"], mail.sender) == (f"Sunrise Bakery <{SENDER}>", RELAY)  # bounces: the relay's
    assert links[MARIA] != links[WALK_IN]
    maria = mails[MARIA].message
    assert (maria["To"], maria["Subject"]) == (f"Maria Delgado <{MARIA}>", "Maria, autumn is here")
    assert plain(mails[MARIA]).startswith("Hi Maria,\n")
    assert plain(mails[WALK_IN]).startswith("Hello,\n")  # no name known: a neutral greeting

    clicked = follow(links[MARIA], one_click=True)
    assert (clicked["recorded"], clicked["email"], clicked["customer_name"]) == (True, MARIA, "Sunrise Bakery")
    in_body = re.search(r"Unsubscribe: (\S+)", plain(mails[MARIA]))
    assert in_body is not None
    again = follow(in_body.group(1), one_click=False)  # the same link again: recorded once
    assert (again["recorded"], again["unsubscribed_at"]) == (False, clicked["unsubscribed_at"])
    assert query(db_url, "select email, reason from aicrm.email_suppressions") == [(MARIA, "unsubscribed")]
    assert query(db_url, "select email_opt_in, consent_source from aicrm.customer_contacts") == [
        (False, "unsubscribe link")
    ]
    assert query(
        db_url, "select count(*) from aicrm.audit_log where table_name = 'email_suppressions' and operation = 'insert'"
    ) == [(1,)]

    # The next email to both: the walk-in gets it, Maria does not, and the delivery says why.
    both = approved_email(db_url, sending_bakery, [MARIA, WALK_IN])
    sent_before = len(smtp.mails)
    publish_once(settings, smtp, page)
    assert [m.recipients for m in smtp.mails[sent_before:]] == [[WALK_IN]]
    status, target, response = delivery(db_url, both)
    assert (status, target, response["accepted"]) == ("delivered", WALK_IN, [WALK_IN])
    assert [(s["to"], s["reason"]) for s in response["skipped"]] == [(MARIA, "unsubscribed")]

    # An email to Maria alone: nothing is sent; failed for good, so a person sees it, with the reason.
    alone = approved_email(db_url, sending_bakery, [MARIA])
    sent_before = len(smtp.mails)
    [outcome] = publish_once(settings, smtp, page).deliveries
    assert len(smtp.mails) == sent_before
    assert outcome.status == "failed"
    status, target, response = delivery(db_url, alone)
    assert (status, target, response["error"]) == ("failed", None, "no_recipient_left")
    assert [(s["to"], s["reason"]) for s in response["skipped"]] == [(MARIA, "unsubscribed")]
    assert query(db_url, "select execution_state from aicrm.project_tasks where task_id = %s", (alone,)) == [
        ("escalated",)
    ]


def test_a_refused_token_changes_nothing(
    db_url: str, settings: Settings, sending_bakery: tuple[str, str], mail_world: tuple[SMTPServer, UnsubscribePage]
) -> None:
    link = link_mailed_to_maria(db_url, settings, sending_bakery, mail_world)
    page = mail_world[1]
    forged = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(urllib.error.HTTPError) as refused:
        follow(forged, one_click=True)
    assert refused.value.code == 400
    assert page.visits[-1].answer == {"sqlstate": "AC001", "field": "token"}
    assert query(db_url, "select count(*) from aicrm.email_suppressions") == [(0,)]


def test_aicrm_unsubscribe_records_a_pasted_link_once(
    db_url: str, settings: Settings, sending_bakery: tuple[str, str], mail_world: tuple[SMTPServer, UnsubscribePage]
) -> None:
    link = link_mailed_to_maria(db_url, settings, sending_bakery, mail_world)
    assert token_of(link) == token_of(token_of(link)) == link.split("token=", 1)[1]
    app = typer.Typer()
    app.command()(unsubscribe_command)
    runner = CliRunner()
    first = runner.invoke(app, [link])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"{MARIA}: unsubscribed from Sunrise Bakery")
    again = runner.invoke(app, [token_of(link), "--json"])
    assert json.loads(again.output)["recorded"] is False
    bad = runner.invoke(app, ["not-a-token"])
    assert isinstance(bad.exception, AicrmError)
    assert "token" in bad.exception.one_line()


def test_publish_with_smtp_and_no_unsubscribe_url_refuses_to_start(db_url: str) -> None:
    smtp = {"AICRM_PUBLISH_SMTP_HOST": "127.0.0.1", "AICRM_PUBLISH_SMTP_FROM": RELAY}
    result = run_aicrm(db_url, "publish", "--once", timeout=60, **smtp)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: AICRM_PUBLISH_UNSUBSCRIBE_URL: not set")
