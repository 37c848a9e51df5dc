"""What every benchmark does around its measurements: print the machine (CPU model, CPUs, load
average) first, run on a throwaway embedded server in a temporary directory and always stop and
remove it, and judge the run on ratios measured in the same run.

Absolute times move 2x between this project's machines, so a target in absolute time says more
about the machine than the code. A benchmark therefore measures a baseline beside its figure, in
the same run, and is judged on figure / baseline only; absolute times are printed as indications,
next to the machine line. `verdict` prints the ratios, the PASS/FAIL line, and returns whether all
passed (the exit status follows it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner import embedded  # noqa: E402


def cpu_model() -> str:
    """/proc/cpuinfo's "model name" (the first; machines here have one model), else the platform's."""
    with contextlib.suppress(OSError):  # no /proc (not Linux): the platform's name below
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    import platform

    return platform.processor() or platform.machine()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    """One line: the CPU model, how many CPUs (and how many this process may use), the load average."""
    cpus = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return f"machine: {cpu_model()}, {cpus} CPUs ({usable} usable here); load average {load_average()} (1, 5, 15 min)"


def print_machine() -> None:
    print(machine(), flush=True)
    load1, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load1 > cpus / 2:
        print("note: other work loads the machine: absolute times will be slower, the ratios should hold")


def duration(seconds: float) -> str:
    """A time as µs, ms or s with three significant figures or so."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


@dataclass(frozen=True)
class Ratio:
    """One judged figure: figure / baseline against target (at most, or at least when at_least)."""

    name: str
    figure: float
    baseline: float
    target: float
    figure_label: str
    baseline_label: str
    seconds: bool = True  # figure and baseline are times (printed as indications); else plain numbers
    at_least: bool = False

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("inf")

    @property
    def passed(self) -> bool:
        return self.ratio >= self.target if self.at_least else self.ratio <= self.target

    def line(self) -> str:
        shown = duration if self.seconds else (lambda v: f"{v:,.6g}")
        bound = ">=" if self.at_least else "<="
        value = f"{self.ratio:.3f}" if self.at_least or not self.seconds else f"{self.ratio:.2f}x"
        goal = f"{self.target:.3f}" if self.at_least or not self.seconds else f"{self.target:.2f}x"
        return (
            f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {value} (target {bound} {goal})\n"
            f"        {self.figure_label} {shown(self.figure)} / {self.baseline_label} {shown(self.baseline)}"
        )


def verdict(ratios: Sequence[Ratio], checks: Sequence[tuple[str, bool]] = ()) -> bool:
    """Print every ratio and check with its PASS/FAIL, then the run's PASS/FAIL; True if all passed.
    Checks are correctness conditions (same answers, nothing left running), never times."""
    print(f"\njudged on ratios measured in this run (absolute times: indications only, load now {load_average()}):")
    for r in ratios:
        print(r.line())
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    passed = all(r.passed for r in ratios) and all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return passed


def on_throwaway_server(
    name: str, database: str, settings: dict[str, str], run: Callable[[Path, embedded.ServerStatus], bool]
) -> int:
    """Print the machine, start a server for `run(pgdata, status)`, stop and remove it afterwards;
    the exit status: 0 when run passed."""
    started = time.monotonic()
    print_machine()
    workdir = Path(tempfile.mkdtemp(prefix=f"aicrm-bench-{name}-"))
    pgdata = workdir / "pgdata"
    try:
        ok = run(pgdata, embedded.start(pgdata, database, settings))
    finally:
        embedded.stop(pgdata)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"({time.monotonic() - started:.0f}s)")
    return 0 if ok else 1
