"""The command line: help for every command, fast start, clear errors."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["run", "serve", "sql", "check", "compact", "report"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"copydesk {command}" in (ROOT / "README.md").read_text()


#: Packages that take seconds to import; help and ``sql`` must not need them.
HEAVY = ("prefect", "great_expectations", "pandas", "fastapi", "sqlalchemy", "uvicorn")


@pytest.mark.parametrize("argv", [["--help"], ["sql", "--help"], ["report", "--help"]])
def test_help_and_sql_import_neither_prefect_nor_gx(argv: list[str]) -> None:
    """What ``copydesk --help`` imports, from a fresh interpreter (a clock would flake on a busy machine)."""
    code = (
        "import sys; from flows import cli; "
        f"sys.argv = ['copydesk', *{argv!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    imported = set(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    assert {"flows", "typer"} <= imported  # the probe saw the CLI load
    assert imported.isdisjoint(HEAVY), f"copydesk {' '.join(argv)} imported {sorted(imported & set(HEAVY))}"


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "--home", str(tmp_path / "h")])
    assert result.exit_code == 2
    assert "input not found" in result.output


def test_sql_without_warehouse_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sql", "SELECT 1", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "copydesk run" in result.output


def test_home_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("")
    result = CliRunner().invoke(app, ["run", "--home", str(home)])
    assert result.exit_code == 2
    assert "is a file" in result.output


def test_a_busy_home_is_refused_before_prefect_starts(tmp_path: Path) -> None:
    """Another run holds the home: `copydesk run` says so at once, importing neither Prefect nor DuckDB."""
    from warehouse.store import lock_home

    home = tmp_path / "h"
    code = (
        "import sys, time; t = time.perf_counter(); from flows import cli\n"
        f"sys.argv = ['copydesk', 'run', '--home', {str(home)!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(time.perf_counter() - t, code, any(m in sys.modules for m in ('prefect', 'duckdb', 'pyarrow')))"
    )
    with lock_home(home):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    seconds, exit_code, prefect = out.stdout.strip().splitlines()[-1].split()
    assert (exit_code, prefect) == ("2", "False"), out.stderr
    assert "another copydesk run" in out.stderr
    print(f"busy home refused in {float(seconds):.2f} s")


def test_a_failed_check_prints_one_line_not_a_traceback(tmp_path: Path, seeds_home: Path) -> None:
    """A run whose data fails an error check exits 1 with one line and the summary, no traceback."""
    import shutil

    import duckdb

    home = tmp_path / "home"
    shutil.copytree(seeds_home, home)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:  # an edit stored twice: the published warehouse breaks a key check (about the whole table)
        con.execute("INSERT INTO edits SELECT * FROM edits WHERE rowid = (SELECT min(rowid) FROM edits)")
    finally:
        con.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "new.txt").write_text("Three people were killed in a flood in Herat on Monday, officials said.\n")
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(inbox), "--home", str(home)],
        capture_output=True, text=True, cwd=ROOT,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert "Traceback" not in text
    assert "data check(s) of severity error failed" in text and "expect_compound_columns_to_be_unique" in text
    assert text.count("see `copydesk check --home") == 1, text  # the hint, once
