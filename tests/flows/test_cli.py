"""The command line: help for every command, fast start, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["run", "sql", "check", "compact", "report"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"copydesk {command}" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("argv", [["--help"], ["sql", "--help"], ["report", "--help"]])
def test_help_and_sql_start_fast_without_prefect_or_gx(argv: list[str]) -> None:
    code = (
        "import sys, time; t = time.perf_counter(); from flows import cli; "
        f"sys.argv = ['copydesk', *{argv!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('prefect', 'great_expectations') if m in sys.modules]\n"
        "print(time.perf_counter() - t, heavy)"
    )
    best = None
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        seconds, heavy = out.stdout.strip().splitlines()[-1].split(" ", 1)
        assert heavy == "[]", f"{argv} imported {heavy}"
        best = min(best or 99.0, float(seconds))
    assert best < 1.0, f"copydesk {' '.join(argv)} took {best:.2f} s to import and run"


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
