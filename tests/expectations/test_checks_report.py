"""The good warehouse passes; results become warehouse rows, JUnit, a table, Data Docs and an exit code."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from contract.schema import TABLES
from expectations.runner import (
    CheckOutcome,
    build_data_docs,
    exit_code,
    outcomes_table,
    render_table,
    run_checks,
    write_junit,
)
from expectations.suites import all_checks

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def good_outcomes(good_warehouse_file: Path) -> list[CheckOutcome]:
    with duckdb.connect(str(good_warehouse_file), read_only=True) as con:
        return run_checks(con)


def _o(success: bool, severity: str, detail: str = "d", column: str | None = "c") -> CheckOutcome:
    return CheckOutcome("documents", "expect_x", column, success, None if success else 1, severity, detail)


def test_good_warehouse_passes(good_outcomes: list[CheckOutcome]) -> None:
    assert [o.detail for o in good_outcomes if not o.success] == []
    assert len(good_outcomes) == len(all_checks())
    assert {o.suite for o in good_outcomes} == set(TABLES)  # one suite per table
    assert exit_code(good_outcomes, strict=True) == 0


def test_every_check_is_read_only(good_warehouse_file: Path) -> None:
    # run_checks works on a read-only connection (copydesk check must not write).
    with duckdb.connect(str(good_warehouse_file), read_only=True) as con:
        assert run_checks(con, replay_sample=1)


def test_outcomes_become_check_results_rows(good_outcomes: list[CheckOutcome]) -> None:
    rows = outcomes_table(good_outcomes, "run-9")
    assert rows.schema.equals(TABLES["check_results"].arrow_schema)
    assert rows.num_rows == len(good_outcomes)
    con = duckdb.connect()
    from warehouse.ddl import create_all

    create_all(con)
    con.execute("INSERT INTO check_results SELECT * FROM rows")
    assert con.execute(
        "SELECT count(*), count(DISTINCT (suite, expectation, column_name)) FROM check_results"
    ).fetchone() == (len(good_outcomes), len(good_outcomes))


@pytest.mark.parametrize(
    ("outcomes", "normal", "strict"),
    [
        ([_o(True, "error"), _o(True, "warning")], 0, 0),
        ([_o(True, "error"), _o(False, "warning")], 0, 1),
        ([_o(False, "error"), _o(True, "warning")], 1, 1),
        ([], 0, 0),
    ],
)
def test_exit_code(outcomes: list[CheckOutcome], normal: int, strict: int) -> None:
    assert exit_code(outcomes, strict=False) == normal
    assert exit_code(outcomes, strict=True) == strict


def test_exit_code_on_real_warehouses(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("UPDATE numbers SET is_malformed = true")  # a warning
    outcomes = run_checks(warehouse)
    assert (exit_code(outcomes, strict=False), exit_code(outcomes, strict=True)) == (0, 1)
    warehouse.execute("UPDATE counts SET number = -1")  # an error
    outcomes = run_checks(warehouse)
    assert (exit_code(outcomes, strict=False), exit_code(outcomes, strict=True)) == (1, 1)


def test_junit_has_one_testcase_per_expectation(good_outcomes: list[CheckOutcome], tmp_path: Path) -> None:
    outcomes = [*good_outcomes[:-2], _o(False, "error", "bad \x0b <b>&"), _o(False, "warning", column="w")]
    path = tmp_path / "ci" / "checks.xml"
    write_junit(outcomes, path)
    root = ET.parse(path).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(outcomes) == int(root.get("tests"))
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == len(cases)
    failures = [f for c in cases for f in c.findall("failure")]
    assert sorted(f.get("type") for f in failures) == ["error", "warning"]
    assert root.get("failures") == "2"
    assert any(f.text == "bad  <b>&" for f in failures)  # control character dropped, markup kept as text


def test_render_table_lists_every_outcome_as_plain_text(good_outcomes: list[CheckOutcome]) -> None:
    outcomes = [*good_outcomes, _o(False, "error", "[bold]not markup[/bold] [/]")]
    console = Console(file=io.StringIO(), width=250, color_system=None)
    console.print(render_table(outcomes))
    text = console.file.getvalue()
    assert "[bold]not markup[/bold] [/]" in text
    assert "130 passed, 1 failed" in text.replace(str(len(good_outcomes)), "130")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_data_docs_escape_hostile_text(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Hostile text in clean_text (failing the residue check) never reaches the page;
    # hostile values that details do quote (ids, enumerations) appear as text only.
    warehouse.execute(
        f"UPDATE documents SET clean_text = '{SCRIPT} &amp;', raw_text = '{SCRIPT} &amp;' WHERE doc_id = 'f39'"
    )
    warehouse.execute(f"UPDATE counts SET count_type = '{SCRIPT}'")
    warehouse.execute(f"UPDATE quality_issues SET doc_id = '{SCRIPT}'")
    home = tmp_path / "home"
    outcomes = run_checks(warehouse, docs_dir=home / "data_docs")
    failing = {o.column_name for o in outcomes if not o.success}
    assert {"no_entity_residue", "count_type", "doc_id_in_documents"} <= failing
    index = home / "data_docs" / "index.html"
    assert index.exists()
    assert build_data_docs(outcomes, home) == index
    parsed = _parse(index)
    assert "script" not in parsed.tags
    text = "".join(parsed.text)
    assert SCRIPT in text  # shown, as text
    assert "no_entity_residue" in text


def test_import_does_not_load_great_expectations() -> None:
    code = (
        "import sys, expectations.runner\n"
        "heavy = {'great_expectations', 'pandas', 'rich'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_unreadable_table_fails_its_suite_without_crashing(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("DROP TABLE facts")
    outcomes = run_checks(warehouse)
    failing = [o for o in outcomes if not o.success]
    assert failing and {o.suite for o in failing} == {"facts"}
    assert all(o.unexpected_count is None and "could not read the data" in o.detail for o in failing)
    assert exit_code(outcomes) == 1
