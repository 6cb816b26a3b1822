"""`copydesk run` on an existing Prefect server and on a real Dask cluster; transient I/O errors retried."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ops.conftest import BIN, ROOT, descendants, free_port, stop_group

pytestmark = pytest.mark.prefect

SAMPLE = ROOT / "flows" / "sample"
sys.path.insert(0, str(ROOT / "scripts"))
from warehouse_digest import digest  # noqa: E402


def copydesk_run(args: list[str], env: dict[str, str], watch: list[str] | None = None) -> tuple[int, str, set[str]]:
    """Run ``copydesk run ARGS``; exit code, output, and the command lines of every process it started."""
    proc = subprocess.Popen(
        [str(BIN / "copydesk"), "run", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True,
    )
    seen: set[str] = set()
    out: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: out.extend(proc.stdout or []), daemon=True)
    reader.start()
    while proc.poll() is None:
        for child in descendants(proc.pid):
            try:
                seen.add(" ".join(child.cmdline()))
            except Exception:  # noqa: BLE001 - gone meanwhile
                pass
        time.sleep(0.2)
    reader.join(10)
    return proc.returncode, "".join(out), seen


def flow_runs_for(url: str, home: Path) -> list[Any]:
    """The copydesk flow runs on the server at ``url`` whose home is ``home``."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.sorting import FlowRunSort

    with SyncPrefectClient(url) as c:
        runs = c.read_flow_runs(sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=200)
    return [r for r in runs if r.parameters.get("home") == str(home)]


def env_for(server: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, PREFECT_API_URL=server, PREFECT_HOME=str(tmp_path / "prefect-client"), **extra)


@pytest.fixture(scope="module")
def local_run(prefect_server: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """The sample built by a local run against the existing server (one process); its home and the
    command lines of the processes it started."""
    tmp = tmp_path_factory.mktemp("local")
    home = tmp / "home"
    code, out, started = copydesk_run(
        [str(SAMPLE), "--home", str(home), "--workers", "1", "--batch-size", "4"], env_for(prefect_server, tmp)
    )
    assert code == 0, out
    return home, started


def test_run_uses_the_existing_server_and_starts_none(prefect_server: str, local_run: tuple[Path, set[str]]) -> None:
    local_home, started = local_run
    servers = [c for c in started if "uvicorn" in c or "tempserver" in c or "server start" in c]
    assert not servers, f"copydesk run started a server of its own: {servers}"
    runs = flow_runs_for(prefect_server, local_home)
    assert len(runs) == 1 and runs[0].state and runs[0].state.is_completed(), runs


@pytest.fixture()
def dask_cluster(prefect_server: str, tmp_path: Path) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes, each worker in a working directory of its own.

    The workers reach the same Prefect server (else each would start a temporary one).
    """
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PREFECT_API_URL=prefect_server, PREFECT_HOME=str(tmp_path / "prefect-workers"))
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    ]
    try:
        for i in range(2):
            workdir = tmp_path / f"worker-{i}"
            workdir.mkdir()
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(workdir), "--name", f"worker-{i}"],
                cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            ))
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield address
    finally:
        for proc in reversed(procs):
            stop_group(proc)


def test_dask_cluster_builds_the_same_warehouse(
    prefect_server: str, local_run: tuple[Path, set[str]], dask_cluster: str, tmp_path: Path
) -> None:
    local_home = local_run[0]
    home = tmp_path / "dask-home"
    code, out, _ = copydesk_run(
        [str(SAMPLE), "--home", str(home), "--dask-address", dask_cluster, "--batch-size", "4"],
        env_for(prefect_server, tmp_path),
    )
    assert code == 0, out
    local, dask = digest(local_home), digest(home)
    assert local.keys() == dask.keys()
    differ = {name: (local[name], dask[name]) for name in local if local[name] != dask[name]}
    assert not differ, f"tables that differ from the local run (rows, hash): {differ}"
    assert local["documents"][0] > 0
    # The batches ran on the workers: their task runs are on the server, under the flow run.
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    (run,) = flow_runs_for(prefect_server, home)
    with SyncPrefectClient(prefect_server) as c:
        tasks = c.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
    batches = [t for t in tasks if t.name.startswith("transform-batch")]
    assert batches and all(t.state and t.state.is_completed() for t in batches)


def test_transient_io_errors_are_retried(prefect_server: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out, _ = copydesk_run(
        [str(SAMPLE), "--home", str(home), "--workers", "1"],
        env_for(prefect_server, tmp_path, COPYDESK_INJECT_IO_ERRORS="read:2,write:1", PREFECT_LOGGING_LEVEL="INFO"),
    )
    assert code == 0, out
    log = (home / "logs" / "prefect.log").read_text()  # Prefect's lines go to the home's log file
    assert "injected transient I/O error" in log and "Retry" in log, log
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    (run,) = flow_runs_for(prefect_server, home)
    with SyncPrefectClient(prefect_server) as c:
        tasks = c.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
    counts = {t.name.rsplit("-", 1)[0]: t.run_count for t in tasks}
    assert counts.get("load-batch") == 3, counts  # two failures, then success
    assert counts.get("stage-parts") == 2, counts
    assert all(t.state.is_completed() for t in tasks), [(t.name, t.state.name) for t in tasks]


def test_a_lasting_io_error_is_not_retried_for_ever(prefect_server: str, tmp_path: Path) -> None:
    """Past the retries the run fails with the error, and the last good warehouse stays."""
    home = tmp_path / "home"
    code, out, _ = copydesk_run(
        [str(SAMPLE), "--home", str(home), "--workers", "1"],
        env_for(prefect_server, tmp_path, COPYDESK_INJECT_IO_ERRORS="read:99"),
    )
    assert code != 0
    assert not (home / "warehouse.duckdb").exists()
    assert not list((home / ".staging").glob("*")) if (home / ".staging").exists() else True
