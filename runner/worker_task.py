"""One claimed task's life in the content worker (docs/pipeline.md, "The worker daemon"): read the
context, write a draft with the LLM provider while a heartbeat keeps the lease, submit it (the
database assembles it: docs/pipeline.md, "Assembly"), measure it as stored, and let record_evaluation
score it and apply the rules' decision; write again with the fixes for as long as the database
answers "retry". With a model judge configured (AICRM_JUDGE_*,
runner/providers/judge.py) each draft is also graded by it before it is submitted: its judgement
joins the text metrics (`llm_judge`) and its cost the provenance (`judge`); without one, or when it
fails, the draft goes on without. Every write back is a SQL function fenced by the lease; this
module chooses nothing but which function to call for what happened (a draft, a provider failure, a
lost lease)."""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

import psycopg
from psycopg.types.json import Jsonb

from runner.db import queries, set_tenant
from runner.errors import AicrmError, Conflict, DatabaseUnavailable, InvalidInput, from_psycopg
from runner.providers.judge import Judge, Judgement
from runner.providers.llm import Draft, DraftRequest, LLMError, LLMProvider, ProviderUnavailable
from runner.scoring import text_metrics

log = logging.getLogger("aicrm.worker")
Connection = psycopg.Connection[tuple[Any, ...]]
_json = functools.partial(json.dumps, default=str)  # provider meta may hold request ids, dates
_R = TypeVar("_R")


def evaluation_metrics(draft: Draft, judgement: Judgement | None = None) -> dict[str, Any]:
    """What record_evaluation receives for `draft`: the runner's text metrics (runner/scoring.py) and,
    when the model judge graded it, its judgement as `llm_judge` (absent when there is none)."""
    metrics = text_metrics(draft.content, subject=draft.subject, content_format=draft.content_format)
    if judgement is not None:
        metrics["llm_judge"] = judgement.metrics()
    return metrics


class LeaseLost(Exception):
    """The database refused a write back with AC005: the lease expired and was reclaimed, or the task
    left the leased states (cancelled, released by a stopping pool). Nothing may be written any more."""


def connection_lost(conn: Connection, exc: psycopg.Error) -> bool:
    """A failure of the connection, not of the statement: reconnect, never retry the write."""
    state = exc.sqlstate or ""
    return conn.broken or conn.closed or not state or state.startswith(("08", "57P"))


def call(conn: Connection, tenant_id: str | None, name: str, params: dict[str, Any]) -> Any:
    """One named query in its own transaction inside the task's tenant; its single value.
    AC005 raises LeaseLost, a dropped connection DatabaseUnavailable, anything else the runner's error."""
    try:
        with conn.transaction():
            if tenant_id is not None:
                set_tenant(conn, tenant_id)
            row = conn.execute(queries()[name], params).fetchone()
    except psycopg.Error as exc:
        if connection_lost(conn, exc):
            raise DatabaseUnavailable(f"database connection lost: {str(exc).strip()}") from exc
        err = from_psycopg(exc)
        if isinstance(err, Conflict):
            raise LeaseLost(err.message) from exc
        raise err from exc
    return row[0] if row else None


class Heartbeat:
    """Renews the lease every `interval` seconds from a timer thread while the provider writes, on the
    task's own connection: the worker thread does not touch it until the heartbeat has stopped."""

    def __init__(self, beat: Callable[[], object], interval: float) -> None:
        self.beat, self.interval = beat, interval
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aicrm-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except LeaseLost as exc:
                self.lost = str(exc)
                return
            except AicrmError as exc:  # the connection dropped: the submit will say so
                log.warning("heartbeat failed: %s", exc.one_line())
                return


@dataclass(frozen=True)
class Outcome:
    task_id: str
    tenant_id: str
    state: str  # approved, awaiting_review, rejected, escalated, queued (failed, backing off), dropped
    attempts: int
    seconds: float
    failures: int | None = None
    detail: str = ""


