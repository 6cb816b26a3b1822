"""Numbers written in text: digits, number words, multipliers, currencies and percentages."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract._scan import Matches, as_array, matches

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
    r"(?:\b(?P<grp>\d{1,3}(?:,\d{3,})+(?:\.\d+)?)|\b(?P<dig>\d+(?:\.\d+)?)"
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


_WORD_SPLIT_RE = re.compile(r"[\s-]+")


def words_to_number(words: str) -> float | None:
    """Value of a number written in words.

    >>> words_to_number("two hundred and five"), words_to_number("Twenty-one"), words_to_number("one million")
    (205.0, 21.0, 1000000.0)
    """
    total, current, seen = 0, 0, False
    for tok in _WORD_SPLIT_RE.split(words.lower()):
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


def _stray_zero(group: str, last: bool) -> str | None:
    """A four-digit group with one 0 too many, as three digits: ``0000`` anywhere, or a last group that
    ends in ``00`` (``2,452,3000``); None for any other group, whose meant digits the figure does not tell.

    >>> _stray_zero("0000", False), _stray_zero("3000", True), _stray_zero("3000", False), _stray_zero("0009", True)
    ('000', '300', None, None)
    """
    if len(group) == 4 and (group == "0000" or (last and group.endswith("00"))):
        return group[:3]
    return None


def regroup(digits: str, price: bool = False) -> tuple[float, bool, float | None]:
    """Value, malformed flag and suggested value of a comma-grouped number.

    A suggestion is made only where the figure itself supports one: a price or rate (``price``,
    written after a currency sign) with one comma is a decimal comma (``$1,8923`` is 1.8923);
    otherwise a stray 0 (``950,0000`` is 950,000, see :func:`_stray_zero`). Any other malformed
    figure (``1,1512,000``, ``29,00000``) gets no suggestion.

    >>> regroup("950,0000"), regroup("1,234.5"), regroup("1,8923", price=True), regroup("1,8923")
    ((9500000.0, True, 950000.0), (1234.5, False, None), (18923.0, True, 1.8923), (18923.0, True, None))
    """
    whole, _, frac = digits.partition(".")
    groups = whole.split(",")
    value = float("".join(groups) + ("." + frac if frac else ""))
    if all(len(g) == 3 for g in groups[1:]):
        return value, False, None
    if price and len(groups) == 2 and not frac:
        return value, True, float(".".join(groups))
    fixed = [g if len(g) == 3 else _stray_zero(g, k == len(groups) - 1) for k, g in enumerate(groups[1:], start=1)]
    if any(g is None for g in fixed):
        return value, True, None
    return value, True, float("".join([groups[0], *fixed]) + ("." + frac if frac else ""))  # type: ignore[list-item]


class Parsed(NamedTuple):
    """What one matched string means: where the number lies in it, its surface and value."""

    lead: int
    length: int
    surface: str
    value: float
    unit: str | None
    is_malformed: bool
    suggested_value: float | None


#: Arrow types of the fields of :class:`Parsed`.
_PARSED_TYPES = (pa.int64(), pa.int64(), pa.string(), pa.float64(), pa.string(), pa.bool_(), pa.float64())
_GROUPS = ("skip", "cur", "grp", "dig", "pre", "word", "mult", "unit")


@functools.lru_cache(maxsize=256)
def _suffix_unit(text: str) -> tuple[str, float]:
    """Unit named by the text of the ``unit`` group, and the scale it applies (cents are hundredths)."""
    key = " ".join(text.lower().split()).replace("u.s. ", "")
    return _SUFFIX_UNITS["pounds" if key.startswith("pounds") else key], 0.01 if key == "cts" else 1.0


@functools.lru_cache(maxsize=1 << 16)
def parse_reference(match: str) -> Parsed | None:
    """Parse one match of :data:`PATTERN` (None for times, ordinals, ages and pronoun ``one``).

    This is the reference reading of a number. :func:`_meanings` reads most matches faster, by
    shape, and a property test (``tests/transforms/extract/test_numbers_paths.py``) keeps the two in
    agreement.
    """
    m = NUMBER_RE.match(match)
    if m is None:
        return None
    skip, cur, grp, dig, pre, word, mult, unit_text = m.group(*_GROUPS)
    if skip:
        return None
    malformed, suggested = False, None
    if grp:
        value, malformed, suggested = regroup(grp, price=bool(cur))
        num = "grp"
    elif dig:
        value = float(dig)
        num = "dig"
    else:
        if pre and word.lower() == "one":
            return None
        parsed = words_to_number(word)
        if parsed is None:
            return None
        value, num = parsed, "word"
    scale = 1.0
    # a multiplier counts unless it is a bare ``m``/``k`` after a number word without currency
    whole = not mult or not (mult in ("m", "k") and word and not cur)
    if mult and whole:
        scale = _MULTIPLIERS[mult.lower()]
    unit = _PREFIX_UNITS[cur.lower()] if cur else None
    if unit_text and whole:
        unit, cents = _suffix_unit(unit_text)
        scale *= cents
    lead = m.start("cur") if cur else m.start(num)
    end = m.end() if whole else m.end(num)
    return Parsed(lead, end - lead, match[lead:end], value * scale, unit, malformed,
                  None if suggested is None else suggested * scale)


#: RE2: a match split around its first run of digits (null when it has none, as for number words); the
#: tail's first character is spelt out, which makes the pattern one-pass, so RE2 extracts groups faster.
_SPLIT_RE2 = r"^(?P<head>\D*)(?P<digits>\d[\d,.]*)(?P<tail>(?:[^\d,.](?s:.*))?)$"
#: RE2: digits that :data:`PATTERN` reads whole and well grouped (no ``950,0000``).
_DIGITS_RE2 = r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
#: A shape (see :func:`_shape`) whose ``1`` follows at most a currency and a blank, and cannot run on.
_SHAPE_RE = re.compile(r"(?:(?:US)?\$|£|€)?\s?1(?![\d.,:])")


class _Shape(NamedTuple):
    """What a match means with its number left out: text around the number in the surface, scale and unit."""

    lead: int
    before: str
    after: str
    scale: float
    unit: str | None


_NO_SHAPE = _Shape(0, "", "", 0.0, None)


@functools.lru_cache(maxsize=1 << 12)
def _shape(shape: str) -> _Shape | None:
    """The meaning of matches whose well-grouped digits read ``1`` in ``shape``, or None to parse them one by one.

    When only a currency and a blank come before the number, and no digit, point, comma or colon
    right after it, :data:`PATTERN` reads the rest of a match the same whatever its digits: so
    ``parse_reference("$1.5 mln")`` is ``parse_reference("$1 mln")`` with ``1.5`` for ``1`` in the surface and 1.5
    times the value. Shapes that are not numbers (times, ordinals, ages) are left to :func:`parse_reference`.

    >>> _shape(" 1 mln dlrs")
    _Shape(lead=1, before='', after=' mln dlrs', scale=1000000.0, unit='USD')
    >>> _shape("$1m"), _shape(" 1th")
    (_Shape(lead=0, before='$', after='m', scale=1000000.0, unit='USD'), None)
    """
    m = _SHAPE_RE.match(shape)
    p = parse_reference(shape) if m else None
    if m is None or p is None:
        return None
    one = m.end() - 1 - p.lead  # where the number lies in the surface
    return _Shape(p.lead, p.surface[:one], p.surface[one + 1 :], p.value, p.unit)


def _meanings(distinct: pa.Array) -> tuple[pa.Table, np.ndarray]:
    """What distinct matches mean (:class:`Parsed` fields), and the row of each match in that table (-1: none).

    Matches of digits are grouped by shape (the match with its digits replaced by ``1``): Python
    parses each shape once and a vectorised cast reads the digits (the fast path); the others
    (number words, bad grouping, times...) are parsed one by one by :func:`parse_reference`.
    """
    parts = pc.extract_regex(distinct, _SPLIT_RE2)  # null where no digits
    digits = pc.struct_field(parts, "digits")
    shape_of = pc.dictionary_encode(pc.binary_join_element_wise(
        pc.struct_field(parts, "head"), pc.struct_field(parts, "tail"), pa.scalar("1", pa.large_string())))
    shapes = [_shape(s) for s in shape_of.dictionary.to_pylist()]
    known = pa.array([s is not None for s in shapes], pa.bool_()).take(shape_of.indices)
    mask = pc.fill_null(pc.and_(pc.match_substring_regex(digits, _DIGITS_RE2), known), False)
    fast = mask.to_numpy(zero_copy_only=False)
    digits = digits.filter(mask)
    take = shape_of.indices.filter(mask)
    # per shape, as columns (unknown shapes get blanks, never taken)
    lead, before, after, scale, unit = (zip(*(s or _NO_SHAPE for s in shapes), strict=True) if shapes else [()] * 5)
    surface = pc.binary_join_element_wise(
        pa.array(before, pa.large_string()).take(take), digits, pa.array(after, pa.large_string()).take(take),
        pa.scalar("", pa.large_string())).cast(pa.string())
    n_fast = len(digits)
    slow = np.flatnonzero(~fast)
    parsed = [parse_reference(u) for u in distinct.take(pa.array(slow)).to_pylist()]
    good = [p for p in parsed if p is not None]
    columns = list(zip(*good, strict=True)) if good else [()] * len(Parsed._fields)
    meanings = pa.concat_tables([
        pa.table({
            "lead": pa.array(lead, pa.int64()).take(take),
            "length": pc.utf8_length(surface).cast(pa.int64()),
            "surface": surface,
            "value": pc.multiply(pc.cast(pc.replace_substring(digits, ",", ""), pa.float64()),
                                 pa.array(scale, pa.float64()).take(take)),
            "unit": pa.array(unit, pa.string()).take(take),
            "is_malformed": pa.array(np.zeros(n_fast, dtype=bool)),
            "suggested_value": pa.nulls(n_fast, pa.float64()),
        }),
        pa.table([pa.array(c, t) for c, t in zip(columns, _PARSED_TYPES, strict=True)], names=list(Parsed._fields)),
    ])
    at = np.full(len(distinct), -1, dtype=np.int64)
    at[fast] = np.arange(n_fast)
    kept = np.fromiter((p is not None for p in parsed), dtype=bool, count=len(parsed))
    at[slow[kept]] = np.arange(n_fast, n_fast + len(good))
    return meanings, at


def numbers_table(texts: pa.Array, found: Matches | None = None) -> pa.Table:
    """Every number in a column of texts (prepared by ``_scan.as_array``): row, span and meaning.

    Each distinct match is read once (see :func:`_meanings`); rows come in text order, as matches do.
    """
    if found is None:  # else the caller scanned for PATTERN (among others)
        found = matches(texts, PATTERN)
    coded = pc.dictionary_encode(found.text)
    meanings, at = _meanings(coded.dictionary)
    at = at[coded.indices.to_numpy(zero_copy_only=False)]
    keep = at >= 0
    rows = meanings.take(pa.array(at[keep]))
    start = found.start[keep] + rows["lead"].to_numpy()
    return pa.table({
        "row": pa.array(found.doc[keep]),
        "start": pa.array(start),
        "end": pa.array(start + rows["length"].to_numpy()),
        **{c: rows[c] for c in ("surface", "value", "unit", "is_malformed", "suggested_value")},
    })


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, with value, unit and malformed flag.

    >>> [(n.surface, n.value, n.unit) for n in find_numbers("1.5 mln dlrs and 20%")]
    [('1.5 mln dlrs', 1500000.0, 'USD'), ('20%', 20.0, '%')]
    """
    rows = numbers_table(as_array(pa.array([text]))).to_pylist()
    return [Number(r["start"], r["end"], r["surface"], r["value"], r["unit"], r["is_malformed"], r["suggested_value"])
            for r in rows]
