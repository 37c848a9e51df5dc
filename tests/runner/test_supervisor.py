"""`aicrm worker --processes N` (runner/supervisor.py) against the real database and a local server
speaking the OpenAI chat protocol: tasks shared by several processes with one summary, --max-tasks
split exactly, a child killed with SIGKILL started again, SIGTERM passed on to the children, and
children that stop by themselves when their supervisor is killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from runner.supervisor import child_argv, shares
from runner.worker import WorkerOptions
from tests.fakes.openai_chat import FakeOpenAIChat, delay, ok
from tests.processes import AICRM, wait_for
from tests.runner.workers import create_tasks, states, transitions, worker_env
from tests.samples import GOOD_EMAIL, SUBJECT

STARTED = re.compile(r"worker process (\d+) started \(pid (\d+)\)")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def started(log: Path) -> list[tuple[int, int]]:
    return [(int(n), int(pid)) for n, pid in STARTED.findall(log.read_text())]


def spawn(db_url: str, fake: FakeOpenAIChat, log: IO[str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AICRM), "worker", *args], env=worker_env(db_url, fake), stdout=subprocess.DEVNULL, stderr=log, text=True
    )


@contextmanager
def task_in_flight(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, log_path: Path, grace: int
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`aicrm worker --processes 2` with all three pools running (the supervisor's and each child's)
    and one task at the model: (the supervisor, the task). Killed at the end, whatever happened."""
    with log_path.open("w") as log:
        proc = spawn(db_url, fake, log, "--processes", "2", "--poll", "0.5", "--grace", str(grace))
        try:
            wait_for(lambda: log_path.read_text().count("threads, provider openai") == 3, timeout=30)
            [task] = create_tasks(db_url, agencies, "a", 1)
            wait_for(lambda: len(fake.requests) == 1, timeout=30)
            yield proc, task
        finally:
            proc.kill()


def test_max_tasks_is_split_so_that_the_processes_claim_exactly_that_many() -> None:
    assert shares(None, 3) == [None, None, None]
    assert shares(7, 3) == [3, 2, 2]
    assert shares(1, 2) == [1, 0]
    assert sum(s or 0 for s in shares(101, 8)) == 101
    argv = child_argv(WorkerOptions(concurrency=3, lease_seconds=60, once=True, poll=0.5), 7.0, 2, 4242)
    assert argv[argv.index("--concurrency") + 1] == "3"
    assert argv[argv.index("--supervised-by") + 1] == "4242"
    assert argv[argv.index("--max-tasks") + 1] == "2"
    assert "--once" in argv


