"""Where the publisher delivers (docs/pipeline.md, "The publisher"): the AICRM_PUBLISH_* settings, a
webhook POST signed with HMAC-SHA256, and SMTP. Each attempt returns what record_delivery needs:
delivered or not, the target, the receiver's answer (status, an excerpt, the time it took) and
whether trying again later can help. Nothing here touches the database; what a failure leads to
(backoff, escalation) is record_delivery's decision.

HTTP goes through urllib.request: httpx is not a dependency (the openai SDK vendors its own copy,
which is private), and one POST needs nothing more."""

from __future__ import annotations

import hashlib
import hmac
import html
import http.client
import json
import logging
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from runner.config import _number
from runner.errors import ConfigurationError
from runner.scoring import plain_text

log = logging.getLogger("aicrm.worker.publisher")
EXCERPT = 500  # characters of a receiver's answer kept in deliveries.response
WEBHOOK_VARS = "AICRM_PUBLISH_WEBHOOK_URL (with AICRM_PUBLISH_WEBHOOK_SECRET)"
SMTP_VARS = "AICRM_PUBLISH_SMTP_HOST (with AICRM_PUBLISH_SMTP_FROM)"


def _short(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- configuration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishSettings:
    """The AICRM_PUBLISH_* variables (README). A webhook, SMTP, or both; email drafts go by SMTP when
    it is configured, everything else to the webhook."""

    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    timeout: float = 10.0  # seconds per network operation, webhook and SMTP alike
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    smtp_starttls: bool = False

    @property
    def transports(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("webhook", self.webhook_url), ("smtp", self.smtp_host)) if on)

    def require_transport(self) -> None:
        if not self.transports:
            raise ConfigurationError(
                "no delivery transport configured: the publisher has nowhere to deliver",
                hint=f"Set {WEBHOOK_VARS}, or {SMTP_VARS}.",
            )

    def check_lease(self, lease_seconds: int) -> None:
        """There is no heartbeat for a delivery: one must end within its lease, and each network step
        (connect, send, answer; SMTP has several) may take the whole timeout."""
        if lease_seconds < 3 * self.timeout:
            raise ConfigurationError(
                f"--lease: {lease_seconds} s is too short for AICRM_PUBLISH_TIMEOUT={self.timeout:g} s",
                hint=f"Use a lease of at least {3 * self.timeout:g} s (3 timeouts), or a shorter timeout.",
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PublishSettings:
        env = os.environ if env is None else env

        def text(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        url, secret = text("AICRM_PUBLISH_WEBHOOK_URL"), env.get("AICRM_PUBLISH_WEBHOOK_SECRET") or None
        if url is not None:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigurationError(
                    f"AICRM_PUBLISH_WEBHOOK_URL: {redact(url)!r} is not an http(s) URL",
                    hint="For example https://hooks.example.com/aicrm.",
                )
            if secret is None:
                raise ConfigurationError(
                    "AICRM_PUBLISH_WEBHOOK_SECRET: not set; every webhook delivery is signed with it",
                    hint="Set a long random string and give the receiver the same (docs/pipeline.md).",
                )
        host, sender, user = (
            text("AICRM_PUBLISH_SMTP_HOST"),
            text("AICRM_PUBLISH_SMTP_FROM"),
            text("AICRM_PUBLISH_SMTP_USER"),
        )
        if host is not None and sender is None:
            raise ConfigurationError(
                "AICRM_PUBLISH_SMTP_FROM: not set; SMTP needs a sender address", hint="For example news@agency.example."
            )
        password = env.get("AICRM_PUBLISH_SMTP_PASSWORD") or None
        if password is not None and user is None:
            raise ConfigurationError("AICRM_PUBLISH_SMTP_PASSWORD: set without AICRM_PUBLISH_SMTP_USER")
        to = tuple(a.strip() for a in (env.get("AICRM_PUBLISH_SMTP_TO") or "").split(",") if a.strip())
        for address in to:
            if not plausible_address(address):
                raise ConfigurationError(f"AICRM_PUBLISH_SMTP_TO: {address!r} is not an email address")
        # Credentials never cross in clear by default: STARTTLS is on when there is a user.
        starttls_raw = (env.get("AICRM_PUBLISH_SMTP_STARTTLS") or "").strip().lower()
        starttls = user is not None if not starttls_raw else starttls_raw not in ("0", "false", "no")
        return cls(
            webhook_url=url,
            webhook_secret=secret,
            timeout=_number(env, "AICRM_PUBLISH_TIMEOUT", float, 10.0, 0.1, 600.0),
            smtp_host=host,
            smtp_port=_number(env, "AICRM_PUBLISH_SMTP_PORT", int, 587 if starttls else 25, 1, 65535),
            smtp_user=user,
            smtp_password=password,
            smtp_from=sender,
            smtp_to=to,
            smtp_starttls=starttls,
        )


def plausible_address(address: str) -> bool:
    return "@" in address and not any(c in address for c in "\r\n<>, ")


def redact(url: str) -> str:
    """The URL as recorded and logged: no credentials, query or fragment (they may hold tokens)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# --- transports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to, as record_delivery takes it."""

    delivered: bool
    transport: str  # webhook | smtp
    target: str | None
    response: dict[str, Any]
    retryable: bool
    summary: str  # for the log line: "HTTP 200", "SMTP 451 ...", "timeout"


class Transport(Protocol):
    name: str

    def deliver(self, outbox_id: str, payload: dict[str, Any]) -> Attempt: ...


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Aicrm-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a detour: urllib would turn the POST into a bodiless GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Webhook:
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float, clock: Callable[[], float] = time.time) -> None:
        self.url, self.secret, self.timeout, self.clock = url, secret, timeout, clock
        self.target = redact(url)
        self._opener = urllib.request.build_opener(_NoRedirect)

    def deliver(self, outbox_id: str, payload: dict[str, Any]) -> Attempt:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        timestamp = str(int(self.clock()))
        request = urllib.request.Request(self.url, data=body, method="POST")
        for name, value in (
            ("Content-Type", "application/json"),
            ("User-Agent", "aicrm-publisher"),
            ("Idempotency-Key", outbox_id),
            ("X-Aicrm-Timestamp", timestamp),
            ("X-Aicrm-Signature", signature(self.secret, timestamp, body)),
        ):
            request.add_header(name, value)
        started = time.perf_counter()

        def elapsed() -> float:
            return round((time.perf_counter() - started) * 1000, 1)

        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                code, excerpt = answer.status, answer.read(EXCERPT * 4)
        except urllib.error.HTTPError as exc:
            code, excerpt = exc.code, _read_quietly(exc)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            kind = _network_failure(reason)
            message = _short(f"{type(reason).__name__}: {reason}")
            response = {"error": kind, "message": message, "elapsed_ms": elapsed()}
            return Attempt(False, self.name, self.target, response, kind != "tls", f"{kind}: {message}")
        response = {"status": code, "body": _short(excerpt.decode(errors="replace")), "elapsed_ms": elapsed()}
        delivered = 200 <= code < 300
        retryable = code in (408, 429) or code >= 500
        return Attempt(delivered, self.name, self.target, response, retryable, f"HTTP {code}")


def _network_failure(reason: object) -> str:
    """timeout and connection are worth another try; tls (a certificate refused) is a setting to fix."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "tls"
    return "timeout" if isinstance(reason, TimeoutError) else "connection"


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(EXCERPT * 4)
    except (OSError, http.client.HTTPException):
        return b""


class Smtp:
    name = "smtp"

    def __init__(self, settings: PublishSettings, host: str, sender: str) -> None:
        self.s, self.host, self.sender = settings, host, sender

    def recipients(self, payload: dict[str, Any]) -> tuple[str, ...]:
        """The payload's `to` (a string or a list) when it has one, else AICRM_PUBLISH_SMTP_TO."""
        to = payload.get("to")
        if isinstance(to, str):
            return tuple(a.strip() for a in to.split(",") if a.strip())
        if isinstance(to, list):
            return tuple(str(a).strip() for a in to if str(a).strip())
        return self.s.smtp_to

    def message(self, outbox_id: str, payload: dict[str, Any], to: tuple[str, ...]) -> EmailMessage:
        msg = EmailMessage()
        msg["From"], msg["To"] = self.sender, ", ".join(to)
        msg["Subject"] = str(payload.get("subject") or payload.get("title") or "")
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=outbox_id.replace("-", ""), domain=self.sender.rsplit("@", 1)[-1])
        msg["X-Aicrm-Outbox-Id"] = outbox_id  # the receiving side's idempotency key, as the webhook's
        content = str(payload.get("content") or "")
        if payload.get("content_format") == "html":
            msg.set_content(html.unescape(plain_text(content, "html")))
            msg.add_alternative(content, subtype="html")
        else:
            msg.set_content(content)
        return msg

    def deliver(self, outbox_id: str, payload: dict[str, Any]) -> Attempt:
        to = self.recipients(payload)
        target = ", ".join(to) or None
        started = time.perf_counter()

        def failed(kind: str, message: str, retryable: bool, code: int | None = None) -> Attempt:
            response: dict[str, Any] = {"error": kind, "message": _short(message)}
            if code is not None:
                response["code"] = code
            response["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
            summary = f"SMTP {code}: {_short(message, 200)}" if code else f"{kind}: {_short(message, 200)}"
            return Attempt(False, self.name, target, response, retryable, summary)

        if not to or not all(plausible_address(a) for a in to):
            return failed("no_recipient", f"no valid recipient ({target or 'none'}): set AICRM_PUBLISH_SMTP_TO", False)
        try:
            msg = self.message(outbox_id, payload, to)
        except (ValueError, TypeError) as exc:  # a header the email policy refuses (a line break in it)
            return failed("bad_message", str(exc), False)
        try:
            with smtplib.SMTP(self.host, self.s.smtp_port, timeout=self.s.timeout) as client:
                if self.s.smtp_starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.s.smtp_user is not None:
                    client.login(self.s.smtp_user, self.s.smtp_password or "")
                refused = client.send_message(msg, from_addr=self.sender, to_addrs=list(to))
        except smtplib.SMTPRecipientsRefused as exc:  # nobody accepted: retry only if every refusal is 4xx
            codes = {a: int(c) for a, (c, _) in exc.recipients.items()}
            detail = "; ".join(f"{a}: {c} {m.decode(errors='replace')}" for a, (c, m) in exc.recipients.items())
            return failed("refused", detail, all(400 <= c < 500 for c in codes.values()), max(codes.values()))
        except smtplib.SMTPResponseException as exc:  # 4xx: try later; 5xx (and a refused login): do not
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            return failed("smtp_error", text, 400 <= exc.smtp_code < 500, exc.smtp_code)
        except smtplib.SMTPNotSupportedError as exc:  # STARTTLS or AUTH not offered: a setting to fix
            return failed("not_supported", str(exc), False)
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out: try later
            kind = _network_failure(exc)
            return failed(kind, f"{type(exc).__name__}: {exc}", kind != "tls")
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        response = {
            "accepted": [a for a in to if a not in refused],
            "refused": {a: f"{c} {m.decode(errors='replace')}" for a, (c, m) in refused.items()},
            "message_id": msg["Message-ID"],
            "elapsed_ms": elapsed,
        }
        return Attempt(True, self.name, target, response, False, f"SMTP accepted {len(to) - len(refused)}/{len(to)}")


class Router:
    """Which transport takes a channel's drafts: email by SMTP when configured, the rest the webhook."""

    def __init__(self, settings: PublishSettings) -> None:
        settings.require_transport()
        self.webhook: Transport | None = None
        self.smtp: Transport | None = None
        if settings.webhook_url is not None and settings.webhook_secret is not None:
            self.webhook = Webhook(settings.webhook_url, settings.webhook_secret, settings.timeout)
        if settings.smtp_host is not None and settings.smtp_from is not None:
            self.smtp = Smtp(settings, settings.smtp_host, settings.smtp_from)

    def pick(self, channel: str) -> Transport | None:
        return self.smtp if channel == "email" and self.smtp is not None else self.webhook

    def channels(self) -> list[str] | None:
        """The channels pick() has a transport for, as claim_next_delivery_v2 filters them: every
        (None) with a webhook, else email alone; drafts of the others wait for a publisher that can."""
        if self.webhook is not None:
            return None
        return ["email"] if self.smtp is not None else []

    def deliver(self, outbox_id: str, channel: str, payload: dict[str, Any]) -> Attempt:
        """One attempt; an unexpected error (a bug) is a failure not worth retrying: a person looks."""
        transport = self.pick(channel)
        name = "smtp" if transport is None else transport.name
        if transport is None:  # not claimed by a publisher using channels(); a caller that did: a person decides
            message = f"channel {channel} goes to the webhook only, and AICRM_PUBLISH_WEBHOOK_URL is not set"
            return Attempt(False, name, None, {"error": "no_transport", "message": message}, False, message)
        try:
            return transport.deliver(outbox_id, payload)
        except Exception as exc:
            log.exception("delivery %s: unexpected error", outbox_id)
            message = _short(f"{type(exc).__name__}: {exc}")
            return Attempt(False, name, None, {"error": "publisher_error", "message": message}, False, message)
