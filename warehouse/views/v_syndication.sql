-- Pairs of documents that share text (duplicates, syndicated copies, same story), with titles and outlets.
-- @relation: exact_duplicate, near_duplicate, syndicated or same_story.
-- @similarity: Estimated Jaccard similarity of their shingles (0-1).
-- @doc_id_a: First document.
-- @outlet_a: First document's outlet.
-- @title_a: First document's title.
-- @published_a: First document's publication date.
-- @agencies_a: Agencies credited in the first document.
-- @doc_id_b: Second document.
-- @outlet_b: Second document's outlet.
-- @title_b: Second document's title.
-- @published_b: Second document's publication date.
-- @agencies_b: Agencies credited in the second document.
SELECT
    l.relation,
    l.similarity,
    l.doc_id_a,
    a.outlet AS outlet_a,
    a.title AS title_a,
    a.published_date AS published_a,
    a.agencies AS agencies_a,
    l.doc_id_b,
    b.outlet AS outlet_b,
    b.title AS title_b,
    b.published_date AS published_b,
    b.agencies AS agencies_b
FROM doc_links AS l
LEFT JOIN documents AS a ON a.doc_id = l.doc_id_a
LEFT JOIN documents AS b ON b.doc_id = l.doc_id_b
