"""The link step and the checks in a process of their own: same answers, errors brought back."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from flows.linkcheck import LinkCheckProcess, link_and_check, link_and_check_apart


def _staged(seeds_home: Path, tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.mkdir(parents=True)
    db = tmp_path / "staged.duckdb"
    shutil.copyfile(seeds_home / "warehouse.duckdb", db)
    return home, db


def test_apart_gives_what_the_step_gives_here(seeds_home: Path, tmp_path: Path) -> None:
    home, db = _staged(seeds_home, tmp_path / "apart")
    stages: list[str] = []
    apart = link_and_check_apart(db, home, "run-apart", check=True, stage=stages.append)
    assert stages == ["linking stories", "checking"]
    here_home, here_db = _staged(seeds_home, tmp_path / "here")
    here = link_and_check(here_db, here_home, "run-here", check=True, stage=lambda _: None)
    assert apart.stories == here.stories == 1
    assert [(o.suite, o.expectation, o.column_name, o.success) for o in apart.outcomes] == [
        (o.suite, o.expectation, o.column_name, o.success) for o in here.outcomes
    ]
    assert len(apart.outcomes) > 20  # the whole-table checks, at least
    query = "SELECT doc_id_a, doc_id_b, relation FROM doc_links ORDER BY ALL"
    with duckdb.connect(str(db), read_only=True) as a, duckdb.connect(str(here_db), read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall() != []
    assert sorted(p.name for p in (home / ".staging" / "run-apart").rglob("*.parquet")) == sorted(
        p.name.replace("run-here", "run-apart") for p in (here_home / ".staging" / "run-here").rglob("*.parquet")
    )


def test_an_error_in_the_process_is_raised_in_the_run(tmp_path: Path) -> None:
    not_a_db = tmp_path / "staged.duckdb"
    not_a_db.write_text("not a DuckDB file\n")
    with pytest.raises(duckdb.Error):
        link_and_check_apart(not_a_db, tmp_path, "run", check=False, stage=lambda _: None)


def test_a_process_that_dies_without_an_answer_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", shutil.which("false") or "/bin/false")
    with pytest.raises(RuntimeError, match=r"ended without an answer \(exit code 1\)"):
        link_and_check_apart(tmp_path / "x.duckdb", tmp_path, "run", check=False, stage=lambda _: None)


def test_a_process_given_no_job_ends_when_closed() -> None:
    process = LinkCheckProcess(check=True)
    process.close()
    assert process.proc.poll() is not None


def test_a_link_step_out_of_memory_under_the_low_cap_runs_again_under_the_run_cap(
    seeds_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import linking

    home, db = _staged(seeds_home, tmp_path)
    real, calls, limits = linking.read_link_inputs, [], []

    def read(con: duckdb.DuckDBPyConnection, *args: object) -> object:
        calls.append(1)
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        if len(calls) == 1:  # as a warehouse too large for the link step's cap does
            raise duckdb.OutOfMemoryException("could not allocate block")
        return real(con, *args)

    monkeypatch.setattr(linking, "read_link_inputs", read)
    got = link_and_check(db, home, "run", check=False, stage=lambda _: None)
    assert got.stories == 1 and len(calls) == 2
    assert limits[0] != limits[1]  # the second read had the run's cap, not the link step's
