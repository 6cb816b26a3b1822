"""Story ids that last across runs: growth, merges and splits."""

from __future__ import annotations

import pyarrow as pa

from transforms.link.identity import inherited_ids, rename_stories


def _members(pairs: dict[str, str | None]) -> pa.Table:
    return pa.table({"doc_id": pa.array(list(pairs), pa.string()), "story_id": pa.array(list(pairs.values()))})


def test_first_link_keeps_the_new_keys() -> None:
    assert inherited_ids(_members({"a": "k1", "b": "k1", "c": "k2"}), _members({})) == {"k1": "k1", "k2": "k2"}


def test_a_story_that_gains_a_smaller_document_keeps_its_id() -> None:
    before = _members({"b": "S", "c": "S", "d": "T"})
    now = _members({"a": "new-a", "b": "new-a", "c": "new-a", "d": "new-d", "e": "new-e"})
    assert inherited_ids(now, before) == {"new-a": "S", "new-d": "T", "new-e": "new-e"}


def test_merged_stories_take_the_id_of_the_larger() -> None:
    before = _members({"a": "S", "b": "T", "c": "T"})
    mapping = inherited_ids(_members({"a": "k", "b": "k", "c": "k"}), before)
    assert mapping == {"k": "T"}
    # A tie goes to the smaller id.
    assert inherited_ids(_members({"a": "k", "b": "k"}), _members({"a": "T", "b": "S"})) == {"k": "S"}


def test_a_split_keeps_the_id_in_its_larger_part_and_never_reuses_an_id() -> None:
    before = _members({"a": "S", "b": "S", "c": "S", "x": "X"})
    # The part {a} would be keyed "S" again by its smallest doc: it must get a fresh id.
    mapping = inherited_ids(_members({"a": "S", "b": "kb", "c": "kb", "x": "X"}), before)
    assert mapping["kb"] == "S" and mapping["X"] == "X"
    assert mapping["S"] not in {"S", "X"} and len(set(mapping.values())) == 3


def test_rename_stories_renames_and_sorts() -> None:
    table = pa.table({"story_id": ["k2", "k1", "k3"], "n": [1, 2, 3]})
    out = rename_stories(table, {"k1": "z", "k2": "a"}, sort_by=["story_id"])
    assert out.to_pylist() == [{"story_id": "a", "n": 1}, {"story_id": "k3", "n": 3}, {"story_id": "z", "n": 2}]
