"""A local server speaking the OpenAI chat-completions protocol (POST /v1/chat/completions, the real
response shape), on 127.0.0.1 in a thread, answering each request as a script says: a draft, an HTTP
status (429 with Retry-After, 500, 401), a reply slower than the client's timeout, a reply whose
message is not the JSON asked for, or a connection closed without an answer. Every request is
recorded with its headers and arrival time, so a test can count the calls and measure the gaps.

    with FakeOpenAIChat([status(429, retry_after=1), ok("Hi", "Hello")]) as server:
        provider = OpenAIChatProvider(model="m", base_url=server.url, api_key=API_KEY)
        ...
        assert server.gaps()[0] >= 0.9

When the script is used up the last behaviour repeats (so `[status(500)]` is a persistent 500); an
empty script answers every request with a valid draft echoing the request number and the model.
`judgement(...)` answers as the model judge would (runner/providers/judge.py)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from tests.fakes.serving import LocalServer, QuietHandler

PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Behaviour:
    """What the server does with one request (build one with ok, status, delay, malformed, reply, drop)."""

    action: Literal["ok", "reply", "status", "delay", "drop"]
    subject: str | None = None
    content: str | None = None  # ok: None echoes a draft naming the request number and the model
    text: str = ""  # reply: the assistant message's content, verbatim
    code: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    seconds: float = 0.0
    then: Behaviour | None = None
    prompt_tokens: int | None = None  # None: words in the request's messages
    completion_tokens: int | None = None  # None: words in the answer
    served_model: str | None = None  # the model the answer names; None: the request's


def ok(
    subject: str | None = "A subject",
    content: str | None = None,
    *,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    served_model: str | None = None,
) -> Behaviour:
    """200 with the draft `{"subject": subject, "content": content}` as the message, as the model would
    (`served_model`: the model name the answer reports, as a local server names its file)."""
    return Behaviour(
        "ok",
        subject=subject,
        content=content,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        served_model=served_model,
    )


def reply(text: str, *, prompt_tokens: int | None = None, completion_tokens: int | None = None) -> Behaviour:
    """200 with `text` as the assistant message's content, whatever it is."""
    return Behaviour("reply", text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def judgement(
    grades: dict[str, Any] | None = None,
    *,
    overall: Any = 88,
    verdict: str = "approve",
    reasons: Sequence[Any] = ("Covers the brief with the business's own facts.",),
    issues: Sequence[Any] = (),
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> Behaviour:
    """200 with the judge's JSON judgement as the message; every value as given, in range or not."""
    doc = {
        "grades": {"brief": 90, "accuracy": 92, "fluency": 85, "tone": 87, **(grades or {})},
        "overall": overall,
        "verdict": verdict,
        "reasons": list(reasons),
        "issues": list(issues),
    }
    return reply(json.dumps(doc), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def malformed(text: str = "Sure! Here is your email: Spring is here, come and see us.") -> Behaviour:
    """200, well-formed protocol, but the message is not the JSON draft that was asked for."""
    return reply(text)


def status(
    code: int,
    retry_after: float | str | None = None,
    *,
    retry_after_ms: int | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """An HTTP error with an OpenAI-style error body; Retry-After / retry-after-ms when given."""
    extra = dict(headers or {})
    if retry_after is not None:
        extra["Retry-After"] = f"{retry_after:g}" if isinstance(retry_after, float | int) else retry_after
    if retry_after_ms is not None:
        extra["retry-after-ms"] = str(retry_after_ms)
    return Behaviour("status", code=code, headers=tuple(extra.items()), body=body)


def delay(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Wait `seconds` (longer than the client's timeout, typically), then answer as `then` (a draft)."""
    return Behaviour("delay", seconds=seconds, then=then)


def drop() -> Behaviour:
    """Read the request, then close the connection without a single byte of answer."""
    return Behaviour("drop")


@dataclass
class Recorded:
    index: int
    path: str
    body: dict[str, Any]
    headers: dict[str, str]  # names in lower case
    at: float  # time.monotonic() on arrival
    action: str = ""


Script = Sequence[Behaviour] | Callable[[int, Recorded], Behaviour]

_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request", "invalid_request_error", None),
    401: ("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to use this model", "invalid_request_error", None),
    404: ("The model does not exist", "invalid_request_error", "model_not_found"),
    429: ("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
}


def error_body(code: int) -> dict[str, Any]:
    message, kind, err_code = _ERRORS.get(
        code, ("The server had an error while processing your request", "server_error", None)
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": err_code}}


@dataclass
class FakeOpenAIChat(LocalServer):
    """The server; a context manager. `url` is the base URL to hand the SDK (ends in /v1). With
    `api_key`, a request without `Authorization: Bearer <api_key>` gets a 401 (and uses no script)."""

    script: Script = ()
    api_key: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _used: int = 0

    def set_script(self, script: Script) -> None:
        """Replace the script; the next request gets its first behaviour."""
        with self._lock:
            self.script = script
            self._used = 0

    def gaps(self) -> list[float]:
        """Seconds between successive requests' arrivals."""
        return [b.at - a.at for a, b in zip(self.requests, self.requests[1:], strict=False)]

    def next_behaviour(self, request: Recorded) -> Behaviour:
        """Record the request (numbering it) and say what to do with it."""
        with self._lock:
            request.index = len(self.requests)
            self.requests.append(request)
            if request.path != PATH:
                return status(
                    404, body={"error": {"message": f"no route {request.path}", "type": "invalid_request_error"}}
                )
            if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
                return status(401)
            if callable(self.script):
                return self.script(request.index, request)
            if not self.script:
                return ok()
            behaviour = self.script[min(self._used, len(self.script) - 1)]
            self._used += 1
            return behaviour

    def start(self) -> FakeOpenAIChat:
        self.url = f"http://127.0.0.1:{self.serve(ThreadingHTTPServer(('127.0.0.1', 0), _handler(self)))}/v1"
        return self


def dead_endpoint() -> str:
    """A base URL where nothing listens: a port just bound and released (the connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def completion(request: Recorded, text: str, behaviour: Behaviour) -> dict[str, Any]:
    """The chat.completion document the real API returns, with `text` as the assistant's message."""
    messages = request.body.get("messages") or []
    prompt = behaviour.prompt_tokens
    if prompt is None:
        prompt = sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))
    answer = behaviour.completion_tokens if behaviour.completion_tokens is not None else len(text.split())
    return {
        "id": f"chatcmpl-fake-{request.index + 1}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": behaviour.served_model or request.body.get("model", ""),
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": prompt + answer},
    }


def _handler(fake: FakeOpenAIChat) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_unparsed": raw.decode(errors="replace")}
            request = Recorded(
                index=-1,
                path=self.path,
                body=body if isinstance(body, dict) else {"_unparsed": body},
                headers={k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
            )
            self._apply(request, fake.next_behaviour(request))

        def _apply(self, request: Recorded, behaviour: Behaviour) -> None:
            request.action = request.action or behaviour.action
            headers = (("x-request-id", f"req_fake_{request.index + 1}"),)
            if behaviour.action == "delay":
                time.sleep(behaviour.seconds)
                self._apply(request, behaviour.then or ok())
            elif behaviour.action == "drop":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
            elif behaviour.action == "status":
                body = behaviour.body if behaviour.body is not None else error_body(behaviour.code)
                self.send_json(behaviour.code, body, headers + behaviour.headers)
            elif behaviour.action == "reply":
                self.send_json(200, completion(request, behaviour.text, behaviour), headers)
            else:
                content = behaviour.content
                if content is None:
                    content = f"Draft number {request.index + 1} from {request.body.get('model', '?')}."
                text = json.dumps({"subject": behaviour.subject, "content": content})
                self.send_json(200, completion(request, text, behaviour), headers)

    return Handler
