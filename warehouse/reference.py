"""The reference part of ``docs/warehouse.md`` (every table, column and view), generated from the code.

``python -m warehouse.reference --write`` refreshes the file between its markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse.ddl import duck_type
from warehouse.schema import CONTENT_TABLES, SCHEMA_VERSION, TABLES
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
            out.append(f"| `{c.name}` | {duck_type(c.type)} | {'yes' if c.nullable else 'no'} | {_cell(c.doc)} |")
        out.append("")
    out += ["## Views", ""]
    for view in views().values():
        out += [f"### View `{view.name}`", "", view.doc, "", "| column | description |", "|---|---|"]
        out += [f"| `{name}` | {_cell(doc)} |" for name, doc in view.columns]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def refreshed(text: str) -> str:
    """``text`` (the doc) with the part between the reference markers regenerated."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{reference_markdown()}{END}{tail}"


if __name__ == "__main__":
    new = refreshed(DOC.read_text())
    if "--write" in sys.argv:
        DOC.write_text(new)
    else:
        sys.stdout.write(new)
