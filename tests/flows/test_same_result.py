"""A warehouse built in several runs links like one built in a single run, and its story ids last.

The corpus is a remix of the shared corpora (``benchmarks/make_corpus.py``), its files
dealt round-robin to four runs, so that stories span runs. Size in MB from
``COPYDESK_SAME_RESULT_MB`` (default 2, about 1,500 articles; the scale-in-time bar is 20).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.benchmarks.test_make_corpus import _make_corpus
from tests.conftest import shared_path

pytestmark = [pytest.mark.corpus, pytest.mark.prefect]
RUNS = 4


def _run(home: Path, files: list[Path]) -> None:
    result = CliRunner().invoke(app, ["run", *map(str, files), "--home", str(home), "--no-check", "--workers", "2"])
    assert result.exit_code == 0, result.output


def _state(home: Path) -> dict[str, object]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        members = con.sql("SELECT doc_id, story_id FROM story_members").fetchall()
        links = con.sql("SELECT doc_id_a, doc_id_b, relation, round(similarity, 9) FROM doc_links").fetchall()
        facts = con.sql(
            "SELECT story_id, count_type, object, values, doc_ids, consensus, conflicting FROM facts"
        ).fetchall()
        doc_story = con.sql("SELECT doc_id, story_id, duplicate_of FROM documents").fetchall()
    finally:
        con.close()
    stories: dict[str, set[str]] = defaultdict(set)
    for doc, story in members:
        stories[story].add(doc)
    return {"stories": {k: frozenset(v) for k, v in stories.items()}, "links": links, "facts": facts, "docs": doc_story}


def _by_membership(state: dict[str, object]) -> tuple[set, set, set]:
    """Links, story partition and facts with each story named by its members (ids set aside)."""
    stories = state["stories"]
    facts = {(stories[f[0]], *f[1:3], tuple(f[3]), tuple(f[4]), *f[5:]) for f in state["facts"]}
    return set(state["links"]), set(stories.values()), facts


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]], dict[str, object]]:
    corpora = shared_path("corpora")
    mb = float(os.environ.get("COPYDESK_SAME_RESULT_MB", "2"))
    root = tmp_path_factory.mktemp("same-result")
    _make_corpus().make_corpus(root / "remix", mb, seed=11, formats=["txt"], corpora=corpora)
    files = sorted((root / "remix" / "txt").glob("*.txt"))
    stepwise: list[dict[str, object]] = []
    for k in range(RUNS):
        _run(root / "in-four", files[k::RUNS])
        stepwise.append(_state(root / "in-four"))
    _run(root / "in-one", files)
    return root, stepwise, _state(root / "in-one")


def test_four_runs_link_like_one(homes: tuple[Path, list[dict[str, object]], dict[str, object]]) -> None:
    _, stepwise, single = homes
    links, partition, facts = _by_membership(stepwise[-1])
    links1, partition1, facts1 = _by_membership(single)
    assert len(links1) > 0 and any(len(s) > 1 for s in partition1)  # the remix links something
    assert links == links1
    assert partition == partition1
    assert facts == facts1
    # documents.story_id and duplicate_of agree with story_members, by membership.
    name = {doc: story for doc, story, _ in stepwise[-1]["docs"]}
    assert {frozenset(d for d, s in name.items() if s == story) for story in set(name.values())} == partition
    assert sorted((d, dup) for d, _, dup in stepwise[-1]["docs"]) == sorted((d, dup) for d, _, dup in single["docs"])


def test_story_ids_last_across_runs(homes: tuple[Path, list[dict[str, object]], dict[str, object]]) -> None:
    _, stepwise, _ = homes
    grown = 0
    for before, after in zip(stepwise, stepwise[1:], strict=False):
        old, new = before["stories"], after["stories"]
        where = {doc: sid for sid, docs in new.items() for doc in docs}
        for sid, docs in old.items():
            holders = {where[d] for d in docs}
            if sid in new:
                # It kept its id: it holds its old documents (all, or most after a split), maybe more.
                assert sid in holders
                grown += len(new[sid]) > len(docs)
            else:
                # It lost its id only by merging into a story at least as large, which kept its own.
                (holder,) = holders
                assert holder in old and len(old[holder]) >= len(docs), (sid, holder)
    assert grown > 0  # some story did gain documents in a later run


def test_later_runs_linked_with_kept_features(homes: tuple[Path, list[dict[str, object]], dict[str, object]]) -> None:
    """The runs after the first read the features they keep (so they equal the single run above
    with them): one file per later run, every kept row a document of the warehouse."""
    from warehouse.linking import read_kept
    from warehouse.store import KEPT_DIR

    root, stepwise, _ = homes
    files = sorted(p.name for p in (root / "in-four" / KEPT_DIR).glob("*.docs.arrow"))
    assert len(files) == RUNS and sum(f.startswith("all-") for f in files) == 1  # the first run's, then one per run
    kept = read_kept(root / "in-four")
    assert kept is not None
    docs = {doc for doc, _, _ in stepwise[-1]["docs"]}
    ids = kept.features.column("doc_id").to_pylist()
    assert len(ids) == len(set(ids)) and set(ids) <= docs and len(ids) > 0.9 * len(docs)
