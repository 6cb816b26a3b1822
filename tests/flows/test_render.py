"""`copydesk sql` tables: DuckDB-style boxes that fit the width, and Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from flows.cli import app
from flows.render import box_lines, markdown_lines

DOCS = Path(__file__).parents[2] / "docs" / "warehouse.md"
_EXAMPLE = re.compile(r"^### Example: (.+?)\n+```sql\n(.*?)```", re.M | re.S)
EXAMPLES = _EXAMPLE.findall(DOCS.read_text(encoding="utf-8"))


def sql_lines(home: Path, query: str, *args: str) -> list[str]:
    result = CliRunner().invoke(app, ["sql", query, "--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def assert_fits(lines: list[str], width: int) -> None:
    for n, line in enumerate(lines):
        assert cell_len(line) <= width, f"line {n} is {cell_len(line)} wide (> {width}): {line!r}"


def _count(home: Path, table: str) -> int:
    """Rows of ``table`` in the warehouse under ``home``."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        found = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert found is not None
        return int(found[0])
    finally:
        con.close()


def test_story_facts_fit_80_columns_with_ellipses(seeds_home: Path) -> None:
    lines = sql_lines(seeds_home, "select * from v_story_facts", "--max-width", "80")
    assert_fits(lines, 80)
    assert len({cell_len(line) for line in lines}) == 1, "every line of the box is as wide as the others"
    assert any("\u2026" in line for line in lines[4:-3]), "long values are cut with an ellipsis"
    assert "12 columns (" in lines[-2], "the left-out columns are counted"
    rows = _count(seeds_home, "v_story_facts")
    assert lines[-2].lstrip("│ ").startswith(f"{rows} rows")
    assert "story_id" in lines[1] and "doc_ids" in lines[1], "the first and last columns are kept"


def test_default_width_is_the_terminal_or_80(seeds_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert_fits(sql_lines(seeds_home, "select * from v_story_facts"), 80)  # not a terminal: 80
    monkeypatch.setenv("COLUMNS", "132")
    wide = sql_lines(seeds_home, "select * from v_story_facts")
    assert_fits(wide, 132)
    assert max(map(cell_len, wide)) > 100


@pytest.mark.parametrize("width", [40, 60, 120])
def test_max_width(seeds_home: Path, width: int) -> None:
    assert_fits(sql_lines(seeds_home, "select * from documents", "--max-width", str(width)), width)


@pytest.mark.parametrize(("title", "sql"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_docs_examples_read_well_in_80_columns(seeds_home: Path, title: str, sql: str) -> None:
    lines = sql_lines(seeds_home, sql, "--max-width", "80")
    assert_fits(lines, 80)
    header = [c.strip() for c in lines[1].strip("│").split("│")]
    note = re.search(r"(\d+) columns \((\d+) shown\)", lines[-2])
    if note:
        assert int(note[2]) >= 4, f"too few of {note[1]} columns shown: {header}"
    for name in header:
        assert name == "\u2026" or name in sql or len(name) >= 9, f"a column name squeezed unreadably: {header}"


def test_long_results_show_first_and_last_rows(seeds_home: Path) -> None:
    lines = sql_lines(seeds_home, "select doc_id, name from places order by doc_id, start", "--max-rows", "10")
    assert "136 rows (10 shown)" in lines[-2]
    body = [line for line in lines[4:-3]]
    assert len(body) == 10 + 3  # five first, three rows of dots, five last
    assert all("\u00b7" in line for line in body[5:8])


def test_markdown(seeds_home: Path) -> None:
    lines = sql_lines(
        seeds_home, "select count_type, object, consensus from facts order by 1, 2, 3", "--format", "markdown"
    )
    assert lines[0] == "| count_type | object | consensus |"
    assert lines[1] == "|---|---|--:|"
    assert "| KILL | soldiers | 2.0 |" in lines
    assert len(lines) == 2 + _count(seeds_home, "facts")


def test_cells_are_safe_and_measured_in_terminal_cells() -> None:
    table = pa.table(
        {
            "hostile": ["\x1b[31m\nred", None],
            "wide": ["殺された兵士" * 5, "x|y"],
            "n": [1, 22],
        }
    )
    lines = box_lines(table, max_width=50)
    assert_fits(lines, 50)
    text = "\n".join(lines)
    assert "\x1b" not in text, "no raw escape character reaches the terminal"
    assert "\\x1b[31m\u23cered" in text
    assert "NULL" in text
    assert len({cell_len(line) for line in lines}) == 1
    md = markdown_lines(table)
    assert "x\\|y" in md[-1] and "\x1b" not in "".join(md)


def test_empty_result(seeds_home: Path) -> None:
    lines = sql_lines(seeds_home, "select * from quarantine")
    assert "0 rows" in lines[-2]
    assert_fits(lines, 80)
