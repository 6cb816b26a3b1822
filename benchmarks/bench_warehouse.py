"""Publish cost against warehouse size, and the cost of a re-run that adds nothing.

Run: ``python benchmarks/bench_warehouse.py [--sizes 1000,10000,50000] [--increment 100]``.
Synthetic documents of about 2 KB with three counts each; times are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contract.schema import TABLES  # noqa: E402
from warehouse import store  # noqa: E402

T0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
BODY = "Officials said two soldiers were killed and five wounded near the border on Thursday. " * 24


def synthetic(first: int, n: int, run_id: str) -> dict[str, pa.Table]:
    """``n`` documents numbered from ``first``, each with three counts."""
    docs, counts = [], []
    for i in range(first, first + n):
        text = f"Report {i}\n{BODY}"
        did = hashlib.sha256(text.encode()).hexdigest()[:16]
        docs.append(
            {
                "doc_id": did,
                "source_uri": f"/in/{i}.txt",
                "source_format": "txt",
                "run_id": run_id,
                "ingested_at": T0,
                "encoding": "utf-8",
                "raw_text": text,
                "clean_text": text,
                "title": f"Report {i}",
                "published_date": dt.date(2020, 1, 1 + i % 28),
                "outlet": f"outlet{i % 7}",
                "agencies": ["AFP"],
                "word_count": len(text.split()),
                "story_id": f"s{i % 500}",
            }
        )
        for j, kind in enumerate(("KILL", "WOUND", "ARREST")):
            counts.append(
                {
                    "doc_id": did,
                    "start": 10 + j * 40,
                    "end": 30 + j * 40,
                    "count_type": kind,
                    "number": float(j + 2),
                    "object": "soldiers",
                    "qualifier": "exact",
                }
            )
    return {
        "documents": pa.Table.from_pylist(docs, schema=TABLES["documents"].arrow_schema),
        "counts": pa.Table.from_pylist(counts, schema=TABLES["counts"].arrow_schema),
    }


def publish_run(home: Path, run_id: str, tables: dict[str, pa.Table]) -> float:
    """Stage ``tables`` and publish them; the seconds the publish took."""
    with store.lock_home(home):
        store.recover(home)
        for part, (name, table) in enumerate(tables.items()):
            store.write_part(home, run_id, name, part, table)
        start = time.perf_counter()
        store.publish(home, run_id)
        return time.perf_counter() - start


def bench(size: int, increment: int) -> dict[str, float]:
    """Build a warehouse of ``size`` documents, then time an increment and an empty re-run."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        built = 0
        while built < size:
            n = min(10_000, size - built)
            publish_run(home, f"build{built:08d}", synthetic(built, n, "build"))
            built += n
        inc = publish_run(home, "inc", synthetic(size, increment, "inc"))
        files = len(list((home / "parquet").rglob("*.parquet")))
        rerun = publish_run(home, "rerun", {})
        assert len(list((home / "parquet").rglob("*.parquet"))) == files, "a re-run wrote Parquet files"
        mb = store.db_path(home).stat().st_size / 1e6
        return {"docs": size, "db_mb": mb, "publish_increment_s": inc, "rerun_s": rerun}


def main() -> None:
    """Print one line per warehouse size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--increment", type=int, default=100)
    args = parser.parse_args()
    print(f"{'docs':>8} {'db MB':>8} {'publish +' + str(args.increment) + ' s':>16} {'re-run s':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        r = bench(size, args.increment)
        print(f"{r['docs']:>8} {r['db_mb']:>8.1f} {r['publish_increment_s']:>16.3f} {r['rerun_s']:>9.3f}")


if __name__ == "__main__":
    main()
