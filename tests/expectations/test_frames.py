"""The frames the checks read: derived columns (spans per document in Python), text pulled only as markers."""

from __future__ import annotations

import duckdb
import pytest

from expectations.frames import QUARANTINE_SHARE_SQL, index_columns, iter_frames, replay_frame
from expectations.suites import suite_checks


@pytest.fixture
def con(warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A writable copy of the good warehouse (``tests/expectations/conftest.py``)."""
    return warehouse


def _frame(con: duckdb.DuckDBPyConnection, table: str):  # type: ignore[no-untyped-def]
    frame = dict(iter_frames(con, suite_checks(table), replay_sample=0))[table]
    assert not isinstance(frame, Exception), frame
    return frame


def test_surface_check_is_true_and_turns_false_when_broken(con: duckdb.DuckDBPyConnection) -> None:
    good = _frame(con, "numbers")
    assert len(good) == con.execute("SELECT count(*) FROM numbers").fetchone()[0] > 0
    assert good["surface_matches_clean_text"].tolist() == [True] * len(good)
    con.execute("UPDATE numbers SET surface = 'nine' WHERE rowid = (SELECT min(rowid) FROM numbers)")
    assert sorted(_frame(con, "numbers")["surface_matches_clean_text"].tolist()) == [False] + [True] * (len(good) - 1)


def test_article_text_leaves_duckdb_only_as_a_marker(con: duckdb.DuckDBPyConnection) -> None:
    frame = _frame(con, "documents")
    assert set(frame["raw_text"].tolist()) == {1} and set(frame["clean_text"].tolist()) == {1}
    assert set(frame["no_entity_residue"].tolist()) == {True}
    con.execute("UPDATE documents SET clean_text = clean_text || ' &amp; more' "
                "WHERE rowid = (SELECT min(rowid) FROM documents)")
    assert _frame(con, "documents")["no_entity_residue"].tolist().count(False) == 1


def test_a_reference_column_is_null_for_null_and_false_for_a_dangling_id(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE entities SET doc_id = 'nowhere' WHERE rowid = (SELECT min(rowid) FROM entities)")
    values = _frame(con, "entities")["doc_id_in_documents"].tolist()
    assert values.count(False) == 1 and values.count(True) == len(values) - 1


def test_replay_frame_replays_the_edits(con: duckdb.DuckDBPyConnection) -> None:
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    frame = replay_frame(con, n)
    assert len(frame) == n and frame["replay_matches_clean_text"].tolist() == [True] * n
    con.execute("UPDATE edits SET \"after\" = 'X' WHERE rowid = (SELECT min(rowid) FROM edits)")
    assert replay_frame(con, n)["replay_matches_clean_text"].tolist().count(False) == 1


def test_quarantine_share_and_index_columns(con: duckdb.DuckDBPyConnection) -> None:
    docs, quarantined = con.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM quarantine)").fetchone()
    (share,) = con.execute(QUARANTINE_SHARE_SQL).fetchone()
    assert share == pytest.approx(quarantined / (docs + quarantined))
    assert index_columns("documents") == ["doc_id"]
    assert index_columns("entities") == ["doc_id", "start"]
    assert index_columns("edits_replay") == ["doc_id"]
