"""Benchmark the link stage on BBC + Reuters-21578 (about 21,000 documents); prints seconds and link figures.

Usage: ``python benchmarks/bench_link.py [--limit N] [--repeat 1] [--workers 1]``. ``--workers``:
processes for the first pass (the flow uses every core); CPU time is this process's only. The corpora are loaded
crudely (BBC title = first line; Reuters <BODY> unescaped, <DATE> as published_date,
credited to Reuters); counts and numbers are empty, so this times linking and stories.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT / ".." / "shared" / "corpora"
_RECORD_RE = re.compile(r"<REUTERS.*?</REUTERS>", re.S)
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_DATE_RE = re.compile(r"<DATE>\s*(\d+-\w+-\d{4})")


def load_corpus(limit: int | None = None) -> pa.Table:
    """BBC articles and Reuters bodies as a ``documents`` table (the input of ``link``)."""
    rows: list[tuple[str, str, str | None, dt.date | None, str, list[str]]] = []
    for path in sorted((CORPORA / "bbc").glob("*/*.txt")):
        raw = path.read_bytes()
        text = raw.decode("utf-8") if raw.isascii() or _utf8(raw) else raw.decode("latin-1")
        rows.append((f"bbc/{path.parent.name}/{path.name}", text.strip(), text.split("\n", 1)[0], None, "BBC", []))
    for path in sorted((CORPORA / "reuters21578").glob("*.sgm")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        for i, rec in enumerate(_RECORD_RE.findall(raw)):
            body = _BODY_RE.search(rec)
            if not body:
                continue
            title = _TITLE_RE.search(rec)
            date = _DATE_RE.search(rec)
            pub = dt.datetime.strptime(date[1].title(), "%d-%b-%Y").date() if date else None
            text = html.unescape(body[1]).replace("\x03", "").strip()
            rows.append(
                (f"{path.name}#{i}", text, html.unescape(title[1]) if title else None, pub, "Reuters", ["Reuters"])
            )
    rows = rows[:limit] if limit else rows
    return pa.table(
        {
            "doc_id": [hashlib.sha256(r[0].encode()).hexdigest()[:16] for r in rows],
            "source_uri": [r[0] for r in rows],
            "clean_text": [r[1] for r in rows],
            "title": [r[2] for r in rows],
            "published_date": pa.array([r[3] for r in rows], pa.date32()),
            "outlet": [r[4] for r in rows],
            "agencies": pa.array([r[5] for r in rows], pa.list_(pa.string())),
        }
    )


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not (CORPORA / "bbc").exists():
        print(f"skipped: {CORPORA} is absent")
        return 0
    from contract.schema import TABLES
    from transforms.link.link import link

    docs = load_corpus(args.limit)
    counts = TABLES["counts"].arrow_schema.empty_table()
    numbers = TABLES["numbers"].arrow_schema.empty_table()
    mb = sum(len(t) for t in docs.column("clean_text").to_pylist()) / 1e6
    print(f"documents: {docs.num_rows:,} ({mb:.1f} MB of text)")
    best = cpu = float("inf")
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = link(docs, counts, numbers, workers=args.workers)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    print(f"link: {best:.2f} s wall, {cpu:.2f} s CPU (best of {args.repeat}), {docs.num_rows / best:,.0f} docs/s")
    import resource

    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    rel = Counter(out["doc_links"].column("relation").to_pylist())
    print("doc_links:", dict(sorted(rel.items())))
    sizes = sorted(out["stories"].column("doc_count").to_pylist(), reverse=True)
    print(f"stories: {len(sizes):,}; multi-document: {sum(s > 1 for s in sizes):,}; largest: {sizes[:8]}")
    dups = sum(d is not None for d in out["doc_story"].column("duplicate_of").to_pylist())
    print(f"duplicates (duplicate_of set): {dups:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
