"""Round trip: Arrow rows -> staged Parquet -> published DuckDB -> Arrow give the same table."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.schema import TABLES, conform
from tests.warehouse.hand_warehouse import publish_tables
from warehouse import store

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_fact = st.fixed_dictionaries(
    {
        "story_id": _text,
        "count_type": st.sampled_from(["KILL", "WOUND", "ARREST"]),
        "object": st.none() | _text,
        "values": st.lists(st.floats(allow_nan=False, width=64), max_size=4),
        "doc_ids": st.lists(_text, max_size=4),
        "consensus": st.none() | st.floats(allow_nan=False),
        "conflicting": st.booleans(),
    }
)
_quarantine = st.fixed_dictionaries(
    {
        "source_uri": _text,
        "reason": _text,
        "bytes": st.none() | st.integers(0, 2**62),
        "run_id": _text,
        "detected_at": st.datetimes(
            min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
        ),
    }
)


def _read_back(home: Path, name: str) -> tuple[pa.Table, pa.Table]:
    con = duckdb.connect(str(store.db_path(home)), read_only=True)
    try:
        in_db = conform(name, con.sql(f'SELECT * FROM "{name}" ORDER BY rowid').to_arrow_table())
    finally:
        con.close()
    folder = store.parquet_dir(home, name)
    in_parquet = ds.dataset(folder).to_table() if folder.exists() else TABLES[name].arrow_schema.empty_table()
    return in_db, in_parquet


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=st.lists(_fact, max_size=6), quarantine=st.lists(_quarantine, max_size=6))
def test_round_trip(facts: list[dict], quarantine: list[dict]) -> None:
    tables = {
        "facts": pa.Table.from_pylist(facts, schema=TABLES["facts"].arrow_schema),
        "quarantine": pa.Table.from_pylist(quarantine, schema=TABLES["quarantine"].arrow_schema),
    }
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        publish_tables(home, "r1", tables)
        for name, table in tables.items():
            in_db, in_parquet = _read_back(home, name)
            assert in_db.equals(table), name
            assert in_parquet.equals(table), name
