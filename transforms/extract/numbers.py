"""Numbers written in text: digits, number words, multipliers, currencies and percentages."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract._scan import as_array, matches

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6,
    "bn": 1e9, "bln": 1e9, "billion": 1e9, "tn": 1e12, "trn": 1e12, "trillion": 1e12,
}
_PREFIX_UNITS = {"$": "USD", "us$": "USD", "£": "GBP", "€": "EUR"}
_SUFFIX_UNITS = {
    "dlrs": "USD", "dlr": "USD", "dollars": "USD", "dollar": "USD", "cts": "USD",
    "pounds": "GBP", "stg": "GBP", "sterling": "GBP", "euros": "EUR", "euro": "EUR",
    "yen": "JPY", "%": "%", "pct": "%", "percent": "%", "per cent": "%",
}

_UNITS_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
_WORD_NUM = rf"(?:{_UNITS_WORD})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
_WORD_SEQ = rf"{_WORD_NUM}(?:(?:\s+(?:and\s+)?|-)(?:{_WORD_NUM}|hundred|thousand|million|billion|trillion))*"

_MULT = r"(?i:mln|bln|million|billion|trillion|thousand|bn|mn|tn|trn)|m|k"
_UNIT = r"(?i:dlrs|dlr|dollars|cts|pounds\ssterling|pounds|stg|euros|yen|pct|percent|per\scent)"
#: One pattern for both RE2 (scanning, in pyarrow) and Python ``re`` (parsing one match).
PATTERN = (
    r"(?P<skip>\s?(?:\b\d{1,2}:\d{2}\b|\b\d+(?:st|nd|rd|th)\b|\b\d+-year-old))"
    r"|(?P<cur>(?:US)?\$|£|€)?\s?"
    r"(?:\b(?P<grp>\d{1,3}(?:,\d{3,4})+(?:\.\d+)?)|\b(?P<dig>\d+(?:\.\d+)?)"
    rf"|(?P<pre>(?i:\b(?:no|any|every|some|the|which|this|that|each)\s+))?\b(?P<word>(?i:{_WORD_SEQ}))\b)"
    rf"(?:-?\s?(?P<mult>{_MULT})\b)?"
    rf"(?:\s?(?P<unit>%|\s(?:U\.S\.\s)?{_UNIT}\b))?"
)
NUMBER_RE = re.compile(PATTERN)


class Number(NamedTuple):
    """A number found in a text, with its character span."""

    start: int
    end: int
    surface: str
    value: float | None
    unit: str | None
    is_malformed: bool
    suggested_value: float | None


def words_to_number(words: str) -> float | None:
    """Value of a number written in words.

    >>> words_to_number("two hundred and five"), words_to_number("Twenty-one"), words_to_number("one million")
    (205.0, 21.0, 1000000.0)
    """
    total, current, seen = 0, 0, False
    for tok in re.split(r"[\s-]+", words.lower()):
        if tok == "and" or not tok:
            continue
        if tok in _SMALL:
            current += _SMALL[tok]
            seen = True
        elif tok == "hundred":
            current = max(current, 1) * 100
        elif tok in _SCALES:
            total += max(current, 1) * _SCALES[tok]
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def regroup(digits: str) -> tuple[float, bool, float | None]:
    """Value, malformed flag and suggested value of a comma-grouped number.

    >>> regroup("950,0000"), regroup("1,234.5")
    ((9500000.0, True, 950000.0), (1234.5, False, None))
    """
    whole, _, frac = digits.partition(".")
    groups = whole.split(",")
    value = float("".join(groups) + ("." + frac if frac else ""))
    if all(len(g) == 3 for g in groups[1:]):
        return value, False, None
    fixed = [g[:3] if len(g) == 4 and g.endswith("0") else g for g in groups]
    return value, True, float("".join(fixed) + ("." + frac if frac else ""))


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one matched string means: where the number lies in it, and its value."""

    lead: int
    length: int
    value: float
    unit: str | None
    is_malformed: bool
    suggested_value: float | None


