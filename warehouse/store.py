"""Writing Parquet datasets and publishing the DuckDB warehouse atomically.

Layout under the home folder::

    warehouse.duckdb              the published warehouse (analysts open this)
    parquet/<table>/<file>.parquet one dataset per table, zstd
    .staging/<run_id>/            work in progress of a run; never read by users

A run writes its Parquet parts and a complete new copy of the DuckDB file into its
staging folder. Publishing writes a ``COMMIT`` marker, swaps the DuckDB file in with
one ``os.replace`` and then moves the Parquet parts into their datasets. A run that
dies before the marker leaves the last good warehouse untouched (its staging folder
is discarded by the next run); one that dies after it is rolled forward.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.ddl import create_all
from warehouse.schema import TABLES, conform

DB_NAME = "warehouse.duckdb"
STORAGE_VERSION = "v1.5.0"  # readable by the DuckDB 1.5 CLI as well as by 2.x


def db_path(home: Path) -> Path:
    """Path of the published DuckDB file."""
    return home / DB_NAME


def staging_dir(home: Path, run_id: str) -> Path:
    """The staging folder of run ``run_id``."""
    return home / ".staging" / run_id


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection; new files are written in the 1.5-compatible format."""
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})


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
    folder = staging_dir(home, run_id) / "parquet" / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}-{part:05d}.parquet"
    pq.write_table(conform(table, data), path, compression="zstd")
    return path


def staged_parts(home: Path, run_id: str) -> dict[str, list[Path]]:
    """The Parquet parts this run has staged, per table."""
    root = staging_dir(home, run_id) / "parquet"
    if not root.exists():
        return {}
    return {d.name: sorted(d.glob("*.parquet")) for d in sorted(root.iterdir()) if d.is_dir()}


Finisher = Callable[[duckdb.DuckDBPyConnection], None]


def publish(home: Path, run_id: str, finish: Finisher | None = None) -> Path:
    """Build the new warehouse from the last good one plus this run's staged parts, then swap.

    ``finish`` runs on the new database before the swap (the flow records the run row
    and the check results there). Returns the published DuckDB path.
    """
    stage = staging_dir(home, run_id)
    stage.mkdir(parents=True, exist_ok=True)
    new_db = stage / DB_NAME
    if new_db.exists():
        new_db.unlink()
    current = db_path(home)
    if current.exists():
        shutil.copyfile(current, new_db)
    con = connect(new_db)
    try:
        create_all(con)
        parts = staged_parts(home, run_id)
        for table, files in parts.items():
            cols = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
            file_list = ", ".join(f"'{f.as_posix()}'" for f in files)
            con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM read_parquet([{file_list}])')
        if finish is not None:
            finish(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    moves = {
        str(f): str(home / "parquet" / table / f.name) for table, files in staged_parts(home, run_id).items() for f in files
    }
    _write_atomic(stage / "COMMIT", json.dumps({"moves": moves}))
    os.replace(new_db, current)
    _roll_forward(stage)
    return current


def recover(home: Path) -> None:
    """Finish publishes that were committed, and drop staging of runs that died before.

    Call it only while holding the home lock (:func:`lock_home`), before staging.
    """
    root = home / ".staging"
    if not root.exists():
        return
    for stage in root.iterdir():
        if (stage / "COMMIT").exists():
            _roll_forward(stage)
        else:
            shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def lock_home(home: Path) -> Iterator[None]:
    """Hold the home's write lock: one writing run per home at a time."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HomeBusy(f"another copydesk run is writing to {home}; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class HomeBusy(RuntimeError):
    """Another run holds the home's write lock."""


def abandon(home: Path, run_id: str) -> None:
    """Throw away a run's staging folder (the published warehouse is untouched)."""
    shutil.rmtree(staging_dir(home, run_id), ignore_errors=True)


def _roll_forward(stage: Path) -> None:
    moves = json.loads((stage / "COMMIT").read_text())["moves"]
    for src, dst in moves.items():
        if Path(src).exists():
            Path(dst).parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    shutil.rmtree(stage, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
