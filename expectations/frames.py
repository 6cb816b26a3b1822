"""Pull what the checks read out of DuckDB, as one small pandas frame per suite.

The joins, windows and regular expressions run in DuckDB; GX only sees the result.
Span checks (a surface equals its slice of the text) are the exception: they are
computed per document in :mod:`expectations.spans`, in time linear in the text.
A frame holds the columns its checks read plus the derived boolean columns of
:mod:`expectations.suites`. Article text never leaves DuckDB: a column whose only
check is "not null" is pulled as a marker (1 or NULL), so ``raw_text`` and
``clean_text`` cost nothing and cannot leak into reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from contract.schema import TABLES
from expectations.spans import SPAN_CHECKS, span_flags
from expectations.suites import ENTITY_RESIDUE_PATTERN, REFERENCES, Check, reference_column
from transforms.clean.edits import Edit, replay

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_DOCS_CTE = (
    "docs AS (SELECT doc_id, any_value(raw_text) AS raw_text, any_value(clean_text) AS clean_text "
    "FROM documents WHERE doc_id IS NOT NULL GROUP BY doc_id)"
)


_RESIDUE = ENTITY_RESIDUE_PATTERN.replace("'", "''")

#: SQL for each derived column, over the table row ``t`` and its document ``docs``
#: (the span columns of :data:`expectations.spans.SPAN_CHECKS` are computed in Python).
DERIVED: dict[str, str] = {
    "span_follows_previous_edit": (
        "CASE WHEN t.doc_id IS NULL OR t.seq IS NULL OR t.raw_start IS NULL OR t.raw_end IS NULL THEN NULL "
        "ELSE (t.raw_start <= t.raw_end AND coalesce(t._prev_end <= t.raw_start, TRUE)) END"
    ),
    "no_entity_residue": f"NOT regexp_matches(t.clean_text, '{_RESIDUE}')",
    "clean_text_not_blank": r"regexp_matches(t.clean_text, '\S')",
    "doc_count_matches_documents": (
        "CASE WHEN t.story_id IS NULL OR t.doc_count IS NULL THEN NULL "
        "ELSE t.doc_count = (SELECT count(*) FROM documents d WHERE d.story_id = t.story_id) END"
    ),
    "values_match_doc_ids": 'len(t."values") = len(t.doc_ids)',
    "conflicting_matches_values": 't.conflicting = (len(list_distinct(t."values")) > 1)',
}
#: Extra columns computed over the raw table before deriving (window functions).
WINDOWS: dict[str, str] = {
    "edits": "lag(raw_end) OVER (PARTITION BY doc_id ORDER BY seq, raw_start) AS _prev_end",
}
DERIVED.update({name: "" for name in SPAN_CHECKS})
for (_table, _col), (_ref, _ref_col) in REFERENCES.items():
    DERIVED[reference_column(_table, _col)] = (
        f'CASE WHEN t."{_col}" IS NULL THEN NULL '
        f'ELSE EXISTS (SELECT 1 FROM "{_ref}" r WHERE r."{_ref_col}" = t."{_col}") END'
    )

_INDEX_CANDIDATES = ("doc_id", "doc_id_a", "doc_id_b", "story_id", "count_type", "source_uri", "start")

#: Suffix of the frame that holds a whole table when the table's other checks read only a run's rows.
WHOLE = ":whole"
#: Expectations about a table as a whole: they read every row even when a run's checks are scoped.
TABLE_LEVEL = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
#: Columns the link step rewrites on rows of earlier runs: their checks read every row.
LINK_WRITTEN = frozenset(
    {
        ("documents", "story_id"),
        ("documents", "duplicate_of"),
        ("documents", "published_date"),
        ("documents", "published_date_source"),
        ("numbers", "suggested_value"),
        ("quality_issues", "detail"),
    }
)


def table_of(frame: str) -> str:
    """The table a frame is pulled from."""
    return frame.removesuffix(WHOLE)


def scope_sql(table: str, run_id: str | None) -> str | None:
    """The condition on ``t`` that keeps the rows run ``run_id`` added to ``table`` (None: every row).

    A run adds documents (``documents.run_id``), rows about them (tables with a ``doc_id``)
    and quarantine rows; the derived tables (links, stories, facts) are rebuilt whole.
    """
    if run_id is None or table not in TABLES:
        return None
    run = "'" + run_id.replace("'", "''") + "'"
    if table in ("documents", "quarantine"):
        return f"t.run_id = {run}"
    if (table, "doc_id") in REFERENCES and REFERENCES[(table, "doc_id")][0] == "documents" and table != "story_members":
        # Rows of the run's documents, and rows of no document at all (whichever run left them).
        return (
            f"(t.doc_id IN (SELECT doc_id FROM documents WHERE run_id = {run}) OR t.doc_id IS NULL "
            "OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = t.doc_id))"
        )
    return None


def scoped_checks(checks: Iterable[Check], run_id: str | None) -> list[Check]:
    """``checks``, with those that must read a whole table moved to its ``:whole`` frame when the
    table's other checks read only the rows of run ``run_id`` (:func:`scope_sql`)."""
    import dataclasses

    out = []
    for c in checks:
        table = c.frame_name
        column = _REFERENCED.get((table, c.column or ""), c.column)  # a reference check reads its column
        whole = c.expectation in TABLE_LEVEL or (table, column) in LINK_WRITTEN
        if whole and scope_sql(table, run_id) is not None:
            c = dataclasses.replace(c, frame=table + WHOLE)
        out.append(c)
    return out


