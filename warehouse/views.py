"""Analyst views, one SQL file each under ``warehouse/views/``, created in the DuckDB file at publish.

Each file starts with comment lines: the view's description, then ``-- @column: description``
for every column it returns. Views read the native tables only (no Parquet paths), so
they work under the read-only ``copydesk sql`` connection and in the DuckDB CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import duckdb

_COLUMN_DOC = re.compile(r"^--\s*@(\w+):\s*(.+)$")


@dataclass(frozen=True)
class View:
    """One analyst view: its name, description, column descriptions and SQL."""

    name: str
    doc: str
    columns: tuple[tuple[str, str], ...]
    sql: str


def parse_view(name: str, text: str) -> View:
    """A :class:`View` from the text of its SQL file."""
    doc: list[str] = []
    columns: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _COLUMN_DOC.match(line)
        if m:
            columns.append((m.group(1), m.group(2).strip()))
        elif not columns:
            doc.append(line.lstrip("-").strip())
    return View(name, " ".join(doc).strip(), tuple(columns), text.strip().rstrip(";"))


@cache
def views() -> dict[str, View]:
    """Every analyst view, by name, in file-name order."""
    folder = files("warehouse") / "views"
    found = sorted((f.name[:-4], f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql"))
    return {name: parse_view(name, text) for name, text in found}


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) every analyst view on ``con``."""
    for view in views().values():
        con.execute(f'CREATE OR REPLACE VIEW "{view.name}" AS\n{view.sql}')
