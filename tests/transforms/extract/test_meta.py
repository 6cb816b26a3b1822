"""Publication dates: header, dateline, top of the text; never a time or a historic date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from transforms.extract.meta import published_from

CASES = json.loads((Path(__file__).parents[2] / "golden" / "extract" / "published_dates.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_published_date(case: dict) -> None:
    day, source = published_from(case["header"], case["text"], None)
    want = dt.date.fromisoformat(case["expected"]) if case["expected"] else None
    assert day == want
    if want is not None:
        assert source == case["source"]
