"""Numbers written in text: digits, number words, multipliers, currencies and percentages."""

from __future__ import annotations

import re
from dataclasses import dataclass

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

NUMBER_RE = re.compile(
    rf"""
    (?P<skip>\d{{1,2}}:\d{{2}}\b|\d+(?:st|nd|rd|th)\b|\d+-year-old)       # times, ordinals, ages
    |(?<![\w.,])(?<![A-Za-z]-)
    (?P<cur>(?:US)?\$|£|€)?\s?
    (?:
      (?P<grp>\d{{1,3}}(?:,\d{{3,4}})+(?:\.\d+)?)
      |(?P<dig>\d+(?:\.\d+)?|\.\d+)
      |(?P<word>(?i:{_WORD_SEQ}))\b
    )
    (?:-?\s?(?P<mult>(?i:mln|bln|million|billion|trillion|thousand|bn|mn|tn|trn)|m|k)\b)?
    (?:\s?(?P<unit>%|(?:\s(?:U\.S\.\s)?(?i:dlrs|dlr|dollars|cts|pounds\ssterling|pounds|stg|euros|yen|pct|percent|per\scent)\b)))?
    """,
    re.VERBOSE,
)
_NOT_ONE = re.compile(r"(?i)(?:\b(?:no|any|every|some|the|which|this|that|each)\s+)$")


@dataclass(frozen=True, slots=True)
class Number:
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


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, with value, unit and malformed flag.

    >>> [(n.surface, n.value, n.unit) for n in find_numbers("1.5 mln dlrs and 20%")]
    [('1.5 mln dlrs', 1500000.0, 'USD'), ('20%', 20.0, '%')]
    """
    out: list[Number] = []
    for m in NUMBER_RE.finditer(text):
        if m["skip"]:
            continue
        malformed, suggested = False, None
        if m["grp"]:
            value, malformed, suggested = regroup(m["grp"])
        elif m["dig"]:
            value = float(m["dig"])
        else:
            word = m["word"]
            if word.lower() == "one" and (_NOT_ONE.search(text, max(0, m.start() - 12), m.start())
                                          or text.startswith(" another", m.end())):
                continue
            value = words_to_number(word)
            if value is None:
                continue
        mult = m["mult"]
        scale = 1.0
        if mult:
            key = mult.lower() if len(mult) > 1 else mult
            if key in ("m", "k") and not (m["cur"] or m["dig"] or m["grp"]):
                mult = None
            else:
                scale = _MULTIPLIERS[key.lower()]
        unit = None
        if m["cur"]:
            unit = _PREFIX_UNITS[m["cur"].lower()]
        if m["unit"]:
            key = re.sub(r"\s+", " ", m["unit"].strip().lower()).replace("u.s. ", "")
            key = "pounds" if key.startswith("pounds") else key
            unit = _SUFFIX_UNITS[key]
            if key == "cts":
                scale *= 0.01
        start = m.start("cur") if m["cur"] else m.start(_num_group(m))
        if mult is None and m["mult"]:
            end = m.end(_num_group(m))
        else:
            end = m.end()
        surface = text[start:end]
        out.append(
            Number(
                start, end, surface, value * scale, unit, malformed,
                None if suggested is None else suggested * scale,
            )
        )
    return out


def _num_group(m: re.Match[str]) -> str:
    """Name of the group that holds the number itself."""
    return "grp" if m["grp"] else "dig" if m["dig"] else "word"

#: RE2 prefilter: documents that can hold a number.
PREFILTER = r"\d|(?i)\b(?:" + _UNITS_WORD + r")\b"
