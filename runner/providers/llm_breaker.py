"""The circuit breaker of a model endpoint (docs/llm-providers.md, "The circuit breaker"): after
`failures` failed generations in a row nothing is sent for `cooldown` seconds, then one trial call."""

from __future__ import annotations

import threading
from collections.abc import Callable

from runner.providers.llm_types import ErrorKind, ProviderUnavailable


class Breaker:
    """Closed, open (after `failures` failed generations in a row, for `cooldown` seconds), then
    half-open: one trial call; its success closes the breaker, its failure opens it again."""

    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float]) -> None:
        self.failures, self.cooldown, self.clock = failures, cooldown, clock
        self._lock = threading.Lock()
        self._count = 0
        self._opened_at: float | None = None
        self._trial = False
        self._kind: ErrorKind = "server_error"

    def acquire(self, name: str, label: str = "llm") -> bool:
        """Whether the call that may go out is the half-open trial; ProviderUnavailable if none may."""
        with self._lock:
            if self._opened_at is None:
                return False
            wait = max(self._opened_at + self.cooldown - self.clock(), 0.0)
            if wait == 0 and not self._trial:
                self._trial = True  # half-open: this caller is the trial, the others keep waiting
                return True
            count, kind = self._count, self._kind
        raise ProviderUnavailable(
            f"{label}: {name} is unavailable after {count} failed generations in a row (last: {kind}); "
            f"next trial in {wait:.0f} s",
            kind=kind,
            retry_in=wait,
            hint="Escalate the task or retry it later; the provider is not called until then.",
        )

    def succeeded(self) -> None:
        with self._lock:
            self._count, self._opened_at, self._trial = 0, None, False

    def failed(self, kind: ErrorKind, trial: bool) -> None:
        with self._lock:
            self._count += 1
            self._kind = kind
            if trial or self._count >= self.failures:
                self._opened_at = self.clock()
            if trial:
                self._trial = False

    def release(self, trial: bool) -> None:  # interrupted (KeyboardInterrupt): no verdict on the endpoint
        if trial:
            with self._lock:
                self._trial = False
