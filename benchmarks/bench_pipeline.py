"""Whole-pipeline throughput: raw files to checked warehouse, against ftfy alone.

Runs `copydesk run` (the real flow, in-process) over the BBC corpus and the Reuters-21578
files from ../shared/corpora into a fresh home, then again on the same input, and prints:

- MB/s of the first run (input bytes / wall time, Prefect start-up excluded and shown),
- MB/s of `ftfy.fix_text` alone over the same decoded text, and the ratio (bar: >= 4x),
- the re-run's cost as a share of the first run (bar: < 5%),
- peak resident memory of the process (bar: < 1 GB).

Usage: python benchmarks/bench_pipeline.py [--corpus bbc,reuters | --inputs DIR ...] [--no-check] [--workers N]

``--inputs`` takes any files or folders, such as a remix from ``make_corpus.py`` (one
article per ``.txt`` file, the shape of a scraper's drop folder). ``--workers 0`` (the
default) lets the run choose, as ``copydesk run`` does.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT))


def inputs_for(names: list[str]) -> list[Path]:
    """Input paths for the named corpora."""
    paths = {
        "bbc": [CORPORA / "bbc"],
        "reuters": sorted((CORPORA / "reuters21578").glob("*.sgm")),  # not the category lists beside them
        "ag_news": [CORPORA / "ag_news"],
    }
    return [p for n in names for p in paths[n]]


def files_of(paths: list[Path]) -> list[Path]:
    """Every input file under ``paths`` (folders recursively)."""
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    return [f for f in out if f.suffix in {".txt", ".sgm", ".csv"} and not f.name.lower().startswith("readme")]


def input_bytes(paths: list[Path]) -> int:
    """Bytes of input."""
    return sum(f.stat().st_size for f in files_of(paths))


def ftfy_seconds(paths: list[Path]) -> tuple[float, int]:
    """Seconds `ftfy.fix_text` takes over the decoded text of every input file."""
    import ftfy

    texts = [f.read_bytes().decode("utf-8", "replace") for f in files_of(paths)]
    t = time.perf_counter()
    for text in texts:
        ftfy.fix_text(text)
    return time.perf_counter() - t, sum(len(x.encode()) for x in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="bbc,reuters")
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--inputs", nargs="+", type=Path, help="input files or folders instead of --corpus")
    parser.add_argument("--workers", type=int, default=0, help="batches in parallel (0: the run decides)")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    paths = args.inputs or inputs_for(args.corpus.split(","))
    if args.inputs:
        args.corpus = ", ".join(str(p) for p in args.inputs)
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"skipped: {missing[0]} is absent (the shared corpora sit beside the repository)")
        return
    from flows.runner import prefect_api, prefect_env

    prefect_env()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect import flow

    from flows.pipeline import run_pipeline

    @flow
    def warm() -> None:
        """Start Prefect's temporary server before timing."""

    t = time.perf_counter()
    with prefect_api():  # as `copydesk run` does: PREFECT_API_URL, else one temporary server
        warm()
        measure(args, paths, run_pipeline, time.perf_counter() - t)


def measure(args: argparse.Namespace, paths: list[Path], run_pipeline: Any, startup: float) -> None:
    """Run the flow twice on ``paths`` and ftfy once; print the figures."""
    size = input_bytes(paths)
    home = Path(tempfile.mkdtemp(prefix="copydesk-bench-"))
    argv = [str(p) for p in paths]

    def timed_run() -> tuple[Any, float]:
        t = time.perf_counter()
        state = run_pipeline(
            inputs=argv, home=str(home), check=not args.no_check, workers=args.workers, batch_size=args.batch_size,
            return_state=True,
        )
        summary = state.result(raise_on_failure=False)
        if state.is_failed():  # the data has problems; the timing still counts
            print(f"note: {state.message}: {', '.join(summary.failed_checks)}")
        return summary, time.perf_counter() - t

    first, first_s = timed_run()
    again, again_s = timed_run()
    fix_s, fix_bytes = ftfy_seconds(paths)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest worker process
    mbps = size / first_s / 1e6
    ftfy_mbps = fix_bytes / fix_s / 1e6
    print(
        f"corpus            {args.corpus}: {size / 1e6:.1f} MB in, {first.docs_new} documents, {first.quarantined} quarantined"
    )
    print(f"prefect start-up  {startup:.1f} s (not counted)")
    print(
        f"first run         {first_s:.1f} s = {mbps:.1f} MB/s (checks {'off' if args.no_check else 'on'}, {args.workers} worker(s))"
    )
    print(
        f"ftfy.fix_text     {fix_s:.1f} s = {ftfy_mbps:.1f} MB/s -> pipeline is {mbps / ftfy_mbps:.1f}x ftfy (bar: 4x)"
    )
    print(
        f"re-run unchanged  {again_s:.2f} s = {100 * again_s / first_s:.1f}% of the first run (bar: < 5%); new {again.docs_new}"
    )
    print(f"peak RSS          {peak_mb:.0f} MB main process, {child_mb:.0f} MB largest child (bar: < 1024 MB)")
    print(f"warehouse         {home}/warehouse.duckdb ({(home / 'warehouse.duckdb').stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
