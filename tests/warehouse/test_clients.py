"""Real clients: the DuckDB 1.5 CLI and Python package open the file; Parquet readers read the datasets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from contract.schema import CONTENT_TABLES, TABLES, conform
from warehouse import store
from warehouse.views import views

CHECK_SQL = "SELECT outlet, value, agrees FROM v_conflicts ORDER BY value, outlet"


def _uv() -> list[str] | None:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    return [uv] if Path(uv).exists() else None


@pytest.fixture(scope="session")
def duckdb15(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the `duckdb` 1.5 Python package and the `duckdb-cli` 1.5 package (skip if not installable)."""
    target = tmp_path_factory.mktemp("duckdb15")
    uv = _uv()
    cmd = (
        (uv + ["pip", "install", "--quiet", "--target", str(target)])
        if uv
        else [sys.executable, "-m", "pip", "install", "-q", "--target", str(target)]
    )
    try:
        proc = subprocess.run(cmd + ["duckdb==1.5.*", "duckdb-cli==1.5.*"], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot install duckdb 1.5 to test old clients: {exc}")
    if proc.returncode != 0:
        pytest.skip(f"cannot install duckdb 1.5 to test old clients: {proc.stderr.strip()[-300:]}")
    return target


def _env(target: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(target)}


def _expected(home: Path) -> list[dict]:
    con = duckdb.connect(str(store.db_path(home)), read_only=True)
    try:
        return con.sql(CHECK_SQL).to_arrow_table().to_pylist()
    finally:
        con.close()


def test_duckdb_cli_1_5_reads_the_warehouse_and_its_views(hand_home: Path, duckdb15: Path) -> None:
    cli = duckdb15 / "bin" / "duckdb"
    sql = CHECK_SQL + ";\n" + "\n".join(f"SELECT count(*) AS n FROM {v};" for v in views())
    proc = subprocess.run(
        [str(cli), "-readonly", "-json", str(store.db_path(hand_home)), "-c", "PRAGMA version;\n" + sql],
        capture_output=True,
        text=True,
        env=_env(duckdb15),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"library_version":"v1.5' in proc.stdout.replace(" ", "")
    assert "Error" not in proc.stdout + proc.stderr
    expected = json.dumps(_expected(hand_home), separators=(",", ":"))
    assert expected.replace(" ", "") in proc.stdout.replace(" ", "").replace("\n", "")


def test_duckdb_1_5_python_reads_every_table_and_view(hand_home: Path, duckdb15: Path) -> None:
    names = list(TABLES) + list(views())
    code = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "rows = con.execute(sys.argv[2]).fetchall()\n"
        "out = {'version': duckdb.__version__, 'check': [dict(zip(['outlet', 'value', 'agrees'], r)) for r in rows]}\n"
        "out['counts'] = {n: con.execute(f'SELECT count(*) FROM \"{n}\"').fetchall()[0][0] for n in sys.argv[3:]}\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(store.db_path(hand_home)), CHECK_SQL, *names],
        capture_output=True,
        text=True,
        env=_env(duckdb15),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["version"].startswith("1.5.")
    assert out["check"] == _expected(hand_home)
    assert out["counts"]["documents"] == 4 and out["counts"]["v_conflicts"] == 3


def _sorted(table: pa.Table) -> pa.Table:
    keys = [(c, "ascending") for c in table.column_names if not pa.types.is_list(table.schema.field(c).type)]
    return table.sort_by(keys)


@pytest.mark.parametrize("name", CONTENT_TABLES)
def test_pyarrow_dataset_equals_the_duckdb_table(hand_home: Path, name: str) -> None:
    folder = store.parquet_dir(hand_home, name)
    con = duckdb.connect(str(store.db_path(hand_home)), read_only=True)
    try:
        in_db = conform(name, con.sql(f'SELECT * FROM "{name}"').to_arrow_table())
    finally:
        con.close()
    if not folder.exists():
        assert in_db.num_rows == 0
        return
    in_parquet = ds.dataset(folder, format="parquet").to_table()
    assert in_parquet.schema.equals(TABLES[name].arrow_schema)
    assert _sorted(in_parquet).equals(_sorted(in_db))


def test_parquet_parts_are_zstd(hand_home: Path) -> None:
    import pyarrow.parquet as pq

    for files in store.dataset_parts(hand_home).values():
        for f in files:
            meta = pq.ParquetFile(f).metadata
            assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"ZSTD"}


def test_polars_reads_the_datasets(hand_home: Path) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed (optional Parquet reader)")
    docs = pl.scan_parquet(str(store.parquet_dir(hand_home, "documents") / "*.parquet")).collect()
    assert docs.height == 4 and "Turkish soldiers killed in Idlib" in docs["title"].to_list()
    facts = pl.read_parquet(str(store.parquet_dir(hand_home, "facts") / "*.parquet"))
    assert facts.filter(pl.col("conflicting"))["values"].to_list() == [[2.0, 2.0, 3.0]]


@pytest.mark.corpus
def test_duckdb_1_5_reads_the_seeds_warehouse_from_the_flow(seeds_home: Path, duckdb15: Path) -> None:
    names = list(TABLES) + list(views())
    code = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps({n: con.execute(f'SELECT count(*) FROM \"{n}\"').fetchall()[0][0] for n in sys.argv[2:]}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(store.db_path(seeds_home)), *names],
        capture_output=True,
        text=True,
        env=_env(duckdb15),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    con = duckdb.connect(str(store.db_path(seeds_home)), read_only=True)
    try:
        assert counts == {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()
    assert counts["documents"] > 0
