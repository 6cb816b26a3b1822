"""Printing results for people: tables and run summaries."""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def _cell(value: Any, width: int = 80) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", "\u23ce")
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def print_table(table: pa.Table, title: str | None = None) -> None:
    """Print an Arrow table as a readable text table (long values are cut)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = Table(title=title, show_lines=False)
    for name in table.column_names:
        out.add_column(escape(name), overflow="fold")
    for row in table.to_pylist():
        out.add_row(*(escape(_cell(v)) for v in row.values()))
    console = Console()
    console.print(out)
    console.print(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})")


def summary_lines(summary: Any) -> list[str]:
    """The closing summary of a run, line by line."""
    lines = [
        f"run {summary.run_id}: {summary.status} in {summary.seconds:.1f} s",
        f"  inputs seen      {summary.inputs_seen}",
        f"  documents new    {summary.docs_new}",
        f"  unchanged        {summary.docs_unchanged}",
        f"  quarantined      {summary.quarantined}",
    ]
    if summary.skipped_files:
        lines.append(f"  files passed over (not articles) {summary.skipped_files}")
    issues = summary.rows.get("quality_issues", 0)
    lines.append(f"  quality issues   {issues}")
    if summary.rows:
        facts = ", ".join(
            f"{k} {v}" for k, v in sorted(summary.rows.items()) if k not in {"documents", "quality_issues"}
        )
        lines.append(f"  rows added       {facts}")
    if summary.stories is not None:
        lines.append(f"  stories          {summary.stories}")
    if summary.checks_failed is None:
        lines.append(
            "  checks           not run (nothing new since the last checks)"
            if not summary.docs_new
            else "  checks           not run"
        )
    else:
        lines.append(f"  checks           {summary.check_errors} error(s), {summary.check_warnings} warning(s) failed")
        lines.extend(f"    - {line}" for line in summary.failed_checks)
    if not summary.docs_new and not summary.quarantined:
        lines.append("  nothing new: the warehouse is unchanged")
    lines.append(f"  warehouse        {summary.home}/warehouse.duckdb")
    return lines
