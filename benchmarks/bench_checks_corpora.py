"""Every data check over a remix of all the shared corpora: no error-severity check may fail.

Runs `copydesk run` (the real flow, with the checks) over the 2,225 BBC files, the 22
Reuters-21578 `.sgm` files and the AG News rows together into a fresh home, then prints
every failed check and the time the checks took. Exits 1 when a check of severity
`error` fails: on real, clean data that is a false alarm that would fail every
scheduled run.

Usage: python benchmarks/bench_checks_corpora.py [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    inputs = [CORPORA / "bbc", *sorted((CORPORA / "reuters21578").glob("*.sgm")), CORPORA / "ag_news"]
    if not all(p.exists() for p in inputs) or len(inputs) < 3:
        print(f"skipped: {CORPORA} is absent or incomplete (the shared corpora sit beside the repository)")
        return 0
    import duckdb

    from flows.runner import run_flow

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        code = run_flow(
            [str(p) for p in inputs], home, csv_columns=["class", "title", "text"], batch_size=2000, check=True,
            workers=args.workers,
        )
        seconds = time.perf_counter() - t
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        try:
            docs = con.execute("SELECT count(*), sum(octet_length(clean_text)) FROM documents").fetchone()
            failed = con.execute(
                "SELECT severity, suite, expectation, column_name, detail FROM check_results WHERE NOT success "
                "ORDER BY severity, suite"
            ).fetchall()
            total = con.execute("SELECT count(*) FROM check_results").fetchone()[0]
        finally:
            con.close()
    print(f"remix: {docs[0]} documents, {docs[1] / 1e6:.1f} MB of clean text; run {seconds:.1f} s (exit {code})")
    print(f"checks: {total} expectations, {len(failed)} failed")
    for severity, suite, expectation, column, detail in failed:
        print(f"  {severity}: {suite} {expectation} ({column}): {detail[:200]}")
    errors = [f for f in failed if f[0] == "error"]
    print("no error-severity check failed" if not errors else f"FAILED: {len(errors)} error-severity check(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
