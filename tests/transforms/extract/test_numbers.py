"""Numbers: golden cases (money, percentages, words, malformed grouping) and the quality-issue row."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.extract.extract import extract
from transforms.extract.numbers import find_numbers

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "extract" / "numbers.json"
CASES = json.loads(GOLDEN.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_number_cases(case: dict) -> None:
    found = find_numbers(case["text"])
    assert [n.surface for n in found] == [e["surface"] for e in case["numbers"]]
    for n, expected in zip(found, case["numbers"], strict=True):
        assert case["text"][n.start : n.end] == n.surface
        got = {"value": n.value, "unit": n.unit, "is_malformed": n.is_malformed, "suggested_value": n.suggested_value}
        for key, want in expected.items():
            if key != "surface":
                assert got[key] == pytest.approx(want) if isinstance(want, float | int) and not isinstance(want, bool) \
                    else got[key] == want, (key, got)


def test_malformed_number_is_a_quality_issue() -> None:
    text = "Some 950,0000 civilians have fled the government offensive."
    docs = pa.table({"doc_id": ["d"], "clean_text": [text], "title": pa.nulls(1, pa.string()),
                     "published_date": pa.nulls(1, pa.date32()), "source_uri": ["x.txt"]})
    out = extract(docs)
    numbers = out["numbers"].to_pylist()
    assert numbers[0]["is_malformed"] and numbers[0]["suggested_value"] == 950000
    issues = out["quality_issues"].to_pylist()
    assert issues == [{"doc_id": "d", "check_name": "malformed_number", "severity": "warning",
                       "detail": "bad digit grouping in '950,0000'; suggested value 950000", "start": 5, "end": 13}]
    assert text[5:13] == "950,0000"
