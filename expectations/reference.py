"""``docs/checks.md``: every data check, generated from the suites.

``python -m expectations.reference --write`` refreshes the file between its markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from expectations.suites import all_checks

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
            out += ["", f"### Suite `{suite}`", "", "| expectation | column | severity | what it checks |", "|---|---|---|---|"]
        column = f"`{check.column_name}`" if check.column_name else ""
        out.append(f"| `{check.expectation}` | {column} | {check.severity} | {_cell(check.description)} |")
    return "\n".join(out).strip() + "\n"


def refreshed(text: str) -> str:
    """``text`` (the doc) with the part between the markers regenerated."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{checks_markdown()}{END}{tail}"


if __name__ == "__main__":
    new = refreshed(DOC.read_text())
    if "--write" in sys.argv:
        DOC.write_text(new)
    else:
        sys.stdout.write(new)
