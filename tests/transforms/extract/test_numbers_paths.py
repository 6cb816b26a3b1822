"""Numbers have a fast path (read by shape, as arrays) and a reference (``parse_reference``, one by one): they agree."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.extract import numbers
from transforms.extract._scan import as_array, matches
from transforms.extract.numbers import PATTERN, Parsed, _meanings, parse_reference


def _grouped(n: int) -> str:
    return f"{n:,}"


_DIGITS = st.one_of(
    st.integers(0, 10**10).map(str),
    st.integers(1000, 10**10).map(_grouped),
    st.tuples(st.integers(0, 10**6), st.integers(0, 999)).map(lambda p: f"{p[0]}.{p[1]}"),
    st.tuples(st.integers(1000, 10**7), st.integers(0, 99)).map(lambda p: f"{p[0]:,}.{p[1]}"),
    st.sampled_from(["950,0000", "1,00", "12,3456,789", "1.000.000", "0.5", ".5"]),
)
_BEFORE = st.sampled_from(["", "about ", "some ", "the ", "$", "US$", "£", "€", "$ ", "US$ ", "Rs "])
_AFTER = st.sampled_from(["", " mln", " million", "m", "k", " bn", " bln", " dlrs", " mln dlrs", " pct", "%",
                          " percent", " per cent", " billion dollars", "th", ":30", " years old", " yen", " stg",
                          " cts", " pounds sterling", " trillion", "-year-old", "s", " thousand"])
_END = st.sampled_from(["", ".", " people", ",", ";", " and 20"])


def _meanings_as_parsed(texts: list[str]) -> list[Parsed | None]:
    """What the fast path (with its one-by-one fall-back) makes of each match."""
    table, at = _meanings(pa.array(texts, pa.large_string()))
    rows = table.to_pylist()
    return [None if k < 0 else Parsed(**rows[k]) for k in at.tolist()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_BEFORE, _DIGITS, _AFTER, _END).map("".join), min_size=1, max_size=8))
def test_the_fast_path_agrees_with_the_reference(pieces: list[str]) -> None:
    text = " ".join(pieces)
    found = matches(as_array(pa.array([text])), PATTERN).text.to_pylist()
    assert _meanings_as_parsed(found) == [parse_reference(m) for m in found]


def test_the_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Well-grouped digits of a known shape are read by shape, not by the reference (else the test above is idle)."""
    texts = ["$1.5 mln", "20%", "1,234", "7 dlrs", "950,0000", "five"]
    want = [parse_reference(t) for t in texts]
    asked: list[str] = []

    def counted(match: str) -> Parsed | None:
        asked.append(match)
        return parse_reference(match)

    monkeypatch.setattr(numbers, "parse_reference", counted)
    numbers._shape.cache_clear()
    assert _meanings_as_parsed(texts) == want
    assert set(asked) & set(texts) == {"950,0000", "five"}  # only these went the reference's way
