"""Notes the link step adds to quality issues: a malformed number another source corroborates."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

#: The check whose issues gain the note, and the note appended to their detail.
NOTED_CHECK = "malformed_number"
CORROBORATED = " (corroborated by another source in the same story)"


def corroborated_notes(issues: pa.Table, suggestions: pa.Table) -> pa.Table:
    """The new ``detail`` of each ``malformed_number`` issue whose suggestion a story corroborates.

    ``issues`` has ``doc_id``, ``start``, ``check_name`` and ``detail``; ``suggestions``
    has the ``doc_id`` and ``start`` of each corroborated suggestion (see
    :func:`transforms.link.facts.suggestions`). An issue already noted is left alone, so
    the note is added once however often the warehouse is linked. Returns ``doc_id``,
    ``start``, ``check_name``, ``detail``, sorted.
    """
    schema = pa.schema(
        [("doc_id", pa.string()), ("start", pa.int64()), ("check_name", pa.string()), ("detail", pa.string())]
    )
    if issues.num_rows == 0 or suggestions.num_rows == 0:
        return schema.empty_table()
    issues = issues.select(["doc_id", "start", "check_name", "detail"]).cast(schema)
    issues = issues.filter(pc.equal(issues["check_name"], NOTED_CHECK))
    issues = issues.filter(pc.invert(pc.fill_null(pc.match_substring(issues["detail"], "corroborated"), False)))
    keys = suggestions.select(["doc_id", "start"]).cast(pa.schema([("doc_id", pa.string()), ("start", pa.int64())]))
    hit = issues.join(keys, ["doc_id", "start"], join_type="inner")
    detail = pc.binary_join_element_wise(pc.fill_null(hit["detail"], ""), CORROBORATED, "")
    out = hit.set_column(hit.schema.get_field_index("detail"), "detail", detail).select(schema.names)
    return out.sort_by([("doc_id", "ascending"), ("start", "ascending")])
