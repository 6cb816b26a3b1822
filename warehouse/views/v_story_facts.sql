-- Story-level facts with the story's title, how many sources report them and their range.
-- @story_id: Story.
-- @story_title: Title of the story (its earliest document).
-- @first_published: Earliest publication date in the story.
-- @count_type: Count type.
-- @object: Who or what was counted.
-- @consensus: The value most sources agree on.
-- @conflicting: True when the sources give different values.
-- @sources: Number of documents reporting the fact.
-- @min_value: Smallest value reported.
-- @max_value: Largest value reported.
-- @values: The values reported, one per document.
-- @doc_ids: The documents reporting them, in the same order.
SELECT
    f.story_id,
    s.title AS story_title,
    s.first_published,
    f.count_type,
    f.object,
    f.consensus,
    f.conflicting,
    len(f."values") AS sources,
    list_min(f."values") AS min_value,
    list_max(f."values") AS max_value,
    f."values",
    f.doc_ids
FROM facts AS f
LEFT JOIN stories AS s ON s.story_id = f.story_id
