"""Compaction: rewrite a Parquet dataset's many small parts into a few large files, atomically.

Every run adds one part per table it writes, so a home that runs often gathers thousands
of small files. Compaction rewrites a dataset's parts, in their order, into files of about
:data:`TARGET_BYTES` each, and switches the dataset to them in one step:

- ``parquet/<table>`` becomes a symbolic link to a generation folder,
  ``.parquet-gens/<table>/<generation>/``; a compaction writes a new generation and swaps
  the link with one ``rename`` (the first time, when ``parquet/<table>`` is still a plain
  folder, the folder and the link are exchanged atomically with ``renameat2``).
- A reader that lists ``parquet/<table>`` sees the old parts or the new files, never both
  and never neither. The previous generation is kept until the next compaction, so a reader
  that listed the old parts just before the swap can still open them.
- A kill at any step leaves the dataset as it was (before the swap) or compacted (after);
  what a killed compaction left behind is never read and is removed by the next one.

The DuckDB file is not touched: its tables are its own. Runs and compactions take the
home's lock, so they never overlap. Derived tables (links, stories, facts) are one file
already: a run replaces them whole.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from contract.schema import TABLES
from warehouse.store import _fsync  # the same durable step as publishing

#: Bytes of Parquet per compacted file (the sum of the parts it replaces).
TARGET_BYTES = 128 * 1024 * 1024
#: A run compacts a table on its own once it has more parts than this.
AUTO_PARTS = 64
GENERATIONS = ".parquet-gens"
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Compacted:
    """What compacting one table did."""

    table: str
    parts_before: int
    files_after: int
    bytes: int


def dataset(home: Path, table: str) -> Path:
    return home / "parquet" / table


def parts(home: Path, table: str) -> list[Path]:
    """The dataset's Parquet files, in name order (the order of their rows)."""
    folder = dataset(home, table)
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def needs_compaction(home: Path, threshold: int = AUTO_PARTS) -> list[str]:
    """Tables with more than ``threshold`` parts."""
    root = home / "parquet"
    if not root.is_dir():
        return []
    return [d.name for d in sorted(root.iterdir()) if d.name in TABLES and len(parts(home, d.name)) > threshold]


def compact(home: Path, tables: list[str] | None = None, target_bytes: int = TARGET_BYTES) -> list[Compacted]:
    """Compact ``tables`` (default: every dataset with more files than it needs).

    Call it while holding :func:`warehouse.store.lock_home`. A table is rewritten when it
    has more files than ``ceil(bytes / target_bytes)``.
    """
    root = home / "parquet"
    names = tables if tables is not None else [d.name for d in sorted(root.iterdir())] if root.is_dir() else []
    done = []
    for table in names:
        if table not in TABLES:
            raise ValueError(f"no table {table!r}")
        files = parts(home, table)
        size = sum(f.stat().st_size for f in files)
        if len(files) <= max(1, math.ceil(size / target_bytes)):
            continue
        after = _compact_table(home, table, files, target_bytes)
        done.append(Compacted(table, len(files), after, size))
    return done


def _groups(files: list[Path], target_bytes: int) -> list[list[Path]]:
    """Consecutive parts, packed into groups of at most ``target_bytes`` (a larger part alone)."""
    groups: list[list[Path]] = []
    total = 0
    for f in files:
        size = f.stat().st_size
        if not groups or total + size > target_bytes:
            groups.append([])
            total = 0
        groups[-1].append(f)
        total += size
    return groups


def _compact_table(home: Path, table: str, files: list[Path], target_bytes: int) -> int:
    gens = home / GENERATIONS / table
    link = dataset(home, table)
    current = link.resolve() if link.is_symlink() else None
    _drop_stale(gens, keep=current)
    gen = gens / f"g-{uuid.uuid4().hex[:12]}"
    gen.mkdir(parents=True)
    schema = TABLES[table].arrow_schema
    groups = _groups(files, target_bytes)
    for n, group in enumerate(groups):
        out = gen / f"0000-compacted-{n:05d}.parquet"  # sorts before the parts of later runs
        tmp = out.with_suffix(".tmp")
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for part in group:  # a row group at a time: memory stays at one batch
                reader = pq.ParquetFile(part)
                for i in range(reader.num_row_groups):
                    writer.write_table(reader.read_row_group(i).cast(schema))
        _fsync(tmp)
        os.replace(tmp, out)
    _fsync(gen)
    _fsync(gens)
    target = os.path.relpath(gen, link.parent)
    if current is None:  # a plain folder: exchange it with a link, atomically
        staged = gens / f".link-{gen.name}"
        staged.symlink_to(target)
        _exchange(staged, link)  # `staged` is now the old folder
        old = gens / f"g-plain-{uuid.uuid4().hex[:12]}"
        os.replace(staged, old)
    else:
        staged = gens / f".link-{gen.name}"
        staged.symlink_to(target)
        os.replace(staged, link)
    _fsync(link.parent)
    _fsync(gens)
    return len(groups)


def _drop_stale(gens: Path, keep: Path | None) -> None:
    """Remove every generation but the current one, and what killed compactions left.

    Called before a compaction writes its own: the current generation then becomes the
    previous one, kept until the next compaction for readers who listed it.
    """
    if not gens.exists():
        return
    for p in gens.iterdir():
        if p == keep:
            continue
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        else:
            shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> None:
    """Swap the paths ``a`` and ``b`` in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    at_fdcwd = -100
    if libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"cannot exchange {a} and {b} atomically: {os.strerror(err)}")