def test_processes_share_the_queue_and_the_summary_adds_them_up(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    tasks = create_tasks(db_url, agencies, "a", 6) + create_tasks(db_url, agencies, "b", 6)
    result = subprocess.run(
        [str(AICRM), "worker", "--processes", "3", "--concurrency", "1", "--once", "--lease", "60"],
        env=worker_env(db_url, fake), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert states(db_url) == dict.fromkeys(tasks, ("approved", 1, 0, False))
    assert "3 processes x 1 threads, provider openai" in result.stderr
    assert "stopped: 12 tasks (approved 12) in 3 processes" in result.stderr
    assert len(started_pids := {pid for _, pid in STARTED.findall(result.stderr)}) == 3
    # Each task was worked by one of the children (the worker id is host:pid/thread).
    workers = {transitions(db_url, t)[1][2] for t in tasks}
    assert {w.rsplit(":", 1)[1].split("/")[0] for w in workers} <= started_pids
    assert result.stdout == ""  # the children's tallies go to the supervisor, not to the terminal


def test_max_tasks_over_processes_claims_exactly_that_many(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    tasks = create_tasks(db_url, agencies, "a", 5)
    result = subprocess.run(
        [str(AICRM), "worker", "--processes", "2", "--max-tasks", "3", "--poll", "0.5"],
        env=worker_env(db_url, fake), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    final = [states(db_url)[t][0] for t in tasks]
    assert sorted(final) == ["approved"] * 3 + ["queued"] * 2
    assert "stopped: 3 tasks (approved 3) in 2 processes" in result.stderr


def test_a_killed_child_is_started_again_and_sigterm_reaches_every_child(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, tmp_path: Path
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        proc = spawn(db_url, fake, log, "--processes", "2", "--poll", "0.5", "--grace", "5")
        try:
            wait_for(lambda: len(started(log_path)) == 2, timeout=30)
            (_, first), (_, second) = started(log_path)
            os.kill(first, signal.SIGKILL)
            wait_for(lambda: len(started(log_path)) == 3, timeout=30)
            number, third = started(log_path)[2]
            assert number == 1
            assert third not in (first, second)
            assert "worker process 1 ended with signal 9" in log_path.read_text()
            # The new child works: a task queued now is decided.
            [task] = create_tasks(db_url, agencies, "a", 1)
            wait_for(lambda: states(db_url)[task][0] == "approved", timeout=30)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            proc.kill()
    assert not alive(second)
    assert not alive(third)
    text = log_path.read_text()
    assert "1 crashed" in text
    assert text.count("stopped: ") == 3  # two children and the supervisor


def test_sigterm_to_every_process_of_the_service_still_gives_the_grace_period(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, tmp_path: Path
) -> None:
    """systemd's default KillMode signals every process of the service: the children get SIGTERM
    from it and again from the supervisor (here a third time), and must still finish the task in
    flight within the grace; only a second signal to the supervisor releases it (the next test)."""
    fake.set_script([delay(2.0, ok(SUBJECT, GOOD_EMAIL))])
    log_path = tmp_path / "worker.log"
    with task_in_flight(db_url, agencies, fake, log_path, grace=15) as (proc, task):
        children = [pid for _, pid in started(log_path)]
        for pid in [proc.pid, *children]:  # the whole group, once; the supervisor passes it on too
            os.kill(pid, signal.SIGTERM)
        time.sleep(0.1)
        for pid in children:  # and once more to the children alone: still one graceful stop
            os.kill(pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert states(db_url)[task] == ("approved", 1, 0, False)
    assert "released" not in log_path.read_text()


def test_a_second_signal_to_the_supervisor_releases_at_once(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, tmp_path: Path
) -> None:
    fake.set_script([delay(30.0, ok(SUBJECT, GOOD_EMAIL))])
    log_path = tmp_path / "worker.log"
    with task_in_flight(db_url, agencies, fake, log_path, grace=60) as (proc, task):
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert time.monotonic() - signalled < 15  # not the 60 s grace, nor the 30 s answer
    assert states(db_url)[task] == ("queued", 1, 0, False)
    assert f"task {task}: released (worker stopping)" in log_path.read_text()


def test_children_stop_when_their_supervisor_is_killed(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        proc = spawn(db_url, fake, log, "--processes", "2", "--poll", "0.5", "--grace", "2")
        try:
            wait_for(lambda: len(started(log_path)) == 2, timeout=30)
            # The supervisor's line and each child's: both children run their pools.
            wait_for(lambda: log_path.read_text().count("threads, provider openai") == 3, timeout=30)
            pids = [pid for _, pid in started(log_path)]
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            wait_for(lambda: not any(alive(p) for p in pids), timeout=15)
        finally:
            proc.kill()
    assert log_path.read_text().count("the supervisor (pid") == 2


def test_one_process_runs_in_place_without_a_supervisor(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    [task] = create_tasks(db_url, agencies, "a", 1)
    result = subprocess.run(
        [str(AICRM), "worker", "--processes", "1", "--once"],
        env=worker_env(db_url, fake), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "worker process" not in result.stderr
    assert "4 threads, provider openai" in result.stderr  # a model's default: threads wait on it
    worker = transitions(db_url, task)[1][2]
    assert worker.rsplit(":", 1)[1].split("/")[0] == str(result_pid(result.stderr))


def result_pid(stderr: str) -> int:
    match = re.search(r"worker [^ ]+:(\d+): \d+ threads", stderr)
    assert match is not None, stderr
    return int(match.group(1))
