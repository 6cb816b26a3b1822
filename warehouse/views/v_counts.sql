-- Every count (killed, wounded, displaced...) with its document's title, outlet, date and story.
-- @doc_id: Document reporting the count.
-- @title: The document's title.
-- @outlet: The document's outlet.
-- @published_date: The document's publication date.
-- @story_id: The story the document belongs to.
-- @count_type: Count type (KILL, WOUND, ARREST, KIDNAP, DISPLACED, AFFECT, PROTEST, SEIZE, MISSING).
-- @number: How many.
-- @qualifier: exact, at_least, more_than, about, nearly, up_to or running_total.
-- @object: Who or what was counted.
-- @phrase: The words the count was read from (`clean_text[start:end]`).
-- @start: Start character offset into the document's `clean_text`.
-- @end: End character offset into the document's `clean_text`.
SELECT
    c.doc_id,
    d.title,
    d.outlet,
    d.published_date,
    d.story_id,
    c.count_type,
    c.number,
    c.qualifier,
    c.object,
    substring(d.clean_text, c."start" + 1, c."end" - c."start") AS phrase,
    c."start",
    c."end"
FROM counts AS c
LEFT JOIN documents AS d ON d.doc_id = c.doc_id
