"""What the link step leaves in the warehouse, read from the seeds warehouse built by the real flow.

These test the behaviour, not a module: they hold wherever the link step runs (at publish or in the flow).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import store

pytestmark = pytest.mark.corpus


@pytest.fixture
def con(seeds_home: Path):  # type: ignore[no-untyped-def]
    c = duckdb.connect(str(store.db_path(seeds_home)), read_only=True)
    yield c
    c.close()


def test_documents_carry_their_story_from_story_members(con: duckdb.DuckDBPyConnection) -> None:
    documents = con.sql("SELECT doc_id, story_id, duplicate_of FROM documents ORDER BY doc_id").fetchall()
    members = con.sql("SELECT doc_id, story_id, duplicate_of FROM story_members ORDER BY doc_id").fetchall()
    assert documents == members
    assert len(documents) == 5 and all(story is not None for _, story, _ in documents)


def test_the_seeds_are_one_story_with_every_document(con: duckdb.DuckDBPyConnection) -> None:
    (story_id, title, first, doc_count), = con.sql("SELECT * FROM stories").fetchall()
    assert doc_count == 5 == con.sql(f"SELECT count(*) FROM documents WHERE story_id = '{story_id}'").fetchall()[0][0]
    assert title == "Syria opposition reenters key Idlib crossroads town"
    assert str(first) == "2020-02-26"
    assert con.sql("SELECT DISTINCT story_id FROM facts").fetchall() == [(story_id,)]


def test_links_pair_documents_of_the_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    relations = dict(con.sql("SELECT relation, count(*) FROM doc_links GROUP BY relation").fetchall())
    assert relations == {"same_story": 6, "syndicated": 1}
    dangling = con.sql(
        "SELECT count(*) FROM doc_links WHERE doc_id_a NOT IN (SELECT doc_id FROM documents) "
        "OR doc_id_b NOT IN (SELECT doc_id FROM documents) OR doc_id_a >= doc_id_b").fetchall()[0][0]
    assert dangling == 0


def test_a_corroborated_suggestion_is_noted_on_its_quality_issue(con: duckdb.DuckDBPyConnection) -> None:
    """Another source of the story gives 950,000: the malformed 950,0000's issue says so, once."""
    (detail, surface, suggested), = con.sql(
        "SELECT q.detail, n.surface, n.suggested_value FROM quality_issues q JOIN numbers n "
        "ON n.doc_id = q.doc_id AND n.start = q.start WHERE q.check_name = 'malformed_number'").fetchall()
    assert (surface, suggested) == ("950,0000", 950000.0)
    assert detail == (
        "bad digit grouping in '950,0000'; suggested value 950000 (corroborated by another source in the same story)")


def test_texts_read_apart_are_those_held_in_memory() -> None:
    import duckdb
    import numpy as np
    import pyarrow as pa

    from transforms.link.link import ArrayTexts, blank_texts
    from warehouse.linking import WarehouseTexts

    texts = ["Two soldiers", None, "", " \u00a0\u2003\n", "§§ …", "b", "Ωmega 7"]
    ids = [f"d{i}" for i in range(len(texts))]
    con = duckdb.connect()
    shuffled = pa.table({"doc_id": ids, "clean_text": pa.array(texts, pa.string())}).take([4, 2, 6, 0, 5, 1, 3])
    con.register("_docs", shuffled)
    con.execute("CREATE TABLE documents AS SELECT * FROM _docs")
    lazy, held = WarehouseTexts(con, pa.array(ids)), ArrayTexts(pa.array(texts, pa.string()))
    assert len(lazy) == len(held) == 7
    rows, maybe = lazy.maybe_blank()
    assert set(rows.tolist()) >= {1, 2, 3}  # every blank text is among them (null, empty, white space)
    assert maybe.equals(held.take(rows))
    blank = np.zeros(7, bool)
    blank[rows] = blank_texts(maybe)
    assert blank.tolist() == blank_texts(held.texts).tolist() == [False, True, True, True, False, False, False]
    rows = np.array([6, 0, 3, 3, 1])
    assert lazy.take(rows).equals(held.take(rows))
    assert len(lazy.take(np.array([], np.int64))) == 0
    for size in (1, 2, 3, 10):
        got, want = list(lazy.chunks(np.arange(7), size)), list(held.chunks(np.arange(7), size))
        assert [len(g) for g in got] == [len(w) for w in want]
        assert all(g.equals(w) for g, w in zip(got, want, strict=True))
    assert lazy.by_id(["d0", "d1", "zz"]) == {"d0": "Two soldiers", "d1": None}
