"""Printing results for people: query tables (box and markdown) and run summaries.

The box table follows DuckDB's own renderer: when the table is wider than the terminal
(or ``--max-width``) its widest columns are narrowed first, their long values cut with
an ellipsis, down to :data:`MIN_COL_WIDTH`; columns that still do not fit are left out
from the middle (a ``…`` column marks the gap), and long results show their first and
last rows, with a footer such as ``120 rows (40 shown)  12 columns (5 shown)``. Widths
are terminal cells, so wide (CJK) characters count twice.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa
from rich.cells import cell_len, get_character_cell_size

#: Narrowest a column is squeezed to before columns are left out instead.
MIN_COL_WIDTH = 8
#: Rows shown before a result is cut to its first and last rows (DuckDB's default).
MAX_ROWS = 40

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def cell_text(value: Any) -> str:
    """One value as it reads in a table: NULL, lists in brackets, no control characters.

    Control characters (which could move the cursor or recolour the terminal) are shown
    as escapes; a newline becomes ``⏎``.

    >>> cell_text(None), cell_text([2.0, None, 'a']), cell_text('a\\nb\\x1b[31m')
    ('NULL', '[2.0, NULL, a]', 'a⏎b\\\\x1b[31m')
    """
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "[" + ", ".join(cell_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pa.MonthDayNano):
        return _interval(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    text = str(value)
    return _CONTROL.sub(_escape_control, text)


def _interval(value: pa.MonthDayNano) -> str:
    """An interval as DuckDB prints it: ``1 month 2 days 00:01:05.25``."""
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((value.months, "month"), (value.days, "day")) if n]
    secs, nanos = divmod(value.nanoseconds, 1_000_000_000)
    hours, rest = divmod(secs, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if nanos:
        clock += f".{nanos:09d}".rstrip("0")[:7]
    return " ".join([*parts, clock])


def _escape_control(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n":
        return "\u23ce"
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def cut(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells, ending in ``…`` when it was cut.

    >>> cut("Turkish soldiers", 10), cut("short", 10), cut("殺された兵士", 7)
    ('Turkish s…', 'short', '殺され…')
    """
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        size = get_character_cell_size(ch)
        if used + size > width - 1:
            break
        out.append(ch)
        used += size
    return "".join(out) + "\u2026"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - cell_len(text))
    return gap + text if right else text + gap


def type_name(type_: pa.DataType) -> str:
    """DuckDB's name for an Arrow type, as the table header shows it.

    >>> type_name(pa.list_(pa.float64())), type_name(pa.timestamp("us", tz="UTC"))
    ('double[]', 'timestamp with time zone')
    """
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return type_name(type_.value_type) + "[]"
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return "varchar"
    if pa.types.is_float64(type_):
        return "double"
    if pa.types.is_float32(type_):
        return "float"
    if pa.types.is_boolean(type_):
        return "boolean"
    if pa.types.is_date(type_):
        return "date"
    if pa.types.is_timestamp(type_):
        return "timestamp with time zone" if type_.tz else "timestamp"
    if pa.types.is_decimal(type_):
        return f"decimal({type_.precision},{type_.scale})"
    return str(type_)


def _numeric(type_: pa.DataType) -> bool:
    return pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _row_indices(n: int, max_rows: int) -> tuple[list[int], list[int]]:
    """The rows shown: all of them, or the first and last halves of ``max_rows``."""
    if n <= max_rows:
        return list(range(n)), []
    top = (max_rows + 1) // 2
    return list(range(top)), list(range(n - (max_rows - top), n))


def _squeeze(widths: list[int], budget: int) -> list[int]:
    """Narrow the widest columns, one cell at a time, down to :data:`MIN_COL_WIDTH`, until
    they fit ``budget`` cells of content; as far as it goes.

    >>> _squeeze([16, 8, 20, 8, 20], 64), _squeeze([12, 200], 76)
    ([16, 8, 16, 8, 16], [12, 64])
    """
    out = list(widths)
    while sum(out) > budget:
        widest = max(range(len(out)), key=lambda i: out[i])
        if out[widest] <= MIN_COL_WIDTH:
            break
        out[widest] -= 1
    return out


def _fit_columns(widths: list[int], max_width: int) -> list[int]:
    """Indices of the columns kept so the table fits ``max_width`` cells, DuckDB-style:
    first and last columns first, working inwards, the left-out middle marked by ``…``."""
    n = len(widths)
    if sum(w + 3 for w in widths) + 1 <= max_width:
        return list(range(n))
    widths = [min(w, MIN_COL_WIDTH) for w in widths]
    order: list[int] = []
    lo, hi = 0, n - 1
    while lo <= hi:
        order.append(lo)
        if hi != lo:
            order.append(hi)
        lo, hi = lo + 1, hi - 1
    kept: list[int] = []
    used = 1 + 4  # the left border and the `…` column
    for i in order:
        if used + widths[i] + 3 > max_width:
            break
        kept.append(i)
        used += widths[i] + 3
    return sorted(kept) or [0]


