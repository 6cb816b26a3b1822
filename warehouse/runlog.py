"""The ``runs`` table: one row per pipeline run."""

from __future__ import annotations

from typing import Protocol

import duckdb
import pyarrow as pa

from contract.schema import TABLES
from warehouse.store import insert_arrow


class RunLike(Protocol):
    """What a ``runs`` row is read from (the times read-only, so any datetime type will do)."""

    run_id: str

    @property
    def started_at(self) -> object: ...

    @property
    def finished_at(self) -> object: ...

    status: str
    inputs_seen: int
    docs_new: int
    docs_unchanged: int
    quarantined: int
    checks_failed: int | None


def record_run(con: duckdb.DuckDBPyConnection, run: RunLike) -> None:
    """Insert (or replace) the ``runs`` row of ``run``."""
    cols = TABLES["runs"].column_names
    con.execute("DELETE FROM runs WHERE run_id = ?", [run.run_id])
    con.execute(
        f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [getattr(run, c) for c in cols],
    )


def record_checks(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    """Append check outcomes (rows of the ``check_results`` schema) to ``check_results``."""
    insert_arrow(con, "check_results", rows)