class TaskRun:
    """The work on one claim, on the thread's connection. run() returns the outcome; a lost
    connection propagates as DatabaseUnavailable (the lease then expires and the task is reclaimed)."""

    def __init__(
        self,
        conn: Connection,
        provider: LLMProvider,
        worker_id: str,
        lease_seconds: int,
        claim: Any,
        judge: Judge | None = None,
    ) -> None:
        self.conn, self.provider, self.worker_id, self.lease_seconds = conn, provider, worker_id, lease_seconds
        self.judge = judge
        self.tenant_id = str(claim["tenant_id"])
        self.task_id = str(claim["task_id"])
        self.token = str(claim["lease_token"])
        self.task: dict[str, Any] = claim["task"]
        self.attempt = int(claim["attempt"])
        self.last_draft: dict[str, Any] | None = claim.get("last_draft")
        self.started = time.monotonic()

    def _call(self, name: str, **params: Any) -> Any:
        return call(self.conn, self.tenant_id, name, {"task_id": self.task_id, "lease_token": self.token, **params})

    def _outcome(self, state: str, failures: int | None = None, detail: str = "") -> Outcome:
        seconds = time.monotonic() - self.started
        return Outcome(self.task_id, self.tenant_id, state, self.attempt, seconds, failures, detail)

    def run(self) -> Outcome:
        try:
            return self._run()
        except LeaseLost as exc:
            return self._outcome("dropped", detail=f"lease lost: {exc}")
        except DatabaseUnavailable:
            raise
        except Exception as exc:  # a bug or a refusal nobody planned for: a person looks, no retry loop
            log.exception("task %s: unexpected error", self.task_id)
            message = exc.one_line() if isinstance(exc, AicrmError) else f"{type(exc).__name__}: {exc}"
            try:
                return self._fail("worker_error", message, retryable=False)
            except LeaseLost as lost:
                return self._outcome("dropped", detail=f"lease lost: {lost}")

    def _run(self) -> Outcome:
        instructions: dict[str, Any] = self.task.get("ai_instructions") or {}
        channel = str(self.task["channel"])
        try:  # the draft brief (aicrm.get_draft_brief), with the customer's whole context in it
            brief = cast(dict[str, Any], self._call("get_draft_brief", include_context=True))
            context = cast(dict[str, Any], brief.pop("context"))
        except DatabaseUnavailable:
            raise
        except AicrmError as exc:  # the customer is gone, or its context is unreadable: a person must look
            return self._fail("context", exc.one_line(), retryable=False)
        self._call("start_generating")
        previous = self.last_draft or {}
        subject, content = previous.get("subject"), previous.get("content")
        fixes: list[dict[str, Any]] = previous.get("fixes") or []
        while True:
            try:
                request = DraftRequest(
                    task_id=self.task_id,
                    channel=channel,
                    instructions=instructions,
                    context=context,
                    attempt=self.attempt,
                    previous_subject=subject,
                    previous_content=content,
                    fixes=fixes,
                    brief=brief,
                )
                draft = self._leased(functools.partial(self.provider.generate, request))
                judgement = self._judged(request, draft)
            except ProviderUnavailable as exc:  # the breaker is open: escalate, do not queue it behind a dead provider
                return self._fail(exc.kind, exc.one_line(), retryable=False)
            except LLMError as exc:
                return self._fail(exc.kind, exc.one_line(), retryable=exc.retryable)
            except InvalidInput as exc:  # a draft too long to measure, a channel the provider does not write
                return self._fail("invalid_output", exc.one_line(), retryable=True)
            try:
                submitted = self._call(
                    "submit_draft",
                    content=draft.content,
                    subject=draft.subject,
                    content_format=draft.content_format,
                    meta=Jsonb(self._provenance(draft, context, judgement), dumps=_json),
                    idempotency_key=f"{self.task_id}:{self.attempt}",
                )
            except InvalidInput as exc:  # the database refused the draft itself (a subject too long, ...)
                return self._fail("invalid_output", exc.one_line(), retryable=True)
            try:  # measured as stored: submit_draft assembled it (the system-owned footer, opt-out, ...)
                metrics = evaluation_metrics(replace(draft, content=str(submitted["content"])), judgement)
            except InvalidInput as exc:  # a draft too long to measure
                return self._fail("invalid_output", exc.one_line(), retryable=True)
            result = self._call(
                "record_draft_evaluation", deliverable_id=submitted["deliverable_id"], text_metrics=Jsonb(metrics)
            )
            state = str(result["task"]["execution_state"])
            if state != "generating":
                action = ((result.get("decision") or {}).get("action") or {}).get("type")
                return self._outcome(state, detail=f"decision {action}")
            # The rules asked for another draft; the lease is still ours. The next draft's brief
            # carries this one and its fixes (the context is the same).
            self.attempt = int(result["task"]["attempts"])
            brief = cast(dict[str, Any], self._call("get_draft_brief", include_context=False))
            subject, content = draft.subject, draft.content
            fixes = list(result["scorecard"].get("fixes") or [])

    def _leased(self, work: Callable[[], _R]) -> _R:
        """`work` (a model writing or judging) while a heartbeat keeps the lease; LeaseLost when it was lost."""

        def beat() -> object:
            return self._call("heartbeat", lease_seconds=self.lease_seconds)

        with Heartbeat(beat, max(self.lease_seconds / 3, 1.0)) as heartbeat:
            result = work()
        if heartbeat.lost:
            raise LeaseLost(heartbeat.lost)
        return result

    def _judged(self, request: DraftRequest, draft: Draft) -> Judgement | None:
        """The model judge's judgement of `draft` (None without a judge, or when it could not give one)."""
        judge = self.judge
        return (
            None
            if judge is None
            else self._leased(functools.partial(judge.grade, request, draft.subject, draft.content))
        )

    def _provenance(self, draft: Draft, context: dict[str, Any], judgement: Judgement | None = None) -> dict[str, Any]:
        meta = {k: v for k, v in draft.meta.items() if k != "task_id"}
        meta.update(
            context_version=context.get("context_version"),
            template_id=draft.meta.get("template_id"),
            example_ids=draft.meta.get("example_ids") or [],
            provider=draft.provider,
            model=draft.model,
            prompt_tokens=draft.prompt_tokens,
            completion_tokens=draft.completion_tokens,
            cost_usd=draft.cost_usd,
            latency_ms=round(draft.latency_ms, 1),
            worker=self.worker_id,
            attempt=self.attempt,
        )
        if judgement is not None:
            meta["judge"] = judgement.meta()
        return meta

    def _fail(self, kind: str, message: str, *, retryable: bool) -> Outcome:
        """fail_task: the database counts the failure and decides between backing off and escalating."""
        result = self._call("fail_task", error=Jsonb({"kind": kind, "message": message[:4000]}), retryable=retryable)
        return self._outcome(str(result["execution_state"]), int(result["failures"]), f"{kind}: {message}")
