"""Upgrading an older warehouse to the current contract, in order, inside a publish.

A migration is the SQL that takes a warehouse from ``version - 1`` to ``version``.
:func:`plan` returns the statements for a connection (plan, then execute), and
:func:`migrate` runs them. New contract columns are added by :func:`plan` even without
a migration entry, so a new nullable column needs only a version bump.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from contract.schema import SCHEMA_VERSION, TABLES
from warehouse.ddl import create_all, create_table_sql, duck_type


@dataclass(frozen=True)
class Migration:
    """The statements that take a warehouse to ``version``."""

    version: int
    doc: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "Add the `inputs` table (file fingerprints for incremental runs).", (create_table_sql("inputs"),)),
    Migration(
        3,
        "Add `story_members` (story of each document) and `check_results.detail`.",
        (create_table_sql("story_members"),),
    ),
    Migration(
        4,
        "Add the evidence of each link to `doc_links` (`reason`, `shared_shingles`, `number_agreement`, "
        "`shared_key_facts`, `shared_counts`, `shared_names`): nullable columns, added by the plan and "
        "filled by the link step of the same publish.",
        (),
    ),
)


class WarehouseTooNew(RuntimeError):
    """The warehouse was written by a newer copydesk than this one."""


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the warehouse (0 for an empty database)."""
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'copydesk_meta'"
    ).fetchone()
    if not has_meta or not has_meta[0]:
        return 0
    row = con.execute("SELECT value FROM copydesk_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def check_version(found: int, where: str) -> None:
    """Refuse a warehouse newer than this code, naming both versions and what to do."""
    if found > SCHEMA_VERSION:
        raise WarehouseTooNew(
            f"the warehouse at {where} has schema version {found}, but this copydesk only knows "
            f"versions up to {SCHEMA_VERSION}: upgrade copydesk (pip install -U copydesk) to write to it, "
            "or use another --home"
        )


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def plan(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The SQL that brings the warehouse on ``con`` to :data:`SCHEMA_VERSION` (empty when current)."""
    found = schema_version(con)
    check_version(found, "this connection")
    if found == 0:
        return []  # a new warehouse: create_all makes everything
    steps = [s for m in MIGRATIONS if m.version > found for s in m.statements]
    existing = _columns(con)
    for name, table in TABLES.items():
        have = existing.get(name)
        if have is None:
            continue  # created by a migration above, or by create_all
        for col in table.columns:
            if col.name not in have:
                steps.append(f'ALTER TABLE "{name}" ADD COLUMN "{col.name}" {duck_type(col.type)}')
    return steps


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run :func:`plan` on ``con``, create anything missing, record the version; the SQL run."""
    steps = plan(con)
    for sql in steps:
        con.execute(sql)
    create_all(con)
    return steps
