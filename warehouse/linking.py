"""The link step at publish time: duplicates, stories and facts over the whole warehouse."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.store import insert_arrow

DERIVED_TABLES = ("doc_links", "stories", "story_members", "facts")


def relink(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """Recompute links, stories and facts for every document, in place; the new tables.

    Fills ``documents.story_id`` and ``duplicate_of``, and notes in ``quality_issues``
    when another source of the same story corroborates a malformed number's suggestion.
    """
    from transforms.link.link import link

    documents = con.sql("SELECT doc_id, clean_text, title, published_date, outlet, agencies FROM documents")
    documents = documents.to_arrow_table()
    counts = con.sql("SELECT * FROM counts").to_arrow_table()
    numbers = con.sql("SELECT * FROM numbers").to_arrow_table()
    out = link(documents, counts, numbers)
    out["story_members"] = out["doc_story"]
    for name in DERIVED_TABLES:
        con.sql(f'DELETE FROM "{name}"')
        insert_arrow(con, name, out[name])
    con.register("_doc_story", out["doc_story"])
    con.register("_suggestions", out["suggestions"])
    try:
        con.sql(
            "UPDATE documents SET story_id = s.story_id, duplicate_of = s.duplicate_of "
            "FROM _doc_story s WHERE documents.doc_id = s.doc_id"
        )
        con.sql(
            "UPDATE numbers SET suggested_value = s.suggested_value FROM _suggestions s "
            "WHERE numbers.doc_id = s.doc_id AND numbers.start = s.start"
        )
        con.sql(
            "UPDATE quality_issues SET detail = detail || ' (corroborated by another source in the same story)' "
            "FROM _suggestions s WHERE quality_issues.doc_id = s.doc_id AND quality_issues.start = s.start "
            "AND quality_issues.check_name = 'malformed_number' AND detail NOT LIKE '%corroborated%'"
        )
    finally:
        con.unregister("_doc_story")
        con.unregister("_suggestions")
    return out
