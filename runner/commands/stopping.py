"""How the daemons (`aicrm worker`, `aicrm publish`, `aicrm up`) stop: SIGINT or SIGTERM asks for a
graceful stop, a second one for a stop now; and the loop that runs a claiming pool until either, or
until it ends by itself (--once, --max-tasks)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `aicrm scheduler` stops the same way without loading the worker's modules
    from runner.pool import ClaimPool


@dataclass
class StopSignals:
    stop: threading.Event = field(default_factory=threading.Event)  # the first signal
    force: threading.Event = field(default_factory=threading.Event)  # a second one, or `force_signal`
    count: int = 0  # every signal received


@contextmanager
def stop_signals(*, repeat_forces: bool = True, force_signal: int | None = None) -> Iterator[StopSignals]:
    """SIGINT and SIGTERM set `stop`; a second one sets `force` when `repeat_forces` (a supervised
    worker takes repeated SIGTERMs as one stop: runner/supervisor.py); `force_signal` sets both.
    The previous handlers come back on exit."""
    got = StopSignals()

    def handler(signum: int, frame: FrameType | None) -> None:
        got.count += 1
        if signum == force_signal or (repeat_forces and got.stop.is_set()):
            got.force.set()
        got.stop.set()

    signals = [signal.SIGINT, signal.SIGTERM, *([force_signal] if force_signal is not None else [])]
    previous = {sig: signal.signal(sig, handler) for sig in signals}
    try:
        yield got
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_pool(pool: ClaimPool, grace: float, parent: int | None = None, force_signal: int | None = None) -> None:
    """Run until the pool ends by itself, a signal stops it gracefully (`grace` seconds for what is in
    flight, then it is released; a second signal releases at once), or the supervisor `parent` is
    gone (then as on SIGTERM)."""
    with stop_signals(repeat_forces=parent is None, force_signal=force_signal) as got:
        pool.start()
        while pool.running() and not got.stop.wait(0.2):
            if parent is not None and os.getppid() != parent:
                pool.log.warning("%s %s: the supervisor (pid %d) is gone; stopping", pool.kind, pool.name, parent)
                got.stop.set()
        if got.stop.is_set():
            pool.log.info(
                "stopping: %d %s in flight get up to %g s (a second signal releases them now)",
                len(pool.held()), pool.items, grace,
            )  # fmt: skip
            pool.drain(grace, got.force)
