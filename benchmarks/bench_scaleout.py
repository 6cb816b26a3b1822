"""Scale-out: 1 vs 2 local worker processes, 1 vs 2 Dask workers, on many small files.

Builds a fresh warehouse from a folder of small files (the BBC corpus: 2,225 articles of
2-5 KB each, or its first ``--files``) with `copydesk run` as a subprocess, four ways:
``--workers 1``, ``--workers 2``, and ``--dask-address`` on a cluster of 1 and of 2
`dask worker` processes (one thread each), started with the `dask` command-line tools.
All runs and workers use one Prefect server: ``PREFECT_API_URL`` when set, else a
`prefect server start` this script starts (and stops). Prints the wall time of each run
and checks that the four warehouses are equal (scripts/warehouse_digest.py).

Usage: python benchmarks/bench_scaleout.py [--files N] [--batch-size N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from flows.tempserver import wait_healthy  # noqa: E402 - after the path is set


def start(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def timed_run(inbox: Path, home: Path, extra: list[str], env: dict[str, str], batch_size: int) -> float:
    shutil.rmtree(home, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "copydesk"), "run", str(inbox), "--home", str(home), "--no-check", "--batch-size",
         str(batch_size), *extra],
        env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"copydesk run {' '.join(extra)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=800, help="how many BBC files (0: all 2,225)")
    parser.add_argument("--batch-size", type=int, default=100, help="documents per batch task")
    parser.add_argument("--repeat", type=int, default=1, help="runs per setting (the best is kept)")
    args = parser.parse_args()
    if not BBC.exists():
        print(f"skipped: {BBC} is absent")
        return 0
    from warehouse_digest import digest

    from flows.tempserver import free_port

    tmp = Path(tempfile.mkdtemp(prefix="copydesk-scaleout-"))
    files = sorted(p for p in BBC.rglob("*.txt") if not p.name.lower().startswith("readme"))
    files = files[: args.files] if args.files else files
    inbox = tmp / "inbox"
    inbox.mkdir()
    for i, path in enumerate(files):
        shutil.copy(path, inbox / f"{i:05d}_{path.parent.name}_{path.name}")
    size = sum(p.stat().st_size for p in inbox.iterdir())
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    procs: list[subprocess.Popen] = []
    try:
        if not env.get("PREFECT_API_URL"):
            port = free_port()
            server_env = dict(env, PREFECT_HOME=str(tmp / "prefect-server"), PREFECT_UI_ENABLED="false")
            procs.append(start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               server_env, tmp))
            env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
            print(f"starting a Prefect server on port {port} ...", flush=True)
            wait_healthy(env["PREFECT_API_URL"], None, 600, "prefect server start", poll=0.5)
        print(f"{len(files)} files, {size / 1e6:.2f} MB, batches of {args.batch_size} documents; "
              f"server {env['PREFECT_API_URL']}; checks off", flush=True)
        results: dict[str, float] = {}
        homes: dict[str, Path] = {}

        def measure(label: str, extra: list[str]) -> None:
            homes[label] = tmp / label.replace(" ", "-")
            best = min(timed_run(inbox, homes[label], extra, env, args.batch_size) for _ in range(args.repeat))
            results[label] = best
            print(f"  {label:18} {best:7.1f} s   {size / 1e6 / best:5.2f} MB/s", flush=True)

        measure("local, 1 worker", ["--workers", "1"])
        measure("local, 2 workers", ["--workers", "2"])
        for n in (1, 2):
            port = free_port()
            address = f"tcp://127.0.0.1:{port}"
            cluster = [start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--no-dashboard"], env, tmp)]
            for i in range(n):
                workdir = tmp / f"dask-{n}-worker-{i}"
                workdir.mkdir()
                cluster.append(start([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                      "--no-dashboard", "--local-directory", str(workdir)], env, workdir))
            procs.extend(cluster)
            from distributed import Client

            with Client(address, timeout=120) as client:
                client.wait_for_workers(n, timeout=300)
                # Warm the workers (imports, gazetteer) as long-lived cluster workers would be.
                client.run(lambda: __import__("transforms.batch"))
            measure(f"dask, {n} worker{'s' if n > 1 else ''}", ["--dask-address", address])
            for proc in reversed(cluster):
                stop(proc)
        digests = {label: digest(home) for label, home in homes.items()}
        first = next(iter(digests.values()))
        same = all(d == first for d in digests.values())
        print(f"warehouses equal across the four runs: {'yes' if same else 'NO'}")
        return 0 if same else 1
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
