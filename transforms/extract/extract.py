"""Extraction stage: numbers, counts, quotes, entities, places, dates and document metadata.

Cheap vectorised detectors (``pyarrow.compute`` regexes over the whole column) pick the
documents that can hold each kind of fact; the Python extractors run on those only.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contract.schema import DOC_META_COLUMNS, TABLES, conform
from contract.vocab import WARNING
from transforms.extract import _scan
from transforms.extract import counts as _counts
from transforms.extract import dates as _dates
from transforms.extract import meta as _meta
from transforms.extract import numbers as _numbers
from transforms.extract import quotes as _quotes
from transforms.extract.names import entities as _entities
from transforms.gcpause import gc_paused

__all__ = ["extract", "DOC_META_SCHEMA"]

#: The documents metadata that :func:`extract` finds (``doc_meta``), as its columns in the contract.
DOC_META_SCHEMA = TABLES["documents"].schema_of(DOC_META_COLUMNS)

#: RE2 patterns that pick the documents (or lines) where each Python extractor runs.
QUOTES_PREFILTER = _quotes.PREFILTER
COUNTS_PREFILTER = _counts.PREFILTER
META_HINTS: dict[str, str] = {
    "agency": _meta.AGENCY_HINT,
    "byline": r"(?m)^\s*(?:By\s|Source:)",
    "header_date": _meta.HEADER_DATE_HINT,
    "year_date": _meta.YEAR_DATE_HINT,
}


def _mask(texts: pa.Array, pattern: str) -> list[bool]:
    """Which texts match the RE2 ``pattern``."""
    return pc.fill_null(pc.match_substring_regex(texts, pattern), False).to_pylist()


#: Any of the hints: one pass over all heads finds the few documents where some hint fires.
_ANY_HINT = "|".join(f"(?:{p})" for p in META_HINTS.values())


def _hints(heads: pa.Array) -> dict[str, list[bool]]:
    """Per hint of ``META_HINTS``, which heads it fires on (each hint checked only where any fires)."""
    some = np.flatnonzero(_mask(heads, _ANY_HINT))
    subset = heads.take(pa.array(some))
    out: dict[str, list[bool]] = {}
    for k, p in META_HINTS.items():
        fires = np.zeros(len(heads), dtype=bool)
        fires[some] = _mask(subset, p)
        out[k] = fires.tolist()
    return out


def _table(name: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> pa.Table:
    """A contract table ``name`` from row tuples in ``columns`` order."""
    schema = TABLES[name].arrow_schema
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return conform(name, pa.table({c: pa.array(v, schema.field(c).type) for c, v in zip(columns, values, strict=True)}))


def _records(name: str, ids: pa.Array, per_doc: Sequence[Sequence[tuple[Any, ...]]],
             fields: Sequence[str]) -> pa.Table:
    """A contract table ``name`` from each document's records (tuples of ``fields``), with their doc_id."""
    schema = TABLES[name].arrow_schema
    flat = list(chain.from_iterable(per_doc))
    values = list(zip(*flat, strict=True)) if flat else [()] * len(fields)
    columns = {f: pa.array(v, schema.field(f).type) for f, v in zip(fields, values, strict=True)}
    columns["doc_id"] = ids.take(pa.array(np.repeat(np.arange(len(per_doc)), [len(x) for x in per_doc])))
    return conform(name, pa.table(columns))


def _with_doc_id(name: str, ids: pa.Array, rows: pa.Table) -> pa.Table:
    """Contract table ``name`` from a table whose ``row`` column gives each record's document position."""
    return conform(name, rows.drop_columns(["row"]).append_column("doc_id", ids.take(rows["row"])))


def _column(docs: pa.Table, name: str) -> list[Any]:
    """A column of ``docs`` as a Python list, or all nulls when absent."""
    return docs.column(name).to_pylist() if name in docs.column_names else [None] * docs.num_rows


#: How far before and after a number a trigger word can stand for it to be a count (characters).
_TRIGGER_BEFORE, _TRIGGER_AFTER = 170, 120


def _count_candidates(nums: pa.Table, trig: _scan.Matches) -> dict[int, list[_numbers.Number]]:
    """Numbers that can be counts, as objects grouped by document row.

    Vectorised filters that :func:`counts.find_counts` would apply one by one: a trigger word
    within reach, no unit, a positive value, not a small fraction.
    """
    out: dict[int, list[_numbers.Number]] = {}
    if not len(trig) or not nums.num_rows:
        return out
    shift = np.int64(1) << 32  # (row, offset) as one sortable key
    tkeys = trig.doc.astype(np.int64) * shift + trig.start
    row = nums["row"].to_numpy().astype(np.int64)
    start = nums["start"].to_numpy()
    k = np.searchsorted(tkeys, row * shift + np.maximum(start - _TRIGGER_BEFORE, 0))
    near = np.zeros(len(row), dtype=bool)
    inside = k < len(tkeys)
    near[inside] = tkeys[k[inside]] <= row[inside] * shift + nums["end"].to_numpy()[inside] + _TRIGGER_AFTER
    value = nums["value"].to_numpy(zero_copy_only=False)
    ok = near & pc.is_null(nums["unit"]).to_numpy(zero_copy_only=False) & (np.nan_to_num(value) > 0)
    ok &= (value == np.floor(value)) | (value >= 1000)
    sub = nums.filter(pa.array(ok))
    columns = [sub[c].to_pylist() for c in ("row", *_numbers.Number._fields)]
    for r, *fields in zip(*columns, strict=True):
        out.setdefault(r, []).append(_numbers.Number(*fields))
    return out


