"""Compaction: few large Parquet files, the same rows for every reader before, during and after."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as pads
import pytest

from contract.schema import TABLES
from tests.killing import Killer
from tests.warehouse.hand_warehouse import extra_tables, publish_tables
from tests.warehouse.test_docs import EXAMPLES
from warehouse import compact as wc
from warehouse import store
from warehouse.ddl import create_table_sql
from warehouse.views import create_views

RUNS = 6


@pytest.fixture
def busy_home(hand_home: Path) -> Path:
    """The hand warehouse after six more small runs: several parts per table."""
    for i in range(RUNS):
        publish_tables(hand_home, f"r{i + 2}", extra_tables(f"r{i + 2}", 2))
    return hand_home


def _rows(home: Path) -> dict[str, list[tuple]]:
    """Every dataset's rows (sorted) as pyarrow, polars and DuckDB read them; asserts they agree."""
    out = {}
    for table in sorted(p.name for p in (home / "parquet").iterdir()):
        folder = home / "parquet" / table
        via_arrow = pads.dataset(folder, format="parquet").to_table()
        via_polars = pl.scan_parquet(str(folder / "*.parquet")).collect()
        with duckdb.connect() as reader:  # a connection of its own, not the module's shared default one
            query = f"SELECT count(*) FROM read_parquet('{folder.as_posix()}/*.parquet')"
            via_duckdb = reader.sql(query).fetchall()[0][0]
        assert via_arrow.num_rows == via_polars.height == via_duckdb, table
        cols = [
            c
            for c in via_arrow.column_names
            if not str(via_arrow.schema.field(c).type).startswith(("list", "map", "struct"))
        ]
        out[table] = sorted(map(repr, via_arrow.select(cols).to_pylist()))
    return out


