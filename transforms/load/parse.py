"""Parsing input files (as bytes) into article records. Pure: no I/O.

Formats: ``txt`` (one article per file), ``jsonl`` (one per line), ``csv`` (one per row,
header row or named columns), ``sgm`` (Reuters-21578, one per ``<REUTERS>``). The raw
text of a record is its text *as read*: the whole ``.txt`` file, the ``text`` field of
a JSONL line or CSV row, the ``<BODY>`` of an SGML record still entity-escaped. Every
repair is left to cleaning, where it is recorded. Titles are metadata, not raw text:
they get their entities repaired here. Records of multi-record files have the URI
``path#N`` (line number for JSONL, row number for CSV counting the header, NEWID for
SGML).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from transforms.clean.html_entities import repair_entities, uses_backslash_breaks
from transforms.load.decode import DecodeError, decode_bytes
from transforms.load.sgml import sgml_records


@dataclass(frozen=True)
class Record:
    """One article as read from its source, before cleaning."""

    source_uri: str
    source_format: str
    encoding: str
    raw_text: str
    title: str | None = None
    date: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    #: The input uses the AG News convention: a backslash stands for a line break, ``\$`` for ``$``.
    backslash_breaks: bool = False


@dataclass(frozen=True)
class Rejected:
    """An input record that cannot become a document, and why."""

    source_uri: str
    reason: str
    bytes: int


Parsed = list[Record | Rejected]

#: Field names understood in JSONL and CSV, and the aliases accepted for them.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "headline": "title",
    "text": "text",
    "body": "text",
    "content": "text",
    "description": "text",
    "date": "date",
    "published": "date",
    "url": "url",
    "source": "source",
    "outlet": "source",
}


def _title(value: object, backslash_breaks: bool = False) -> str | None:
    """A title with entities repaired and whitespace collapsed, or None if blank."""
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(repair_entities(value, backslash_breaks).split())


def _record(
    fields: dict[str, object], uri: str, fmt: str, encoding: str, line: int, backslash_breaks: bool = False
) -> Record | Rejected:
    """A record from named fields (understood names mapped, others kept as metadata)."""
    known: dict[str, object] = {}
    meta: dict[str, object] = {}
    for key, value in fields.items():
        name = FIELD_ALIASES.get(str(key).strip().lower())
        if name and name not in known:
            known[name] = value
        else:
            meta[str(key)] = value
    text = known.get("text")
    if not isinstance(text, str) or not text.strip():
        what = "empty text field" if "text" in known else "no text field (columns: " + ", ".join(map(str, fields)) + ")"
        return Rejected(f"{uri}#{line}", f"no text: {what}", len(json.dumps(fields, default=str).encode()))
    if isinstance(known.get("url"), str):
        meta["url"] = known["url"]
    if isinstance(known.get("source"), str) and str(known["source"]).strip():
        meta["outlet"] = str(known["source"]).strip()
    date = known.get("date")
    title = _title(known.get("title"), backslash_breaks)
    return Record(f"{uri}#{line}", fmt, encoding, text, title, str(date) if date else None, meta, backslash_breaks)


def _decoded(data: bytes, uri: str) -> tuple[str, str] | Rejected:
    """Decoded text and encoding, or a rejection of the whole file."""
    try:
        return decode_bytes(data)
    except DecodeError as exc:
        return Rejected(uri, f"undecodable: {exc}", len(data))


def parse_txt(data: bytes, uri: str) -> Parsed:
    """One article per ``.txt`` file; the whole decoded text is the raw text."""
    decoded = _decoded(data, uri)
    if isinstance(decoded, Rejected):
        return [decoded]
    text, encoding = decoded
    if not text.strip():
        return [Rejected(uri, "empty: no text in file", len(data))]
    return [Record(uri, "txt", encoding, text)]


def jsonl_lines(text: str) -> list[str]:
    r"""The lines of a JSONL text: split at ``\n`` and ``\r\n`` only.

    JSON strings may hold U+2028, U+2029, NEL and the separators ``\x1c``-``\x1e``
    unescaped, so ``str.splitlines`` (which breaks at all of them) would cut records.

    >>> jsonl_lines('{"a": "x\u2028y"}\r\n{"a": "z\x85"}\n')
    ['{"a": "x\u2028y"}', '{"a": "z\x85"}', '']
    """
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def parse_jsonl(data: bytes, uri: str) -> Parsed:
    """One article per JSON object line; blank lines are skipped, bad lines rejected."""
    decoded = _decoded(data, uri)
    if isinstance(decoded, Rejected):
        return [decoded]
    text, encoding = decoded
    out: Parsed = []
    for n, line in enumerate(jsonl_lines(text), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(
                Rejected(
                    f"{uri}#{n}", f"invalid JSON: {exc.msg} at column {exc.colno}", len(line.encode("utf-8", "replace"))
                )
            )
            continue
        if not isinstance(obj, dict):
            out.append(
                Rejected(
                    f"{uri}#{n}",
                    f"invalid record: JSON {type(obj).__name__}, not an object",
                    len(line.encode("utf-8", "replace")),
                )
            )
            continue
        out.append(_record(obj, uri, "jsonl", encoding, n))
    if not out:
        out.append(Rejected(uri, "empty: no records in file", len(data)))
    return out


def parse_csv(
    data: bytes, uri: str, csv_columns: list[str] | None = None, backslash_breaks: bool | None = None
) -> Parsed:
    """One article per CSV row: header row, or ``csv_columns`` for headerless files.

    ``backslash_breaks`` says whether the file uses the AG News backslash convention;
    None detects it from the file (:func:`~transforms.clean.html_entities.uses_backslash_breaks`).

    A row with more or fewer fields than there are columns is rejected (``invalid row``):
    which field is missing cannot be told, so the row is not guessed at.
    """
    decoded = _decoded(data, uri)
    if isinstance(decoded, Rejected):
        return [decoded]
    text, encoding = decoded
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [Rejected(uri, f"invalid CSV: {exc}", len(data))]
    first = 1
    if csv_columns:
        header = [c.strip() for c in csv_columns]
    elif rows:
        header, rows, first = [c.strip() for c in rows[0]], rows[1:], 2
    else:
        header = []
    if backslash_breaks is None:
        backslash_breaks = uses_backslash_breaks(cell for row in rows for cell in row)
    out: Parsed = []
    for n, row in enumerate(rows, first):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):  # a row that does not fit the header is not guessed at
            out.append(
                Rejected(
                    f"{uri}#{n}", f"invalid row: {len(row)} fields, {len(header)} columns", len(",".join(row).encode())
                )
            )
            continue
        out.append(_record(dict(zip(header, row, strict=False)), uri, "csv", encoding, n, backslash_breaks))
    if not out:
        out.append(Rejected(uri, "empty: no rows in file", len(data)))
    return out


def parse_sgm(data: bytes, uri: str) -> Parsed:
    """One article per Reuters-21578 ``<REUTERS>`` record (see :mod:`transforms.load.sgml`)."""
    out: Parsed = []
    for rec in sgml_records(data):
        ruri = f"{uri}#{rec.newid}"
        if rec.error:
            out.append(Rejected(ruri, rec.error, rec.size))
            continue
        out.append(Record(ruri, "sgm", rec.encoding, rec.body, _title(rec.title), rec.date, rec.metadata))
    if not out:
        out.append(Rejected(uri, "empty: no <REUTERS> records in file", len(data)))
    return out


PARSERS: dict[str, Callable[..., Parsed]] = {"txt": parse_txt, "jsonl": parse_jsonl, "csv": parse_csv, "sgm": parse_sgm}


def format_of(name: str) -> str | None:
    """Input format for a file name (``.gz`` looks through), or None if unsupported."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    ext = lower.rsplit(".", 1)[-1] if "." in lower else ""
    ext = {"ndjson": "jsonl", "sgml": "sgm"}.get(ext, ext)
    return ext if ext in PARSERS else None


def parse(
    data: bytes, uri: str, fmt: str, csv_columns: list[str] | None = None, backslash_breaks: bool | None = None
) -> Parsed:
    """Records and rejections from one input file of format ``fmt``.

    ``csv_columns`` names the columns of a headerless CSV file, in order;
    ``backslash_breaks`` forces the AG News backslash convention on or off for CSV
    files (None: detected per file). Other formats never use it.
    """
    if fmt == "csv":
        return parse_csv(data, uri, csv_columns, backslash_breaks)
    return PARSERS[fmt](data, uri)
