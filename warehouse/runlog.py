"""The ``runs`` table: one row per pipeline run."""

from __future__ import annotations

from typing import Protocol

import duckdb

from warehouse.schema import TABLES


class RunLike(Protocol):
    run_id: str
    started_at: object
    finished_at: object
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


def last_checks_failed(con: duckdb.DuckDBPyConnection) -> int | None:
    """``checks_failed`` of the latest run that ran the checks, if any."""
    rows = con.execute(
        "SELECT checks_failed FROM runs WHERE checks_failed IS NOT NULL ORDER BY started_at DESC LIMIT 1"
    ).fetchall()  # fetchall: DuckDB 2 keeps a half-read result open and blocks the connection
    return rows[0][0] if rows else None
