"""``docs/checks.md``: every data check, generated from the suites.

``python -m expectations.reference --write`` refreshes the file between its markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from expectations.suites import all_checks
from warehouse.reference import refresh_file, splice

START, END = "<!-- checks:start -->", "<!-- checks:end -->"
DOC = Path(__file__).resolve().parents[1] / "docs" / "checks.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def checks_markdown() -> str:
    """A table per suite: expectation, column, severity, what it means."""
    out: list[str] = []
    suite = None
    for check in all_checks():
        if check.suite != suite:
            suite = check.suite
            out += [
                "",
                f"### Suite `{suite}`",
                "",
                "| expectation | column | severity | what it checks |",
                "|---|---|---|---|",
            ]
        column = f"`{check.column_name}`" if check.column_name else ""
        out.append(f"| `{check.expectation}` | {column} | {check.severity} | {_cell(check.description)} |")
    return "\n".join(out).strip() + "\n"


def refreshed(text: str) -> str:
    """``text`` (the doc) with the part between the markers regenerated."""
    return splice(text, START, END, checks_markdown())


if __name__ == "__main__":
    refresh_file(DOC, refreshed, sys.argv)
