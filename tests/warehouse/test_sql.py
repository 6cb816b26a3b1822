"""`copydesk sql`: answers in every format, refuses anything that writes or reaches outside."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.hand_warehouse import snapshot
from warehouse import sql as wsql
from warehouse.store import db_path

REFUSED = {
    "drop": "DROP TABLE documents",
    "insert": "INSERT INTO runs SELECT * FROM runs",
    "update": "UPDATE documents SET title = 'x'",
    "delete": "DELETE FROM documents",
    "create": "CREATE TABLE t AS SELECT 1",
    "create_view": "CREATE VIEW v AS SELECT 1",
    "alter": "ALTER TABLE documents ADD COLUMN x INT",
    "copy_to": "COPY documents TO '{tmp}/out.csv'",
    "copy_query_to": "COPY (SELECT * FROM documents) TO '{tmp}/out.parquet' (FORMAT parquet)",
    "export": "EXPORT DATABASE '{tmp}/export'",
    "attach_file": "ATTACH '{tmp}/other.duckdb' AS other",
    "attach_memory": "ATTACH ':memory:' AS m",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "read_own_parquet": "SELECT * FROM read_parquet('{home}/parquet/documents/*.parquet')",
    "replacement_scan": "SELECT * FROM '{home}/parquet/documents/r1-00000.parquet'",
    "glob": "SELECT * FROM glob('/etc/*')",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set_external": "SET enable_external_access = true",
    "set_memory": "SET memory_limit = '10GB'",
    "write_after_select": "SELECT 1; DROP TABLE documents",
}


def test_json_answers(hand_home: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sql",
            "SELECT outlet, count(*) AS n FROM documents GROUP BY outlet ORDER BY outlet",
            "--home",
            str(hand_home),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"outlet": "Al Arabiya", "n": 1},
        {"outlet": "Iraq News", "n": 1},
        {"outlet": "Local Paper", "n": 1},
        {"outlet": "TRTWorld", "n": 1},
    ]


def test_views_answer_under_the_read_only_connection(hand_home: Path) -> None:
    rows = wsql.query(db_path(hand_home), "SELECT outlet, value FROM v_conflicts ORDER BY value, outlet").to_pylist()
    assert rows == [
        {"outlet": "Al Arabiya", "value": 2.0},
        {"outlet": "Iraq News", "value": 2.0},
        {"outlet": "TRTWorld", "value": 3.0},
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "table"])
def test_every_format(hand_home: Path, fmt: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sql",
            "SELECT title, published_date, agencies FROM documents ORDER BY title",
            "--home",
            str(hand_home),
            "-f",
            fmt,
        ],
    )
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        lines = result.stdout.splitlines()
        assert lines[0] == "title,published_date,agencies" and len(lines) == 5
    elif fmt == "json":
        assert [r["title"] for r in json.loads(result.stdout)][0] == "Café reopens in Beirut"
    elif fmt == "parquet":
        table = pq.read_table(io.BytesIO(result.stdout_bytes))
        assert table.column_names == ["title", "published_date", "agencies"] and table.num_rows == 4
    else:
        assert "Turkish soldiers killed in Idlib" in result.stdout  # 80 columns: the titles fit whole


def test_unknown_format_is_an_error(hand_home: Path) -> None:
    result = CliRunner().invoke(app, ["sql", "SELECT 1", "--home", str(hand_home), "-f", "xml"])
    assert result.exit_code == 2 and "unknown --format" in result.stderr


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_and_warehouse_unchanged(hand_home: Path, tmp_path: Path, name: str) -> None:
    before = snapshot(hand_home)
    stmt = REFUSED[name].format(tmp=tmp_path, home=hand_home)
    with pytest.raises(wsql.SqlRefused, match="refused: `copydesk sql` is read-only"):
        wsql.query(db_path(hand_home), stmt)
    assert snapshot(hand_home) == before
    assert (
        not any(tmp_path.glob("out*"))
        and not (tmp_path / "export").exists()
        and not (tmp_path / "other.duckdb").exists()
    )
    assert wsql.query(db_path(hand_home), "SELECT count(*) AS n FROM documents").to_pylist() == [{"n": 4}]


@pytest.mark.parametrize("name", ["drop", "insert", "copy_to", "attach_file"])
def test_cli_refuses_with_a_clear_message(hand_home: Path, tmp_path: Path, name: str) -> None:
    before = snapshot(hand_home)
    result = CliRunner().invoke(
        app, ["sql", REFUSED[name].format(tmp=tmp_path, home=hand_home), "--home", str(hand_home)]
    )
    assert result.exit_code == 2
    assert "error: refused: `copydesk sql` is read-only" in result.stderr
    assert snapshot(hand_home) == before


def test_harmless_statements_leave_the_file_unchanged(hand_home: Path) -> None:
    before = snapshot(hand_home)
    for stmt in (
        "CHECKPOINT",
        "CREATE TEMP TABLE scratch AS SELECT 1 AS x",
        "PRAGMA database_size",
        "SELECT * FROM v_counts",
    ):
        wsql.query(db_path(hand_home), stmt)
    assert snapshot(hand_home) == before


def test_ordinary_errors_are_not_called_refusals(hand_home: Path) -> None:
    with pytest.raises(Exception) as info:
        wsql.query(db_path(hand_home), "SELECT no_such_column FROM documents")
    assert not isinstance(info.value, wsql.SqlRefused)


def test_missing_warehouse_says_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sql", "SELECT 1", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "copydesk run --home" in result.stderr
