"""Date mentions, absolute and relative, resolved against the publication date."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from transforms.extract._scan import as_array, matches
from transforms.extract.numbers import words_to_number

MONTHS: dict[str, int] = {}
for _i, _name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1
):
    MONTHS[_name] = _i
    MONTHS[_name[:3]] = _i
MONTHS["sept"] = 9
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORD = r"(?:st|nd|rd|th)?"
_ISO = r"\b\d{4}-\d{2}-\d{2}\b"
_SP = r"[ \t]+"  # within one line: a date never spans a line break
_MDY = rf"\b{_MONTH}{_SP}\d{{1,2}}{_ORD}\b(?:,?{_SP}\d{{4}}\b)?"
_DMY = rf"\b\d{{1,2}}{_ORD}{_SP}{_MONTH}(?:,?{_SP}\d{{4}}\b)?"
_MY = rf"\b{_MONTH}{_SP}\d{{4}}\b"
_QTY = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|several)"

ABSOLUTE_WITH_YEAR_RE = re.compile(
    rf"{_ISO}|\b{_MONTH}{_SP}\d{{1,2}}{_ORD},?{_SP}\d{{4}}\b|\b\d{{1,2}}{_ORD}{_SP}{_MONTH},?{_SP}\d{{4}}\b"
)
_FULL_MONTH = r"(?:January|February|March|April|June|July|August|September|October|November|December)"
#: One pattern for RE2 (scanning) and Python ``re`` (reading one match); no look-around.
PATTERN = (
    rf"(?P<abs>{_ISO}|{_MDY}|{_DMY}|{_MY})"
    r"|(?P<wd>\b(?:(?:last|next|this)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    rf"|(?P<ago>\b(?i:{_QTY})\s+(?i:day|week|month|year)s?\s+ago\b)"
    r"|(?P<rel>\b(?i:yesterday|today|tomorrow)\b)"
    rf"|(?P<per>\b(?i:(?:earlier|later)\s+)?(?i:last|this|next)\s+(?:week|month|year|{_MONTH})\b)"
    rf"|\b(?:in|on|since|until|by|from|during|of|early|late|mid)[\s-](?P<mon>{_FULL_MONTH}\b)"
    rf"(?P<mtail>\s+\d{{1,2}}{_ORD}\b(?:,?\s+\d{{4}}\b)?|\s+\d{{4}}\b)?"
)
DATE_RE = re.compile(PATTERN)


class DateMention(NamedTuple):
    """A date mentioned in a text, with its span and resolution."""

    start: int
    end: int
    surface: str
    resolved_date: dt.date | None
    resolution: str


def _month(token: str) -> int:
    """Month number of a month name or abbreviation."""
    low = token.lower()
    return MONTHS[low.rstrip(".")[:4] if low.startswith("sept") else low.rstrip(".")[:3]]


def _nearest_year(month: int, day: int, published: dt.date) -> dt.date | None:
    """The date with this month and day closest to ``published``."""
    best = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - published).days) < abs((best - published).days):
            best = cand
    return best


_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_DIGITS_RE = re.compile(r"\d+")


def parse_absolute(surface: str, published: dt.date | None) -> dt.date | None:
    """Calendar date of an absolute date (``February 26, 2020``, ``27th Feb``, ``2020-02-27``).

    >>> parse_absolute("February 27th", dt.date(2020, 2, 28)), parse_absolute("2020-02-27", None)
    (datetime.date(2020, 2, 27), datetime.date(2020, 2, 27))
    """
    m = _ISO_DATE_RE.fullmatch(surface)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        month = _month(_WORD_RE.search(surface)[0])  # type: ignore[index]
        nums = list(map(int, _DIGITS_RE.findall(surface)))
        year = next((n for n in nums if n > 31), None)
        day = next((n for n in nums if n <= 31), 1 if year else None)
        if year is not None:
            return dt.date(year, month, day or 1)
        return _nearest_year(month, day, published) if published and day else None
    except ValueError:
        return None


def _weekday(surface: str, published: dt.date) -> dt.date:
    """Date of a weekday mention: the latest such day on or before publication, or after for ``next``."""
    low = surface.lower()
    target = WEEKDAYS.index(low.split()[-1])
    back = (published.weekday() - target) % 7
    if low.startswith("next"):
        return published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
    if low.startswith("last") and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _ago(surface: str, published: dt.date) -> dt.date | None:
    """Date of ``three weeks ago`` style mentions."""
    qty, unit = surface.lower().split()[0:-2], surface.lower().split()[-2].rstrip("s")
    word = " ".join(qty)
    n = 1 if word in ("a", "an") else 3 if word in ("a few", "several") else (
        int(word) if word.isdigit() else words_to_number(word))
    if n is None:
        return None
    n = int(n)
    if unit == "day":
        return published - dt.timedelta(days=n)
    if unit == "week":
        return published - dt.timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, m = divmod(published.year * 12 + published.month - 1 - months, 12)
    return dt.date(y, m + 1, min(published.day, 28))


def _period(surface: str, published: dt.date) -> dt.date | None:
    """First day of a period: ``earlier this month``, ``last November``, ``next year``."""
    words = surface.lower().split()
    which, unit = words[-2], words[-1].rstrip(".")
    step = {"last": -1, "this": 0, "next": 1}[which]
    if unit == "week":
        monday = published - dt.timedelta(days=published.weekday())
        return monday + dt.timedelta(weeks=step)
    if unit == "month":
        y, m = divmod(published.year * 12 + published.month - 1 + step, 12)
        return dt.date(y, m + 1, 1)
    if unit == "year":
        return dt.date(published.year + step, 1, 1)
    month = _month(unit)
    year = published.year
    if which == "last" and month >= published.month:
        year -= 1
    elif which == "next" and month <= published.month:
        year += 1
    return dt.date(year, month, 1)


def _bare_month(surface: str, published: dt.date) -> dt.date:
    """First day of the latest month of this name on or before publication."""
    month = _month(surface)
    return dt.date(published.year - (month > published.month), month, 1)


@functools.lru_cache(maxsize=1 << 15)
def resolve(kind: str, surface: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """Resolved date and resolution of one mention of the given kind."""
    if kind == "abs":
        day = parse_absolute(surface, published)
        return day, "absolute" if day else "unresolved"
    if published is None:
        return None, "unresolved"
    if kind == "wd":
        return _weekday(surface, published), "relative_weekday"
    if kind == "ago":
        day = _ago(surface, published)
        return day, "relative_offset" if day else "unresolved"
    if kind == "rel":
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[surface.lower()]
        return published + dt.timedelta(days=shift), "relative_offset"
    if kind == "per":
        return _period(surface, published), "relative_period"
    return _bare_month(surface, published), "relative_period"


@functools.lru_cache(maxsize=1 << 15)
def read_match(match: str) -> tuple[str, int, int] | None:
    """Kind and span, within one match of :data:`PATTERN`, of the date it names."""
    m = DATE_RE.match(match)
    if m is None:
        return None
    kind = m.lastgroup or ""  # the named group of the alternative that matched, or "mtail" after "mon"
    if kind == "mtail":  # a month with a day or year after it is an absolute date
        kind, start, end = "abs", m.start("mon"), m.end()
    else:
        start, end = m.span(kind)
    if kind == "abs" and match[start:end].split()[0].rstrip(".") == "May" and not _DIGITS_RE.search(match[start:end]):
        return None
    return kind, start, end


class _Readings(NamedTuple):
    """The date mentions in a column of texts, with the readings of their distinct (match, date) pairs."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    which: np.ndarray  # per mention, its index in ``surface``, ``day`` and ``resolution``
    surface: list[str]
    day: list[dt.date | None]
    resolution: list[str]


def _readings(texts: pa.Array, published: list[dt.date | None]) -> _Readings:
    """Every date mention in ``texts``, each distinct (match, publication date) pair read once.

    Matches repeat across documents (``Monday``, ``March 3``), so they are resolved per pair,
    not per match, and the per-mention columns are gathered with array indexing.
    """
    found = matches(texts, PATTERN)
    match = found.text.dictionary_encode()
    match_text = match.dictionary.to_pylist()
    dates = list(dict.fromkeys(published))  # a batch has few distinct publication dates
    date_code = dict(zip(dates, range(len(dates)), strict=True))
    row_date = np.fromiter(map(date_code.__getitem__, published), np.int64, len(published))
    pair = pa.array(match.indices.to_numpy().astype(np.int64) * len(dates) + row_date[found.doc]).dictionary_encode()
    readings = [_mention(match_text[k // len(dates)], dates[k % len(dates)]) for k in pair.dictionary.to_pylist()]
    # keep the mentions whose match names a date, pointing into the list of the readings that do
    names = np.fromiter((r is not None for r in readings), bool, len(readings))
    which = pair.indices.to_numpy()
    keep = names[which]
    which = (np.cumsum(names) - 1)[which[keep]]
    read = [r for r in readings if r is not None]
    span = np.array([r[:2] for r in read], np.int64).reshape(-1, 2)[which]
    start = found.start[keep]
    return _Readings(found.doc[keep], start + span[:, 0], start + span[:, 1], which,
                     [r[2] for r in read], [r[3] for r in read], [r[4] for r in read])


def date_table(texts: pa.Array, published: list[dt.date | None]) -> pa.Table:
    """Every date mention in a column of texts: its row, span, surface, resolved date and resolution.

    >>> t = date_table(as_array(pa.array(["x", "on Monday"])), [None, dt.date(2020, 2, 27)])
    >>> t["row"].to_pylist(), t["start"].to_pylist(), t["surface"].to_pylist(), t["resolved_date"].to_pylist()
    ([1], [3], ['Monday'], [datetime.date(2020, 2, 24)])
    """
    r = _readings(texts, published)
    which = pa.array(r.which)
    return pa.table({
        "row": r.row, "start": r.start, "end": r.end,
        "surface": pa.array(r.surface, pa.string()).take(which),
        "resolved_date": pa.array(r.day, pa.date32()).take(which),
        "resolution": pa.array(r.resolution, pa.string()).take(which),
    })


@functools.lru_cache(maxsize=1 << 16)
def _mention(match: str, published: dt.date | None) -> tuple[int, int, str, dt.date | None, str] | None:
    """Span within one match of :data:`PATTERN`, surface, resolved date and resolution of the date it names."""
    read = read_match(match)
    if read is None:
        return None
    kind, s, e = read
    surface = match[s:e]
    return s, e, surface, *resolve(kind, surface, published)


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Every date mention in ``text``, resolved against ``published`` where relative.

    >>> [(d.surface, str(d.resolved_date)) for d in find_dates("on Thursday, 3 weeks ago", dt.date(2020, 2, 27))]
    [('Thursday', '2020-02-27'), ('3 weeks ago', '2020-02-06')]
    """
    found = date_table(as_array(pa.array([text])), [published])
    return [DateMention(*r) for r in zip(*(found[c].to_pylist() for c in DateMention._fields), strict=True)]
