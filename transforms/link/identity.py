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
from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.compute as pc


def inherited_ids(members: pa.Table, previous: pa.Table) -> dict[str, str]:
    """Map from each story id the link step gave to the id it keeps.

    ``members`` holds ``doc_id`` and ``story_id`` of this link; ``previous`` the same
    columns as the warehouse held them before it (documents new to it are absent or null).
    """
    before = dict(zip(previous.column("doc_id").to_pylist(), previous.column("story_id").to_pylist(), strict=True))
    per_story: dict[str, Counter[str]] = defaultdict(Counter)
    smallest: dict[str, str] = {}
    for doc, story in zip(members.column("doc_id").to_pylist(), members.column("story_id").to_pylist(), strict=True):
        if story not in smallest or doc < smallest[story]:
            smallest[story] = doc
        old = before.get(doc)
        if old is not None:
            per_story[story][old] += 1
    # Each old id goes to the new story holding most of its documents.
    claims: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for story, olds in per_story.items():
        for old, n in olds.items():
            claims[old].append((-n, smallest[story], story))
    owner = {old: min(c)[2] for old, c in claims.items()}
    mapping: dict[str, str] = {}
    for story in sorted(smallest):
        mine = [(-per_story[story][old], old) for old in per_story[story] if owner[old] == story]
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
