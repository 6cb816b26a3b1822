"""The note the link step adds to a malformed number's quality issue when another source corroborates it."""

from __future__ import annotations

import pyarrow as pa

from transforms.link.notes import CORROBORATED, corroborated_notes


def _issues(rows: list[tuple[str, int, str, str | None]]) -> pa.Table:
    return pa.table(
        {
            "doc_id": pa.array([r[0] for r in rows], pa.string()),
            "start": pa.array([r[1] for r in rows], pa.int64()),
            "check_name": pa.array([r[2] for r in rows], pa.string()),
            "detail": pa.array([r[3] for r in rows], pa.string()),
        }
    )


SUGGESTIONS = pa.table(
    {
        "doc_id": pa.array(["a", "b"], pa.string()),
        "start": pa.array([10, 5], pa.int64()),
        "suggested_value": pa.array([1.5, 2.0], pa.float64()),
    }
)


def test_only_corroborated_malformed_numbers_are_noted_once() -> None:
    issues = _issues(
        [
            ("a", 10, "malformed_number", "1..5 looks like 1.5"),  # corroborated: noted
            ("a", 11, "malformed_number", "2..0 looks like 2.0"),  # no suggestion at this offset
            ("b", 5, "malformed_number", "x" + CORROBORATED),  # noted before: left alone
            ("a", 10, "other_check", "something"),  # another check at the same place
            ("c", 10, "malformed_number", None),  # another document
        ]
    )
    out = corroborated_notes(issues, SUGGESTIONS).to_pylist()
    assert out == [
        {"doc_id": "a", "start": 10, "check_name": "malformed_number", "detail": "1..5 looks like 1.5" + CORROBORATED}
    ]
    # Applying the notes and running again adds nothing: the note is added once.
    assert corroborated_notes(_issues([("a", 10, "malformed_number", out[0]["detail"])]), SUGGESTIONS).num_rows == 0


def test_no_issues_or_no_suggestions_give_no_notes() -> None:
    assert corroborated_notes(_issues([]), SUGGESTIONS).num_rows == 0
    assert corroborated_notes(_issues([("a", 10, "malformed_number", "d")]), SUGGESTIONS.slice(0, 0)).num_rows == 0
