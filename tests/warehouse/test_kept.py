"""The link step's kept features in a home: staged and published with the run, merged past a few files,
ignored when unreadable; a run killed before its commit leaves what was kept as it was."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.transforms.link.test_cache import with_hashes
from tests.transforms.link.test_link import golden_inputs
from tests.warehouse.hand_warehouse import publish_tables
from transforms.link import cache
from transforms.link.link import link_kept
from warehouse import linking, store


@pytest.fixture(scope="module")
def features() -> tuple[pa.Table, cache.Kept]:
    docs, counts, numbers = golden_inputs()
    docs = with_hashes(docs)
    return docs, link_kept(docs, counts, numbers)[1]


def read_back(home: Path) -> cache.Kept | None:
    files = linking.read_kept(home)
    if files is None:
        return None
    return cache.Kept.from_files(files.features, files.lower, files.pairs, files.prints, files.template)


def kept_files(home: Path) -> list[str]:
    return sorted(p.name for p in (home / store.KEPT_DIR).glob("*"))


def publish_kept(home: Path, run_id: str, fresh: cache.Kept) -> None:
    def finish(con) -> None:  # type: ignore[no-untyped-def]
        linking.stage_kept(home, run_id, *fresh.staged())

    publish_tables(home, run_id, {}, finish)


def test_kept_features_are_published_with_the_run_and_read_back(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    docs, fresh = features
    assert read_back(hand_home) is None
    publish_kept(hand_home, "r2", fresh)
    evidence = ["evidence-r2.pairs.parquet", "evidence-r2.prints.parquet", "evidence-r2.template.parquet"]
    assert kept_files(hand_home) == ["all-r2.docs.arrow", "all-r2.lower.parquet", *evidence]
    back = read_back(hand_home)
    assert back is not None and back.keys.equals(fresh.keys) and np.array_equal(back.lower, fresh.lower)
    assert back.pairs is not None and back.pairs.equals(fresh.pairs) and back.prints.equals(fresh.prints)
    assert back.template is not None and np.array_equal(back.template, fresh.template)
    assert back.read("shingles").equals(fresh.read("shingles"))
    assert cache.valid(back, docs.column("doc_id"), docs.column("text_hash").to_numpy())


def test_later_runs_add_a_file_each_until_they_are_merged(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    _, fresh = features
    rows = fresh.rows()
    publish_kept(hand_home, "r02", cache.Kept.of(rows.slice(0, 1), fresh.lower[:3], whole=True))
    for i in range(1, linking.MAX_KEPT_FILES):
        one = rows.slice(i % rows.num_rows, 1)
        publish_kept(
            hand_home, f"r{i + 2:02d}", cache.Kept.of(one.set_column(0, "doc_id", pa.array([f"d{i}"])), fresh.lower)
        )
    assert len(kept_files(hand_home)) == 2 * linking.MAX_KEPT_FILES
    publish_kept(
        hand_home, "r99", cache.Kept.of(rows.slice(1, 1).set_column(0, "doc_id", pa.array(["last"])), fresh.lower)
    )
    assert kept_files(hand_home) == ["all-r99.docs.arrow", "all-r99.lower.parquet"]
    back = read_back(hand_home)
    assert back is not None
    assert back.keys.num_rows == linking.MAX_KEPT_FILES + 1
    assert back.keys.column("doc_id").to_pylist()[-1] == "last"
    assert np.array_equal(back.lower, fresh.lower)


def test_an_unreadable_kept_file_means_nothing_is_kept(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    _, fresh = features
    publish_kept(hand_home, "r2", fresh)
    (hand_home / store.KEPT_DIR / "all-r2.docs.arrow").write_bytes(b"not an Arrow file")
    assert read_back(hand_home) is None


def test_a_run_that_dies_before_its_commit_keeps_nothing_new(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    _, fresh = features
    publish_kept(hand_home, "r2", fresh)
    before = kept_files(hand_home)

    def dies(con) -> None:  # type: ignore[no-untyped-def]
        linking.stage_kept(hand_home, "r3", *cache.Kept.of(fresh.rows(), fresh.lower, whole=True).staged())
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        publish_tables(hand_home, "r3", {}, dies)
    store.recover(hand_home)
    assert kept_files(hand_home) == before


def test_each_link_replaces_the_kept_evidence(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    _, fresh = features
    publish_kept(hand_home, "r2", fresh)
    rows = fresh.rows().slice(0, 1).set_column(0, "doc_id", pa.array(["new"]))
    again = cache.Kept.of(rows, fresh.lower, pairs=fresh.pairs, prints=fresh.prints, template=fresh.template)
    publish_kept(hand_home, "r3", again)
    names = kept_files(hand_home)
    evidence = [n for n in names if n.startswith("evidence-")]
    assert evidence == [f"evidence-r3.{kind}.parquet" for kind in ("pairs", "prints", "template")]
    assert "all-r2.docs.arrow" in names and "r3.docs.arrow" in names
    (hand_home / store.KEPT_DIR / "evidence-r3.prints.parquet").unlink()
    back = read_back(hand_home)
    assert back is not None and back.pairs is None and back.keys.num_rows == fresh.size + 1


def test_a_spilled_link_gives_the_same_links_and_its_file_is_published(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    docs, fresh = features
    counts, numbers = golden_inputs()[1:]
    held = link_kept(docs, counts, numbers)[0]
    seen = {}

    def finish(con) -> None:  # type: ignore[no-untyped-def]
        out, spilled = link_kept(docs, counts, numbers, spill=linking.spill_writer(hand_home, "r2"))
        seen.update(out=out, spilled=spilled, rows=spilled.rows())
        linking.stage_kept(hand_home, "r2", *spilled.staged())

    publish_tables(hand_home, "r2", {}, finish)
    assert all(seen["out"][name].equals(held[name]) for name in held)
    path = seen["spilled"].spilled
    assert isinstance(path, Path) and path.parent == store.staging_dir(hand_home, "r2") / store.KEPT_DIR
    assert seen["rows"].equals(fresh.rows())
    assert not path.exists()  # renamed into the kept file
    features = [n for n in kept_files(hand_home) if not n.startswith("evidence-")]
    assert features == ["all-r2.docs.arrow", "all-r2.lower.parquet"]
    back = read_back(hand_home)
    assert back is not None and back.keys.equals(fresh.keys)
    shingles = back.read("shingles")
    back.release()  # the pages read are handed back; the column reads the same after
    assert shingles.equals(fresh.read("shingles")) and back.read("shingles").equals(shingles)


def test_a_spill_is_merged_with_the_kept_files_past_the_limit(hand_home: Path, features) -> None:  # type: ignore[no-untyped-def]
    _, fresh = features
    rows = fresh.rows()
    for i in range(linking.MAX_KEPT_FILES):
        one = rows.slice(i % rows.num_rows, 1).set_column(0, "doc_id", pa.array([f"d{i}"]))
        publish_kept(hand_home, f"r{i + 2:02d}", cache.Kept.of(one, fresh.lower, whole=i == 0))
    last = rows.slice(1, 2).set_column(0, "doc_id", pa.array(["last1", "last2"]))

    def finish(con) -> None:  # type: ignore[no-untyped-def]
        _, release, path = linking.spill_writer(hand_home, "r99")([last.slice(0, 1), last.slice(1, 1)])
        release()
        spilled = dataclasses.replace(cache.Kept.of(last, fresh.lower), spilled=path)
        linking.stage_kept(hand_home, "r99", *spilled.staged())
        assert not path.exists()  # merged into the one file

    publish_tables(hand_home, "r99", {}, finish)
    assert kept_files(hand_home) == ["all-r99.docs.arrow", "all-r99.lower.parquet"]
    back = read_back(hand_home)
    assert back is not None and back.keys.num_rows == linking.MAX_KEPT_FILES + 2
    assert back.keys.column("doc_id").to_pylist()[-2:] == ["last1", "last2"]
    assert back.read("wording").to_pylist()[-2:] == last.column("wording").to_pylist()


def test_duckdb_memory_is_lowered_within_the_block_only(tmp_path: Path) -> None:
    import duckdb

    def limit(con: duckdb.DuckDBPyConnection) -> float:
        return store._size(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    con = store.connect(tmp_path / "w.duckdb")
    before = limit(con)
    with store.duckdb_memory(con, "64MB"):
        assert limit(con) <= 64e6
    assert abs(limit(con) - before) < 2**20
    low = duckdb.connect(config={"memory_limit": "32MB"})
    with store.duckdb_memory(low, "64MB"):  # never raised
        assert limit(low) <= 32e6
