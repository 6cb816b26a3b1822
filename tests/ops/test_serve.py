"""`copydesk serve` on a real Prefect server: scheduled runs, late runs, artifacts, a clean stop."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.ops.conftest import BIN, stop_group

pytestmark = pytest.mark.prefect

#: The deployment name the test serves.
NAME = "scheduled-e2e"


def client(url: str) -> Any:
    """A synchronous Prefect client on the server at ``url``."""
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(url)


def deployment_runs(url: str, deployment_id: Any) -> list[Any]:
    """Every flow run of the deployment, oldest expected start first."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    with client(url) as c:
        return c.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )


def wait_for(what: str, probe: Callable[[], Any], timeout: float, proc: subprocess.Popen, log: Path) -> Any:
    """Poll ``probe`` until it returns something truthy; fail with the serve log when it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text()[-3000:]
            pytest.fail(f"copydesk serve exited ({proc.returncode}) while waiting for {what}:\n{tail}")
        found = probe()
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; serve log:\n{log.read_text()[-3000:]}")


def runs_table(home: Path) -> list[tuple]:
    """(docs_new, docs_unchanged, status) of every run recorded in the warehouse, oldest first."""
    for _ in range(20):
        try:
            con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        except (duckdb.Error, OSError):  # being published right now
            time.sleep(0.5)
            continue
        try:
            return con.execute("SELECT docs_new, docs_unchanged, status FROM runs ORDER BY started_at").fetchall()
        finally:
            con.close()
    return []


def skipped(run: Any) -> bool:
    return bool(run.state and (run.state.message or "").startswith("skipped"))


def test_serve_without_a_server_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")  # no profile that names a server
    done = subprocess.run(
        [str(BIN / "copydesk"), "serve", "--cron", "* * * * *", "--inbox", str(tmp_path),
         "--home", str(tmp_path / "h")],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "prefect server start" in lines[0] and "PREFECT_API_URL" in lines[0], done.stderr


def test_scheduled_runs_end_to_end(prefect_server: str, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) >= 5
    inbox, home, hold, log = tmp_path / "inbox", tmp_path / "home", tmp_path / "hold", tmp_path / "serve.log"
    inbox.mkdir()
    for seed in seeds[:4]:
        shutil.copy(seed, inbox)
    env = dict(
        os.environ,
        PREFECT_API_URL=prefect_server,
        PREFECT_HOME=str(tmp_path / "prefect-client"),
        PREFECT_LOGGING_LEVEL="INFO",
        COPYDESK_HOLD_WHILE_EXISTS=str(hold),
    )
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "copydesk"), "serve", "--cron", "* * * * *", "--inbox", str(inbox), "--home", str(home),
             "--name", NAME, "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        with client(prefect_server) as c:
            deployment = wait_for(
                "the deployment",
                lambda: _try(lambda: c.read_deployment_by_name(f"copydesk-run/{NAME}")),
                180, proc, log,
            )

        # 1. a scheduled run loads the four files
        wait_for("a run that loads 4 documents", lambda: any(r[0] == 4 for r in runs_table(home)), 420, proc, log)
        # 2. a fifth file dropped later is loaded by a later run
        shutil.copy(seeds[4], inbox)
        wait_for("a run that loads the 5th document", lambda: any(r[0] == 1 for r in runs_table(home)), 420, proc, log)
        # 3. a run with nothing new, held past its interval: it records 0 new documents
        hold.touch()
        held = wait_for(
            "a run held past its interval",
            lambda: next((r for r in deployment_runs(prefect_server, deployment.id)
                          if r.state and r.state.is_running() and not skipped(r)
                          and r.start_time and time.time() - r.start_time.timestamp() > 130), None),
            420, proc, log,
        )
        hold.unlink()
        wait_for("the held run to end",
                 lambda: next((r for r in deployment_runs(prefect_server, deployment.id)
                               if r.id == held.id and r.state.is_final()), None), 300, proc, log)
        ended = time.time()
        # Let the runs that came due during the hold, and one more, play out.
        wait_for(
            "the runs due after the held one to end",
            lambda: _after_all_final(prefect_server, deployment.id, held, ended + 70),
            400, proc, log,
        )
    finally:
        stop_group(proc, grace=60)
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert "copydesk serve: stopped" in log.read_text()

    runs = deployment_runs(prefect_server, deployment.id)
    final = [r for r in runs if r.state and r.state.is_final()]
    bad = [(r.name, r.state.name, r.state.message) for r in final if not r.state.is_completed()]
    assert not bad, f"runs that did not complete: {bad}"
    # At most one catch-up: of the runs that came due while the held run ran, one at most did work.
    held = next(r for r in runs if r.id == held.id)
    due_meanwhile = [r for r in runs if held.expected_start_time < r.expected_start_time <= held.end_time]
    assert due_meanwhile, "no scheduled run came due during the held run: the hold was too short"
    worked = [r for r in due_meanwhile if r.state and r.state.is_completed() and not skipped(r)]
    assert len(worked) <= 1, [(r.name, r.expected_start_time, r.state.message) for r in due_meanwhile]

    table = runs_table(home)
    assert [r[0] for r in table][:1] == [4] and 1 in [r[0] for r in table], table
    assert all(r[2] == "completed" for r in table), table
    zero = [r for r in table if r[0] == 0]
    assert zero and zero[0][1] == 5, f"no run recorded 0 new documents with 5 unchanged: {table}"
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (5,)
    finally:
        con.close()

    # The API lists the completed deployment runs and the artifacts of each one that did work.
    done = [r for r in final if not skipped(r)]
    assert len(done) >= len(table) >= 3
    with client(prefect_server) as c:
        for run in done:
            arts = run_artifacts(c, run.id)
            kinds = {a["type"] for a in arts}
            assert {"markdown", "table"} <= kinds, (run.name, kinds)
            summary = next(a for a in arts if a["type"] == "markdown")
            assert "documents new" in str(summary["data"]) and "time taken" in str(summary["data"])


def run_artifacts(c: Any, flow_run_id: Any) -> list[dict]:
    """The artifacts of a flow run, through the client's own request.

    ``read_artifacts`` sends nulls for the filters it is not given, which this server
    refuses (422), as it does for ``prefect flow-run ls``.
    """
    body = {"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "sort": "ID_DESC", "limit": 50, "offset": 0}
    response = c.request("POST", "/artifacts/filter", json=body)
    response.raise_for_status()
    return response.json()


def _try(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - not there yet
        return None


def _after_all_final(url: str, deployment_id: Any, held: Any, until: float) -> bool:
    """True once ``until`` has passed and every run due by then has ended."""
    if time.time() < until:
        return False
    from datetime import UTC, datetime

    cutoff = datetime.fromtimestamp(until - 10, UTC)
    due = [r for r in deployment_runs(url, deployment_id) if r.expected_start_time <= cutoff]
    return all(r.state and r.state.is_final() for r in due)