def _compact_in_three(home: Path, tables: list[str]) -> None:
    """Compact ``tables`` into about three files each (a generation that a later compaction replaces)."""
    with store.lock_home(home):
        for table in tables:
            size = sum(f.stat().st_size for f in wc.parts(home, table))
            assert wc.compact(home, [table], target_bytes=size // 3), table


def _files(home: Path) -> dict[str, int]:
    return {t: len(wc.parts(home, t)) for t in sorted(p.name for p in (home / "parquet").iterdir())}


def _example_answers(home: Path) -> dict[str, list[tuple]]:
    """The documented example queries, answered from the Parquet datasets alone."""
    con = duckdb.connect()
    for table in TABLES:
        folder = home / "parquet" / table
        if folder.is_dir() and any(folder.glob("*.parquet")):
            con.execute(f"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{folder.as_posix()}/*.parquet')")
        else:
            con.execute(create_table_sql(table))
    create_views(con)
    answers = {}
    for title, sql in EXAMPLES:
        answers[title] = sorted(map(repr, con.sql(sql).fetchall()))
    return answers


def test_compact_rewrites_parts_into_few_files_with_the_same_rows(busy_home: Path) -> None:
    before_rows, before_files = _rows(busy_home), _files(busy_home)
    before_answers = _example_answers(busy_home)
    db_before = store.db_path(busy_home).read_bytes()
    assert before_files["documents"] == RUNS + 1 and before_files["counts"] == RUNS + 1
    with store.lock_home(busy_home):
        done = wc.compact(busy_home)
    assert {c.table for c in done} >= {"documents", "counts", "inputs"}
    after_files = _files(busy_home)
    for table, n in after_files.items():
        size = sum(f.stat().st_size for f in wc.parts(busy_home, table))
        assert n <= math.ceil(size / wc.TARGET_BYTES) + 1, table
    assert after_files["documents"] == 1
    assert _rows(busy_home) == before_rows
    assert _example_answers(busy_home) == before_answers
    assert store.db_path(busy_home).read_bytes() == db_before  # the DuckDB file is not touched
    assert (busy_home / "parquet" / "documents").is_symlink()
    with store.lock_home(busy_home):
        assert wc.compact(busy_home) == []  # nothing left to do


def test_runs_after_compaction_add_to_the_compacted_dataset(busy_home: Path) -> None:
    _compact_in_three(busy_home, ["documents"])
    first = (busy_home / "parquet" / "documents").resolve()
    publish_tables(busy_home, "r99", extra_tables("r99", 3))
    rows = _rows(busy_home)
    assert len(rows["documents"]) == 4 + 2 * RUNS + 3
    assert 3 <= _files(busy_home)["documents"] <= 5  # the compacted files and the new part
    with store.lock_home(busy_home):
        wc.compact(busy_home, ["documents"])
    assert _files(busy_home)["documents"] == 1 and _rows(busy_home) == rows
    assert first.exists()  # the previous generation stays for readers who listed it
    for i in range(4):
        publish_tables(busy_home, f"r10{i}", extra_tables(f"r10{i}", 1))
    _compact_in_three(busy_home, ["documents"])
    assert not first.exists()  # older ones go
    assert len(list((busy_home / wc.GENERATIONS / "documents").iterdir())) == 2


def test_sizes_by_bytes(busy_home: Path) -> None:
    parts = wc.parts(busy_home, "documents")
    sizes = [p.stat().st_size for p in parts]
    target = sum(sizes) // 3
    groups = wc._groups(parts, target)
    assert [p for g in groups for p in g] == parts  # in order, none lost
    assert all(len(g) == 1 or sum(p.stat().st_size for p in g) <= target for g in groups)
    assert len(groups) <= math.ceil(sum(sizes) / target) + 1


def _compact_killed_at(home: Path, kill_at: int) -> tuple[int, int]:
    """Compact in a forked child that SIGKILLs itself at file-system step ``kill_at`` (0: never)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            hook = Killer(kill_at)

            wc._fsync = hook(wc._fsync)  # type: ignore[method-assign]
            wc._exchange = hook(wc._exchange)  # type: ignore[method-assign]
            wc.os.replace = hook(os.replace)
            with store.lock_home(home):
                wc.compact(home, ["documents", "counts"])
            os.write(write_end, str(hook.calls).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end) as fh:
        counted = fh.read()
    return status, int(counted or 0)


@pytest.mark.parametrize("compacted_before", [False, True], ids=["plain-folders", "already-compacted"])
def test_killed_at_every_step_readers_see_the_same_rows(
    busy_home: Path, tmp_path: Path, compacted_before: bool
) -> None:
    if compacted_before:
        _compact_in_three(busy_home, ["documents", "counts"])
        publish_tables(busy_home, "r50", extra_tables("r50", 1))
    rows = _rows(busy_home)
    dry = tmp_path / "dry"
    shutil.copytree(busy_home, dry, symlinks=True)
    status, steps = _compact_killed_at(dry, 0)
    assert os.WIFEXITED(status) and steps >= 6
    assert _rows(dry) == rows
    for kill_at in range(1, steps + 1):
        home = tmp_path / f"k{kill_at}"
        shutil.copytree(busy_home, home, symlinks=True)
        status, _ = _compact_killed_at(home, kill_at)
        assert os.WIFSIGNALED(status), kill_at
        assert _rows(home) == rows, kill_at  # what a reader sees mid-compaction
        publish_tables(home, "later", extra_tables("later", 1))  # a run after a killed compaction works
        with store.lock_home(home):
            wc.compact(home)
        assert _files(home)["documents"] == 1, kill_at
        assert len(_rows(home)["documents"]) == len(rows["documents"]) + 1, kill_at


def test_cli_compact(busy_home: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["compact", "--home", str(busy_home), "--table", "documents"])
    assert result.exit_code == 0, result.output
    assert f"documents: {RUNS + 1} files -> 1" in result.output
    result = runner.invoke(app, ["compact", "--home", str(busy_home), "--table", "documents"])
    assert result.exit_code == 0 and "nothing to compact" in result.output
    result = runner.invoke(app, ["compact", "--home", str(busy_home), "--table", "nope"])
    assert result.exit_code == 2 and "no table 'nope'" in result.output
    result = runner.invoke(app, ["compact", "--home", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "run `copydesk run` first" in result.output


def test_five_one_document_runs_add_at_most_one_file_per_table_each(hand_home: Path) -> None:
    for i in range(5):
        before = {t: set(wc.parts(hand_home, t)) for t in TABLES}
        publish_tables(hand_home, f"one{i}", extra_tables(f"one{i}", 1))
        for table in TABLES:
            added = set(wc.parts(hand_home, table)) - before[table]
            assert len(added) <= 1, (i, table, added)
