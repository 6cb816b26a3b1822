"""Benchmark: cleaning throughput (MB/s of raw UTF-8) over BBC and Reuters-21578 bodies.

Run: ``.venv/bin/python benchmarks/bench_clean.py`` (needs ../shared/corpora).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.clean.clean import clean_texts  # noqa: E402
from transforms.load.parse import Record, parse  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
BATCH = 5000


def _records() -> dict[str, list[Record]]:
    """BBC articles and Reuters bodies, parsed."""
    bbc = [
        r
        for f in sorted((CORPORA / "bbc").rglob("*.txt"))
        if f.name != "README.TXT"
        for r in parse(f.read_bytes(), str(f), "txt")
    ]
    reuters = [
        r for f in sorted((CORPORA / "reuters21578").glob("*.sgm")) for r in parse(f.read_bytes(), str(f), "sgm")
    ]
    return {name: [r for r in recs if isinstance(r, Record)] for name, recs in (("bbc", bbc), ("reuters", reuters))}


def main() -> None:
    """Print MB/s per corpus and overall (wall clock, and CPU time: steadier on a shared machine)."""
    if not CORPORA.exists():
        sys.exit(f"needs {CORPORA}")
    corpora = _records()
    clean_texts(["warm up &amp; cafÃ©\n\nBy AFP"])  # imports and regex compilation
    total_mb = total_s = total_cpu = 0.0
    for name, recs in corpora.items():
        raw = [r.raw_text for r in recs]
        sources = [str(r.metadata.get("outlet") or Path(r.source_uri).parent.name) for r in recs]
        mb = sum(len(t.encode("utf-8")) for t in raw) / 1e6
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(raw), BATCH):
            clean_texts(raw[i : i + BATCH], sources=sources[i : i + BATCH])
        secs, cpu = time.perf_counter() - start, time.process_time() - cpu
        total_mb, total_s, total_cpu = total_mb + mb, total_s + secs, total_cpu + cpu
        print(f"{name:8s} {len(raw):6d} docs {mb:6.1f} MB {secs:6.2f} s {mb / secs:6.1f} MB/s {mb / cpu:6.1f} MB/s cpu")
    print(
        f"{'total':8s} {'':11s} {total_mb:6.1f} MB {total_s:6.2f} s {total_mb / total_s:6.1f} MB/s "
        f"{total_mb / total_cpu:6.1f} MB/s cpu (one core)"
    )


if __name__ == "__main__":
    main()
