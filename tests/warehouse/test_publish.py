"""Publishing is atomic: a failed or killed publish leaves the last good warehouse, or is rolled forward."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from contract.schema import CONTENT_TABLES
from tests.killing import Killer
from tests.warehouse.hand_warehouse import Run, extra_tables, hand_tables, publish_tables, snapshot
from warehouse import store
from warehouse.runlog import record_run
from warehouse.sql import query


def doc_count(home: Path) -> int:
    return query(store.db_path(home), "SELECT count(*) AS n FROM documents").to_pylist()[0]["n"]


def assert_consistent(home: Path) -> None:
    """The DuckDB tables hold exactly the rows of the Parquet datasets, and nothing is staged."""
    con = duckdb.connect(str(store.db_path(home)), read_only=True)
    try:
        for table in CONTENT_TABLES:
            in_db = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            folder = store.parquet_dir(home, table)
            in_parquet = ds.dataset(folder, format="parquet").count_rows() if folder.exists() else 0
            assert in_db == in_parquet, table
    finally:
        con.close()
    assert not any((home / ".staging").glob("*"))


def test_finish_raising_leaves_the_last_warehouse(hand_home: Path) -> None:
    before = snapshot(hand_home)

    def boom(con: duckdb.DuckDBPyConnection) -> None:
        raise RuntimeError("checks crashed")

    with pytest.raises(RuntimeError, match="checks crashed"):
        publish_tables(hand_home, "r2", extra_tables("r2"), finish=boom)
    assert {k: v for k, v in snapshot(hand_home).items() if not k.startswith(".staging")} == before
    assert doc_count(hand_home) == 4
    with store.lock_home(hand_home):
        store.recover(hand_home)  # the next run throws the dead run's staging away
    assert snapshot(hand_home) == before
    assert_consistent(hand_home)


def _failing_replace(when: str):  # type: ignore[no-untyped-def]
    real = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if when in str(dst):
            raise OSError("disk fell off")
        return real(src, dst)

    return replace


@pytest.mark.parametrize("when", ["warehouse.duckdb", "parquet/documents", "parquet/inputs"])
def test_failure_after_commit_is_rolled_forward(hand_home: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    before = snapshot(hand_home)
    monkeypatch.setattr(store.os, "replace", _failing_replace(when))
    with pytest.raises(OSError, match="disk fell off"):
        publish_tables(hand_home, "r2", extra_tables("r2"))
    monkeypatch.undo()
    if when == "warehouse.duckdb":  # the swap itself failed: readers still see the old file
        assert snapshot(hand_home)["warehouse.duckdb"] == before["warehouse.duckdb"]
        assert doc_count(hand_home) == 4
    assert (store.staging_dir(hand_home, "r2") / "COMMIT").exists()
    with store.lock_home(hand_home):
        store.recover(hand_home)
    assert doc_count(hand_home) == 5
    assert_consistent(hand_home)


def test_publish_without_parts_keeps_the_data(hand_home: Path) -> None:
    publish_tables(hand_home, "r2", {})
    assert doc_count(hand_home) == 4
    assert query(store.db_path(hand_home), "SELECT count(*) AS n FROM runs").to_pylist() == [{"n": 2}]
    assert_consistent(hand_home)


def test_deleted_duckdb_file_is_rebuilt_from_parquet(hand_home: Path) -> None:
    store.db_path(hand_home).unlink()
    publish_tables(hand_home, "r2", extra_tables("r2"))
    assert doc_count(hand_home) == 5
    assert_consistent(hand_home)


def test_lock_is_exclusive(tmp_path: Path) -> None:
    with store.lock_home(tmp_path):
        with pytest.raises(store.HomeBusy, match=f"pid {os.getpid()}"):
            with store.lock_home(tmp_path):
                pass


def test_a_wal_left_by_a_writer_is_kept(hand_home: Path) -> None:
    """Rows a crashed read-write session left in the WAL survive the next publish; the stale WAL goes."""
    crash = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1], config={'checkpoint_threshold': '1GB'})\n"
        'con.execute("INSERT INTO runs (run_id, started_at, status, inputs_seen, docs_new, '
        "docs_unchanged, quarantined) VALUES ('manual', now(), 'completed', 0, 0, 0, 0)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(store.db_path(hand_home))], check=True, timeout=60)
    wal = store.db_path(hand_home).with_name("warehouse.duckdb.wal")
    assert wal.exists()
    publish_tables(hand_home, "r2", extra_tables("r2"))
    assert not wal.exists()
    runs = query(store.db_path(hand_home), "SELECT run_id FROM runs ORDER BY run_id").column("run_id").to_pylist()
    assert "r2" in runs and "manual" in runs


def _publish_killed_at(home: Path, kill_at: int) -> tuple[int, int]:
    """Publish a run of 3 documents in a forked child that SIGKILLs itself at file-system step ``kill_at``.

    Returns the child's wait status and how many steps it counted (when it was not killed).
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count (and maybe die at) every fsync, rename, copy and removal
        try:
            os.close(read_end)
            hook = Killer(kill_at)

            store._fsync = hook(store._fsync)  # type: ignore[method-assign]
            store.os.replace = hook(os.replace)
            store.shutil.copyfile = hook(shutil.copyfile)
            store.shutil.rmtree = hook(shutil.rmtree)
            publish_tables(home, "r2", extra_tables("r2", 3))
            os.write(write_end, str(hook.calls).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end) as fh:
        counted = fh.read()
    return status, int(counted or 0)


