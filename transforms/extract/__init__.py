"""Extraction stage: numbers, counts, quotes, entities, places, dates and document metadata.

Cheap vectorised detectors (``pyarrow.compute`` regexes over the whole column) pick the
documents that can hold each kind of fact; the Python extractors run on those only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract import counts as _counts
from transforms.extract import dates as _dates
from transforms.extract import entities as _entities
from transforms.extract import meta as _meta
from transforms.extract import numbers as _numbers
from transforms.extract import quotes as _quotes
from warehouse.schema import TABLES, conform

__all__ = ["extract", "DOC_META_SCHEMA"]

DOC_META_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("published_date", pa.date32()),
        pa.field("published_date_source", pa.string()),
        pa.field("outlet", pa.string()),
        pa.field("agencies", pa.list_(pa.string())),
        pa.field("byline", pa.string()),
    ]
)

#: RE2 prefilters: a document can only hold a fact of a kind if it matches the pattern.
PREFILTERS: dict[str, str] = {
    "numbers": _numbers.PREFILTER,
    "counts": _counts.PREFILTER,
    "quotes": _quotes.PREFILTER,
    "dates": _dates.PREFILTER,
}


def _hits(texts: pa.ChunkedArray | pa.Array, pattern: str) -> list[int]:
    """Row indices of ``texts`` that match the RE2 ``pattern``."""
    mask = pc.fill_null(pc.match_substring_regex(texts, pattern), False)
    return pc.indices_nonzero(mask).to_pylist()


def _table(name: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> pa.Table:
    """A contract table ``name`` from row tuples in ``columns`` order."""
    schema = TABLES[name].arrow_schema
    cols = list(zip(*rows)) if rows else [[] for _ in columns]
    arrays = {c: pa.array(list(v), type=schema.field(c).type) for c, v in zip(columns, cols)}
    return conform(name, pa.table(arrays))


def _column(docs: pa.Table, name: str) -> list[Any]:
    """A column of ``docs`` as a Python list, or all nulls when absent."""
    return docs.column(name).to_pylist() if name in docs.column_names else [None] * docs.num_rows


def _rows(
    indices: Sequence[int], ids: list[str], fn: Callable[[int], list[tuple[Any, ...]]]
) -> list[tuple[Any, ...]]:
    """Rows ``(doc_id, *fact)`` from running ``fn`` on each selected document."""
    out: list[tuple[Any, ...]] = []
    for i in indices:
        doc_id = ids[i]
        out.extend((doc_id, *r) for r in fn(i))
    return out


def extract(docs: pa.Table) -> dict[str, pa.Table]:
    """Numbers, counts, quotes, entities, places, date mentions, quality issues and doc_meta of ``docs``."""
    texts_col = pc.fill_null(docs.column("clean_text"), "")
    ids: list[str] = docs.column("doc_id").to_pylist()
    texts: list[str] = texts_col.to_pylist()
    titles = _column(docs, "title")
    published: list[dt.date | None] = _column(docs, "published_date")
    uris = _column(docs, "source_uri")
    headers = _column(docs, "header")
    hit = {k: _hits(texts_col, p) for k, p in PREFILTERS.items()}

    metas = [_meta.doc_meta(t, ti, pu, u or "", h) for t, ti, pu, u, h in zip(texts, titles, published, uris, headers)]
    pub = [m.published_date for m in metas]

    numbers: dict[int, list[_numbers.Number]] = {i: _numbers.find_numbers(texts[i]) for i in hit["numbers"]}
    number_rows = _rows(
        list(numbers), ids,
        lambda i: [(n.start, n.end, n.surface, n.value, n.unit, n.is_malformed, n.suggested_value) for n in numbers[i]],
    )
    issue_rows = [
        (r[0], "malformed_number", "warning",
         f"bad digit grouping in {r[3]!r}; suggested value {r[7]:g}" if r[7] is not None else f"bad digit grouping in {r[3]!r}",
         r[1], r[2])
        for r in number_rows if r[6]
    ]
    count_idx = [i for i in hit["counts"] if numbers.get(i)]
    count_rows = _rows(count_idx, ids, lambda i: [
        (c.start, c.end, c.count_type, c.number, c.object, c.qualifier) for c in _counts.find_counts(texts[i], numbers[i])
    ])
    found = {i: _entities.find_entities(texts[i]) for i in range(len(texts))}
    entity_rows = _rows(range(len(texts)), ids, lambda i: [(e.start, e.end, e.kind, e.surface, e.name) for e in found[i].entities])
    place_rows = _rows(range(len(texts)), ids, lambda i: [
        (p.start, p.end, p.surface, p.name, p.country_code, p.latitude, p.longitude) for p in found[i].places
    ])
    quote_rows = _rows(hit["quotes"], ids, lambda i: [
        (q.start, q.end, q.quote, q.speaker, q.verb) for q in _quotes.find_quotes(texts[i], found[i].entities)
    ])
    date_rows = _rows(hit["dates"], ids, lambda i: [
        (d.start, d.end, d.surface, d.resolved_date, d.resolution) for d in _dates.find_dates(texts[i], pub[i])
    ])
    doc_meta = pa.table(
        {
            "doc_id": ids,
            "title": [m.title for m in metas],
            "published_date": pub,
            "published_date_source": [m.published_date_source for m in metas],
            "outlet": [m.outlet for m in metas],
            "agencies": [m.agencies for m in metas],
            "byline": [m.byline for m in metas],
        },
        schema=DOC_META_SCHEMA,
    )
    span = ("doc_id", "start", "end")
    return {
        "numbers": _table("numbers", (*span, "surface", "value", "unit", "is_malformed", "suggested_value"), number_rows),
        "counts": _table("counts", (*span, "count_type", "number", "object", "qualifier"), count_rows),
        "quotes": _table("quotes", (*span, "quote", "speaker", "verb"), quote_rows),
        "entities": _table("entities", (*span, "kind", "surface", "name"), entity_rows),
        "places": _table("places", (*span, "surface", "name", "country_code", "latitude", "longitude"), place_rows),
        "date_mentions": _table("date_mentions", (*span, "surface", "resolved_date", "resolution"), date_rows),
        "quality_issues": _table("quality_issues", ("doc_id", "check_name", "severity", "detail", "start", "end"), issue_rows),
        "doc_meta": doc_meta,
    }
