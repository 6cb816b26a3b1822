"""docs/warehouse.md is tested against the code: every table, column and view documented; every example runs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from contract.schema import TABLES
from warehouse import store
from warehouse.reference import DOC, refreshed
from warehouse.sql import query
from warehouse.views import views

TEXT = DOC.read_text(encoding="utf-8")
_SECTION = re.compile(r"^### (Table|View) `(\w+)`\n(.*?)(?=^##|\Z)", re.M | re.S)
_ROW = re.compile(r"^\| `(\w+)` \|(.*)\|\s*$", re.M)
_EXAMPLE = re.compile(r"^### Example: (.+?)\n+```sql\n(.*?)```", re.M | re.S)


def documented() -> dict[tuple[str, str], dict[str, str]]:
    """(kind, name) -> {column: description} as the doc states it."""
    out = {}
    for kind, name, body in _SECTION.findall(TEXT):
        out[(kind, name)] = {col: rest.split("|")[-1].strip() for col, rest in _ROW.findall(body)}
    return out


EXAMPLES = _EXAMPLE.findall(TEXT)
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "warehouse" / "doc_examples.json"
ANSWERS: dict[str, list[dict[str, object]]] = (
    json.loads(GOLDEN.read_text(encoding="utf-8"))["answers"] if GOLDEN.exists() else {}
)


def test_every_table_and_column_is_documented() -> None:
    docs = documented()
    for name, table in TABLES.items():
        assert ("Table", name) in docs, f"table {name} is not documented in {DOC}"
        cols = docs[("Table", name)]
        for col in table.column_names:
            assert cols.get(col), f"column {name}.{col} is not documented in {DOC}"
        assert set(cols) == set(table.column_names), f"{DOC} documents columns {name} does not have"


def test_every_view_and_its_columns_are_documented(hand_home: Path) -> None:
    docs = documented()
    assert {n for k, n in docs if k == "View"} == set(views())
    con = duckdb.connect(str(store.db_path(hand_home)), read_only=True)
    try:
        for name, view in views().items():
            actual = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            assert view.doc, f"view {name} has no description"
            assert [c for c, _ in view.columns] == actual, f"warehouse/views/{name}.sql documents other columns"
            assert list(docs[("View", name)]) == actual and all(docs[("View", name)].values())
    finally:
        con.close()


def test_reference_is_up_to_date() -> None:
    assert TEXT == refreshed(TEXT), "docs/warehouse.md is stale: run `python -m warehouse.reference --write`"


def test_at_least_eight_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert len({title for title, _ in EXAMPLES}) == len(EXAMPLES)


def answer_rows(result: pa.Table) -> list[dict[str, object]]:
    """A query's answer as JSON-ready rows (dates and times as ISO strings, floats to 6 places, intervals as lists)."""

    def plain(v: object) -> object:
        if isinstance(v, dt.date | dt.datetime):
            return v.isoformat()
        if isinstance(v, float):
            return round(v, 6)
        if isinstance(v, list | tuple):  # a list column, or an interval (months, days, nanoseconds)
            return [plain(x) for x in v]
        return v

    return [{k: plain(v) for k, v in row.items()} for row in result.to_pylist()]


def test_every_example_has_a_golden_answer() -> None:
    assert set(ANSWERS) == {title for title, _ in EXAMPLES}, f"{GOLDEN}: answers and examples differ"


@pytest.mark.parametrize(("title", "sql"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_example_answers_on_the_hand_warehouse(hand_home: Path, title: str, sql: str) -> None:
    got = answer_rows(query(store.db_path(hand_home), sql))
    assert got, f"{title}: no rows on the hand warehouse"
    assert got == ANSWERS[title]


@pytest.mark.corpus
@pytest.mark.parametrize(("title", "sql"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_example_runs_on_the_seeds_warehouse(seeds_home: Path, title: str, sql: str) -> None:
    """The seeds may not have rows for every question, but each answer has the documented columns."""
    result = query(store.db_path(seeds_home), sql)
    want = list(ANSWERS[title][0])
    assert result.column_names == want, title
