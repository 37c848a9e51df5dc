"""One content worker process (docs/pipeline.md, "The worker daemon"): a pool of threads, each with
its own connection as aicrm_worker, claiming tasks of every tenant with aicrm.claim_next_task and
working them through runner/worker_task.py. Several such processes run under runner/supervisor.py.

Threads within a process share the provider's client and its circuit breaker (one breaker per
process, as docs/llm-providers.md says), the optional model judge's (AICRM_JUDGE_*) too, and a
stopping pool releases the tasks its threads still hold from the main thread. They help where the
work waits (a model over HTTP); CPU (the offline writer, the metrics) needs processes, since the
threads share one interpreter lock.

Idle threads LISTEN on aicrm_task_queued and claim again as soon as a task is queued, and every
`poll` seconds anyway (a task backing off becomes claimable with no notification, an expired lease
too). A lost connection is reopened with a growing delay, for ever: the task that was in flight keeps
its lease until it runs out and the next claim, here or elsewhere, takes it over."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from runner.config import Settings
from runner.errors import ConfigurationError, DatabaseUnavailable
from runner.pool import ClaimPool, Lease
from runner.providers.judge import Judge, JudgeSettings, judge_from_config
from runner.providers.llm import LLMProvider, LLMSettings, llm_from_config
from runner.worker_task import Connection, Outcome, TaskRun, call

log = logging.getLogger("aicrm.worker")


def provider_from_env() -> LLMProvider:
    """The configured provider (AICRM_LLM_*); `template` is built from runner/providers/template/,
    imported only when it is the one configured. The judge's settings (AICRM_JUDGE_*) are checked
    here too, so a bad one is reported before anything starts, as the writer's are."""
    judge_from_env()

    def template() -> LLMProvider:
        # By name, at call time: the module is loaded only for the template provider.
        try:
            module = importlib.import_module("runner.providers.template")
        except ModuleNotFoundError as exc:
            raise ConfigurationError(
                "AICRM_LLM_PROVIDER: template: the template provider (runner/providers/template/) is not installed",
                hint="Set AICRM_LLM_PROVIDER=openai and AICRM_LLM_MODEL (docs/llm-providers.md).",
            ) from exc
        provider: LLMProvider = module.TemplateProvider()
        return provider

    return llm_from_config(LLMSettings.from_env(), template_factory=template)


def judge_from_env() -> Judge | None:
    """The model judge AICRM_JUDGE_* configure (docs/llm-providers.md), None when AICRM_JUDGE_MODEL is unset."""
    return judge_from_config(JudgeSettings.from_env())


def log_to_stderr() -> None:
    """One line per event on stderr (the daemon's log), once per process."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 2
    lease_seconds: int = 300  # renewed every third of it while the provider writes
    once: bool = False  # stop when nothing is claimable
    max_tasks: int | None = None  # stop after claiming this many
    poll: float = 5.0  # an idle thread claims again after this long without a notification


class WorkerPool(ClaimPool):
    kind, item, items = "worker", "task", "tasks"
    listen_query = "listen_task_queued"
    release_query, release_key = "release_task", "task_id"

    def __init__(
        self,
        settings: Settings,
        provider: LLMProvider,
        options: WorkerOptions,
        *,
        name: str | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        judge: Judge | Literal["env"] | None = "env",
    ) -> None:
        super().__init__(settings, options, log, name)
        self.provider, self.options = provider, options
        # The judge of every thread (one breaker per process); "env": the one AICRM_JUDGE_* configure.
        self.judge = judge_from_env() if judge == "env" else judge
        self.on_outcome = on_outcome
        self.outcomes: list[Outcome] = []
        self._claimed = 0

    def _reserve(self) -> bool:
        with self._lock:
            if self.options.max_tasks is not None and self._claimed >= self.options.max_tasks:
                return False
            self._claimed += 1
            return True

    def _unreserve(self) -> None:
        with self._lock:
            self._claimed -= 1

    def _claim_call(self, conn: Connection, worker_id: str) -> Any:
        return call(
            conn, None, "claim_next_task", {"worker_id": worker_id, "lease_seconds": self.options.lease_seconds}
        )

    def _work(self, conn: Connection, worker_id: str, claim: Any) -> None:
        task_id = str(claim["task_id"])
        self._hold(worker_id, Lease(str(claim["tenant_id"]), task_id, str(claim["lease_token"])))
        try:
            outcome = TaskRun(conn, self.provider, worker_id, self.options.lease_seconds, claim, self.judge).run()
        except DatabaseUnavailable:
            log.warning("task %s: connection lost; its lease will expire and another claim takes it", task_id)
            raise
        finally:
            self._unhold(worker_id)
        with self._lock:
            self.outcomes.append(outcome)
        log.info("%s", describe(outcome, worker_id))
        if self.on_outcome is not None:
            self.on_outcome(outcome)


def describe(outcome: Outcome, worker_id: str) -> str:
    """The one line logged per task."""
    failures = "" if outcome.failures is None else f", failures {outcome.failures}"
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return (
        f"task {outcome.task_id}: {outcome.state} after {outcome.attempts} attempt"
        f"{'s' if outcome.attempts != 1 else ''}{failures} in {outcome.seconds:.1f} s{detail} "
        f"[tenant {outcome.tenant_id}, {worker_id}]"
    )
