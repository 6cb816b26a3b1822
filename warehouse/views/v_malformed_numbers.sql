-- Numbers written with invalid digit grouping, with the likely intended value and their context.
-- @doc_id: Document.
-- @title: The document's title.
-- @outlet: The document's outlet.
-- @surface: The number as written.
-- @value: Value as written (grouping ignored).
-- @suggested_value: Likely intended value, when other sources corroborate it.
-- @context: Up to 40 characters of clean text either side of the number.
-- @start: Start character offset into the document's `clean_text`.
-- @end: End character offset into the document's `clean_text`.
SELECT
    n.doc_id,
    d.title,
    d.outlet,
    n.surface,
    n.value,
    n.suggested_value,
    substring(d.clean_text, greatest(n."start" - 40, 0) + 1, n."end" - greatest(n."start" - 40, 0) + 40) AS context,
    n."start",
    n."end"
FROM numbers AS n
LEFT JOIN documents AS d ON d.doc_id = n.doc_id
WHERE n.is_malformed