#: The column each reference check's derived column is about, by (table, derived column).
_REFERENCED: dict[tuple[str, str], str | None] = {
    (table, reference_column(table, col)): col for table, col in REFERENCES
}


def index_columns(table: str) -> list[str]:
    """Columns that identify a row of frame ``table`` in failure details (short ids only)."""
    table = table_of(table)
    if table not in TABLES:  # a frame that is not a table (edits_replay, quarantine_share)
        return ["doc_id"]
    t = TABLES[table]
    return list(t.key) if t.key else [c for c in _INDEX_CANDIDATES if c in t.column_names]


#: Row order of a frame with span columns (rows of a document together, as :func:`span_flags` reads them).
_SPAN_ORDER = "t.doc_id NULLS LAST, t._rowid"


def span_columns(checks: Iterable[Check]) -> list[str]:
    """The derived span columns ``checks`` read (computed by :func:`expectations.spans.span_flags`)."""
    cols = [c.column for c in checks if c.column in SPAN_CHECKS]
    return list(dict.fromkeys(cols))  # type: ignore[arg-type]


def frame_sql(table: str, checks: Iterable[Check], where: str | None = None) -> str:
    """The ``SELECT`` that pulls the frame of ``table`` for ``checks`` (span columns left out),
    of the rows that meet ``where`` (a condition on ``t``; :func:`scope_sql`), else of every row."""
    checks = list(checks)
    names = set(TABLES[table].column_names)
    index = index_columns(table)
    used_fully = set(index)
    used_null_only: set[str] = set()
    derived: list[str] = []
    for c in checks:
        for col in [c.column] if c.column else list(c.kwargs.get("column_list", [])):  # type: ignore[call-overload]
            if col in DERIVED:
                derived.append(col)
            elif col in names:
                (used_null_only if c.expectation == "expect_column_values_to_not_be_null" else used_fully).add(col)
    select: list[str] = []
    for col in TABLES[table].column_names:
        if col in used_fully:
            select.append(f't."{col}"')
        elif col in used_null_only:
            select.append(f'CASE WHEN t."{col}" IS NULL THEN NULL ELSE 1 END AS "{col}"')
    select += [f'{DERIVED[d]} AS "{d}"' for d in dict.fromkeys(derived) if d not in SPAN_CHECKS]
    window = f", {WINDOWS[table]}" if table in WINDOWS else ""
    needs_docs = any("docs." in DERIVED[d] for d in derived)
    cte = f"WITH {_DOCS_CTE} " if needs_docs else ""
    join = " LEFT JOIN docs ON docs.doc_id = t.doc_id" if needs_docs else ""
    order = f" ORDER BY {_SPAN_ORDER}" if span_columns(checks) else ""
    return (
        f"{cte}SELECT {', '.join(select) or '1 AS _row'} "
        f'FROM (SELECT *, rowid AS _rowid{window} FROM "{table}" t{" WHERE " + where if where else ""}) t{join}{order}'
    )


