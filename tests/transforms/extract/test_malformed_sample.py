"""Malformed figures drawn from Reuters-21578 and BBC: every suggested value given is the value meant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.extract.numbers import find_numbers

SAMPLE = Path(__file__).resolve().parents[2] / "golden" / "extract" / "malformed_sample.json"
CASES = json.loads(SAMPLE.read_text())["cases"]


def _figure(case: dict):
    """The number extraction reads at the case's offsets, in its sentence."""
    at = case["start"] - case["sentence_start"]
    found = [n for n in find_numbers(case["sentence"]) if n.start == at]
    assert len(found) == 1, f"no number at {at} in {case['sentence']!r}"
    return found[0]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['source']}@{c['start']}" for c in CASES])
def test_suggestion_only_when_right(case: dict) -> None:
    n = _figure(case)
    assert n.is_malformed and n.surface == case["surface"]
    assert case["sentence"][n.start : n.end] == case["surface"]
    if n.suggested_value is not None:
        assert case["truth"] is not None, f"{n.surface}: suggested {n.suggested_value}, but {case['why_no_truth']}"
        assert n.suggested_value == pytest.approx(case["truth"])


def test_sample_size_and_share_suggested() -> None:
    assert len(CASES) >= 30
    suggested = sum(_figure(c).suggested_value is not None for c in CASES)
    # the share is reported in benchmarks/README.md: 21 of 36 (58%), every one right
    assert suggested == sum(c["truth"] is not None for c in CASES) == 21


def test_issue_for_a_figure_without_suggestion() -> None:
    from tests.transforms.extract.test_extract import docs_table
    from transforms.extract.extract import extract

    out = extract(docs_table(["Net 1,742,000 vs 1,1512,000 in the year.", "Some 950,0000 civilians have fled."]))
    details = sorted(out["quality_issues"].column("detail").to_pylist())
    assert details == [
        "bad digit grouping in '1,1512,000'; no suggested value (the figure does not tell what was meant)",
        "bad digit grouping in '950,0000'; suggested value 950000",
    ]
