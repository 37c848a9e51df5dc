"""The publisher's other ends, on 127.0.0.1 in a thread each: a webhook receiver (HTTP, answering each
POST as a script says and checking every signature the way docs/pipeline.md tells a receiver to)
and a minimal SMTP server (EHLO, AUTH PLAIN, MAIL, RCPT, DATA; chosen recipients refused with a
chosen code), each recording what it got.

    with WebhookReceiver(SECRET, [answer(500), answer(200)]) as hook:
        ...  # AICRM_PUBLISH_WEBHOOK_URL=hook.url
        assert hook.requests[0].verified

The script's last answer repeats once it is used up (so `[answer(500)]` is a persistent 500)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from tests.fakes.serving import LocalServer, QuietHandler

TOLERANCE_S = 300  # a receiver refuses a timestamp older (or newer) than this: no replays


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> bool:
    """What a receiver does: recompute HMAC-SHA256 over "<X-Aicrm-Timestamp>.<raw body>" with the
    shared secret, compare in constant time, and refuse a timestamp out of the tolerance."""
    timestamp = headers.get("x-aicrm-timestamp", "")
    given = headers.get("x-aicrm-signature", "")
    if not timestamp.isdigit() or abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_S:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


# --- the webhook receiver -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    code: int = 200
    body: str = '{"ok": true}'
    delay: float = 0.0  # seconds before answering
    headers: tuple[tuple[str, str], ...] = ()


def answer(code: int = 200, body: str | None = None, *, delay: float = 0.0, location: str | None = None) -> Answer:
    headers = (("Location", location),) if location else ()
    return Answer(code, body if body is not None else json.dumps({"status": code}), delay, headers)


@dataclass
class Received:
    index: int
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    verified: bool
    at: float  # time.monotonic() on arrival

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver(LocalServer):
    """A context manager; `url` is the hook's address. A request whose signature does not verify with
    `secret` gets 401 (and uses no script)."""

    secret: str
    script: Sequence[Answer] = ()
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _used: int = 0

    def set_script(self, script: Sequence[Answer]) -> None:
        """Replace the script; the next request gets its first answer."""
        with self._lock:
            self.script, self._used = script, 0

    def next_answer(self, request: Received) -> Answer:
        with self._lock:
            request.index = len(self.requests)
            self.requests.append(request)
            if not request.verified:
                return answer(401, '{"error": "bad signature"}')
            if not self.script:
                return answer(200)
            chosen = self.script[min(self._used, len(self.script) - 1)]
            self._used += 1
            return chosen

    def start(self) -> WebhookReceiver:
        port = self.serve(ThreadingHTTPServer(("127.0.0.1", 0), _webhook_handler(self)))
        self.url = f"http://127.0.0.1:{port}/hooks/aicrm"
        return self


def _webhook_handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = Received(-1, self.path, headers, body, verify(receiver.secret, headers, body), time.monotonic())
            chosen = receiver.next_answer(request)
            time.sleep(chosen.delay)
            self.send_json(chosen.code, None, chosen.headers, raw=chosen.body.encode())

    return Handler


# --- the SMTP server --------------------------------------------------------------------------------------


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    user: str | None

    @property
    def message(self) -> EmailMessage:
        """Parsed as a mail store would read it: wire line endings (CRLF) back to newlines."""
        return cast(EmailMessage, message_from_bytes(self.data.replace(b"\r\n", b"\n"), policy=policy.default))


@dataclass
class SMTPServer(LocalServer):
    """A context manager; `port` on 127.0.0.1. With `user`/`password` it offers AUTH PLAIN (and takes
    mail without it too, as a relay for local senders would). `refuse` maps a recipient to the
    (code, text) its RCPT gets; `data_reply` replaces the 250 after DATA."""

    user: str | None = None
    password: str | None = None
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    data_reply: tuple[int, str] | None = None
    mails: list[Mail] = field(default_factory=list)
    port: int = 0

    def start(self) -> SMTPServer:
        self.port = self.serve(socketserver.ThreadingTCPServer(("127.0.0.1", 0), _smtp_handler(self)))
        return self


def _smtp_handler(server: SMTPServer) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, code: int, *lines: str) -> None:
            text = lines or ("ok",)
            out = [f"{code}{'-' if i < len(text) - 1 else ' '}{line}" for i, line in enumerate(text)]
            self.wfile.write(("\r\n".join(out) + "\r\n").encode())

        def handle(self) -> None:
            sender: str | None = None
            recipients: list[str] = []
            user: str | None = None
            self.reply(220, "localhost ESMTP aicrm-test")
            while line := self.rfile.readline():
                command, _, arg = line.decode().rstrip("\r\n").partition(" ")
                verb = command.upper()
                if verb == "EHLO":
                    extensions = ["localhost", "8BITMIME", "SMTPUTF8"] + (["AUTH PLAIN"] if server.user else [])
                    self.reply(250, *extensions)
                elif verb == "HELO":
                    self.reply(250, "localhost")
                elif verb == "AUTH" and server.user:
                    mechanism, _, initial = arg.partition(" ")
                    if not initial:
                        self.reply(334, "")
                        initial = self.rfile.readline().decode().strip()
                    _, name, password = base64.b64decode(initial).decode().split("\0")
                    if mechanism.upper() == "PLAIN" and (name, password) == (server.user, server.password):
                        user = name
                        self.reply(235, "2.7.0 authenticated")
                    else:
                        self.reply(535, "5.7.8 authentication failed")
                elif verb == "MAIL":
                    sender, recipients = _address(arg), []
                    self.reply(250, "2.1.0 ok")
                elif verb == "RCPT":
                    address = _address(arg)
                    if address in server.refuse:
                        self.reply(*server.refuse[address])
                    else:
                        recipients.append(address)
                        self.reply(250, "2.1.5 ok")
                elif verb == "DATA":
                    self.reply(354, "end with <CRLF>.<CRLF>")
                    data = self._read_data()
                    if server.data_reply is not None:
                        self.reply(*server.data_reply)
                    else:
                        server.mails.append(Mail(sender or "", recipients, data, user))
                        self.reply(250, f"2.0.0 queued as {len(server.mails)}")
                elif verb == "RSET":
                    sender, recipients = None, []
                    self.reply(250)
                elif verb == "NOOP":
                    self.reply(250)
                elif verb == "QUIT":
                    self.reply(221, "bye")
                    return
                else:
                    self.reply(502, "5.5.2 not implemented")

        def _read_data(self) -> bytes:
            lines = []
            while (line := self.rfile.readline()) not in (b".\r\n", b""):
                lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
            return b"".join(lines)

    return Handler


def _address(arg: str) -> str:
    """`FROM:<a@b> SIZE=12` -> a@b."""
    value = arg.split(":", 1)[1].strip()
    return value.split(">", 1)[0].lstrip("<") if value.startswith("<") else value.split()[0]