QUARANTINE_SHARE_SQL = (
    "SELECT coalesce((SELECT count(*) FROM quarantine)::DOUBLE / nullif("
    "(SELECT count(*) FROM documents) + (SELECT count(*) FROM quarantine), 0), 0.0) AS quarantine_share"
)


def replay_frame(con: duckdb.DuckDBPyConnection, sample: int, where: str | None = None) -> pd.DataFrame:
    """One row per sampled document: does replaying its edits over raw_text give clean_text?

    The sample is deterministic (documents ordered by a hash of their id). The result
    is NULL for a document whose ids, texts or edits hold NULLs (their not-null checks
    report those).
    """
    import pandas as pd

    docs = con.execute(
        "SELECT doc_id, raw_text, clean_text FROM documents t"
        + (f" WHERE {where}" if where else "")
        + " ORDER BY hash(doc_id), doc_id LIMIT ?",
        [max(sample, 0)],
    ).fetchall()
    ids = [d[0] for d in docs if d[0] is not None]
    edits: dict[str, list[tuple]] = {}
    for row in con.execute(
        'SELECT doc_id, seq, raw_start, raw_end, "after", rule FROM edits '
        "WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY doc_id, seq NULLS LAST",
        [ids],
    ).fetchall():
        edits.setdefault(row[0], []).append(row)
    rows = []
    for doc_id, raw, clean in docs:
        mine = edits.get(doc_id, [])
        if doc_id is None or raw is None or clean is None or any(None in e[1:5] for e in mine):
            ok = None
        else:
            try:
                ok = replay(raw, [Edit(e[2], e[3], e[4], e[5] or "") for e in mine]) == clean
            except ValueError:
                ok = False
        rows.append((doc_id, ok))
    return pd.DataFrame(
        {
            "doc_id": pd.Series([r[0] for r in rows], dtype=object),
            "replay_matches_clean_text": pd.Series([r[1] for r in rows], dtype=object),
        }
    )


def iter_frames(
    con: duckdb.DuckDBPyConnection,
    checks: Iterable[Check],
    *,
    replay_sample: int,
    run_id: str | None = None,
    out_of_memory: Callable[[], None] | None = None,
) -> Iterator[tuple[str, pd.DataFrame | Exception]]:
    """Each frame ``checks`` need, with its name, one at a time (a frame is pulled when the one
    before is done with); a frame that cannot be read is its exception. When DuckDB runs out of
    memory pulling one, ``out_of_memory`` is called (it gives DuckDB more) and the frame pulled again.

    With ``run_id``, a table's frame holds only the rows that run added (:func:`scope_sql`),
    and its ``:whole`` frame (:func:`scoped_checks`) every row.
    """
    import duckdb

    by_frame: dict[str, list[Check]] = {}
    for c in checks:
        by_frame.setdefault(c.frame_name, []).append(c)
    for name, group in by_frame.items():
        frame = _pull(con, name, group, replay_sample, run_id)
        if out_of_memory is not None and isinstance(frame, duckdb.OutOfMemoryException):
            out_of_memory()
            frame = _pull(con, name, group, replay_sample, run_id)
        yield name, frame
        del frame


def _pull(
    con: duckdb.DuckDBPyConnection, name: str, group: list[Check], replay_sample: int, run_id: str | None
) -> pd.DataFrame | Exception:
    """The frame ``name`` for its checks ``group`` (:func:`iter_frames`), or the exception that
    prevented reading it."""
    import pandas as pd

    frame: pd.DataFrame | Exception
    try:
        if name == "edits_replay":
            frame = replay_frame(con, replay_sample, scope_sql("documents", run_id))
        elif name == "quarantine_share":
            frame = con.execute(QUARANTINE_SHARE_SQL).df()
        else:
            table = table_of(name)
            where = None if name.endswith(WHOLE) else scope_sql(table, run_id)
            frame = con.execute(frame_sql(table, group, where)).df()
            spans = span_columns(group)
            if spans:
                order = _SPAN_ORDER.replace("t._rowid", "t.rowid")
                for col, values in span_flags(con, table, order, spans, where).items():
                    frame[col] = pd.Series(values, dtype=object, index=frame.index)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check, not a crash
        frame = exc
    return frame
