-- Facts where the sources disagree: one row per source, with the value that source gives.
-- @story_id: Story.
-- @story_title: Title of the story.
-- @count_type: Count type.
-- @object: Who or what was counted.
-- @consensus: The value most sources agree on.
-- @doc_id: Document (source) giving this value.
-- @outlet: The document's outlet.
-- @title: The document's title.
-- @published_date: The document's publication date.
-- @value: The value this document reports.
-- @agrees: True when this value equals the consensus.
SELECT
    f.story_id,
    s.title AS story_title,
    f.count_type,
    f.object,
    f.consensus,
    f.doc_id,
    d.outlet,
    d.title,
    d.published_date,
    f.value,
    f.value = f.consensus AS agrees
FROM (
    SELECT story_id, count_type, object, consensus, unnest(doc_ids) AS doc_id, unnest("values") AS value
    FROM facts
    WHERE conflicting
) AS f
LEFT JOIN stories AS s ON s.story_id = f.story_id
LEFT JOIN documents AS d ON d.doc_id = f.doc_id