def test_killed_at_every_step_leaves_old_or_new(tmp_path: Path) -> None:
    """SIGKILL the publishing process at each file-system step; recovery yields the old or the new warehouse."""
    base = tmp_path / "base"
    publish_tables(base, "r1", hand_tables("r1"))
    old_db = store.db_path(base).read_bytes()
    shutil.copytree(base, tmp_path / "dry")
    status, steps = _publish_killed_at(tmp_path / "dry", 0)  # never killed: counts the steps
    assert os.WIFEXITED(status) and steps > 10
    outcomes = {}
    for kill_at in range(1, steps + 1):
        home = tmp_path / f"k{kill_at}"
        shutil.copytree(base, home)
        status, _ = _publish_killed_at(home, kill_at)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, kill_at
        committed = any((home / ".staging").glob("*/COMMIT"))
        with store.lock_home(home):
            store.recover(home)
        assert_consistent(home)
        n = doc_count(home)
        assert n == (7 if committed else 4), kill_at
        if not committed:
            assert store.db_path(home).read_bytes() == old_db
        outcomes[kill_at] = n
    assert set(outcomes.values()) == {4, 7}, json.dumps(outcomes)


def test_a_copy_made_ahead_is_what_publish_builds_on(hand_home: Path, tmp_path: Path) -> None:
    """A run's copy of the last good file, made in a thread while it works, gives the same warehouse."""
    plain = tmp_path / "plain"
    shutil.copytree(hand_home, plain)
    publish_tables(plain, "r2", extra_tables("r2"))
    with store.lock_home(hand_home):
        store.copy_ahead(hand_home, "r2")  # as a run does, once it knows it has new input
        for name, table in extra_tables("r2").items():
            store.write_part(hand_home, "r2", name, 0, table)
        copied = store.staging_dir(hand_home, "r2") / store.DB_NAME
        store.publish(hand_home, "r2", lambda con: record_run(con, Run("r2")))
    assert not copied.exists()  # moved into place
    assert doc_count(hand_home) == doc_count(plain) > 4
    for table in CONTENT_TABLES:
        rows = f'SELECT * FROM "{table}" ORDER BY ALL'
        assert query(store.db_path(hand_home), rows) == query(store.db_path(plain), rows), table
    assert_consistent(hand_home)


def test_a_copy_made_ahead_and_then_lost_is_made_again(hand_home: Path) -> None:
    """Publish never builds on a copy that is gone (or of a file that changed since): it copies again."""
    with store.lock_home(hand_home):
        store.copy_ahead(hand_home, "r2")
        store.recover(hand_home)  # throws every staging folder away, the copy's too
        for name, table in extra_tables("r2").items():
            store.write_part(hand_home, "r2", name, 0, table)
        store.publish(hand_home, "r2", lambda con: record_run(con, Run("r2")))
    assert doc_count(hand_home) > 4
    assert_consistent(hand_home)


def test_a_copy_made_ahead_goes_with_an_abandoned_run(hand_home: Path) -> None:
    before = snapshot(hand_home)
    store.copy_ahead(hand_home, "r2")
    store.abandon(hand_home, "r2")
    assert snapshot(hand_home) == before
    assert not any((hand_home / ".staging").glob("*"))
