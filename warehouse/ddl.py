"""DDL for the warehouse tables, generated from :mod:`contract.schema`."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from contract.schema import SCHEMA_VERSION, TABLES


def duck_type(t: pa.DataType) -> str:
    """The DuckDB type for an Arrow type used in the contract."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_int32(t):
        return "INTEGER"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    if pa.types.is_list(t):
        return duck_type(t.value_type) + "[]"
    raise TypeError(f"no DuckDB type for {t}")


def create_table_sql(name: str) -> str:
    """``CREATE TABLE`` statement for warehouse table ``name``."""
    table = TABLES[name]
    cols = ",\n  ".join(
        f'"{c.name}" {duck_type(c.type)}{"" if c.nullable else " NOT NULL"}' for c in table.columns
    )
    return f'CREATE TABLE IF NOT EXISTS "{name}" (\n  {cols}\n)'


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    """Create every contract table (if missing) and record the schema version."""
    for name in TABLES:
        con.execute(create_table_sql(name))
    con.execute("CREATE TABLE IF NOT EXISTS copydesk_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        "INSERT OR REPLACE INTO copydesk_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )
