"""Document metadata: title, publication date and its source, outlet, agencies, byline."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from itertools import compress
from operator import or_
from typing import Any

from contract.vocab import AGENCY_OF_SPELLING, CREDIT_SPELLINGS
from transforms.extract.dates import ABSOLUTE_WITH_YEAR_RE, parse_absolute

_HEADER_DATE_RE = re.compile(r"^\s*(?:date|published|posted|updated)?:?\s*(\d{4})-(\d{2})-(\d{2})\b", re.I | re.M)
_AGENCIES = {spelling: AGENCY_OF_SPELLING[spelling] for spelling in CREDIT_SPELLINGS}
_AGENCY_ALT = "|".join(sorted((re.escape(a) for a in _AGENCIES), key=len, reverse=True))
_AGENCY_RE = re.compile(
    rf"(?:^By\s+(?P<by>{_AGENCY_ALT})\b"
    rf"|:\s*(?P<colon>{_AGENCY_ALT})\s*$"
    rf"|\((?P<paren>{_AGENCY_ALT})\)"
    rf"|^(?:[A-Z][A-Za-z .,]*\s)?\(?(?P<dash>{_AGENCY_ALT})\)?\s+[-\u2013\u2014]\s"
    rf"|/(?P<photo>{_AGENCY_ALT})\])",
    re.M,
)
_BYLINE_RE = re.compile(r"^\s*(?:By\s+(?P<by>[A-Z][^\n]{1,80})|Source:\s*(?P<src>[^\n]{2,80}))\s*$", re.M)
_SOURCE_OUTLET_RE = re.compile(r"^\s*Source:\s*([A-Z][\w.]+(?: [A-Z][\w.]+)?)", re.M)
_URI_OUTLETS = {"bbc": "BBC", "reuters": "Reuters", "aljazeera": "Al Jazeera", "trtworld": "TRT World",
                "alaraby": "The New Arab", "newarab": "The New Arab"}
_URI_OUTLET_RE = re.compile("|".join(_URI_OUTLETS), re.I)


#: RE2 hints: a document needs the Python rule only when its head (or text) matches.
AGENCY_HINT = "|".join(sorted((re.escape(a) for a in _AGENCIES), key=len, reverse=True))
HEADER_DATE_HINT = r"\d{4}-\d\d-\d\d"
YEAR_DATE_HINT = (r"\d{4}-\d\d-\d\d|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
                  r"|\d\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}")


def looks_like_headline(line: str) -> bool:
    """Whether a line reads like a headline: short, several words, no final full stop."""
    line = line.strip()
    # the cheap tests first: most first lines fail one of them or pass them all
    return len(line) <= 200 and line[:1].isupper() and not line.endswith((".", ",", ";")) \
        and 3 <= len(line.split()) <= 25 and ("-" not in line or not _HEADER_DATE_RE.match(line))


#: The first non-blank line of a text: line breaks (those of ``str.splitlines``) are whitespace,
#: so it starts at the first character that is not whitespace and runs to the next break.
_FIRST_LINE_RE = re.compile("\\s*([^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)")


def first_line(text: str, end: int = sys.maxsize) -> str:
    """The first non-blank line of ``text[:end]``, stripped.

    >>> first_line(" \\n\\t\\r\\n  Title here \\u2028body"), first_line(" \\n "), first_line("Title here", 5)
    ('Title here', '', 'Title')
    """
    return _FIRST_LINE_RE.match(text, 0, end)[1].rstrip()  # type: ignore[index]


#: Characters at the top of a text where a title is looked for.
TITLE_CHARS = 400


def title_of(text: str, title: str | None) -> str | None:
    """The document's title: ``title`` if given, else the text's first line if it reads like a headline."""
    if not title:
        line = first_line(text, TITLE_CHARS)
        if looks_like_headline(line):
            return line
    return title


#: What every credit :data:`_AGENCY_RE` finds holds: an agency after ``(``, ``/``, ``:`` or ``By``, or
#: before a dash. Each alternative starts with a literal, so ``re`` skips ahead to the characters that
#: can start one; :data:`_AGENCY_RE`, whose credits start at a line start, is tried at every position.
_AGENCY_CUE_RE = re.compile(
    rf"\((?:{_AGENCY_ALT})|/(?:{_AGENCY_ALT})|:\s*(?:{_AGENCY_ALT})|By\s+(?:{_AGENCY_ALT})|"
    + "|".join(rf"{re.escape(a)}\)?\s+[-\u2013\u2014]\s" for a in sorted(_AGENCIES, key=len, reverse=True))
)


def agencies_in(text: str) -> list[str]:
    """News agencies credited in ``text`` (``By AFP``, ``(Reuters)``, ``AP -``...), in order."""
    if not _AGENCY_CUE_RE.search(text):
        return []
    found: list[str] = []
    for m in _AGENCY_RE.finditer(text):
        name = _AGENCIES[next(g for g in m.groups() if g)]
        if name not in found:
            found.append(name)
    return found


#: Characters at the top of a text where agency credits and bylines are looked for.
HEAD_CHARS = 600
#: Characters at the end of a text where bylines and ``Source:`` lines are looked for.
TAIL_CHARS = 300
#: A publication date read from the text must stand near its top (not a historic date
#: in the body) and fall in this range of years.
TEXT_DATE_CHARS = 500
PLAUSIBLE_YEARS = (1900, 2100)


def published_from(header: str, text: str, published: dt.date | None,
                   header_date: bool = True, year_date: bool = True) -> tuple[dt.date | None, str | None]:
    """Publication date and where it came from: metadata, header, dateline or text.

    ``header_date`` and ``year_date`` (from cheap vectorised checks) say whether a header date or a
    date with a year can stand where the rules look; if not, those rules are skipped.
    """
    if published is not None:
        return published, "metadata"
    m = None
    if header_date:
        m = (_HEADER_DATE_RE.search(header) if header else None) or _HEADER_DATE_RE.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "header"
        except ValueError:
            pass
    if not year_date:
        return None, None
    for where, scope in (("dateline", first_line(text)), ("text", text[:TEXT_DATE_CHARS])):
        m = ABSOLUTE_WITH_YEAR_RE.search(scope)
        day = parse_absolute(m[0], None) if m else None
        if day and PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]:
            return day, where
    return None, None


def byline_of(header: str, head: str, tail: str) -> str | None:
    """The byline (``By ...``) or ``Source:`` credit in the header, the head or the tail of a text."""
    m = _BYLINE_RE.search(header) or _BYLINE_RE.search(head) or _BYLINE_RE.search(tail)
    return (m["by"] or m["src"]).strip() if m else None


def outlet_of(header: str, tail: str, source_uri: str) -> str | None:
    """The outlet: a ``Source:`` line in the header or tail that names no agency, else the one in the URI."""
    # the search can match only where "Source:" stands
    m = _SOURCE_OUTLET_RE.search(header) or _SOURCE_OUTLET_RE.search(tail) \
        if "Source:" in header or "Source:" in tail else None
    return m[1] if m and m[1] not in _AGENCIES else _uri_outlet(source_uri)


def doc_metas(texts: list[str], titles: list[str | None], published: list[dt.date | None],
              source_uris: list[str | None], headers: list[str | None],
              hints: dict[str, list[bool]]) -> dict[str, list[Any]]:
    """Title, publication date and its source, outlet, agencies and byline of a batch of documents, as columns.

    Each rule runs only on the documents its ``hints`` (one flag per document and rule, from
    cheap vectorised checks) let through.
    """
    n = len(texts)
    heads = [h or "" for h in headers]
    title = list(map(title_of, texts, titles))
    date = list(published)
    source = [None if p is None else "metadata" for p in published]
    header_date, year_date = hints["header_date"], hints["year_date"]
    for i in compress(range(n), map(or_, header_date, year_date)):  # the other dates are as given
        if published[i] is None:
            date[i], source[i] = published_from(heads[i], texts[i], None, header_date[i], year_date[i])
    agencies: list[list[str]] = [[] for _ in range(n)]
    for i in compress(range(n), hints["agency"]):
        agencies[i] = agencies_in(heads[i] + "\n" + texts[i][:HEAD_CHARS] + "\n" + (title[i] or ""))
    tails = [t[-TAIL_CHARS:] for t in texts]
    byline: list[str | None] = [None] * n
    for i in compress(range(n), map(or_, hints["byline"], ("Source:" in t or "By " in t for t in tails))):
        byline[i] = byline_of(heads[i], texts[i][:HEAD_CHARS], tails[i])
    return {
        "title": title,
        "published_date": date,
        "published_date_source": source,
        "outlet": list(map(outlet_of, heads, tails, [u or "" for u in source_uris])),
        "agencies": agencies,
        "byline": byline,
    }


def _uri_outlet(uri: str) -> str | None:
    """The outlet named in a source URI, from its leftmost outlet name."""
    # Outlet names hold no "/", so a name in the (shared, cached) directory part comes first.
    folder, _, name = uri.rpartition("/")
    outlet = _folder_outlet(folder)
    if outlet is None:
        u = _URI_OUTLET_RE.search(name)
        outlet = _URI_OUTLETS[u[0].lower()] if u else None
    return outlet


@functools.lru_cache(maxsize=1024)
def _folder_outlet(folder: str) -> str | None:
    """The outlet named in the directory part of a source URI."""
    u = _URI_OUTLET_RE.search(folder)
    return _URI_OUTLETS[u[0].lower()] if u else None
