"""Benchmark import time of the check runner (without GX), GX itself, and a check run.

Usage: ``python benchmarks/bench_import.py [--repeat 5] [--docs 20000] [--skip-checks]``.

Each import is timed in a fresh interpreter (``python -X importtime`` is noisier);
the figure reported is the median wall time minus that of ``python -c pass``. The CLI
target is < 1 s for ``copydesk --help`` and ``copydesk sql``, so ``expectations.runner``
must not pull in Great Expectations, pandas or rich at import.
The check run builds a synthetic warehouse of ``--docs`` documents (each with a few
numbers, entities, counts and edits) in memory and times ``run_checks`` on it, with
GX already imported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def time_import(code: str, repeat: int) -> float:
    """Median seconds to run ``python -c code`` in a fresh interpreter."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def synthetic_warehouse(n_docs: int):
    """An in-memory warehouse of ``n_docs`` valid documents, built with SQL."""
    import duckdb

    from warehouse.ddl import create_all

    con = duckdb.connect()
    create_all(con)
    raw = "ANKARA (AFP) - At least ' || i || ' soldiers were killed in Idlib,quot; Erdoğan said on Thursday."
    con.execute(f"""
        INSERT INTO documents SELECT 'd' || i, 'bench/' || i, 'txt', 'r', now(), 'utf-8',
          '{raw}', replace('{raw}', ',quot;', '"'), 'title', DATE '2020-02-27', 'header', 'Outlet',
          ['AFP'], NULL, 12, 's' || (i // 4), NULL, '{{}}'
        FROM range({n_docs}) t(i)""")
    con.execute("""
        INSERT INTO edits SELECT doc_id, 0, 'fix_entities', strpos(raw_text, ',quot;') - 1,
          strpos(raw_text, ',quot;') + 5, ',quot;', '"' FROM documents""")
    con.execute("""
        INSERT INTO numbers SELECT doc_id, 24, 24 + length(substr(doc_id, 2)), substr(doc_id, 2),
          substr(doc_id, 2)::DOUBLE, NULL, false, NULL FROM documents""")
    con.execute("""
        INSERT INTO counts SELECT doc_id, 15, strpos(clean_text, 'killed') + 5, 'KILL',
          substr(doc_id, 2)::DOUBLE + 1, 'soldiers', 'at_least' FROM documents""")
    con.execute("""
        INSERT INTO entities SELECT doc_id, strpos(clean_text, 'Erdoğan') - 1, strpos(clean_text, 'Erdoğan') + 6,
          'PERSON', 'Erdoğan', 'Recep Tayyip Erdoğan' FROM documents""")
    con.execute("""
        INSERT INTO places SELECT doc_id, strpos(clean_text, 'Idlib') - 1, strpos(clean_text, 'Idlib') + 4,
          'Idlib', 'Idlib', 'SY', 35.93, 36.63 FROM documents""")
    con.execute("""
        INSERT INTO stories SELECT story_id, 'title', DATE '2020-02-27', count(*) FROM documents GROUP BY story_id""")
    return con


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--skip-checks", action="store_true")
    args = parser.parse_args()

    base = time_import("pass", args.repeat)
    runner = time_import(
        "import sys, expectations.runner\n"
        "assert 'great_expectations' not in sys.modules and 'pandas' not in sys.modules",
        args.repeat,
    )
    print(f"python startup                 {base:6.3f} s")
    print(f"import expectations.runner     {runner - base:6.3f} s  (target: well under 1 s)")
    gx = time_import("import great_expectations", 1)
    print(f"import great_expectations      {gx - base:6.3f} s  (paid only by run_checks)")
    if args.skip_checks:
        return

    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401  - time the checks, not the import

    from expectations.runner import exit_code, run_checks

    t0 = time.perf_counter()
    con = synthetic_warehouse(args.docs)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    outcomes = run_checks(con)
    took = time.perf_counter() - t0
    bad = [o for o in outcomes if not o.success]
    print(f"synthetic warehouse ({args.docs} docs) built in {built:.2f} s")
    print(f"run_checks: {len(outcomes)} expectations in {took:6.2f} s, {len(bad)} failed, exit {exit_code(outcomes)}")
    for o in bad:
        print(f"  FAIL {o.suite} {o.name}: {o.detail}")


if __name__ == "__main__":
    main()
