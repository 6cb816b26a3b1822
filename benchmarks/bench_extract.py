"""Benchmark the extraction stage on the BBC and Reuters-21578 corpora; prints MB/s.

Usage: ``python benchmarks/bench_extract.py [--workers 2] [--batch-mb 2.5] [--repeat 3] [--limit N] [--stages]``.
Each of the ``--repeat`` runs starts new worker processes (so caches start cold); the best is
reported, since other load on the machine only ever slows a run down.
The text is cut into batches of about ``--batch-mb`` megabytes of consecutive documents (the
stage's cost per batch is fixed, mostly compiling regular expressions, so batches are sized by
text, not by document count); their number is a multiple of ``--workers``, so that the
processes get equal shares.
``--stages`` adds the cold gazetteer load and CPU seconds per stage, from two passes in one process:
the first builds the per-process caches (sequence plans, parsed numbers), the second runs warm.
The corpora live in ``../shared/corpora`` beside the repository root.
"""

from __future__ import annotations

import argparse
import functools
import html
import itertools
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT / ".." / "shared" / "corpora"
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def load_corpus(limit: int | None = None) -> pa.Table:
    """BBC articles and Reuters bodies as a docs table (the input of ``extract``)."""
    texts: list[str] = []
    uris: list[str] = []
    for path in sorted((CORPORA / "bbc").glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("latin-1"))
        uris.append(str(path))
    for path in sorted((CORPORA / "reuters21578").glob("*.sgm")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        for i, m in enumerate(_BODY_RE.finditer(raw)):
            texts.append(html.unescape(m[1]).replace("\x03", "").strip())
            uris.append(f"{path}#{i}")
    if limit:
        texts, uris = texts[:limit], uris[:limit]
    n = len(texts)
    return pa.table(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "clean_text": texts,
            "title": pa.nulls(n, pa.string()),
            "published_date": pa.nulls(n, pa.date32()),
            "source_uri": uris,
        }
    )


def _run(batch: pa.Table) -> dict[str, float]:
    """Extract one batch; return row counts and the CPU seconds it took (cheap to send back)."""
    from transforms.extract.extract import extract

    cpu = time.process_time()
    counts: dict[str, float] = {k: v.num_rows for k, v in extract(batch).items()}
    counts["cpu_seconds"] = time.process_time() - cpu
    return counts


def _warm() -> None:
    """Load the gazetteer before timing (forked workers inherit it)."""
    from transforms.extract.places import gazetteer

    gazetteer()


#: The functions ``extract`` calls per stage, as (module, function, stage).
STAGES = [
    ("transforms.extract.names.entities", "find_all", "entities"), ("transforms.extract.counts", "find_counts", "counts"),
    ("transforms.extract.extract", "_count_candidates", "counts"), ("transforms.extract.numbers", "numbers_table", "numbers"),
    ("transforms.extract.quotes", "find_quotes", "quotes"), ("transforms.extract.dates", "date_table", "dates"),
    ("transforms.extract.meta", "doc_metas", "meta"), ("transforms.extract.extract", "_records", "tables"),
    ("transforms.extract.extract", "_table", "tables"),
]


def stage_seconds(batches: list[pa.Table]) -> list[dict[str, float]]:
    """CPU seconds per stage of a first and a second pass over ``batches`` (the second has warm caches)."""
    import importlib

    from transforms.extract.extract import extract

    spent: dict[str, float] = {}

    def timed(f, stage):  # type: ignore[no-untyped-def]
        @functools.wraps(f)
        def run(*a, **k):  # type: ignore[no-untyped-def]
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent[stage] = spent.get(stage, 0.0) + time.process_time() - t
        return run

    for module, name, stage in STAGES:
        mod = importlib.import_module(module)
        setattr(mod, name, timed(getattr(mod, name), stage))
    passes = []
    for _ in range(2):
        spent.clear()
        t = time.process_time()
        for b in batches:
            extract(b)
        total = time.process_time() - t
        passes.append({**spent, "other": total - sum(spent.values()), "total": total})
    return passes


def _timed(batches: list[pa.Table], workers: int) -> tuple[float, list[dict[str, float]]]:
    """Wall-clock seconds to extract ``batches`` in ``workers`` new forked processes, and each batch's figures."""
    if workers <= 1:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_run, batches))
        return time.perf_counter() - t0, results
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(abs, range(workers * 4)))  # the processes are up before timing
        t0 = time.perf_counter()
        results = list(pool.map(_run, batches))
        return time.perf_counter() - t0, results


def main() -> None:
    """Time ``extract`` over the corpora and print throughput."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2, help="processes (cores) to use")
    ap.add_argument("--batch-mb", type=float, default=2.5, help="megabytes of text per batch")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--stages", action="store_true", help="also time the gazetteer load and each stage")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs, each in new processes; the best is shown")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"corpora not found at {CORPORA}")
    docs = load_corpus(args.limit)
    sizes = pc.binary_length(docs.column("clean_text")).to_numpy()
    mb = sizes.sum() / 1e6
    # a multiple of --workers batches of equal text, each near --batch-mb
    n_batches = max(1, args.workers) * max(1, round(mb / (args.batch_mb * max(1, args.workers))))
    step = sizes.sum() / n_batches
    cuts = np.searchsorted(np.cumsum(sizes), np.arange(1, n_batches) * step)
    bounds = [0, *sorted({int(c) + 1 for c in cuts} - {0}), docs.num_rows]
    # take, not slice: a slice pickles with the whole table's buffers
    batches = [docs.take(pa.array(np.arange(a, b))) for a, b in itertools.pairwise(bounds) if b > a]
    totals: dict[str, float] = {}
    cold = time.process_time()
    _warm()
    cold = time.process_time() - cold
    if args.stages:  # in a fresh fork, so that its first pass starts with cold caches
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            first, second = pool.submit(stage_seconds, batches).result()
    runs = [_timed(batches, args.workers) for _ in range(args.repeat)]
    elapsed, results = min(runs, key=lambda r: r[0])
    for r in results:
        for k, v in r.items():
            totals[k] = totals.get(k, 0) + v
    cpu = totals.pop("cpu_seconds")
    print(f"documents: {docs.num_rows}  text: {mb:.1f} MB  batches: {len(batches)}  workers: {args.workers}")
    print("rows: " + ", ".join(f"{k}={int(v)}" for k, v in totals.items()))
    if args.repeat > 1:
        walls = sorted(r[0] for r in runs)
        print(f"runs: {', '.join(f'{w:.2f}' for w in walls)} s (each from cold caches); the best one below")
    print(f"elapsed: {elapsed:.2f} s  throughput: {mb / elapsed:.1f} MB/s (wall clock)")
    print(f"cpu: {cpu:.2f} s  throughput: {mb / cpu:.1f} MB/s per core, {args.workers * mb / cpu:.1f} MB/s "
          f"on {args.workers} cores when they are not shared (load average now {os.getloadavg()[0]:.1f})")
    if args.stages:
        print(f"gazetteer cold load: {cold:.2f} s CPU")
        print(f"{'stage':<10} {'first pass':>16} {'warm pass':>16}")
        for stage in sorted(second, key=lambda k: -second[k]):
            print(f"{stage:<10} {first[stage]:6.2f} s {mb / first[stage]:5.1f} MB/s "
                  f"{second[stage]:6.2f} s {mb / second[stage]:5.1f} MB/s")


if __name__ == "__main__":
    main()
