"""Reading the link step's inputs from the warehouse, and writing what it derives.

Only reads and writes: the rules are in :mod:`transforms.link`, and the flow
(:func:`flows.pipeline.link_documents`) calls them between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from warehouse.store import insert_arrow

#: Tables the link step replaces whole on each run that adds documents.
DERIVED_TABLES = ("doc_links", "stories", "story_members", "facts")


@dataclass(frozen=True)
class LinkInputs:
    """What the link step reads: every document's text and metadata, its counts and numbers,
    the quality issues of the check it annotates, and the story of each document already linked."""

    documents: pa.Table
    counts: pa.Table
    numbers: pa.Table
    issues: pa.Table
    previous: pa.Table


def read_link_inputs(con: duckdb.DuckDBPyConnection, noted_check: str) -> LinkInputs:
    """The link step's inputs from the (new) warehouse; ``noted_check``'s issues only."""
    return LinkInputs(
        documents=con.sql(  # in doc_id order, with a hash of the text: the link step then copies no text
            "SELECT doc_id, clean_text, title, published_date, outlet, agencies, hash(clean_text) AS text_hash "
            "FROM documents ORDER BY doc_id"
        ).to_arrow_table(),
        counts=con.sql("SELECT * FROM counts").to_arrow_table(),
        numbers=con.sql(  # the columns the corroboration of malformed numbers reads
            "SELECT doc_id, start, surface, value, is_malformed, suggested_value FROM numbers"
        ).to_arrow_table(),
        issues=con.sql(
            "SELECT doc_id, start, check_name, detail FROM quality_issues WHERE check_name = ?", params=[noted_check]
        ).to_arrow_table(),
        previous=con.sql("SELECT doc_id, story_id FROM documents WHERE story_id IS NOT NULL").to_arrow_table(),
    )


def write_links(
    con: duckdb.DuckDBPyConnection,
    derived: dict[str, pa.Table],
    doc_story: pa.Table,
    suggestions: pa.Table,
    notes: pa.Table,
    story_dates: pa.Table | None = None,
) -> None:
    """Replace the derived tables and write the link results into documents, numbers and issues.

    ``derived`` holds the new rows of each of :data:`DERIVED_TABLES`; ``doc_story`` each
    document's ``story_id`` and ``duplicate_of``; ``suggestions`` the ``suggested_value``
    of numbers (by ``doc_id``, ``start``); ``notes`` the new ``detail`` of quality issues
    (by ``doc_id``, ``start``, ``check_name``); ``story_dates`` the ``published_date`` an
    undated document takes from its story (by ``doc_id``; ``published_date_source = 'story'``,
    see :mod:`transforms.link.story_dates`).
    """
    for name in DERIVED_TABLES:
        con.sql(f'DELETE FROM "{name}"')
        insert_arrow(con, name, derived[name])
    updates = {
        "_doc_story": (
            doc_story,
            "UPDATE documents SET story_id = s.story_id, duplicate_of = s.duplicate_of "
            "FROM _doc_story s WHERE documents.doc_id = s.doc_id",
        ),
        "_suggestions": (
            suggestions,
            "UPDATE numbers SET suggested_value = s.suggested_value FROM _suggestions s "
            "WHERE numbers.doc_id = s.doc_id AND numbers.start = s.start",
        ),
        "_story_dates": (
            story_dates if story_dates is not None else pa.table({"doc_id": pa.array([], pa.string())}),
            "UPDATE documents SET published_date = d.published_date, published_date_source = 'story' "
            "FROM _story_dates d WHERE documents.doc_id = d.doc_id AND documents.published_date IS NULL",
        ),
        "_notes": (
            notes,
            "UPDATE quality_issues SET detail = s.detail FROM _notes s WHERE quality_issues.doc_id = s.doc_id "
            "AND quality_issues.start = s.start AND quality_issues.check_name = s.check_name",
        ),
    }
    for view, (rows, sql) in updates.items():
        if rows.num_rows == 0:
            continue
        con.register(view, rows)
        try:
            con.sql(sql)
        finally:
            con.unregister(view)
