"""What every benchmark does around its measurements: warn when other work loads the machine, run
on a throwaway embedded server in a temporary directory, always stop and remove it, print the
elapsed time, and turn PASS/FAIL into the exit status."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner import embedded  # noqa: E402


def on_throwaway_server(
    name: str, database: str, settings: dict[str, str], run: Callable[[Path, embedded.ServerStatus], bool]
) -> int:
    """Start a server for `run(pgdata, status)`, stop and remove it afterwards; 0 when run passed."""
    started = time.monotonic()
    load1, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load1 > cpus / 2:
        print(f"note: load average {load1:.1f} on {cpus} CPUs before starting: other work runs, expect noise")
    workdir = Path(tempfile.mkdtemp(prefix=f"aicrm-bench-{name}-"))
    pgdata = workdir / "pgdata"
    try:
        ok = run(pgdata, embedded.start(pgdata, database, settings))
    finally:
        embedded.stop(pgdata)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"({time.monotonic() - started:.0f}s)")
    return 0 if ok else 1
