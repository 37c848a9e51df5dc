"""Email by SMTP (docs/pipeline.md, "The publisher" and "Merge tags and unsubscribe links"). aicrm is
the sending service here, so each recipient gets a message of its own, as aicrm.email_messages
prepared it: merge tags filled for that recipient, a signed unsubscribe link, From the customer's
sender identity when it has one. This module only sends it, in one SMTP session, with RFC 8058's
`List-Unsubscribe` and `List-Unsubscribe-Post` headers; who gets what, and who gets nothing (an
unsubscribed address), was the database's answer.

The envelope sender (MAIL FROM, where bounces go) stays AICRM_PUBLISH_SMTP_FROM, the relay's own
address, whatever the From header says."""

from __future__ import annotations

import html
import json
import smtplib
import ssl
import time
from collections.abc import Mapping
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from runner.scoring import plain_text
from runner.transports import Attempt, PublishSettings, network_failure, shorten

# Headers fold at 998 characters (RFC 5322's limit), not 78: folding a long List-Unsubscribe URL
# would turn it into an RFC 2047 encoded word that no mailbox provider reads as a link.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class Smtp:
    name = "smtp"

    def __init__(self, settings: PublishSettings, host: str, sender: str) -> None:
        self.s, self.host, self.sender = settings, host, sender

    def message(self, outbox_id: str, index: int, prepared: Mapping[str, Any], one: Mapping[str, Any]) -> EmailMessage:
        """One recipient's message. ValueError for an address or header the email policy refuses."""
        identity = prepared.get("from")
        msg = EmailMessage(policy=MAIL_POLICY)
        if identity:
            msg["From"] = Address(display_name=str(identity.get("name") or ""), addr_spec=str(identity["address"]))
        else:
            msg["From"] = self.sender
        domain = str(identity["address"] if identity else self.sender).rsplit("@", 1)[-1]
        msg["To"] = Address(display_name=str(one.get("name") or ""), addr_spec=str(one["to"]))
        msg["Subject"] = str(one.get("subject") or "")
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=f"{outbox_id.replace('-', '')}.{index}", domain=domain)
        msg["X-Aicrm-Outbox-Id"] = outbox_id  # the receiving side's idempotency key, as the webhook's
        # The same id where each sending service echoes it back in its event webhooks (SendGrid's
        # unique_args, Mailgun's user-variables, Postmark's Metadata), so an open or a click finds
        # its delivery (aicrm.normalize_delivery_events; docs/learning.md, "Providers").
        msg["X-SMTPAPI"] = json.dumps({"unique_args": {"aicrm_outbox_id": outbox_id}})
        msg["X-Mailgun-Variables"] = json.dumps({"aicrm_outbox_id": outbox_id})
        msg["X-PM-Metadata-aicrm_outbox_id"] = outbox_id
        msg["List-Unsubscribe"] = f"<{one['unsubscribe_url']}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        content = str(one.get("content") or "")
        if prepared.get("content_format") == "html":
            msg.set_content(html.unescape(plain_text(content, "html")))
            msg.add_alternative(content, subtype="html")
        else:
            msg.set_content(content)
        return msg

    def deliver(self, outbox_id: str, payload: dict[str, Any], prepared: dict[str, Any] | None = None) -> Attempt:
        messages: list[dict[str, Any]] = list((prepared or {}).get("messages") or [])
        skipped: list[dict[str, Any]] = list((prepared or {}).get("skipped") or [])
        target = ", ".join(str(m["to"]) for m in messages) or None
        started = time.perf_counter()

        def elapsed() -> float:
            return round((time.perf_counter() - started) * 1000, 1)

        def failed(kind: str, message: str, retryable: bool, code: int | None = None) -> Attempt:
            response: dict[str, Any] = {"error": kind, "message": shorten(message)}
            if code is not None:
                response["code"] = code
            if skipped:
                response["skipped"] = skipped
            response["elapsed_ms"] = elapsed()
            summary = f"SMTP {code}: {shorten(message, 200)}" if code else f"{kind}: {shorten(message, 200)}"
            return Attempt(False, self.name, target, response, retryable, summary)

        if prepared is None:  # a caller that skipped aicrm.email_messages: nothing is sent unfilled
            return failed("not_prepared", "no messages prepared (aicrm.email_messages) for this email", False)
        if not messages:  # the database left nobody to send to: a person decides, no retry
            if skipped:
                left_out = "; ".join(f"{s.get('to')}: {s.get('reason')}" for s in skipped)
                return failed("no_recipient_left", f"every recipient is left out ({left_out})", False)
            nobody = "no recipient: the task names none and AICRM_PUBLISH_SMTP_TO is not set"
            return failed("no_recipient", nobody, False)
        try:
            built = [(str(m["to"]), self.message(outbox_id, i, prepared, m)) for i, m in enumerate(messages, 1)]
        except (ValueError, TypeError, KeyError) as exc:  # a header the email policy refuses
            return failed("bad_message", f"{type(exc).__name__}: {exc}", False)
        accepted: dict[str, str] = {}  # recipient -> Message-ID
        refused: dict[str, tuple[int, str]] = {}
        cut_off: str | None = None
        try:
            with smtplib.SMTP(self.host, self.s.smtp_port, timeout=self.s.timeout) as client:
                if self.s.smtp_starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.s.smtp_user is not None:
                    client.login(self.s.smtp_user, self.s.smtp_password or "")
                for to, msg in built:
                    try:
                        client.send_message(msg, from_addr=self.sender, to_addrs=[to])
                    except smtplib.SMTPRecipientsRefused as exc:
                        code, text = exc.recipients.get(to, (550, b"refused"))
                        refused[to] = (int(code), _text(text))
                    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                        refused[to] = (exc.smtp_code, _text(exc.smtp_error))
                    else:
                        accepted[to] = str(msg["Message-ID"])
        except smtplib.SMTPResponseException as exc:  # 4xx: try later; 5xx (and a refused login): do not
            if not accepted:
                return failed("smtp_error", _text(exc.smtp_error), 400 <= exc.smtp_code < 500, exc.smtp_code)
            cut_off = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
        except smtplib.SMTPNotSupportedError as exc:  # STARTTLS or AUTH not offered: a setting to fix
            return failed("not_supported", str(exc), False)
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out: try later
            kind = network_failure(exc)
            if not accepted:
                return failed(kind, f"{type(exc).__name__}: {exc}", kind != "tls")
            cut_off = f"{kind}: {type(exc).__name__}: {exc}"
        if not accepted:  # every recipient refused: retry only if every refusal is 4xx
            detail = "; ".join(f"{a}: {c} {m}" for a, (c, m) in refused.items())
            codes = [c for c, _ in refused.values()]
            return failed("refused", detail, all(400 <= c < 500 for c in codes), max(codes))
        # Delivered: at least one recipient has it. The others are listed, not retried (a retry would
        # send it again to those who have it).
        response: dict[str, Any] = {
            "accepted": list(accepted),
            "refused": {a: f"{c} {m}" for a, (c, m) in refused.items()},
            "skipped": skipped,
            "message_ids": accepted,
            "elapsed_ms": elapsed(),
        }
        if cut_off is not None:
            response["not_sent"] = [to for to, _ in built if to not in accepted and to not in refused]
            response["error"] = shorten(cut_off)
        summary = f"SMTP accepted {len(accepted)}/{len(built)}" + (f", {len(skipped)} left out" if skipped else "")
        return Attempt(True, self.name, target, response, False, summary)
