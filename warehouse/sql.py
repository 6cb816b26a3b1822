"""The read-only SQL entry point behind ``copydesk sql``."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa

FORMATS = ("table", "markdown", "csv", "json", "parquet")


class SqlRefused(RuntimeError):
    """The statement would write or reach outside the warehouse."""


class WarehouseMissing(FileNotFoundError):
    """There is no warehouse under the home folder yet."""


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can read the warehouse and nothing else.

    ``read_only`` stops writes to the database; ``enable_external_access=false`` stops
    ``COPY ... TO``, ``ATTACH``, reading arbitrary files and installing extensions.
    """
    if not db.exists():
        raise WarehouseMissing(f"no warehouse at {db}: run `copydesk run --home {db.parent}` first")
    return duckdb.connect(
        str(db),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "lock_configuration": True,  # no SET can turn the above back on
        },
    )


_REFUSAL = re.compile(
    r"read-only mode|in read-only|file system operations are disabled|disabled through configuration"
    r"|configuration has been locked|external access",
    re.I,
)


def query(db: Path, sql: str) -> pa.Table:
    """Run read-only SQL and return the result of its last statement as an Arrow table."""
    con = open_read_only(db)
    try:
        try:
            rel = con.sql(sql)
        except duckdb.Error as exc:
            raise _explain(exc) from None
        if rel is None:
            return pa.table({})
        try:
            return rel.to_arrow_table()
        except duckdb.Error as exc:
            raise _explain(exc) from None
    finally:
        con.close()


def _explain(exc: duckdb.Error) -> Exception:
    msg = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException) or _REFUSAL.search(msg):
        return SqlRefused(
            "refused: `copydesk sql` is read-only and cannot write, attach databases or "
            f"read files outside the warehouse ({msg.splitlines()[0]})"
        )
    return exc


def render(table: pa.Table, fmt: str) -> bytes:
    """``table`` as bytes in a machine format ``fmt`` (csv, json, parquet); ``flows.render`` draws tables."""
    if fmt == "json":
        return (json.dumps(table.to_pylist(), default=str, ensure_ascii=False, indent=1) + "\n").encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in table.to_pylist():
            writer.writerow(["" if v is None else v for v in row.values()])
        return buf.getvalue().encode()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue().to_pybytes()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
