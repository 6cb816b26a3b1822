"""`copydesk run` on the seeds, end to end: real flow, real DuckDB, real checks."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from contract.schema import CONTENT_TABLES
from flows.cli import app

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "flows" / "seeds_run.json").read_text())


def fetch(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def doc_of(home: Path, seed: str) -> dict:
    rows = fetch(
        home,
        "SELECT doc_id, raw_text, clean_text, title, CAST(published_date AS VARCHAR), published_date_source "
        "FROM documents WHERE source_uri LIKE ?",
        [f"%{seed}"],
    )
    assert len(rows) == 1, f"{seed}: {len(rows)} documents"
    keys = ("doc_id", "raw_text", "clean_text", "title", "published_date", "published_date_source")
    return dict(zip(keys, rows[0], strict=True))


def test_loads_every_seed_with_exact_raw_text(seeds_home: Path, seeds_dir: Path) -> None:
    assert fetch(seeds_home, "SELECT count(*) FROM documents")[0][0] == GOLDEN["documents"]
    for seed in GOLDEN["seeds"]:
        assert doc_of(seeds_home, seed)["raw_text"] == (seeds_dir / seed).read_bytes().decode("utf-8")


@pytest.mark.parametrize("seed", sorted(GOLDEN["seeds"]))
def test_titles_dates_and_clean_text(seeds_home: Path, seed: str) -> None:
    want = GOLDEN["seeds"][seed]
    doc = doc_of(seeds_home, seed)
    assert doc["title"] == want["title"]
    assert doc["published_date"] == want["published_date"]
    if "published_date_source" in want:
        assert doc["published_date_source"] == want["published_date_source"]
    for text in want.get("clean_contains", []):
        assert text in doc["clean_text"]


@pytest.mark.parametrize("case", GOLDEN["malformed_numbers"], ids=lambda c: c["surface"])
def test_malformed_number_flagged_with_suggestion(seeds_home: Path, case: dict) -> None:
    doc_id = doc_of(seeds_home, case["seed"])["doc_id"]
    rows = fetch(
        seeds_home,
        'SELECT is_malformed, suggested_value, start, "end" FROM numbers WHERE doc_id = ? AND surface = ?',
        [doc_id, case["surface"]],
    )
    assert rows and rows[0][0] is True and rows[0][1] == case["suggested_value"]
    issues = fetch(
        seeds_home,
        "SELECT severity FROM quality_issues WHERE doc_id = ? AND check_name = 'malformed_number' AND start = ?",
        [doc_id, rows[0][2]],
    )
    assert issues == [("warning",)]


def test_check_reports_one_warning_and_strict_fails(seeds_home: Path, tmp_path: Path) -> None:
    want = GOLDEN["check"]
    home = tmp_path / "home"
    shutil.copytree(seeds_home, home)
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--home", str(home)])
    assert result.exit_code == want["exit"], result.output
    failed = fetch(
        home,
        "SELECT severity, count(*) FROM check_results WHERE NOT success AND run_id = "
        "(SELECT max(run_id) FROM check_results WHERE run_id LIKE 'check-%') GROUP BY severity",
    )
    assert dict(failed) == {"warning": want["failed_warnings"]}
    strict = runner.invoke(app, ["check", "--home", str(home), "--strict"])
    assert strict.exit_code == want["strict_exit"], strict.output


def test_second_run_adds_nothing_and_says_so(seeds_home: Path, seeds_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeds_home, home)
    before = {t: fetch(home, f'SELECT count(*) FROM "{t}"')[0][0] for t in CONTENT_TABLES}
    parquet_before = sorted(p.relative_to(home) for p in (home / "parquet").rglob("*.parquet"))
    result = CliRunner().invoke(app, ["run", str(seeds_dir), "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "nothing new" in result.output
    last = fetch(home, "SELECT docs_new, docs_unchanged, status FROM runs ORDER BY started_at DESC LIMIT 1")
    assert last == [(0, 5, "completed")]
    assert {t: fetch(home, f'SELECT count(*) FROM "{t}"')[0][0] for t in CONTENT_TABLES} == before
    assert sorted(p.relative_to(home) for p in (home / "parquet").rglob("*.parquet")) == parquet_before


def test_a_touched_file_is_read_again_but_not_loaded_again(tmp_path: Path) -> None:
    """Files of known size and time are not read; a touched one is read and hashed once, found
    unchanged, and its new time recorded, so the next run skips it without reading it."""
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    for name, text in (("a.txt", "Two people were killed in Herat on Monday."), ("b.txt", "Rain fell in Kabul.")):
        (inbox / name).write_text(text + "\n")
    runner = CliRunner()

    def run_and_count() -> tuple[int, int, int]:
        result = runner.invoke(app, ["run", str(inbox), "--home", str(home), "--no-check"])
        assert result.exit_code == 0, result.output
        runs = fetch(home, "SELECT docs_new, docs_unchanged FROM runs ORDER BY started_at DESC LIMIT 1")[0]
        return runs[0], runs[1], fetch(home, "SELECT count(*) FROM inputs")[0][0]

    assert run_and_count() == (2, 0, 2)
    assert run_and_count() == (0, 2, 2)  # size and time unchanged: nothing read, nothing recorded
    os.utime(inbox / "a.txt", ns=(10**18, 10**18))
    assert run_and_count() == (0, 2, 3)  # read and hashed: the same bytes; its new time recorded
    assert fetch(home, "SELECT mtime_ns FROM inputs WHERE source_uri LIKE '%a.txt' ORDER BY seen_at DESC")[0] == (
        10**18,
    )
    assert run_and_count() == (0, 2, 3)  # skipped by size and time again
