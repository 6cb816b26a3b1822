"""From parsed records to warehouse rows for one batch: key, clean, extract, assemble."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence

import pyarrow as pa

from contract.schema import TABLES
from transforms.clean.clean import clean_texts, edits_table
from transforms.extract.extract import extract
from transforms.gcpause import gc_paused
from transforms.load.parse import Record

_WORD = re.compile(r"\S+")


def doc_id_of(raw_text: str) -> str:
    """Content key of a document: the first 16 hex digits of SHA-256 of its raw text.

    >>> doc_id_of("hello")
    '2cf24dba5fb0a30e'
    """
    return hashlib.sha256(raw_text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def source_key(record: Record) -> str:
    """The source a record's boilerplate is learned over: its outlet, else its folder or file.

    >>> source_key(Record("/in/bbc/sport/1.txt", "txt", "utf-8", "x"))
    '/in/bbc/sport'
    >>> source_key(Record("/in/reut2-000.sgm#5", "sgm", "utf-8", "x", metadata={"outlet": "Reuters"}))
    'Reuters'
    """
    outlet = record.metadata.get("outlet")
    if outlet:
        return str(outlet)
    path = record.source_uri.split("#", 1)[0]
    return path if "#" in record.source_uri else path.rsplit("/", 1)[0]


def _iso_date(value: str | None) -> dt.date | None:
    """A date from an ISO-like metadata string, else None."""
    if not value:
        return None
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def batch_tables(records: Sequence[Record], run_id: str, ingested_at: dt.datetime) -> dict[str, pa.Table]:
    """Warehouse rows (documents, edits, extracted facts, quality issues) for new records."""
    doc_ids = [doc_id_of(r.raw_text) for r in records]
    raw = [r.raw_text for r in records]
    with gc_paused():  # millions of short-lived, acyclic objects (extract pauses the collector itself)
        cleaned = clean_texts(
            raw, sources=[source_key(r) for r in records], backslash_breaks=[r.backslash_breaks for r in records]
        )
    meta_dates = [_iso_date(r.date) for r in records]
    docs_in = pa.table(
        {
            "doc_id": pa.array(doc_ids, pa.string()),
            "clean_text": pa.array(cleaned.clean_text, pa.string()),
            "title": pa.array([r.title for r in records], pa.string()),
            "published_date": pa.array(meta_dates, pa.date32()),
            "source_uri": pa.array([r.source_uri for r in records], pa.string()),
            "header": pa.array(cleaned.header, pa.string()),
        }
    )
    out = extract(docs_in)
    meta = out.pop("doc_meta").to_pylist()
    by_id = {m["doc_id"]: m for m in meta}
    rows = []
    for r, doc_id, text, mdate in zip(records, doc_ids, cleaned.clean_text, meta_dates, strict=True):
        m = by_id.get(doc_id, {})
        rows.append(
            {
                "doc_id": doc_id,
                "source_uri": r.source_uri,
                "source_format": r.source_format,
                "run_id": run_id,
                "ingested_at": ingested_at,
                "encoding": r.encoding,
                "raw_text": r.raw_text,
                "clean_text": text,
                "title": r.title or m.get("title"),
                "published_date": mdate or m.get("published_date"),
                "published_date_source": "metadata" if mdate else m.get("published_date_source"),
                "outlet": r.metadata.get("outlet") or m.get("outlet"),
                "agencies": m.get("agencies") or [],
                "byline": m.get("byline"),
                "word_count": len(_WORD.findall(text)),
                "story_id": None,
                "duplicate_of": None,
                "metadata": json.dumps(r.metadata, sort_keys=True, default=str) if r.metadata else None,
            }
        )
    out["documents"] = pa.Table.from_pylist(rows, schema=TABLES["documents"].arrow_schema)
    out["edits"] = edits_table(doc_ids, raw, cleaned.edits)
    return out
