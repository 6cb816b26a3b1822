"""Document metadata: title, publication date and its source, outlet, agencies, byline."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from transforms.extract.dates import ABSOLUTE_WITH_YEAR_RE, parse_absolute

_HEADER_DATE_RE = re.compile(r"^\s*(?:date|published|posted|updated)?:?\s*(\d{4})-(\d{2})-(\d{2})\b", re.I | re.M)
_AGENCIES = {"AFP": "AFP", "Reuters": "Reuters", "REUTERS": "Reuters", "AP": "AP", "Associated Press": "AP",
             "dpa": "dpa", "DPA": "dpa", "Anadolu": "Anadolu", "ANSA": "ANSA", "Xinhua": "Xinhua",
             "EFE": "EFE", "UPI": "UPI", "PA": "PA", "Bloomberg": "Bloomberg"}
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


@dataclass(frozen=True, slots=True)
class DocMeta:
    """Metadata of one document."""

    title: str | None
    published_date: dt.date | None
    published_date_source: str | None
    outlet: str | None
    agencies: list[str] = field(default_factory=list)
    byline: str | None = None


def looks_like_headline(line: str) -> bool:
    """Whether a line reads like a headline: short, several words, no final full stop."""
    line = line.strip()
    words = line.split()
    return 3 <= len(words) <= 25 and len(line) <= 200 and not line.endswith((".", ",", ";")) \
        and line[:1].isupper() and ("-" not in line or not _HEADER_DATE_RE.match(line))


#: The line boundaries of ``str.splitlines``.
_LINE_BREAK_RE = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def first_line(text: str) -> str:
    """The first non-blank line of a text, stripped.

    Line breaks are whitespace, so the line holds the first character that is not.

    >>> first_line(" \\n\\t\\r\\n  Title here \\u2028body"), first_line(" \\n ")
    ('Title here', '')
    """
    rest = text.lstrip()
    m = _LINE_BREAK_RE.search(rest)
    return (rest[: m.start()] if m else rest).rstrip()


def agencies_in(text: str) -> list[str]:
    """News agencies credited in ``text`` (``By AFP``, ``(Reuters)``, ``AP -``...), in order."""
    found: list[str] = []
    for m in _AGENCY_RE.finditer(text):
        name = _AGENCIES[next(g for g in m.groups() if g)]
        if name not in found:
            found.append(name)
    return found


#: Characters at the top of a text where agency credits and bylines are looked for.
HEAD_CHARS = 600
#: A publication date read from the text must stand near its top (not a historic date
#: in the body) and fall in this range of years.
TEXT_DATE_CHARS = 500
PLAUSIBLE_YEARS = (1900, 2100)


def published_from(header: str, text: str, published: dt.date | None,
                   hints: dict[str, bool] | None = None) -> tuple[dt.date | None, str | None]:
    """Publication date and where it came from: metadata, header, dateline or text."""
    if published is not None:
        return published, "metadata"
    m = None
    if hints is None or hints["header_date"]:
        m = (_HEADER_DATE_RE.search(header) if header else None) or _HEADER_DATE_RE.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "header"
        except ValueError:
            pass
    if hints is not None and not hints["year_date"]:
        return None, None
    for where, scope in (("dateline", first_line(text)), ("text", text[:TEXT_DATE_CHARS])):
        m = ABSOLUTE_WITH_YEAR_RE.search(scope)
        day = parse_absolute(m[0], None) if m else None
        if day and PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]:
            return day, where
    return None, None


def doc_meta(text: str, title: str | None, published: dt.date | None, source_uri: str,
             header: str | None = None, hints: dict[str, bool] | None = None) -> DocMeta:
    """Title, publication date, outlet, agencies and byline of one document.

    ``hints`` (from cheap vectorised checks) say which rules can fire; None runs them all.
    """
    header = header or ""
    if not title:
        line = first_line(text[:400])
        if looks_like_headline(line):
            title = line
    date, date_source = published_from(header, text, published, hints)
    head = text[:HEAD_CHARS]
    agencies = agencies_in(header + "\n" + head + "\n" + (title or "")) if not hints or hints["agency"] else []
    byline = None
    tail = text[-300:]
    source_in_tail = "Source:" in tail
    m = _BYLINE_RE.search(header) or _BYLINE_RE.search(head) or _BYLINE_RE.search(tail) \
        if not hints or hints["byline"] or source_in_tail or "By " in tail else None
    if m:
        byline = (m["by"] or m["src"]).strip()
    outlet = None
    m = _SOURCE_OUTLET_RE.search(header) or _SOURCE_OUTLET_RE.search(tail) \
        if ("Source:" in header + tail if header else source_in_tail) else None
    if m and m[1] not in _AGENCIES:
        outlet = m[1]
    else:
        outlet = _uri_outlet(source_uri or "")
    return DocMeta(title, date, date_source, outlet, agencies, byline)


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
