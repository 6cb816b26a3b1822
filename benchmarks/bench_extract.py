"""Benchmark the extraction stage on the BBC and Reuters-21578 corpora; prints MB/s.

Usage: ``python benchmarks/bench_extract.py [--workers 2] [--repeat 1] [--limit N]``.
The corpora live in ``../shared/corpora`` beside the repository root.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow as pa

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
    from transforms.extract import extract

    cpu = time.process_time()
    counts: dict[str, float] = {k: v.num_rows for k, v in extract(batch).items()}
    counts["cpu_seconds"] = time.process_time() - cpu
    return counts


def _warm() -> None:
    """Load the gazetteer before timing (forked workers inherit it)."""
    from transforms.extract.places import gazetteer

    gazetteer()


def main() -> None:
    """Time ``extract`` over the corpora and print throughput."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2, help="processes (cores) to use")
    ap.add_argument("--batch", type=int, default=2000, help="documents per batch")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"corpora not found at {CORPORA}")
    docs = load_corpus(args.limit)
    mb = sum(len(t.encode("utf-8")) for t in docs.column("clean_text").to_pylist()) / 1e6
    batches = [docs.slice(i, args.batch) for i in range(0, docs.num_rows, args.batch)]
    totals: dict[str, float] = {}
    _warm()
    if args.workers <= 1:
        t0 = time.perf_counter()
        results = [_run(b) for b in batches]
    else:
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(abs, range(args.workers * 4)))
            t0 = time.perf_counter()
            results = list(pool.map(_run, batches))
    elapsed = time.perf_counter() - t0
    for r in results:
        for k, v in r.items():
            totals[k] = totals.get(k, 0) + v
    cpu = totals.pop("cpu_seconds")
    print(f"documents: {docs.num_rows}  text: {mb:.1f} MB  workers: {args.workers}")
    print("rows: " + ", ".join(f"{k}={int(v)}" for k, v in totals.items()))
    print(f"elapsed: {elapsed:.2f} s  throughput: {mb / elapsed:.1f} MB/s (wall clock)")
    print(f"cpu: {cpu:.2f} s  throughput: {mb / cpu:.1f} MB/s per core, {args.workers * mb / cpu:.1f} MB/s "
          f"on {args.workers} cores when they are not shared (load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
