"""Where the publisher delivers (docs/pipeline.md, "The publisher"): the AICRM_PUBLISH_* settings, a
webhook POST signed with HMAC-SHA256, and the router to it or to SMTP (runner/smtp.py). Each attempt
returns what record_delivery needs: delivered or not, the target, the receiver's answer (status, an
excerpt, the time it took) and whether trying again later can help. Nothing here touches the
database; what a failure leads to (backoff, escalation) is record_delivery's decision.

HTTP goes through urllib.request: httpx is not a dependency (the openai SDK vendors its own copy,
which is private), and one POST needs nothing more."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from runner.config import _number
from runner.errors import ConfigurationError

log = logging.getLogger("aicrm.worker.publisher")
EXCERPT = 500  # characters of a receiver's answer kept in deliveries.response
WEBHOOK_VARS = "AICRM_PUBLISH_WEBHOOK_URL (with AICRM_PUBLISH_WEBHOOK_SECRET)"
SMTP_VARS = "AICRM_PUBLISH_SMTP_HOST (with AICRM_PUBLISH_SMTP_FROM and AICRM_PUBLISH_UNSUBSCRIBE_URL)"


def shorten(text: str, limit: int = EXCERPT) -> str:
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
    unsubscribe_url: str | None = None  # the page a recipient's link goes to: <url>?token=...

    @property
    def transports(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("webhook", self.webhook_url), ("smtp", self.smtp_host)) if on)

    def require_transport(self) -> None:
        if not self.transports:
            raise ConfigurationError(
                "no delivery transport configured: the publisher has nowhere to deliver",
                hint=f"Set {WEBHOOK_VARS}, or {SMTP_VARS}.",
            )

    def require_unsubscribe(self) -> None:
        """aicrm is the sending service over SMTP: every email carries a working unsubscribe link."""
        if self.smtp_host is not None and self.unsubscribe_url is None:
            raise ConfigurationError(
                "AICRM_PUBLISH_UNSUBSCRIBE_URL: not set; every email sent by SMTP carries a signed unsubscribe link "
                "built on it",
                hint="The address of your unsubscribe page, e.g. https://example.com/unsubscribe: it gets ?token=... "
                "and calls aicrm.record_unsubscribe (docs/pipeline.md).",
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
        if url is not None and not http_url(url):
            raise ConfigurationError(
                f"AICRM_PUBLISH_WEBHOOK_URL: {redact(url)!r} is not an http(s) URL",
                hint="For example https://hooks.example.com/aicrm.",
            )
        if url is not None and secret is None:
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
        unsubscribe = text("AICRM_PUBLISH_UNSUBSCRIBE_URL")
        if unsubscribe is not None and not http_url(unsubscribe):  # aicrm.email_messages checks it again
            raise ConfigurationError(
                f"AICRM_PUBLISH_UNSUBSCRIBE_URL: {redact(unsubscribe)!r} is not an http(s) URL",
                hint="For example https://example.com/unsubscribe (https, as RFC 8058 wants for one-click).",
            )
        settings = cls(
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
            unsubscribe_url=unsubscribe,
        )
        settings.require_unsubscribe()
        return settings


def http_url(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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

    def deliver(self, outbox_id: str, payload: dict[str, Any], prepared: dict[str, Any] | None = None) -> Attempt:
        """`prepared`: for an email by SMTP, what aicrm.email_messages returned for it."""
        ...


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

    def deliver(self, outbox_id: str, payload: dict[str, Any], prepared: dict[str, Any] | None = None) -> Attempt:
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
            kind = network_failure(reason)
            message = shorten(f"{type(reason).__name__}: {reason}")
            response = {"error": kind, "message": message, "elapsed_ms": elapsed()}
            return Attempt(False, self.name, self.target, response, kind != "tls", f"{kind}: {message}")
        response = {"status": code, "body": shorten(excerpt.decode(errors="replace")), "elapsed_ms": elapsed()}
        delivered = 200 <= code < 300
        retryable = code in (408, 429) or code >= 500
        return Attempt(delivered, self.name, self.target, response, retryable, f"HTTP {code}")


def network_failure(reason: object) -> str:
    """timeout and connection are worth another try; tls (a certificate refused) is a setting to fix."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "tls"
    return "timeout" if isinstance(reason, TimeoutError) else "connection"


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(EXCERPT * 4)
    except (OSError, http.client.HTTPException):
        return b""


class Router:
    """Which transport takes a channel's drafts: email by SMTP when configured, the rest the webhook."""

    def __init__(self, settings: PublishSettings) -> None:
        from runner.smtp import Smtp  # runner/smtp.py builds on this module

        settings.require_transport()
        settings.require_unsubscribe()
        self.webhook: Transport | None = None
        self.smtp: Transport | None = None
        self.unsubscribe_url, self.default_to = settings.unsubscribe_url, settings.smtp_to
        if settings.webhook_url is not None and settings.webhook_secret is not None:
            self.webhook = Webhook(settings.webhook_url, settings.webhook_secret, settings.timeout)
        if settings.smtp_host is not None and settings.smtp_from is not None:
            self.smtp = Smtp(settings, settings.smtp_host, settings.smtp_from)

    def prepares_email(self, channel: str) -> bool:
        """An email going by SMTP: the publisher asks aicrm.email_messages for its messages first."""
        return channel == "email" and self.smtp is not None

    def pick(self, channel: str) -> Transport | None:
        return self.smtp if channel == "email" and self.smtp is not None else self.webhook

    def channels(self) -> list[str] | None:
        """The channels pick() has a transport for, as claim_next_delivery_v2 filters them: every
        (None) with a webhook, else email alone; drafts of the others wait for a publisher that can."""
        if self.webhook is not None:
            return None
        return ["email"] if self.smtp is not None else []

    def refused(self, channel: str, message: str) -> Attempt:
        """The database refused to prepare the delivery (not a lost lease or connection): a person looks."""
        name = "smtp" if self.prepares_email(channel) else "webhook"
        return Attempt(False, name, None, {"error": "not_prepared", "message": shorten(message)}, False, message)

    def deliver(
        self, outbox_id: str, channel: str, payload: dict[str, Any], prepared: dict[str, Any] | None = None
    ) -> Attempt:
        """One attempt; an unexpected error (a bug) is a failure not worth retrying: a person looks."""
        transport = self.pick(channel)
        name = "smtp" if transport is None else transport.name
        if transport is None:  # not claimed by a publisher using channels(); a caller that did: a person decides
            message = f"channel {channel} goes to the webhook only, and AICRM_PUBLISH_WEBHOOK_URL is not set"
            return Attempt(False, name, None, {"error": "no_transport", "message": message}, False, message)
        try:
            return transport.deliver(outbox_id, payload, prepared)
        except Exception as exc:
            log.exception("delivery %s: unexpected error", outbox_id)
            message = shorten(f"{type(exc).__name__}: {exc}")
            return Attempt(False, name, None, {"error": "publisher_error", "message": message}, False, message)
