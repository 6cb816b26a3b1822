"""The entity residue pattern: golden cases, the same answer in Python and in DuckDB."""

from __future__ import annotations

import re

import duckdb
import pytest

from expectations.suites import ENTITY_RESIDUE_PATTERN

RESIDUE = [
    "a,quot;b",
    "he said ,quot;no,quot;",
    " quot;Who is he?",
    "s quot; served",
    "quot;at start",
    "it#39;s",
    "company #39;s",
    "to about #36;2.6 billion",
    "fourth #151; good",
    "it #146;s",
    "Tom amp; Jerry",
    "&amp;quot;",
    "caf&#233;",
    "&#x2019;",
    "&quot;",
    "&nbsp;",
    "&eacute;",
    "&Aacute;",
    "x &lt;TICKER.N&gt;",
    "&apos;",
]
INNOCENT = [
    "Q&A; session",
    "AT&T; shares",
    "R&D; spending",
    "B&Q;",
    "M&S;",
    "rock&in; roll",
    "a camp; a lamp;",
    "salt; felt;",
    "ranked #1; again",
    "issue 3#12;",
    "He quoted; she replied",
    "&AMPX;",
    "Tom & Jerry",
    "50% & more",
    "café “quotes” — dashes…",
    "",
    "no ; here # 39",
]


@pytest.mark.parametrize("text", RESIDUE)
def test_residue_is_flagged(text: str) -> None:
    assert re.search(ENTITY_RESIDUE_PATTERN, text)
    assert duckdb.execute("SELECT regexp_matches(?, ?)", [text, ENTITY_RESIDUE_PATTERN]).fetchone()[0]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_text_is_not_flagged(text: str) -> None:
    assert not re.search(ENTITY_RESIDUE_PATTERN, text)
    assert not duckdb.execute("SELECT regexp_matches(?, ?)", [text, ENTITY_RESIDUE_PATTERN]).fetchone()[0]
