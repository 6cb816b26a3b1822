"""Row count and content hash of every warehouse table, for comparing two builds.

Columns that differ between two builds of the same input by design (run ids, load and
check times) are left out; rows are hashed in an order-free way, so two warehouses built
from the same input in different batch orders give the same digest.

Usage: python scripts/warehouse_digest.py HOME [HOME2]   (with two homes: the tables that differ)
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

#: Columns that name the run or the clock, not the content.
VOLATILE = {"run_id", "ingested_at", "detected_at", "started_at", "finished_at", "seen_at", "checked_at"}
#: Tables about the runs themselves.
SKIPPED = {"runs", "check_results", "inputs", "schema_info"}


def digest(home: Path) -> dict[str, tuple[int, str]]:
    """Per table: (rows, hash of the sorted row hashes)."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        out: dict[str, tuple[int, str]] = {}
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for name in tables:
            if name in SKIPPED:
                continue
            cols = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall() if r[0] not in VOLATILE]
            row = ", ".join(f'"{c}"' for c in cols)
            found = con.execute(f'SELECT count(*), coalesce(sum(hash({row})::HUGEINT), 0) FROM "{name}"').fetchone()
            assert found is not None
            rows, h = found
            out[name] = (rows, format(int(h) & (2**128 - 1), "032x"))
        return out
    finally:
        con.close()


def main(argv: list[str]) -> int:
    homes = [Path(a) for a in argv]
    if not homes or len(homes) > 2:
        print(__doc__)
        return 2
    digests = [digest(h) for h in homes]
    if len(digests) == 1:
        for name, (rows, h) in digests[0].items():
            print(f"{name:16} {rows:>9} {h}")
        return 0
    a, b = digests
    differ = 0
    for name in sorted(set(a) | set(b)):
        same = a.get(name) == b.get(name)
        differ += not same
        print(f"{'same' if same else 'DIFFERS':8} {name:16} {a.get(name)} {b.get(name)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
