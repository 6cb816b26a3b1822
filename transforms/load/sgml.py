"""Reuters-21578 SGML: split a ``.sgm`` file into records, decoding each on its own.

Decoding per record keeps one stray byte (``reut2-017.sgm`` holds a lone 0xFC) from
changing the encoding of the other 999 records of its file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from transforms.clean.html_entities import repair_entities
from transforms.load.decode import DecodeError, decode_bytes

_SPLIT = re.compile(rb"<REUTERS\b")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_TAG = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "TITLE", "DATELINE", "BODY")}
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.S)
_LISTS = ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES")
_LIST = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in _LISTS}
_D = re.compile(r"<D>(.*?)</D>", re.S)
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")
_MONTHS = {
    m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
_TAGS = re.compile(r"</?(?:TITLE|DATELINE|AUTHOR)>")


@dataclass(frozen=True)
class SgmlRecord:
    """One ``<REUTERS>`` record: its body (raw, entity-escaped) and metadata, or an error."""

    newid: str
    size: int
    encoding: str = ""
    body: str = ""
    title: str | None = None
    date: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    error: str | None = None


def iso_datetime(value: str) -> str | None:
    """ISO form of a Reuters date such as ``26-FEB-1987 15:01:01.79``, else None.

    >>> iso_datetime("26-FEB-1987 15:01:01.79")
    '1987-02-26T15:01:01'
    """
    m = _DATE.search(value)
    if not m or m[2].upper() not in _MONTHS:
        return None
    try:
        return dt.datetime(int(m[3]), _MONTHS[m[2].upper()], int(m[1]), int(m[4]), int(m[5]), int(m[6])).isoformat()
    except ValueError:
        try:
            return dt.date(int(m[3]), _MONTHS[m[2].upper()], int(m[1])).isoformat()
        except ValueError:
            return None


def _record(chunk: bytes, index: int) -> SgmlRecord:
    """Parse one ``<REUTERS ...>...</REUTERS>`` chunk."""
    try:
        text, encoding = decode_bytes(chunk)
    except DecodeError as exc:
        return SgmlRecord(f"record-{index}", len(chunk), error=f"undecodable: {exc}")
    head = text[: text.find(">") + 1]
    attrs = dict(_ATTR.findall(head))
    newid = attrs.get("NEWID") or f"record-{index}"
    if "</REUTERS>" not in text:
        return SgmlRecord(newid, len(chunk), error="truncated: <REUTERS> record without </REUTERS>")
    meta: dict[str, object] = {"outlet": "Reuters", "newid": newid}
    for key in ("OLDID", "TOPICS", "LEWISSPLIT", "CGISPLIT"):
        if key in attrs:
            meta[key.lower() if key != "TOPICS" else "has_topics"] = attrs[key]
    for name in _LISTS:
        m = _LIST[name].search(text)
        meta[name.lower()] = [repair_entities(d) for d in _D.findall(m.group(1))] if m else []
    date_m = _TAG["DATE"].search(text)
    date_raw = date_m.group(1).strip() if date_m else ""
    meta["reuters_date"] = date_raw
    date = iso_datetime(date_raw)
    text_m = _TEXT.search(text)
    if not text_m:
        return SgmlRecord(newid, len(chunk), error="no body: record without <TEXT>")
    text_type = dict(_ATTR.findall(text_m.group(1))).get("TYPE", "NORM")
    meta["text_type"] = text_type
    inner = text_m.group(2)
    title_m = _TAG["TITLE"].search(inner)
    title = title_m.group(1) if title_m else None
    dateline_m = _TAG["DATELINE"].search(inner)
    if dateline_m:
        meta["dateline"] = " ".join(repair_entities(dateline_m.group(1)).split()).rstrip(" -")
    body_m = _TAG["BODY"].search(inner)
    if body_m:
        body = body_m.group(1)
    elif text_type == "UNPROC":
        body = inner  # unprocessed records: the whole text is the body
    else:
        what = "title-only brief" if text_type == "BRIEF" else "no <BODY>"
        return SgmlRecord(newid, len(chunk), error=f"no body: {what} (TEXT TYPE={text_type})")
    if not repair_entities(_TAGS.sub("", body)).strip(" \n\t\x02\x03"):
        return SgmlRecord(newid, len(chunk), error="no body: empty <BODY>")
    return SgmlRecord(newid, len(chunk), encoding, body, title, date, meta)


def sgml_records(data: bytes) -> Iterator[SgmlRecord]:
    """Records of a Reuters-21578 ``.sgm`` file, in file order."""
    starts = [m.start() for m in _SPLIT.finditer(data)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        yield _record(data[start:end], i + 1)
