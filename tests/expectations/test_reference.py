"""docs/checks.md lists every check the suites run."""

from __future__ import annotations

from expectations.reference import DOC, refreshed


def test_checks_doc_is_up_to_date() -> None:
    text = DOC.read_text()
    assert refreshed(text) == text, "run `python -m expectations.reference --write`"
