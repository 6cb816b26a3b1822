"""The reference part of ``docs/warehouse.md`` (every table, column and view), generated from the code.

``python -m warehouse.reference --write`` refreshes the file between its markers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from contract.schema import CONTENT_TABLES, SCHEMA_VERSION, TABLES
from warehouse.ddl import duck_type
from warehouse.views import views

START, END = "<!-- reference:start -->", "<!-- reference:end -->"
DOC = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown() -> str:
    """Markdown for every table (with its columns) and every view (with its columns)."""
    out = [f"## Tables (schema version {SCHEMA_VERSION})", ""]
    for table in TABLES.values():
        where = f"`parquet/{table.name}/`" if table.name in CONTENT_TABLES else "DuckDB file only"
        key = f" Key: {', '.join(f'`{k}`' for k in table.key)}." if table.key else ""
        out += [f"### Table `{table.name}`", "", f"{table.doc}{key} Parquet: {where}.", ""]
        out += ["| column | type | null | description |", "|---|---|---|---|"]
        for c in table.columns:
            null = "yes" if c.nullable else "no"
            out.append(f"| `{c.name}` | {duck_type(c.type)} | {null} | {_cell(c.description)} |")
        out.append("")
    out += ["## Views", ""]
    for view in views().values():
        out += [f"### View `{view.name}`", "", view.doc, "", "| column | description |", "|---|---|"]
        out += [f"| `{name}` | {_cell(doc)} |" for name, doc in view.columns]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def splice(text: str, start: str, end: str, body: str) -> str:
    """``text`` with what lies between the ``start`` and ``end`` markers replaced by ``body``."""
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}{end}{tail}"


def refreshed(text: str) -> str:
    """``text`` (the doc) with the part between the reference markers regenerated."""
    return splice(text, START, END, reference_markdown())


def refresh_file(doc: Path, refresh: Callable[[str], str], argv: list[str]) -> None:
    """Write the refreshed ``doc`` with ``--write`` in ``argv``, else print it."""
    new = refresh(doc.read_text())
    if "--write" in argv:
        doc.write_text(new)
    else:
        sys.stdout.write(new)


if __name__ == "__main__":
    refresh_file(DOC, refreshed, sys.argv)
