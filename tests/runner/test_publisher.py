"""The publisher against the real database, a local webhook receiver and a local SMTP server
(tests/fakes/receiver.py): approved drafts delivered once, signed, and recorded; failures mapped to
retryable or not, so the database backs off or escalates; email by SMTP, to the task's recipients; a
publisher with SMTP alone claims email only; an idle publisher is woken by an approval; a publisher
that lost its lease records nothing; a connection dropped mid-delivery still records the outcome
once; SIGTERM finishes the delivery in flight, or gives it back for the next claim. The publisher
opens its own connections, so setup is committed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import ANY

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.errors import ConfigurationError
from runner.publisher import Publisher, PublisherOptions
from runner.smtp import Smtp
from runner.transports import PublishSettings, Router, redact
from tests.factories import committed
from tests.fakes.openai_chat import dead_endpoint
from tests.fakes.receiver import SMTPServer, WebhookReceiver, answer, verify
from tests.helpers import act_as
from tests.processes import command_env, execute, query, run_aicrm, stop_with_sigterm, wait_for
from tests.samples import GOOD_EMAIL, SUBJECT
from tests.tasks import approved_task, claim_delivery, task_state

Publishers = Callable[..., Publisher]  # the `publishers` fixture: starts one
SECRET = "whsec-test-7f3a9c"
UNSUBSCRIBE = "https://example.com/unsubscribe"


def approved(
    db_url: str, bakery: tuple[str, str], channel: str = "email", instructions: dict[str, Any] | None = None
) -> str:
    """A task of `channel` whose draft a person approved: it waits in the outbox; committed."""
    return committed(db_url, lambda conn: approved_task(conn, *bakery, channel, instructions))


def outbox(db_url: str, task: str) -> tuple[Any, ...]:
    """(outbox_id, status, attempts, seconds until available)."""
    [row] = query(
        db_url,
        "select outbox_id::text, status, attempts, round(extract(epoch from available_at - now())) from aicrm.outbox"
        " where task_id = %s",
        (task,),
    )
    return row


def deliveries(db_url: str, task: str) -> list[tuple[Any, ...]]:
    return query(
        db_url,
        "select attempt, transport, target, status, response, delivered_by from aicrm.deliveries where task_id = %s"
        " order by attempt, created_at",
        (task,),
    )


def state(db_url: str, task: str) -> str:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return task_state(conn, task)


def webhook(url: str, secret: str = SECRET, timeout: float = 5.0) -> PublishSettings:
    return PublishSettings(webhook_url=url, webhook_secret=secret, timeout=timeout)


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def publishers(started: Callable[[Publisher], Publisher]) -> Publishers:
    """Start in-process publishers; every one is stopped at the end of the test."""

    def start(settings: Settings, publish: PublishSettings, **options: Any) -> Publisher:
        opts = PublisherOptions(**{"concurrency": 1, "lease_seconds": 30, "once": True, "poll": 0.2, **options})
        return started(Publisher(settings, Router(publish), opts))

    return start


def run_once(start: Callable[..., Publisher], settings: Settings, publish: PublishSettings) -> Publisher:
    publisher = start(settings, publish)
    assert publisher.join(30)
    return publisher


# --- webhook ------------------------------------------------------------------------------------------


def test_a_webhook_delivery_is_signed_sent_once_and_recorded(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    task = approved(db_url, agency)
    outbox_id = outbox(db_url, task)[0]
    publisher = run_once(publishers, settings, webhook(hook.url))

    [got] = hook.requests
    assert got.verified  # HMAC-SHA256 over "<timestamp>.<body>" with the shared secret
    assert not verify("another secret", got.headers, got.body)
    assert abs(int(got.headers["x-aicrm-timestamp"]) - time.time()) < 30
    assert got.headers["idempotency-key"] == outbox_id
    assert got.headers["content-type"] == "application/json"
    assert (got.path, got.json["task_id"], got.json["content"]) == ("/hooks/aicrm", task, GOOD_EMAIL)
    assert (got.json["subject"], got.json["channel"], got.json["customer_name"]) == (SUBJECT, "email", "Sunrise Bakery")

    [(attempt, transport, target, status, response, by)] = deliveries(db_url, task)
    assert (attempt, transport, target, status) == (1, "webhook", hook.url, "delivered")
    assert (response["status"], json.loads(response["body"])) == (200, {"status": 200})
    assert response["elapsed_ms"] > 0
    assert by == f"{publisher.name}/1"
    assert outbox(db_url, task)[1:3] == ("delivered", 1)
    assert state(db_url, task) == "delivered"
    [done] = publisher.deliveries
    assert (done.outbox_id, done.task_id, done.status, done.transport) == (outbox_id, task, "delivered", "webhook")


def test_a_server_error_backs_off_and_the_next_attempt_delivers(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    hook.set_script([answer(500, "upstream down"), answer(200)])
    task = approved(db_url, agency)
    first = run_once(publishers, settings, webhook(hook.url))
    outbox_id, status, attempts, wait = outbox(db_url, task)
    assert (status, attempts) == ("pending", 1)
    assert 25 <= wait <= 30  # the database's backoff: 30 s after the first failure
    [failed] = deliveries(db_url, task)
    assert failed[3] == "failed"
    assert (failed[4]["status"], failed[4]["body"]) == (500, "upstream down")
    assert state(db_url, task) == "publishing"
    assert [d.status for d in first.deliveries] == ["pending"]

    execute(db_url, "update aicrm.outbox set available_at = now() where task_id = %s", (task,))
    run_once(publishers, settings, webhook(hook.url))
    assert [r[:4] for r in deliveries(db_url, task)] == [
        (1, "webhook", hook.url, "failed"),
        (2, "webhook", hook.url, "delivered"),
    ]
    assert [r.headers["idempotency-key"] for r in hook.requests] == [outbox_id, outbox_id]
    assert state(db_url, task) == "delivered"


@pytest.mark.parametrize(
    ("case", "outcome", "task_state", "error"),
    [
        ("400", "failed", "escalated", None),
        ("429", "pending", "publishing", None),
        ("redirect", "failed", "escalated", None),  # not followed: urllib would resend the POST as a GET
        ("wrong secret", "failed", "escalated", None),  # the receiver refuses the signature with 401
        ("dead url", "pending", "publishing", "connection"),
        ("timeout", "pending", "publishing", "timeout"),
    ],
)
def test_what_a_failed_delivery_leads_to(
    db_url: str,
    agency: tuple[str, str],
    hook: WebhookReceiver,
    settings: Settings,
    publishers: Publishers,
    case: str,
    outcome: str,
    task_state: str,
    error: str | None,
) -> None:
    publish = webhook(hook.url)
    if case in ("400", "429"):
        hook.set_script([answer(int(case))])
    elif case == "redirect":
        hook.set_script([answer(302, location=hook.url)])
    elif case == "wrong secret":
        publish = webhook(hook.url, secret="not the receiver's")
    elif case == "dead url":
        publish = webhook(dead_endpoint())
    else:
        hook.set_script([answer(200, delay=3.0)])
        publish = webhook(hook.url, timeout=0.5)
    task = approved(db_url, agency)
    run_once(publishers, settings, publish)
    assert outbox(db_url, task)[1:3] == (outcome, 1)
    assert state(db_url, task) == task_state
    [(_, _, _, status, response, _)] = deliveries(db_url, task)
    assert status == "failed"
    assert response.get("error") == error
    assert len(hook.requests) == (0 if case == "dead url" else 1)


# --- SMTP ---------------------------------------------------------------------------------------------


def test_an_email_draft_goes_by_smtp_and_other_drafts_would_not(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    task = approved(db_url, agency)
    outbox_id = outbox(db_url, task)[0]
    to = ("owner@sunrise.example", "news@agency.example")
    with SMTPServer(user="mailer", password="s3cret") as smtp:
        publish = PublishSettings(
            webhook_url=hook.url, webhook_secret=SECRET, timeout=5.0, smtp_host="127.0.0.1", smtp_port=smtp.port,
            smtp_user="mailer", smtp_password="s3cret", smtp_from="news@agency.example", smtp_to=to,
            smtp_starttls=False, unsubscribe_url=UNSUBSCRIBE,
        )  # fmt: skip
        run_once(publishers, settings, publish)
    assert hook.requests == []  # email goes by SMTP when it is configured
    # One message per recipient: each has its own unsubscribe link (tests/runner/test_unsubscribe.py).
    assert [(m.sender, m.recipients, m.user) for m in smtp.mails] == [
        ("news@agency.example", [address], "mailer") for address in to
    ]
    for address, mail in zip(to, smtp.mails, strict=True):
        message = mail.message
        assert (message["Subject"], message["To"], message["X-Aicrm-Outbox-Id"]) == (SUBJECT, address, outbox_id)
        # echoed back by the sending services' event webhooks (aicrm.normalize_delivery_events)
        assert json.loads(message["X-SMTPAPI"]) == {"unique_args": {"aicrm_outbox_id": outbox_id}}
        assert json.loads(message["X-Mailgun-Variables"]) == {"aicrm_outbox_id": outbox_id}
        assert message["X-PM-Metadata-aicrm_outbox_id"] == outbox_id
        link = str(message["List-Unsubscribe"]).strip("<>")
        assert link.startswith(UNSUBSCRIBE + "?token=")
        body = message.get_body(("plain",))
        assert body is not None
        assert body.get_content().strip() == GOOD_EMAIL.strip().replace("{{unsubscribe_url}}", link)
    [(_, transport, target, status, response, _)] = deliveries(db_url, task)
    assert (transport, target, status) == ("smtp", ", ".join(to), "delivered")
    assert (response["accepted"], response["refused"], response["skipped"]) == (list(to), {}, [])
    assert state(db_url, task) == "delivered"
    # A channel only a webhook takes, with SMTP alone configured: such a publisher does not claim it
    # (below), and a router asked anyway refuses it for good: a person looks, no retry.
    smtp_only = Router(
        PublishSettings(smtp_host="127.0.0.1", smtp_from="a@b.example", smtp_to=to, unsubscribe_url=UNSUBSCRIBE)
    )
    assert (smtp_only.channels(), Router(publish).channels()) == (["email"], None)
    attempt = smtp_only.deliver(outbox_id, "sms", {"content": "Hi"})
    assert (attempt.delivered, attempt.retryable, attempt.response["error"]) == (False, False, "no_transport")


def test_an_email_goes_to_the_recipients_its_task_names(
    db_url: str, agency: tuple[str, str], settings: Settings, publishers: Publishers
) -> None:
    own = approved(db_url, agency, "email", {"recipients": ["owner@sunrise.example", "shop@sunrise.example"]})
    fallback = approved(db_url, agency, "email")
    with SMTPServer() as smtp:
        publish = PublishSettings(
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="news@agency.example",
            smtp_to=("desk@agency.example",), timeout=5.0, unsubscribe_url=UNSUBSCRIBE,
        )  # fmt: skip
        run_once(publishers, settings, publish)
    by_recipient = {tuple(m.recipients): m.message for m in smtp.mails}
    assert set(by_recipient) == {("owner@sunrise.example",), ("shop@sunrise.example",), ("desk@agency.example",)}
    assert [by_recipient[(a,)]["To"] for a in ("owner@sunrise.example", "shop@sunrise.example")] == [
        "owner@sunrise.example",
        "shop@sunrise.example",
    ]
    assert [r[2:4] for r in deliveries(db_url, own)] == [("owner@sunrise.example, shop@sunrise.example", "delivered")]
    assert [r[2:4] for r in deliveries(db_url, fallback)] == [("desk@agency.example", "delivered")]


def test_a_publisher_with_smtp_alone_leaves_other_channels_to_one_with_a_webhook(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    sms = approved(db_url, agency, "sms")  # older: it would be claimed first
    email = approved(db_url, agency, "email")
    with SMTPServer() as smtp:
        publish = PublishSettings(
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="news@agency.example",
            smtp_to=("desk@agency.example",), timeout=5.0, unsubscribe_url=UNSUBSCRIBE,
        )  # fmt: skip
        smtp_only = run_once(publishers, settings, publish)
    assert [(d.task_id, d.status, d.transport) for d in smtp_only.deliveries] == [(email, "delivered", "smtp")]
    assert len(smtp.mails) == 1
    assert outbox(db_url, sms)[1:3] == ("pending", 0)  # not claimed, not failed: it waits
    assert (state(db_url, sms), deliveries(db_url, sms)) == ("approved", [])

    with_webhook = run_once(publishers, settings, webhook(hook.url))
    assert [(d.task_id, d.status, d.transport) for d in with_webhook.deliveries] == [(sms, "delivered", "webhook")]
    assert [r.json["channel"] for r in hook.requests] == ["sms"]
    assert state(db_url, sms) == "delivered"


# --- waking and stopping ------------------------------------------------------------------------------


def idle_after_a_claim(db_url: str) -> bool:
    """Every publisher thread connected, listening, and waiting after a claim that found nothing."""
    rows = query(
        db_url,
        "select state, query from pg_stat_activity where datname = current_database()"
        " and application_name like 'aicrm-publisher %%'",
    )
    return bool(rows) and all(r == ("idle", "COMMIT") for r in rows)


def test_an_idle_publisher_is_woken_by_an_approval_not_by_its_poll(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    publisher = publishers(settings, webhook(hook.url), once=False, poll=30.0, concurrency=2)
    wait_for(lambda: idle_after_a_claim(db_url))
    time.sleep(0.3)  # well into the wait: only a notification can end it before 30 s
    approved_at = time.monotonic()
    task = approved(db_url, agency)
    wait_for(lambda: state(db_url, task) == "delivered", timeout=10)
    [got] = hook.requests
    assert got.at - approved_at < 2.0
    assert [d.status for d in publisher.deliveries] == ["delivered"]
    assert publisher.running()  # still waiting for the next one


def test_draining_gives_back_the_delivery_in_flight_and_the_next_claim_delivers_it(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    hook.set_script([answer(200, delay=3.0), answer(200)])
    task = approved(db_url, agency)
    outbox_id = outbox(db_url, task)[0]
    first = publishers(settings, webhook(hook.url), once=False)
    wait_for(lambda: len(hook.requests) == 1)
    first.drain(0.2)  # the receiver has not answered yet
    assert outbox(db_url, task)[1:3] == ("pending", 0)  # claimable at once; the attempt not counted
    [(attempt, transport, target, status, response, by)] = deliveries(db_url, task)
    assert (attempt, transport, target, status, response) == (
        1,
        None,
        None,
        "released",
        {"reason": "publisher stopping"},
    )
    assert by == f"{first.name}/1"
    assert state(db_url, task) == "publishing"

    second = run_once(publishers, settings, webhook(hook.url))
    assert [(d.status, d.attempt) for d in second.deliveries] == [("delivered", 1)]
    # The receiver got it twice (the first answer was on its way) with one key, so it keeps one.
    assert [r.headers["idempotency-key"] for r in hook.requests] == [outbox_id, outbox_id]
    assert first.join(10)
    [late] = first.deliveries  # its answer came after the release: refused by the fence
    assert (late.status, "lease_token" in late.detail) == ("dropped", True)
    assert [r[3] for r in deliveries(db_url, task)] == ["released", "delivered"]
    assert state(db_url, task) == "delivered"


def prepared(*to: str, content: str = "Fresh bread", content_format: str = "text", **extra: Any) -> dict[str, Any]:
    """What aicrm.email_messages returns: one filled message per recipient (tests/sql/pipeline/test_unsubscribe.py)."""
    messages = [
        {"to": a, "name": None, "subject": "Autumn", "content": content, "unsubscribe_url": f"{UNSUBSCRIBE}?token=t{i}"}
        for i, a in enumerate(to)
    ]
    return {"content_format": content_format, "from": None, "messages": messages, "skipped": [], **extra}


def test_smtp_answers_map_to_retryable_or_not() -> None:
    rich_text = "<p>Fresh <strong>bread</strong> &amp; cake</p>"
    with SMTPServer() as server:
        settings = PublishSettings(
            smtp_host="127.0.0.1", smtp_port=server.port, smtp_from="a@agency.example", timeout=5
        )
        smtp = Smtp(settings, "127.0.0.1", "a@agency.example")

        sent = smtp.deliver("o-1", {}, prepared("x@shop.example", content=rich_text, content_format="html"))
        assert (sent.delivered, sent.target) == (True, "x@shop.example")
        message = server.mails[0].message
        assert message.get_content_type() == "multipart/alternative"
        plain, rich = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None
        assert rich is not None
        assert plain.get_content().strip() == "Fresh bread & cake"
        assert rich.get_content().strip() == rich_text

        outcomes = {}
        for case, refuse, data_reply in (
            ("451 rcpt", (451, "4.7.1 greylisted"), None),
            ("550 rcpt", (550, "5.1.1 no such user"), None),
            ("452 data", None, (452, "4.3.1 insufficient storage")),
            ("554 data", None, (554, "5.7.1 rejected as spam")),
        ):
            server.refuse = {"x@shop.example": refuse} if refuse else {}
            server.data_reply = data_reply
            got = smtp.deliver("o-2", {}, prepared("x@shop.example"))
            outcomes[case] = (got.delivered, got.retryable, got.response["code"])
        assert outcomes == {
            "451 rcpt": (False, True, 451),
            "550 rcpt": (False, False, 550),
            "452 data": (False, True, 452),
            "554 data": (False, False, 554),
        }
        # One recipient refused, another accepted: delivered (a retry would send it twice to the
        # other), the refusal listed.
        server.refuse, server.data_reply = {"x@shop.example": (550, "5.1.1 no such user")}, None
        partial = smtp.deliver("o-3", {}, prepared("x@shop.example", "y@shop.example"))
        assert (partial.delivered, partial.response["accepted"], list(partial.response["refused"])) == (
            True,
            ["y@shop.example"],
            ["x@shop.example"],
        )
        server.refuse = {}
        # Nobody to send to, or everybody left out by the database: a person decides, no retry.
        assert (smtp.deliver("o-4", {}, prepared()).response["error"], smtp.deliver("o-4", {}, None).retryable) == (
            "no_recipient",
            False,
        )
        unsubscribed = [{"to": "z@shop.example", "reason": "unsubscribed"}]
        left_out = smtp.deliver("o-4", {}, prepared(skipped=unsubscribed))
        assert (left_out.delivered, left_out.retryable, left_out.response["error"]) == (
            False,
            False,
            "no_recipient_left",
        )
        assert left_out.response["skipped"] == unsubscribed
    with SMTPServer(user="mailer", password="right") as auth:
        wrong = PublishSettings(
            smtp_host="127.0.0.1", smtp_port=auth.port, smtp_user="mailer", smtp_password="wrong",
            smtp_from="a@agency.example", timeout=5,
        )  # fmt: skip
        refused = Smtp(wrong, "127.0.0.1", "a@agency.example").deliver("o-5", {}, prepared("x@shop.example"))
        assert (refused.delivered, refused.retryable, refused.response["code"]) == (False, False, 535)
    gone = PublishSettings(smtp_port=server.port, timeout=5)  # closed now
    down = Smtp(gone, "127.0.0.1", "a@agency.example").deliver("o-6", {}, prepared("x@shop.example"))
    assert (down.delivered, down.retryable, down.response["error"]) == (False, True, "connection")


# --- leases and connections ---------------------------------------------------------------------------


def test_a_publisher_that_lost_its_lease_records_nothing(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    hook.set_script([answer(200, delay=2.0)])
    task = approved(db_url, agency)
    slow = publishers(settings, webhook(hook.url))
    wait_for(lambda: len(hook.requests) == 1)
    execute(db_url, "update aicrm.outbox set lease_until = now() - interval '1 second' where task_id = %s", (task,))
    # The lease ran out under the slow receiver; another publisher takes the delivery.
    theirs = committed(db_url, lambda conn: claim_delivery(conn, "thief", 30))
    assert theirs["attempt"] == 2
    assert slow.join(30)
    [dropped] = slow.deliveries
    assert dropped.status == "dropped"
    assert "lease_token" in dropped.detail
    assert deliveries(db_url, task) == []  # the old holder's outcome was refused

    with psycopg.connect(db_url) as conn:
        with act_as(conn, agency[0], "aicrm_worker"):
            conn.execute(
                "select aicrm.record_delivery(%s, %s, true, 'webhook', 'thief', %s)",
                (theirs["outbox_id"], theirs["lease_token"], Jsonb({"status": 200})),
            )
        conn.commit()
    assert [(r[3], r[5]) for r in deliveries(db_url, task)] == [("delivered", "thief")]
    assert state(db_url, task) == "delivered"


def test_a_connection_dropped_during_a_delivery_still_records_it_once(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, settings: Settings, publishers: Publishers
) -> None:
    hook.set_script([answer(200, delay=1.0)])
    task = approved(db_url, agency)
    publisher = publishers(settings, webhook(hook.url))
    wait_for(lambda: len(hook.requests) == 1)
    killed = query(
        db_url,
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
        " and application_name like 'aicrm-publisher %%'",
    )
    assert killed == [(True,)]
    assert publisher.join(30)
    assert [d.status for d in publisher.deliveries] == ["delivered"]
    assert len(hook.requests) == 1
    assert [r[3] for r in deliveries(db_url, task)] == ["delivered"]
    assert state(db_url, task) == "delivered"


# --- configuration and the command --------------------------------------------------------------------


def test_the_settings_name_what_is_missing() -> None:
    for env, field in (
        ({}, "AICRM_PUBLISH_WEBHOOK_URL"),
        ({"AICRM_PUBLISH_WEBHOOK_URL": "https://hooks.example.com/in"}, "AICRM_PUBLISH_WEBHOOK_SECRET"),
        ({"AICRM_PUBLISH_WEBHOOK_URL": "ftp://hooks.example.com", "AICRM_PUBLISH_WEBHOOK_SECRET": "s"}, "http(s)"),
        ({"AICRM_PUBLISH_SMTP_HOST": "mail.example.com"}, "AICRM_PUBLISH_SMTP_FROM"),
        (
            {"AICRM_PUBLISH_SMTP_HOST": "m", "AICRM_PUBLISH_SMTP_FROM": "a@b.c", "AICRM_PUBLISH_SMTP_TO": "nobody"},
            "_TO",
        ),
        # aicrm sends the email itself, so every one carries a working unsubscribe link.
        (
            {"AICRM_PUBLISH_SMTP_HOST": "m", "AICRM_PUBLISH_SMTP_FROM": "a@b.c"},
            "AICRM_PUBLISH_UNSUBSCRIBE_URL: not set",
        ),
        (
            {"AICRM_PUBLISH_SMTP_HOST": "m", "AICRM_PUBLISH_SMTP_FROM": "a@b.c", "AICRM_PUBLISH_UNSUBSCRIBE_URL": "x"},
            "AICRM_PUBLISH_UNSUBSCRIBE_URL: 'x' is not",
        ),
    ):
        with pytest.raises(ConfigurationError) as info:
            Router(PublishSettings.from_env(env))
        assert field in info.value.one_line()
    smtp = PublishSettings.from_env(
        {
            "AICRM_PUBLISH_SMTP_HOST": "m", "AICRM_PUBLISH_SMTP_FROM": "a@b.c", "AICRM_PUBLISH_SMTP_USER": "u",
            "AICRM_PUBLISH_UNSUBSCRIBE_URL": UNSUBSCRIBE,
        }
    )  # fmt: skip
    assert (smtp.smtp_starttls, smtp.smtp_port, smtp.transports) == (True, 587, ("smtp",))  # no password in clear
    url = "https://u:p@hooks.example.com:8443/in?token=t"
    hook = PublishSettings.from_env({"AICRM_PUBLISH_WEBHOOK_URL": url, "AICRM_PUBLISH_WEBHOOK_SECRET": "topsecret"})
    assert Router(hook).pick("sms") is not None
    assert "topsecret" not in repr(hook)
    assert redact(url) == "https://hooks.example.com:8443/in"  # what deliveries.target and the log show
    with pytest.raises(ConfigurationError, match="--lease"):
        hook.check_lease(20)


def test_publish_without_a_transport_is_a_configuration_error(db_url: str) -> None:
    result = run_aicrm(db_url, "publish", "--once", timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: no delivery transport configured")
    assert "AICRM_PUBLISH_WEBHOOK_URL" in result.stderr
    assert "AICRM_PUBLISH_SMTP_HOST" in result.stderr


@pytest.mark.parametrize(("grace", "answer_after", "final"), [(15.0, 1.5, "delivered"), (0.5, 20.0, "pending")])
def test_sigterm_finishes_the_delivery_in_flight_or_gives_it_back(
    db_url: str, agency: tuple[str, str], hook: WebhookReceiver, grace: float, answer_after: float, final: str
) -> None:
    hook.set_script([answer(200, delay=answer_after)])
    task = approved(db_url, agency)
    outbox_id = outbox(db_url, task)[0]
    env = command_env(db_url, AICRM_PUBLISH_WEBHOOK_URL=hook.url, AICRM_PUBLISH_WEBHOOK_SECRET=SECRET)
    stopped = stop_with_sigterm(
        ["publish", "--grace", str(grace), "--poll", "0.5"], env, lambda: len(hook.requests) == 1
    )
    assert stopped.returncode == 0, stopped.stderr
    assert outbox(db_url, task)[1] == final
    if final == "delivered":
        assert f"delivery {outbox_id}: delivered by webhook to {hook.url} (attempt 1, HTTP 200)" in stopped.stderr
        assert "1 deliveries (delivered 1)" in stopped.stderr
    else:  # cut off: released, so the next claim (here or elsewhere) delivers it again at once
        assert stopped.took < answer_after - 5
        assert [r[3:] for r in deliveries(db_url, task)] == [("released", {"reason": "publisher stopping"}, ANY)]
        assert outbox(db_url, task)[2] == 0
        assert "1 deliveries still in flight: giving them back" in stopped.stderr
        assert f"delivery {outbox_id}: released (publisher stopping)" in stopped.stderr
