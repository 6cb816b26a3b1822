"""Counts on the labelled random sample of Reuters-21578 and BBC sentences: per case, and the targets per field."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import script_module
from transforms.extract.counts import find_counts
from transforms.extract.numbers import find_numbers

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "golden" / "extract" / "counts_sample.json"
DATA = json.loads(SAMPLE.read_text())
CASES = DATA["cases"]


def _eval_module():  # type: ignore[no-untyped-def]
    return script_module("scripts/counts_eval.py")


def _key(count: tuple) -> tuple:
    return tuple("" if v is None else v for v in count)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(reason=c["xfail"], strict=True)) if "xfail" in c else c for c in CASES],
    ids=[f"{i:03d}-{c['stratum']}" for i, c in enumerate(CASES)],
)
def test_sample_case(case: dict) -> None:
    text = case["text"]
    found = find_counts(text, find_numbers(text))
    got = sorted(((c.count_type, c.number, c.object, c.qualifier) for c in found), key=_key)
    want = sorted(
        ((c["count_type"], float(c["number"]), c["object"], c["qualifier"]) for c in case["counts"]), key=_key
    )
    assert got == want


def test_sample_is_big_enough_and_located() -> None:
    assert sum(len(c["counts"]) for c in CASES) >= 200
    assert sum(not c["counts"] for c in CASES) >= 100  # trigger words but no count
    assert {c["source"].split("/")[0].split("#")[0].split("-")[0] for c in CASES} >= {"reut2", "bbc"}
    seen = Counter((c["source"], c["start"]) for c in CASES)  # a document may be in a corpus twice (same doc_id)
    for c in CASES:
        assert 0 <= c["start"] < c["end"] and len(c["text"]) == c["end"] - c["start"]
        assert len(c["doc_id"]) == 16
    assert max(seen.values()) == 1


def test_sample_targets() -> None:
    report = _eval_module().evaluate_fields(SAMPLE)
    assert report.precision() >= 0.97, report.errors
    assert report.recall() >= 0.95, report.errors
    assert report.all_fields() >= 0.95, report.errors