def extract(docs: pa.Table) -> dict[str, pa.Table]:
    """Numbers, counts, quotes, entities, places, date mentions, quality issues and doc_meta of ``docs``."""
    with gc_paused():  # the step allocates millions of short-lived, acyclic objects
        return _extract(docs)


def _extract(docs: pa.Table) -> dict[str, pa.Table]:
    """The body of :func:`extract`."""
    texts_arr = _scan.as_array(docs.column("clean_text"))
    ids_arr = docs.column("doc_id").combine_chunks()
    ids: list[str] = ids_arr.to_pylist()
    texts: list[str] = texts_arr.to_pylist()
    n = len(texts)
    headers = _column(docs, "header")
    head_text = pc.utf8_slice_codeunits(texts_arr, 0, _meta.HEAD_CHARS)
    heads = pc.binary_join_element_wise(
        pc.fill_null(pa.array(headers, pa.large_string()), ""), head_text, pa.scalar("\n", pa.large_string()))
    hints = _hints(heads)
    # the year-date rule also reads the first non-blank line, which may run on past the head
    long_line = pc.and_(pc.invert(pc.match_substring_regex(head_text, r"\S[^\n]*\n")),
                        pc.greater(pc.utf8_length(texts_arr), _meta.HEAD_CHARS)).to_pylist()
    hints["year_date"] = [a or b for a, b in zip(hints["year_date"], long_line, strict=True)]
    meta = _meta.doc_metas(texts, _column(docs, "title"), _column(docs, "published_date"),
                           _column(docs, "source_uri"), headers, hints)
    pub = meta["published_date"]

    # numbers and count trigger words in one scan: their matches never overlap
    both = _scan.matches(texts_arr, f"(?:{_numbers.PATTERN})|{COUNTS_PREFILTER}")
    is_trigger = pc.match_substring_regex(both.text, f"^{COUNTS_PREFILTER}$").to_numpy(zero_copy_only=False)
    nums = _numbers.numbers_table(texts_arr, both.subset(~is_trigger))
    trig = both.subset(is_trigger)
    numbers = _with_doc_id("numbers", ids_arr, nums)
    bad = nums.filter(nums["is_malformed"]).to_pylist()
    issue_rows = [
        (ids[r["row"]], "malformed_number", WARNING,
         f"bad digit grouping in {r['surface']!r}; "
         + (f"suggested value {r['suggested_value']:g}" if r["suggested_value"] is not None
            else "no suggested value (the figure does not tell what was meant)"),
         r["start"], r["end"])
        for r in bad
    ]
    candidates = _count_candidates(nums, trig)
    triggers: dict[int, list[int]] = {r: [] for r in candidates}
    for row, pos in zip(trig.doc.tolist(), trig.start.tolist(), strict=True):
        if row in triggers:
            triggers[row].append(pos)
    count_rows = [
        (ids[i], c.start, c.end, c.count_type, c.number, c.object, c.qualifier)
        for i, found in candidates.items() for c in _counts.find_counts(texts[i], found, triggers[i])
    ]
    found = _entities.find_all(texts_arr, texts)
    quote_mask = _mask(texts_arr, QUOTES_PREFILTER)
    mentions = found.mentions([i for i in range(n) if quote_mask[i]])
    quotes = [_quotes.find_quotes(texts[i], mentions[i]) if quote_mask[i] else [] for i in range(n)]
    date_mentions = _with_doc_id("date_mentions", ids_arr, _dates.date_table(texts_arr, pub))
    doc_meta = pa.table({"doc_id": ids_arr, **meta}, schema=DOC_META_SCHEMA)
    span = ("doc_id", "start", "end")
    return {
        "numbers": numbers,
        "counts": _table("counts", (*span, "count_type", "number", "object", "qualifier"), count_rows),
        "quotes": _records("quotes", ids_arr, quotes, _quotes.Quote._fields),
        "entities": _with_doc_id("entities", ids_arr, found.entities),
        "places": _with_doc_id("places", ids_arr, found.places),
        "date_mentions": date_mentions,
        "quality_issues": _table(
            "quality_issues", ("doc_id", "check_name", "severity", "detail", "start", "end"), issue_rows),
        "doc_meta": doc_meta,
    }
