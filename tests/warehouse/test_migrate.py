"""Schema versions: an older warehouse is migrated at publish; a newer one is refused with both versions named."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from contract.schema import SCHEMA_VERSION
from tests.warehouse.hand_warehouse import extra_tables, publish_tables, snapshot
from warehouse import store
from warehouse.ddl import create_table_sql
from warehouse.migrate import WarehouseTooNew, plan, schema_version


def _make_v1(home: Path) -> None:
    """Turn the hand warehouse into what copydesk wrote at schema version 1 (and one column short)."""
    con = store.connect(store.db_path(home))
    try:
        con.execute("DROP TABLE inputs")
        con.execute("DROP VIEW IF EXISTS v_counts")  # views are re-created at publish
        con.execute("ALTER TABLE documents DROP COLUMN metadata")
        con.execute("DROP TABLE story_members")  # added at version 3
        con.execute("ALTER TABLE check_results DROP COLUMN detail")  # added at version 3
        con.execute("UPDATE copydesk_meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database()"
    ).fetchall()
    return {(t, c): ty for t, c, ty in rows}


def test_plan_for_a_v1_warehouse(hand_home: Path) -> None:
    _make_v1(hand_home)
    con = duckdb.connect(str(store.db_path(hand_home)), read_only=True)
    try:
        assert schema_version(con) == 1
        assert plan(con) == [
            create_table_sql("inputs"),
            create_table_sql("story_members"),
            'ALTER TABLE "documents" ADD COLUMN "metadata" VARCHAR',
            'ALTER TABLE "check_results" ADD COLUMN "detail" VARCHAR',
        ]
    finally:
        con.close()


def test_publish_migrates_and_keeps_the_rows(hand_home: Path, tmp_path: Path) -> None:
    _make_v1(hand_home)
    publish_tables(hand_home, "r2", extra_tables("r2"))
    fresh = tmp_path / "fresh"
    publish_tables(fresh, "r1", {})
    con = duckdb.connect(str(store.db_path(hand_home)), read_only=True)
    ref = duckdb.connect(str(store.db_path(fresh)), read_only=True)
    try:
        assert schema_version(con) == SCHEMA_VERSION
        assert _columns(con) == _columns(ref)  # same tables, columns, types and views as a new warehouse
        assert con.execute("SELECT count(*), count(metadata) FROM documents").fetchall() == [(5, 0)]
        assert con.execute("SELECT count(*) FROM inputs").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM v_counts").fetchall() == [(6,)]
    finally:
        con.close()
        ref.close()


def test_current_warehouse_needs_no_migration(hand_home: Path) -> None:
    con = duckdb.connect(str(store.db_path(hand_home)), read_only=True)
    try:
        assert plan(con) == []
    finally:
        con.close()


def test_newer_warehouse_is_refused_naming_both_versions(hand_home: Path) -> None:
    con = store.connect(store.db_path(hand_home))
    con.execute("UPDATE copydesk_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 7)])
    con.close()
    before = snapshot(hand_home)
    with pytest.raises(
        WarehouseTooNew, match=f"schema version {SCHEMA_VERSION + 7}.*up to {SCHEMA_VERSION}.*upgrade copydesk"
    ):
        publish_tables(hand_home, "r2", extra_tables("r2"))
    assert {k: v for k, v in snapshot(hand_home).items() if not k.startswith(".staging")} == before


def test_a_warehouse_in_the_2_0_format_is_rewritten_for_1_5_readers(hand_home: Path) -> None:
    path = store.db_path(hand_home)
    new = path.with_name("v2.duckdb")
    con = duckdb.connect(str(new))  # DuckDB 2.x default storage format
    con.execute(f"ATTACH '{path}' AS old (READ_ONLY)")
    con.execute("COPY FROM DATABASE old TO v2")
    con.close()
    os.replace(new, path)

    def storage(p: Path) -> str:
        c = duckdb.connect(str(p), read_only=True)
        try:
            return c.execute(
                "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
            ).fetchall()[0][0]
        finally:
            c.close()

    assert not storage(path).startswith("v1.5")
    publish_tables(hand_home, "r2", extra_tables("r2"))
    assert storage(path).startswith("v1.5")
    c = duckdb.connect(str(path), read_only=True)
    assert c.execute("SELECT count(*) FROM documents").fetchall() == [(5,)]
    c.close()
