"""Writing Parquet datasets and publishing the DuckDB warehouse atomically.

Layout under the home folder::

    warehouse.duckdb                the published warehouse (analysts open this)
    parquet/<table>/<part>.parquet  one dataset per table, zstd (``runs`` and
                                    ``check_results`` live in the DuckDB file only)
    link-features/                  the link step's kept features of each document: a cache
                                    (deleting it costs the next run the time to rebuild it)
    .staging/<run_id>/              work in progress of a run; never read by users
    .lock                           held by the one run writing to this home

Publishing, step by step, and what a kill at each step leaves:

1. The run stages its Parquet parts in ``.staging/<run_id>/parquet/``.
2. ``publish`` copies the last good DuckDB file into the staging folder (or waits for the
   copy :func:`copy_ahead` started while the run worked, and checks it is whole), migrates it,
   inserts the staged parts, (re)creates the views, hands the file to ``work`` (the link
   step and the checks), runs ``finish`` and checkpoints.
3. Every staged file and folder is fsynced.
   A kill before step 4 leaves the last good warehouse; ``recover`` drops the staging.
4. A ``COMMIT`` marker listing the moves is written atomically (tmp, fsync, rename).
5. The DuckDB file is swapped in with one ``os.replace``; then the parts are moved into
   their datasets. A kill after step 4 is rolled forward by ``recover``: every move is
   idempotent, so it does whatever is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from contract.schema import CONTENT_TABLES, TABLES, conform
from warehouse.lock import HomeBusy, ensure_free, lock_home  # noqa: F401 - the home lock, re-exported
from warehouse.migrate import migrate, plan
from warehouse.views import create_views

DB_NAME = "warehouse.duckdb"
#: Folder of the link step's kept features (:mod:`transforms.link.cache`): a cache, not data.
KEPT_DIR = "link-features"
#: A staged kept-features file named so replaces every kept file on publish.
WHOLE_PREFIX = "all-"
#: Staged files of the pairs' evidence (always whole: each replaces the kept one).
EVIDENCE_PREFIX = "evidence-"
STORAGE_VERSION = "v1.5.0"  # readable by the DuckDB 1.5 CLI as well as by 2.x
_COMPATIBLE = (1, 5)  # the newest storage format analysts' clients can read


def db_path(home: Path) -> Path:
    """Path of the published DuckDB file."""
    return home / DB_NAME


def parquet_dir(home: Path, table: str) -> Path:
    """The Parquet dataset folder of ``table``."""
    return home / "parquet" / table


def staging_dir(home: Path, run_id: str) -> Path:
    """The staging folder of run ``run_id``."""
    return home / ".staging" / run_id


#: Read-write connections opened by :func:`connect`, so a stopping run can interrupt their queries.
_OPEN: list[duckdb.DuckDBPyConnection] = []


#: DuckDB's own memory in a run (its cache of the file's blocks, and its sorts and joins,
#: which spill to disk past it): DuckDB's default, most of the machine's memory, would
#: otherwise keep the whole warehouse cached in the run's process. ``COPYDESK_DUCKDB_MEMORY`` sets it.
DUCKDB_MEMORY = "512MB"


#: DuckDB's memory while publishing inserts the run's parts, which it streams from their files
#: (the link step and the checks, which need more, run in a process of their own).
PUBLISH_DUCKDB_MEMORY = "256MB"


def connect(path: Path, memory: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection; new files are written in the 1.5-compatible format.

    DuckDB's memory is capped at :data:`DUCKDB_MEMORY` (or ``COPYDESK_DUCKDB_MEMORY``), or at
    ``memory`` when that is lower."""
    limit = os.environ.get("COPYDESK_DUCKDB_MEMORY") or DUCKDB_MEMORY
    if memory is not None and _size(memory) < _size(limit):
        limit = memory
    config: dict[str, str | bool | int | float | list[str]] = {
        "storage_compatibility_version": STORAGE_VERSION,
        "memory_limit": limit,
    }
    con = duckdb.connect(str(path), config=config)
    _OPEN[:] = [*_OPEN[-7:], con]  # the last few: a run has one or two open at a time
    return con


_UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS.update({"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40})


def _size(text: str) -> float:
    """Bytes of a DuckDB memory setting such as ``488.2 MiB`` or ``128MB`` (infinite when unreadable)."""
    import re

    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        return float("inf")
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


@contextlib.contextmanager
def duckdb_memory(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[Callable[[], None]]:
    """Within the block, cap DuckDB's memory in ``con`` at ``limit`` when it is lower than the cap set;
    the cap is restored after. What ``con`` has written is checkpointed first (DuckDB cannot hand
    back blocks not yet in the file); where the cap cannot be lowered, it stays as it was. The block
    gets a function that restores the cap early (for a query that needs more)."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    lowered = False

    def lift() -> None:
        nonlocal lowered
        if lowered:
            with contextlib.suppress(duckdb.Error):  # the connection was interrupted or closed meanwhile
                con.execute(f"SET memory_limit = '{before}'")
            lowered = False

    if _size(limit) < _size(before):
        with contextlib.suppress(duckdb.Error):  # read-only, or in a transaction: nothing to write
            con.execute("CHECKPOINT")
        try:
            con.execute(f"SET memory_limit = '{limit}'")
            lowered = True
        except duckdb.Error:
            pass
    try:
        yield lift
    finally:
        lift()


def interrupt_queries() -> None:
    """Interrupt the query running on any connection from :func:`connect` (safe from another thread)."""
    for con in list(_OPEN):
        try:
            con.interrupt()
        except duckdb.Error:  # closed meanwhile
            pass


def known_doc_ids(home: Path) -> set[str]:
    """The ``doc_id`` of every document already in the published warehouse."""
    path = db_path(home)
    if not path.exists():
        return set()
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute("SELECT doc_id FROM documents").fetchall()}
    finally:
        con.close()


def write_part(home: Path, run_id: str, table: str, part: int, data: pa.Table) -> Path | None:
    """Stage one Parquet part of ``table`` for this run; nothing is written for no rows."""
    if data.num_rows == 0:
        return None
    if table not in CONTENT_TABLES:
        raise ValueError(f"{table!r} has no Parquet dataset; write it in the publish `finish` step")
    folder = staging_dir(home, run_id) / "parquet" / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}-{part:05d}.parquet"
    pq.write_table(conform(table, data), path, compression="zstd")
    return path


def write_snapshot(home: Path, run_id: str, table: str, data: pa.Table) -> Path:
    """Stage a whole new copy of derived ``table``: on publish it replaces the dataset's parts.

    Used for tables recomputed over the whole warehouse each run (links, stories, facts).
    The rows must already be in the new DuckDB file; the snapshot is not loaded again.
    """
    folder = staging_dir(home, run_id) / "snapshots" / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}-snapshot.parquet"
    pq.write_table(conform(table, data), path, compression="zstd")
    return path


def staged_parts(home: Path, run_id: str) -> dict[str, list[Path]]:
    """The Parquet parts this run has staged, per table."""
    return _parts(staging_dir(home, run_id) / "parquet")


def dataset_parts(home: Path) -> dict[str, list[Path]]:
    """The published Parquet parts, per table."""
    return _parts(home / "parquet")


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> int:
    """Append Arrow rows to warehouse table ``table`` by column name; the rows added."""
    if data.num_rows == 0:
        return 0
    cols = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
    con.register("_copydesk_rows", conform(table, data))
    try:
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _copydesk_rows')
    finally:
        con.unregister("_copydesk_rows")
    return data.num_rows


Finisher = Callable[[duckdb.DuckDBPyConnection], None]


def publish(
    home: Path, run_id: str, finish: Finisher | None = None, work: Callable[[Path], None] | None = None
) -> Path:
    """Build the new warehouse from the last good one plus this run's staged parts, then swap.

    ``work`` gets the new DuckDB file, closed, once the parts are in (the flow links and
    checks it in another process); ``finish`` then runs on it before the swap (the flow
    records the run row and the check results there). If either raises, nothing is
    published. Call it while holding :func:`lock_home`. Returns the published DuckDB path.
    """
    stage = staging_dir(home, run_id)
    stage.mkdir(parents=True, exist_ok=True)
    new_db, current = stage / DB_NAME, db_path(home)
    copied = _copied(home, run_id)
    parts = staged_parts(home, run_id)
    load = dict(parts)
    if current.exists():
        if not copied:
            for stale in (new_db, _wal(new_db)):
                stale.unlink(missing_ok=True)
            _copy_db(current, new_db)
    else:  # first publish, or the DuckDB file was deleted: rebuild it from the datasets
        load = {t: dataset_parts(home).get(t, []) + parts.get(t, []) for t in CONTENT_TABLES}
    con = connect(new_db, memory=PUBLISH_DUCKDB_MEMORY)
    try:
        migrate(con)
        for table, files in load.items():
            _insert_parquet(con, table, files)
        create_views(con)
        if work is not None:
            con.execute("CHECKPOINT")
            con.close()
            work(new_db)
            con = connect(new_db, memory=PUBLISH_DUCKDB_MEMORY)
        if finish is not None:
            finish(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if _wal(new_db).exists():
        raise RuntimeError(f"{new_db} still has a write-ahead log after CHECKPOINT; not publishing")
    snapshots = _parts(stage / "snapshots")
    moves = [(new_db, current)] + [(f, parquet_dir(home, t) / f.name) for t, fs in parts.items() for f in fs]
    moves += [(f, parquet_dir(home, t) / f.name) for t, fs in snapshots.items() for f in fs]
    replaced = [
        old
        for t, fs in snapshots.items()
        for old in dataset_parts(home).get(t, [])
        if old.name not in {f.name for f in fs}
    ]
    kept = sorted(f for f in (stage / KEPT_DIR).glob("*") if f.suffix in (".parquet", ".arrow"))
    moves += [(f, home / KEPT_DIR / f.name) for f in kept]
    staged = {f.name for f in kept}
    for prefix, kinds in ((WHOLE_PREFIX, (".docs.arrow", ".lower.parquet")), (EVIDENCE_PREFIX, (".parquet",))):
        if any(f.name.startswith(prefix) for f in kept):  # a whole new set: it replaces the one kept
            replaced += [
                old
                for old in sorted((home / KEPT_DIR).glob("*"))
                if old.name not in staged
                and old.name.endswith(kinds)
                and (prefix == EVIDENCE_PREFIX) == old.name.startswith(EVIDENCE_PREFIX)
            ]
    for src, _ in moves:
        _fsync(src)
    for folder in {src.parent for src, _ in moves} | {stage}:
        _fsync(folder)
    commit = {
        "moves": [[str(s.relative_to(home)), str(d.relative_to(home))] for s, d in moves],
        "deletes": [str(p.relative_to(home)) for p in replaced],
    }
    _write_atomic(stage / "COMMIT", json.dumps(commit, indent=1))
    _roll_forward(home, stage)
    return current


def update_in_place(home: Path, finish: Finisher) -> Path:
    """Run ``finish`` on the published warehouse in one DuckDB transaction (small writes only).

    For runs that add no data (only their ``runs`` row): DuckDB's transaction makes
    the write atomic and durable, and copying the whole file would cost more than the
    run itself. Falls back to :func:`publish` when there is no warehouse or it needs
    a migration. Call it while holding :func:`lock_home`.
    """
    current = db_path(home)
    if not current.exists():
        return publish(home, "update-" + os.urandom(4).hex(), finish)
    con = connect(current)
    try:
        if plan(con):
            con.close()
            return publish(home, "update-" + os.urandom(4).hex(), finish)
        con.execute("BEGIN TRANSACTION")
        try:
            finish(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return current


def recover(home: Path) -> None:
    """Finish publishes that were committed, and drop staging of runs that died before.

    Call it only while holding the home lock (:func:`lock_home`), before staging.
    """
    root = home / ".staging"
    if not root.exists():
        return
    for stage in sorted(root.iterdir()):
        if (stage / "COMMIT").exists():
            _roll_forward(home, stage)
        else:
            shutil.rmtree(stage, ignore_errors=True)


def abandon(home: Path, run_id: str) -> None:
    """Throw away a run's staging folder (the published warehouse is untouched)."""
    _copied(home, run_id)
    shutil.rmtree(staging_dir(home, run_id), ignore_errors=True)


#: Copies of the published DuckDB file under way, by staging folder: the thread, the errors it
#: met, and the size and time of the file it copied.
_COPYING: dict[Path, tuple[threading.Thread, list[BaseException], tuple[int, int]]] = {}


def copy_ahead(home: Path, run_id: str) -> None:
    """Start copying the published DuckDB file into the run's staging, in a thread, so that
    :func:`publish` finds it there. For a run that will publish: the home is locked, so the
    file does not change meanwhile. A copy that fails is made again by :func:`publish`."""
    current, stage = db_path(home), staging_dir(home, run_id)
    if not current.exists() or stage in _COPYING:
        return
    stage.mkdir(parents=True, exist_ok=True)
    errors: list[BaseException] = []
    st = current.stat()

    def copy() -> None:
        try:
            _copy_db(current, stage / DB_NAME)
        except BaseException as exc:  # noqa: BLE001 - publish copies again
            errors.append(exc)

    thread = threading.Thread(target=copy, name="copydesk-copy-ahead", daemon=True)
    _COPYING[stage] = (thread, errors, (st.st_size, st.st_mtime_ns))
    thread.start()


def _copied(home: Path, run_id: str) -> bool:
    """Wait for the run's copy ahead, if any; whether it left a whole copy of the file as it still is."""
    stage = staging_dir(home, run_id)
    started = _COPYING.pop(stage, None)
    if started is None:
        return False
    thread, errors, copied_from = started
    thread.join()
    try:
        st = db_path(home).stat()
    except OSError:
        return False
    try:  # a whole copy has the file's size (a copy that was thrown away, or cut short, has not)
        whole = (stage / DB_NAME).stat().st_size == copied_from[0]
    except OSError:
        return False
    return not errors and whole and (st.st_size, st.st_mtime_ns) == copied_from


def _parts(root: Path) -> dict[str, list[Path]]:
    if not root.exists():
        return {}
    return {d.name: sorted(d.glob("*.parquet")) for d in sorted(root.iterdir()) if d.is_dir()}


def _insert_parquet(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    if not files:
        return
    cols = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
    file_list = ", ".join("'" + f.as_posix().replace("'", "''") + "'" for f in files)
    con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM read_parquet([{file_list}])')


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _copy_db(current: Path, new_db: Path) -> None:
    """Copy the published file (and a left-over WAL) to ``new_db``, in a format DuckDB 1.5 reads."""
    shutil.copyfile(current, new_db)
    if _wal(current).exists():
        shutil.copyfile(_wal(current), _wal(new_db))
    con = duckdb.connect(str(new_db))
    try:
        rows = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    found = rows[0][0] if rows and rows[0][0] else "v0.0.0"
    if tuple(int(p) for p in found.strip("v+").split(".")[:2]) > _COMPATIBLE:
        _downgrade(new_db)


def _downgrade(path: Path) -> None:
    """Rewrite ``path`` in the 1.5-compatible storage format (for warehouses written without it)."""
    fresh = path.with_name(path.name + ".v15")
    fresh.unlink(missing_ok=True)
    con = connect(fresh)
    try:
        con.execute(f"ATTACH '{path.as_posix()}' AS _old (READ_ONLY)")
        target = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f'COPY FROM DATABASE _old TO "{target}"')
        con.execute("DETACH _old")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(fresh, path)


def _roll_forward(home: Path, stage: Path) -> None:
    """Do whatever is left of a committed publish's moves (each is idempotent), then drop the stage."""
    moves = json.loads((stage / "COMMIT").read_text())["moves"]
    for src_rel, dst_rel in moves:
        src, dst = home / src_rel, home / dst_rel
        if not src.exists():
            continue  # moved before the crash
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.name == DB_NAME:
            _wal(dst).unlink(missing_ok=True)  # its content was copied into src and checkpointed
        os.replace(src, dst)
        _fsync(dst.parent)
    for rel in json.loads((stage / "COMMIT").read_text()).get("deletes", []):
        (home / rel).unlink(missing_ok=True)  # a snapshot table's superseded parts
    shutil.rmtree(stage, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync(path.parent)