def box_lines(table: pa.Table, *, max_width: int = 80, max_rows: int = MAX_ROWS) -> list[str]:
    """``table`` drawn as a box, at most ``max_width`` cells wide, one string per line."""
    max_width = max(max_width, 20)
    names = table.column_names
    if not names:
        return ["(no columns)"]
    types = [type_name(f.type) for f in table.schema]
    right = [_numeric(f.type) for f in table.schema]
    top_rows, bottom_rows = _row_indices(table.num_rows, max(max_rows, 1))
    shown_rows = top_rows + bottom_rows
    taken = table.take(pa.array(shown_rows, type=pa.int64())) if shown_rows else table.slice(0, 0)
    columns = [[cell_text(v) for v in taken.column(i).to_pylist()] for i in range(len(names))]
    widths = [
        min(max_width - 4, max([cell_len(cell_text(names[i])), cell_len(types[i]), *map(cell_len, columns[i])]))
        for i in range(len(names))
    ]
    kept = _fit_columns(widths, max_width)
    gap = 4 if len(kept) < len(names) else 0  # the `…` column
    squeezed = _squeeze([widths[i] for i in kept], max_width - 1 - gap - 3 * len(kept))
    for i, width in zip(kept, squeezed, strict=True):
        widths[i] = width
    if len(kept) == 1 and widths[kept[0]] + 4 + (4 if len(names) > 1 else 0) > max_width:
        widths[kept[0]] = max_width - 4 - (4 if len(names) > 1 else 0)
    # The drawn columns, with None standing for the `…` gap.
    drawn: list[int | None] = []
    for i in kept:
        if drawn and drawn[-1] is not None and i != drawn[-1] + 1:
            drawn.append(None)
        drawn.append(i)
    if len(kept) < len(names) and None not in drawn:
        drawn.append(None)
    w = [1 if i is None else widths[i] for i in drawn]

    def rule(left: str, mid: str, right_: str) -> str:
        return left + mid.join("\u2500" * (x + 2) for x in w) + right_

    def line(cells: list[str], align: list[bool]) -> str:
        parts = [_pad(cut(c, x), x, a) for c, x, a in zip(cells, w, align, strict=True)]
        return "\u2502 " + " \u2502 ".join(parts) + " \u2502"

    center = [False] * len(drawn)
    out = [rule("\u250c", "\u252c", "\u2510")]
    out.append(line(["\u2026" if i is None else cell_text(names[i]) for i in drawn], center))
    out.append(line(["" if i is None else types[i] for i in drawn], center))
    out.append(rule("\u251c", "\u253c", "\u2524"))
    align = [False if i is None else right[i] for i in drawn]
    for r in range(len(shown_rows)):
        if r == len(top_rows) and bottom_rows:
            for _ in range(3):
                out.append(line(["\u00b7" if i is None else " " * (widths[i] // 2) + "\u00b7" for i in drawn], align))
        out.append(line(["\u2026" if i is None else columns[i][r] for i in drawn], align))
    inner = sum(x + 3 for x in w) - 3  # between "│ " and " │"
    rows_note = _plural(table.num_rows, "row") + (f" ({len(shown_rows):,} shown)" if bottom_rows else "")
    cols_note = _plural(len(names), "column") + f" ({len(kept):,} shown)" if len(kept) < len(names) else ""
    notes = [rows_note, cols_note] if cols_note else [rows_note]
    together = "  ".join(notes)
    out.append(rule("\u251c", "\u2534", "\u2524"))
    if cols_note and cell_len(together) <= inner:
        gap = inner - cell_len(rows_note) - cell_len(cols_note)
        out.append("\u2502 " + rows_note + " " * gap + cols_note + " \u2502")
    else:
        out.extend("\u2502 " + _pad(cut(note, inner), inner, False) + " \u2502" for note in notes)
    out.append("\u2514" + "\u2500" * (inner + 2) + "\u2518")
    return out


def markdown_lines(table: pa.Table) -> list[str]:
    """``table`` as a GitHub-flavoured Markdown table: every row, values whole, ``|`` escaped.

    >>> print("\\n".join(markdown_lines(pa.table({"a": ["x|y"], "n": [1]}))))
    | a | n |
    |---|--:|
    | x\\|y | 1 |
    """

    def md(value: Any) -> str:
        return cell_text(value).replace("\\", "\\\\").replace("|", "\\|")

    names = table.column_names
    if not names:
        return []
    out = ["| " + " | ".join(md(n) for n in names) + " |"]
    out.append("|" + "|".join("--:" if _numeric(f.type) else "---" for f in table.schema) + "|")
    for row in table.to_pylist():
        out.append("| " + " | ".join(md(v) for v in row.values()) + " |")
    return out


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
