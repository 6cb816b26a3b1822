"""SIGINT and SIGTERM stop a run within seconds, at any stage, even inside a DuckDB query.

Real processes and real signals: a DuckDB query that would run for minutes (substr over a
long non-ASCII text, quadratic in DuckDB), and a real `copydesk run` stopped mid-way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SLOW_QUERY = """
import sys, time
from pathlib import Path
from flows import interrupt
from warehouse import store

con = store.connect(Path(sys.argv[1]))
con.execute("CREATE TABLE d AS SELECT repeat('abcd\u00e9fghij', 20000) AS t")
con.execute("CREATE TABLE s AS SELECT (i * 997) % 190000 AS st FROM range(2000000) r(i)")
try:
    with interrupt.stop_on_signals():
        print("querying", flush=True)
        con.execute("SELECT count(*) FROM s, d WHERE substr(d.t, st + 1, 5) = 'abcd\u00e9'").fetchall()
except KeyboardInterrupt:
    interrupt.finish_interrupted("stopped")
print("finished", flush=True)
"""


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(b")", 1)[1].split()[1]), []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out.update(kids)
        todo += kids
    return out


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_interrupts_a_duckdb_query(tmp_path: Path, sig: signal.Signals, code: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_QUERY, str(tmp_path / "w.duckdb")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "querying"
    time.sleep(1.0)
    sent = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode == code, proc.stderr.read() if proc.stderr else ""
    assert time.monotonic() - sent < 10


def test_a_run_stopped_by_sigterm_leaves_the_last_good_warehouse(tmp_path: Path, seeds_home: Path) -> None:
    """Stop `copydesk run` over a 25 MB article mid-way: exit 143, lock free, nothing published, no child left."""
    home = tmp_path / "home"
    subprocess.run(["cp", "-r", str(seeds_home), str(home)], check=True)
    before = _sha256(home / "warehouse.duckdb")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paragraph = "The death toll rose to 23, officials said. \u201cWe are overwhelmed,\u201d said Dr. Amina Yusuf.\n\n"
    # 25 MB: processing it lasts a few seconds; a progress line every 0.2 s says when it starts.
    (inbox / "big.txt").write_text(paragraph * (25_000_000 // len(paragraph)))
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "INFO", "COPYDESK_PROGRESS_SECONDS": "0.2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", str(inbox), "--home", str(home)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # wait until the batch is processed (the plain progress lines of a non-terminal)
        seen.append(line)
        if line.startswith("copydesk: processing"):
            break
    assert proc.poll() is None, "the run ended before it was stopped:\n" + "".join(seen)
    time.sleep(1.0)
    children = _descendants(proc.pid)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=120)[0]
    assert proc.returncode == 143, rest
    assert time.monotonic() - sent < 15
    assert "stopped by SIGTERM" in rest and "Traceback" not in rest
    assert not [p for p in children if _alive(p)]
    assert _sha256(home / "warehouse.duckdb") == before
    assert not list((home / ".staging").glob("*")) if (home / ".staging").exists() else True
    from warehouse.store import ensure_free

    ensure_free(home)  # the lock was released
