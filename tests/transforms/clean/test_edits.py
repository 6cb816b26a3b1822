"""Edits: replay and compose, including property tests over random edit sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean.edits import Edit, compose, replay


@st.composite
def text_and_edits(draw: st.DrawFn, text: str | None = None) -> tuple[str, list[Edit]]:
    """A text and well-formed edits over it."""
    text = draw(st.text("abc \n", max_size=30)) if text is None else text
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits, pos = [], 0
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < pos:
            continue
        edits.append(Edit(a, b, draw(st.text("xyz\n", max_size=4)), "r"))
        pos = b if b > a else b + 1
    return text, edits


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_compose_equals_sequential_replay(data: st.DataObject) -> None:
    raw, first = data.draw(text_and_edits())
    middle = replay(raw, first)
    _, second = data.draw(text_and_edits(middle))
    both = compose(first, second, middle)
    assert replay(raw, both) == replay(middle, second)
    assert all(a.end <= b.start for a, b in zip(both, both[1:], strict=False))


def test_replay_rejects_overlaps() -> None:
    with pytest.raises(ValueError):
        replay("abcdef", [Edit(0, 3, "", "r"), Edit(2, 4, "", "r")])
