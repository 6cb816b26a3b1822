"""What `copydesk run` prints: a progress bar on a terminal, plain lines otherwise, and no Prefect log lines.

These run the real command in a child process (a pseudo-terminal for the bar), with
Prefect's logging at its default level so its INFO lines would show if they leaked.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows import progress

COPYDESK = Path(sys.executable).with_name("copydesk")
PREFECT_LINE = re.compile(r"\| (INFO|DEBUG)\s+\||docs\.prefect\.io|Starting temporary server|Finished in state")

pytestmark = pytest.mark.prefect


def run_env() -> dict[str, str]:
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", COLUMNS="150", LINES="40", TERM="xterm-256color")
    env.pop("PREFECT_LOGGING_LEVEL", None)  # Prefect's default (INFO): its lines must still not reach us
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "600"  # a busy machine starts Prefect slowly
    return env


def run_in_pty(args: list[str], timeout: float = 600) -> tuple[int, str]:
    """Run ``args`` with a pseudo-terminal as stdin, stdout and stderr; exit code and everything written."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=run_env(), close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_terminal_run_shows_a_progress_bar_then_the_summary(seeds_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out = run_in_pty([str(COPYDESK), "run", str(seeds_dir), "--home", str(home)])
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "\x1b[" in out, "rich draws the bar with terminal control sequences"
    assert "━" in plain, "a progress bar is drawn"
    for shown in ("5/5 files", "documents", "ETA", "processing", "checking"):
        assert shown in plain, f"{shown!r} is not on the progress display"
    assert re.search(r"\d+(\.\d+)? [kMG]?B/s", plain), "the rate is shown"
    assert re.search(r"ETA \d\d:\d\d:\d\d", plain) or "ETA -:--:--" in plain
    assert "collects anonymous usage" not in plain, "no telemetry notice either"
    assert "completed in" in plain and "documents new    5" in plain, "the summary follows"
    assert plain.index("━") < plain.index("completed in")
    assert not PREFECT_LINE.search(plain), "Prefect's log lines reached the terminal"
    log = progress.log_path(home).read_text(encoding="utf-8")
    assert "Beginning flow run" in log and "Finished in state Completed" in log, "they went to the log file"


def test_non_terminal_run_prints_plain_lines_and_no_prefect_lines(seeds_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [str(COPYDESK), "run", str(seeds_dir), "--home", str(home)],
        capture_output=True,
        text=True,
        env=run_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert not PREFECT_LINE.search(done.stdout + done.stderr), done.stderr
    assert "\x1b" not in done.stdout + done.stderr, "no terminal control sequences in a log"
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("copydesk: ") for line in lines), lines
    assert re.search(r"copydesk: \S.*: 5/5 files, 5 documents, .* of .*B, .*B/s", lines[-1]), lines[-1]
    assert done.stdout.startswith("run ") and "documents new    5" in done.stdout
    log = progress.log_path(home).read_text(encoding="utf-8")
    assert "Beginning flow run" in log and "Finished in state Completed" in log


def test_verbose_shows_prefect_lines(seeds_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [str(COPYDESK), "run", str(seeds_dir), "--home", str(home), "--verbose", "--no-check"],
        capture_output=True,
        text=True,
        env=run_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Beginning flow run" in done.stderr and "Finished in state Completed" in done.stderr
    assert not progress.log_path(home).exists()


def test_progress_events_reach_listeners_only_while_listening() -> None:
    seen: list[progress.State] = []
    progress.stage("nobody listens")
    with progress.listening(seen.append):
        progress.stage("reading")
        progress.total(2, 2_000_000)
        progress.advance(files=1, nbytes=1_000_000, documents=10)
        progress.advance(files=1, nbytes=1_000_000, documents=5)
    progress.advance(files=7)
    assert [s.stage for s in seen] == ["reading"] * 4
    last = seen[-1]
    assert (last.files_done, last.files_total, last.bytes_done, last.documents) == (2, 2, 2_000_000, 15)
    assert last.eta is None and last.rate > 0
