"""The warehouse package only reads and writes: no rule of the transforms is applied inside it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_warehouse_modules_import_no_transforms() -> None:
    offenders = []
    for path in sorted((ROOT / "warehouse").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("transforms", "flows")]
    assert offenders == []


def test_the_flow_writes_the_corroborated_note_once(seeds_home: Path) -> None:
    import duckdb

    con = duckdb.connect(str(seeds_home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.sql(
            "SELECT q.detail, n.suggested_value FROM quality_issues q JOIN numbers n USING (doc_id, start) "
            "WHERE q.check_name = 'malformed_number' AND q.detail LIKE '%corroborated%'"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    detail, suggested = rows[0]
    assert detail.count("corroborated by another source in the same story") == 1
    assert suggested == 950000
