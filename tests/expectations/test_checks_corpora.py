"""On real, clean data no check of severity error fails: a remix of every shared corpus.

BBC articles (a topic folder), Reuters-21578 records (the file with two death tolls in
one sentence, and the one with a non-UTF-8 byte) and AG News rows go through the real
flow together, with the checks on. ``benchmarks/bench_checks_corpora.py`` does the same
over the whole corpora.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import shared_path


def test_no_error_check_fails_on_a_remix_of_the_shared_corpora(tmp_path: Path) -> None:
    inputs = [
        shared_path("corpora", "bbc", "politics"),
        shared_path("corpora", "reuters21578", "reut2-008.sgm"),
        shared_path("corpora", "reuters21578", "reut2-017.sgm"),
        shared_path("corpora", "ag_news", "train_subset581.csv"),
    ]
    home = tmp_path / "home"
    args = ["run", *map(str, inputs), "--home", str(home), "--csv-columns", "class,title,text", "--workers", "2"]
    result = CliRunner().invoke(app, args)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        failed = con.execute(
            "SELECT suite, expectation, column_name, detail FROM check_results WHERE NOT success AND severity = 'error'"
        ).fetchall()
        checked = con.execute("SELECT count(*) FROM check_results").fetchone()[0]
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert failed == []
    assert checked > 50 and documents > 2000
    assert result.exit_code == 0, result.output
