"""`copydesk run --workers 2`: the batches run in worker processes and the warehouse is the same."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from contract.schema import CONTENT_TABLES, TABLES
from flows.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "flows" / "sample"
#: Columns that name the run or its time, and so differ between two runs of the same input.
RUN_COLUMNS = {"run_id", "ingested_at", "detected_at", "started_at", "finished_at", "seen_at"}

pytestmark = pytest.mark.prefect


def rows(home: Path, table: str) -> list[tuple]:
    """Every row of ``table`` without its run columns, sorted."""
    cols = [c.name for c in TABLES[table].columns if c.name not in RUN_COLUMNS]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        quoted = ", ".join(f'"{c}"' for c in cols)
        return sorted(con.execute(f"SELECT {quoted} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def test_two_worker_processes_build_the_same_warehouse(tmp_path: Path) -> None:
    homes = {}
    for workers in (1, 2):
        home = tmp_path / f"workers-{workers}"
        result = CliRunner().invoke(app, ["run", str(SAMPLE), "--home", str(home), "--workers", str(workers),
                                          "--batch-size", "4"])
        assert result.exit_code == 0, result.output
        homes[workers] = home
    for table in CONTENT_TABLES:
        one, two = rows(homes[1], table), rows(homes[2], table)
        assert one == two, f"{table}: {len(one)} rows with one process, {len(two)} with two"
    assert rows(homes[2], "documents"), "the sample run loaded no documents"
