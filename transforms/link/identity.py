"""Story ids that last: a story that gains documents keeps the id it had.

The link step names a new story after its smallest ``doc_id`` (:func:`stories.story_key`).
Across runs, that name would change whenever a document with a smaller id joins. So
after each link, every story inherits an id from the previous run's stories:

- a story whose documents were all unlinked before keeps its new key;
- a story holding documents of one earlier story takes that story's id;
- a story holding documents of several earlier stories (they merged) takes the id of the
  one that gives it most documents (ties: the smaller id); the other ids are retired;
- when an earlier story splits, the part holding most of its documents keeps its id (ties:
  the part with the smaller ``doc_id``); the other parts get new keys.

A new key is never one still in use: it is re-hashed until it is free.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc


def inherited_ids(members: pa.Table, previous: pa.Table) -> dict[str, str]:
    """Map from each story id the link step gave to the id it keeps.

    ``members`` holds ``doc_id`` and ``story_id`` of this link; ``previous`` the same
    columns as the warehouse held them before it (documents new to it are absent or null).
    """
    # Counted with Arrow: Python only sees one row per (new story, earlier story) and per new story.
    members = members.select(["doc_id", "story_id"])
    smallest = dict(
        zip(
            *members.group_by("story_id")
            .aggregate([("doc_id", "min")])
            .select(["story_id", "doc_id_min"])
            .to_pydict()
            .values(),
            strict=True,
        )
    )
    old = previous.select(["doc_id", "story_id"]).rename_columns(["doc_id", "old"])
    old = old.cast(pa.schema([("doc_id", pa.string()), ("old", pa.string())]))
    old = old.filter(pc.is_valid(old.column("old")))
    shared = (
        members.join(old, "doc_id", join_type="inner").group_by(["story_id", "old"]).aggregate([("doc_id", "count")])
    )
    per_story: dict[str, dict[str, int]] = defaultdict(dict)
    for story, was, n in zip(*shared.select(["story_id", "old", "doc_id_count"]).to_pydict().values(), strict=True):
        per_story[story][was] = n
    # Each old id goes to the new story holding most of its documents.
    claims: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for story, olds in per_story.items():
        for was, n in olds.items():
            claims[was].append((-n, smallest[story], story))
    owner = {was: min(c)[2] for was, c in claims.items()}
    mapping: dict[str, str] = {}
    for story in sorted(per_story):
        mine = [(-per_story[story][was], was) for was in per_story[story] if owner[was] == story]
        if mine:
            mapping[story] = min(mine)[1]
    used = set(mapping.values()) | set(owner)
    for story in sorted(smallest):
        if story in mapping:
            continue
        key = story
        while key in used:
            key = hashlib.sha256(f"story:{key}".encode()).hexdigest()[:16]
        mapping[story] = key
        used.add(key)
    return mapping


def rename_stories(table: pa.Table, mapping: dict[str, str], sort_by: list[str] | None = None) -> pa.Table:
    """``table`` with its ``story_id`` column renamed by ``mapping``, re-sorted by ``sort_by`` if given."""
    if table.num_rows == 0 or "story_id" not in table.column_names:
        return table
    keys = pa.array(list(mapping), pa.string())
    values = pa.array(list(mapping.values()), pa.string())
    col = table.column("story_id")
    renamed = pc.take(values, pc.index_in(col, value_set=keys))
    renamed = pc.if_else(pc.is_null(renamed), col, renamed)
    out = table.set_column(table.schema.get_field_index("story_id"), table.schema.field("story_id"), renamed)
    return out.sort_by([(c, "ascending") for c in sort_by]) if sort_by else out
