"""Which `response_format` an endpoint takes, learnt once per process and endpoint (base URL and
model): `json_schema` (strict structured output) first; an endpoint that refuses it gets
`json_object`, and one that refuses that gets none at all (plain text, read by a parser).

Servers refuse in different ways: OpenAI and vLLM answer 400, llama.cpp's server 400 or 500 for a
schema its grammar converter cannot take, llama-cpp-python 500 to every `json_schema`. So until a
format has worked once on an endpoint, a request with it is sent without the SDK's retries, and a
400, 422, 500 or 501 moves to the next format at once. The fall-back is recorded only when the next
format then gets an answer, and from then on every request of the process uses it: no task pays for
the refusal again. After a 4xx the next format is tried as any request is (the SDK retries no 4xx);
after a 5xx, which the SDK has retried already, each next format is tried once without retries, and
when every one fails the endpoint is down, not picky: that is remembered too, and its 5xx are not
taken for a refusal again in this process. A transient 500 on the very first request of a process
can therefore settle an endpoint on `json_object`, which still asks for JSON; a restart probes
again."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import openai

log = logging.getLogger("aicrm.worker")
LADDER = ("json_schema", "json_object", "text")
REFUSALS = (400, 422, 500, 501)


@dataclass(frozen=True)
class Learnt:
    mode: str
    confirmed: bool  # a request in this mode got an answer
    reason: str = ""  # why the endpoint is on a lower mode than json_schema
    probed: bool = False  # every format was tried after a 5xx and failed: an outage, not a refusal


_lock = threading.Lock()
_learnt: dict[tuple[str, str], Learnt] = {}


def learnt(endpoint: str, model: str) -> Learnt | None:
    with _lock:
        return _learnt.get((endpoint, model))


def forget_all() -> None:
    """Forget every endpoint (tests: each starts from a process that has learnt nothing)."""
    with _lock:
        _learnt.clear()


def record(endpoint: str, model: str, mode: str, reason: str) -> None:
    """`mode` got an answer from the endpoint: use it from now on (logged once when it is a fall-back)."""
    with _lock:
        before = _learnt.get((endpoint, model))
        _learnt[(endpoint, model)] = Learnt(mode, True, reason or (before.reason if before else ""))
    if mode != "json_schema" and (before is None or before.mode != mode):
        log.warning(
            "%s (model %s) refused structured output (%s): using %s from now on",
            endpoint,
            model,
            reason,
            "response_format json_object" if mode == "json_object" else "plain text and a parser",
        )


def probed(endpoint: str, model: str) -> None:
    """Every format failed after a 5xx: the endpoint is down, not picky. Its 5xx are not taken for a
    refusal again in this process (an outage must not cost each request two more)."""
    with _lock:
        if (endpoint, model) not in _learnt:
            _learnt[(endpoint, model)] = Learnt("json_schema", False, probed=True)


def start_mode(endpoint: str, model: str, structured: bool) -> Learnt:
    """The mode to start a request in: `text` when structured output is off, else what was learnt."""
    if not structured:
        return Learnt("text", True)
    return learnt(endpoint, model) or Learnt("json_schema", False)


def refused(exc: openai.OpenAIError, mode: str) -> bool:
    """Whether `exc` may be the endpoint refusing `mode` (and the next format is worth a try)."""
    return mode != "text" and isinstance(exc, openai.APIStatusError) and exc.status_code in REFUSALS


def next_mode(mode: str) -> str:
    return LADDER[LADDER.index(mode) + 1]


def response_format(mode: str, schema: Any) -> Any:
    """The request's `response_format` in `mode` (openai.omit for plain text)."""
    if mode == "json_schema":
        return schema
    if mode == "json_object":
        return {"type": "json_object"}
    return openai.omit
