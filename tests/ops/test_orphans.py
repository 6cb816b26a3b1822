"""`kill -9` of `copydesk run` or `copydesk serve` leaves no process they started running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.ops.conftest import BIN, ROOT, alive, descendants

pytestmark = pytest.mark.prefect

SAMPLE = ROOT / "flows" / "sample"


def wait_for_tree(pid: int, want: callable, timeout: float, log: Path) -> list[psutil.Process]:  # type: ignore[valid-type]
    """Poll the processes under ``pid`` until ``want(command lines)`` holds; those processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = descendants(pid)
        lines = []
        for p in procs:
            try:
                lines.append(" ".join(p.cmdline()))
            except psutil.Error:
                pass
        if want(lines):
            return procs
        if not psutil.pid_exists(pid):
            break
        time.sleep(0.5)
    pytest.fail(f"the processes expected under {pid} never showed up; log:\n{log.read_text()[-3000:]}")


def kill_9_and_wait(pid: int, procs: list[psutil.Process], timeout: float = 45) -> list[str]:
    """``kill -9`` ``pid``; the ones of ``procs`` still running ``timeout`` seconds later."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(procs):
        time.sleep(0.5)
    left = alive(procs)
    for p in procs:  # clean up after a failure, never before the check
        try:
            p.kill()
        except psutil.Error:
            pass
    return left


def test_kill_9_of_run_leaves_no_server_or_worker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    env["COPYDESK_HOLD_WHILE_EXISTS"] = str(tmp_path / "hold")
    (tmp_path / "hold").touch()  # the run waits before publishing: it cannot finish before the kill
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "copydesk"), "run", str(SAMPLE), "--home", str(tmp_path / "home"), "--workers", "2",
             "--batch-size", "4"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        procs = wait_for_tree(
            proc.pid,
            lambda lines: any("flows.tempserver" in c for c in lines) and sum("spawn_main" in c for c in lines) >= 2,
            300, log,
        )
        time.sleep(3)
        procs = descendants(proc.pid)  # the full tree, pool workers included
        left = kill_9_and_wait(proc.pid, procs)
        proc.wait()
        assert not left, f"still running after kill -9 of copydesk run: {left}"
        assert not (tmp_path / "home" / "warehouse.duckdb").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_kill_9_of_serve_leaves_no_flow_run(prefect_server: str, seeds_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox)
    hold = tmp_path / "hold"
    hold.touch()  # the scheduled run is held before publishing
    env = dict(os.environ, PREFECT_API_URL=prefect_server, PREFECT_HOME=str(tmp_path / "prefect"),
               COPYDESK_HOLD_WHILE_EXISTS=str(hold))
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "copydesk"), "serve", "--cron", "* * * * *", "--inbox", str(inbox), "--home",
             str(tmp_path / "home"), "--name", "orphans", "--workers", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        # the flow run (a child of serve), transforming its one batch in a pool worker of its own
        wait_for_tree(
            proc.pid,
            lambda lines: any("prefect.engine" in c for c in lines) and any("spawn_main" in c for c in lines),
            420, log,
        )
        time.sleep(3)
        procs = descendants(proc.pid)
        left = kill_9_and_wait(proc.pid, procs)
        proc.wait()
        assert not left, f"still running after kill -9 of copydesk serve: {left}"
        assert not (tmp_path / "home" / "warehouse.duckdb").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
