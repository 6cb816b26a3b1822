"""Input file fingerprints (the ``inputs`` table): a re-run skips files whose bytes are unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from contract.schema import TABLES

#: What :func:`known_inputs` gives per file: (size, mtime_ns, sha256, records).
Known = tuple[int, int, str, int]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    """An input file's identity: where it is, its size, modification time and content hash."""

    source_uri: str
    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint:
    """Fingerprint of the file at ``path`` (reads it once, in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        stat = os.fstat(fh.fileno())
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return Fingerprint(str(path), stat.st_size, stat.st_mtime_ns, digest.hexdigest())


def fingerprint_of(path: Path, data: bytes, stat: os.stat_result) -> Fingerprint:
    """Fingerprint of a file from the bytes read from it and its status at the time."""
    return Fingerprint(str(path), stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


def known_inputs(home: Path, uris: Iterable[str] | None = None) -> dict[str, Known]:
    """The current fingerprint of every input file already loaded, by ``source_uri``
    (of those in ``uris`` only, when given: a small run reads a few rows, not every file's)."""
    from warehouse.store import db_path

    path = db_path(home)
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        has = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'inputs'"
        ).fetchall()[0][0]
        if not has:
            return {}  # a warehouse from before schema version 2: every file is new to it
        among = ""
        if uris is not None:
            con.register("_copydesk_uris", pa.table({"uri": pa.array(list(uris), pa.string())}))
            among = "WHERE source_uri IN (SELECT uri FROM _copydesk_uris) "
        rows = con.execute(
            f"SELECT source_uri, size, mtime_ns, sha256, records FROM inputs {among}"
            "QUALIFY row_number() OVER (PARTITION BY source_uri ORDER BY seen_at DESC, run_id DESC) = 1"
        ).fetchall()
    finally:
        con.close()
    return {uri: (size, mtime, sha, records) for uri, size, mtime, sha, records in rows}


def is_unchanged(fp: Fingerprint, known: dict[str, Known]) -> bool:
    """True when ``fp``'s file was loaded before with the same bytes (same SHA-256)."""
    seen = known.get(fp.source_uri)
    return seen is not None and seen[2] == fp.sha256


def looks_unchanged(source_uri: str, size: int, mtime_ns: int, known: dict[str, Known]) -> bool:
    """True when the file was loaded before with the same size and modification time.

    Such a file is not read again (nor hashed). A file whose size or time changed is read
    and hashed, and its records are compared by content: touching a file costs a read.
    """
    seen = known.get(source_uri)
    return seen is not None and size >= 0 and seen[0] == size and seen[1] == mtime_ns


def inputs_table(loaded: list[tuple[Fingerprint, int]], run_id: str, seen_at: dt.datetime) -> pa.Table:
    """Rows of the ``inputs`` table for the files a run read, each with its record count."""
    return pa.Table.from_pylist(
        [
            {
                "source_uri": fp.source_uri,
                "size": fp.size,
                "mtime_ns": fp.mtime_ns,
                "sha256": fp.sha256,
                "records": records,
                "run_id": run_id,
                "seen_at": seen_at,
            }
            for fp, records in loaded
        ],
        schema=TABLES["inputs"].arrow_schema,
    )
