"""Counts: the golden sentence set (per case, known gaps as strict xfails) and the overall targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import script_module
from transforms.extract.counts import find_counts
from transforms.extract.numbers import find_numbers

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "extract" / "counts.json"
CASES = json.loads(GOLDEN.read_text())["cases"]


def _eval_module():  # type: ignore[no-untyped-def]
    return script_module("scripts/counts_eval.py")


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(reason=c["xfail"], strict=True)) if "xfail" in c else c for c in CASES],
    ids=[f"{i:02d}-{c['source']}" for i, c in enumerate(CASES)],
)
def test_count_case(case: dict) -> None:
    text = case["text"]
    found = find_counts(text, find_numbers(text))
    got = sorted((c.count_type, c.number, c.object, c.qualifier) for c in found)
    want = sorted((c["count_type"], float(c["number"]), c["object"], c["qualifier"]) for c in case["counts"])
    assert got == want
    for c in found:
        assert 0 <= c.start < c.end <= len(text)


def test_golden_set_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert {c["source"] for c in CASES} >= {"seeds", "bbc", "reuters"}
    assert sum(not c["counts"] for c in CASES) >= 10  # negations, hypotheticals, years, ages, roads, scores


def test_overall_precision_and_recall() -> None:
    report = _eval_module().evaluate(GOLDEN)
    assert report.precision() >= 0.9, report.errors
    assert report.recall() >= 0.8, report.errors


def test_two_tolls_in_one_sentence_have_distinct_keys() -> None:
    """Both tolls start at ``death toll``; the key (start, end, count_type) still tells them apart."""
    from contract.schema import TABLES

    text = "The death toll in Angur Adar in South Waziristan rose to 23 and the toll in Teri Mangal rose to 81."
    found = find_counts(text, find_numbers(text))
    assert [c.number for c in found] == [23.0, 81.0]
    key = TABLES["counts"].key
    assert key == ("doc_id", "start", "end", "count_type")
    rows = [c._asdict() for c in found]
    assert len({tuple(r[k] for k in key[1:]) for r in rows}) == len(rows)
