"""Span checks (a surface equals ``text[start:end]``) computed per document, in linear time.

DuckDB's ``substr`` counts characters from the start of the string on every call when
the text is not ASCII, so comparing each extracted row with its slice of a long
document costs the document's length per row: quadratic in the document. Here the rows
of each document are compared with a Python string, which slices in constant time per
character offset, so the cost is linear in the text plus the rows. Documents are
streamed in ``doc_id`` order and rows read in the same order, a chunk at a time: only
one chunk of texts is held at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

#: How a row's value compares with its slice of the text.
Test = Callable[[str, str], bool]


def equals(piece: str, value: str) -> bool:
    """The slice is the value."""
    return piece == value


def contains(piece: str, value: str) -> bool:
    """The value lies inside the slice."""
    return value in piece


def inside(piece: str, value: str) -> bool:  # noqa: ARG001 - the span lying in the text is the whole test
    """Nothing to compare: the span lies in the text."""
    return True


@dataclass(frozen=True)
class SpanCheck:
    """A derived column: ``test(text[start:end], value)`` for every row of a table."""

    text: str  # documents column: clean_text or raw_text
    start: str
    end: str
    value: str | None  # the row's column compared with the slice, or None (span only)
    test: Test


#: Derived columns computed here, by name.
SPAN_CHECKS: dict[str, SpanCheck] = {
    "surface_matches_clean_text": SpanCheck("clean_text", "start", "end", "surface", equals),
    "quote_inside_span": SpanCheck("clean_text", "start", "end", "quote", contains),
    "span_inside_clean_text": SpanCheck("clean_text", "start", "end", None, inside),
    "before_matches_raw_text": SpanCheck("raw_text", "raw_start", "raw_end", "before", equals),
}

#: Documents whose text is held in memory at once.
DOC_CHUNK = 500


def span_flag(text: str | None, start: int | None, end: int | None, value: str | None, check: SpanCheck) -> bool | None:
    """The derived value for one row: None when an input is None, else whether the span holds.

    >>> span_flag("Two soldiers", 0, 3, "Two", SPAN_CHECKS["surface_matches_clean_text"])
    True
    >>> span_flag("Two", 2, 9, None, SPAN_CHECKS["span_inside_clean_text"]) is False
    True
    """
    if text is None or start is None or end is None or (check.value is not None and value is None):
        return None
    if not (0 <= start <= end <= len(text)):
        return False
    return check.test(text[start:end], value or "")


def _docs(
    con: duckdb.DuckDBPyConnection, column: str, table: str, where: str | None = None
) -> Iterator[tuple[str, str | None]]:
    """``(doc_id, text)`` of the documents ``table``'s rows (those meeting ``where``) refer to,
    in ``doc_id`` order, a chunk at a time."""
    rows = f'SELECT doc_id FROM "{table}" t' + (f" WHERE {where}" if where else "")
    batches = con.sql(
        f'SELECT doc_id, any_value("{column}") FROM documents WHERE doc_id IN ({rows}) '
        "GROUP BY doc_id ORDER BY doc_id"
    ).to_arrow_reader(DOC_CHUNK)
    for batch in batches:
        yield from zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)


def span_flags(
    con: duckdb.DuckDBPyConnection, table: str, order_by: str, names: list[str], where: str | None = None
) -> dict[str, list]:
    """Each derived column of ``names`` for every row of ``table`` (that meets ``where``, a
    condition on ``t``), in ``order_by`` order.

    ``order_by`` must put rows of one ``doc_id`` together, in ascending ``doc_id`` order
    with NULLs last (as the frame query does).
    """
    checks = [SPAN_CHECKS[n] for n in names]
    cols = dict.fromkeys(c for ch in checks for c in (ch.start, ch.end, ch.value) if c)
    select = ", ".join(f't."{c}"' for c in ["doc_id", *cols])
    # the rows first (a result left open would be closed by the document query on the same connection)
    condition = f" WHERE {where}" if where else ""
    rows = con.sql(f'SELECT {select} FROM "{table}" t{condition} ORDER BY {order_by}').to_arrow_table()
    rows = rows.to_batches(50_000)
    texts: dict[str, Iterator[tuple[str, str | None]]] = {}
    current: dict[str, tuple[str | None, str | None]] = {}
    out: dict[str, list] = {n: [] for n in names}
    index = {c: i + 1 for i, c in enumerate(cols)}
    for batch in rows:
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for r in range(batch.num_rows):
            doc_id = columns[0][r]
            for name, check in zip(names, checks, strict=True):
                text = _text_of(con, table, check.text, doc_id, texts, current, where)
                value = columns[index[check.value]][r] if check.value else None
                out[name].append(
                    span_flag(text, columns[index[check.start]][r], columns[index[check.end]][r], value, check)
                )
    return out


def _text_of(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    doc_id: str | None,
    texts: dict[str, Iterator[tuple[str, str | None]]],
    current: dict[str, tuple[str | None, str | None]],
    where: str | None = None,
) -> str | None:
    """The ``column`` text of ``doc_id``, advancing that column's document stream (rows come in doc_id order)."""
    if doc_id is None:
        return None
    have = current.get(column)
    if have is not None:
        if have[0] == doc_id:
            return have[1]
        if have[0] is None or have[0] > doc_id:  # the stream is exhausted, or past it: no such document
            return None
    stream = texts.get(column)
    if stream is None:
        stream = texts[column] = _docs(con, column, table, where)
    for did, text in stream:
        if did == doc_id:
            current[column] = (did, text)
            return text
        if did > doc_id:  # the stream is past it: no such document
            current[column] = (did, text)
            return None
    current[column] = (None, None)
    return None