@functools.lru_cache(maxsize=1 << 16)
def parse(match: str) -> Parsed | None:
    """Parse one match of :data:`PATTERN` (None for times, ordinals, ages and pronoun ``one``)."""
    m = NUMBER_RE.match(match)
    if m is None or m["skip"]:
        return None
    malformed, suggested = False, None
    if m["grp"]:
        value, malformed, suggested = regroup(m["grp"])
    elif m["dig"]:
        value = float(m["dig"])
    else:
        if m["pre"] and m["word"].lower() == "one":
            return None
        parsed = words_to_number(m["word"])
        if parsed is None:
            return None
        value = parsed
    mult = m["mult"]
    scale = 1.0
    if mult and not (mult in ("m", "k") and m["word"] and not m["cur"]):
        scale = _MULTIPLIERS[mult.lower()]
    else:
        mult = None
    unit = _PREFIX_UNITS[m["cur"].lower()] if m["cur"] else None
    if m["unit"] and (mult or not m["mult"]):
        key = re.sub(r"\s+", " ", m["unit"].strip().lower()).replace("u.s. ", "")
        key = "pounds" if key.startswith("pounds") else key
        unit = _SUFFIX_UNITS[key]
        if key == "cts":
            scale *= 0.01
    num = _num_group(m)
    lead = m.start("cur") if m["cur"] else m.start(num)
    end = m.end() if (mult or not m["mult"]) else m.end(num)
    return Parsed(lead, end - lead, value * scale, unit, malformed, None if suggested is None else suggested * scale)


_PLAIN_RE2 = r"^\s?\d+(?:\.\d+)?$"


def numbers_table(texts: pa.Array) -> pa.Table:
    """Every number in a column of texts (prepared by ``_scan.as_array``): row, span and meaning.

    Plain digit strings are read by a vectorised cast; Python parses each other distinct match once.
    """
    found = matches(texts, PATTERN)
    plain = pc.match_substring_regex(found.text, _PLAIN_RE2).to_numpy(zero_copy_only=False)
    plain_text = pc.utf8_trim_whitespace(found.text.filter(pa.array(plain)))
    lead_plain = (pc.utf8_length(found.text.filter(pa.array(plain))).to_numpy(zero_copy_only=False)
                  - pc.utf8_length(plain_text).to_numpy(zero_copy_only=False))
    start_plain = found.start[plain] + lead_plain
    plain_tbl = pa.table({
        "row": pa.array(found.doc[plain]),
        "start": pa.array(start_plain),
        "end": pa.array(start_plain + pc.utf8_length(plain_text).to_numpy(zero_copy_only=False)),
        "surface": plain_text.cast(pa.string()),
        "value": pc.cast(plain_text, pa.float64()),
        "unit": pa.nulls(len(plain_text), pa.string()),
        "is_malformed": pa.array(np.zeros(len(plain_text), dtype=bool)),
        "suggested_value": pa.nulls(len(plain_text), pa.float64()),
    })
    other = ~plain
    texts_other = found.text.filter(pa.array(other))
    uniq = pc.unique(texts_other)
    uniq_list = uniq.to_pylist()
    parsed = [parse(u) for u in uniq_list]
    keep_u = np.array([p is not None for p in parsed], dtype=bool)
    idx = pc.index_in(texts_other, uniq).to_numpy(zero_copy_only=False)
    keep = keep_u[idx]
    idx = idx[keep]
    ok = [p if p is not None else Parsed(0, 0, 0.0, None, False, None) for p in parsed]
    lead = np.array([p.lead for p in ok], dtype=np.int64)[idx]
    length = np.array([p.length for p in ok], dtype=np.int64)[idx]
    start = found.start[other][keep] + lead
    take = pa.array(idx)
    other_tbl = pa.table({
        "row": pa.array(found.doc[other][keep]),
        "start": pa.array(start),
        "end": pa.array(start + length),
        "surface": pa.array(
            [u[p.lead : p.lead + p.length] for u, p in zip(uniq_list, ok, strict=True)], pa.string()
        ).take(take),
        "value": pa.array([p.value for p in ok], pa.float64()).take(take),
        "unit": pa.array([p.unit for p in ok], pa.string()).take(take),
        "is_malformed": pa.array([p.is_malformed for p in ok], pa.bool_()).take(take),
        "suggested_value": pa.array([p.suggested_value for p in ok], pa.float64()).take(take),
    })
    both = pa.concat_tables([plain_tbl, other_tbl])
    return both.take(pc.sort_indices(both, [("row", "ascending"), ("start", "ascending")]))


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, with value, unit and malformed flag.

    >>> [(n.surface, n.value, n.unit) for n in find_numbers("1.5 mln dlrs and 20%")]
    [('1.5 mln dlrs', 1500000.0, 'USD'), ('20%', 20.0, '%')]
    """
    rows = numbers_table(as_array(pa.array([text]))).to_pylist()
    return [Number(r["start"], r["end"], r["surface"], r["value"], r["unit"], r["is_malformed"], r["suggested_value"])
            for r in rows]


def _num_group(m: re.Match[str]) -> str:
    """Name of the group that holds the number itself."""
    return "grp" if m["grp"] else "dig" if m["dig"] else "word"

#: RE2 prefilter: documents that can hold a number.
PREFILTER = r"\d|(?i)\b(?:" + _UNITS_WORD + r")\b"
