"""The ``copydesk`` command line. Heavy imports (Prefect, Great Expectations) stay inside
the commands that need them, so ``copydesk --help`` and ``copydesk sql`` start fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="copydesk",
    help="Turn raw news text into a clean, audited, checked DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Home folder holding warehouse.duckdb, Parquet datasets and Data Docs "
        "(env: COPYDESK_HOME; default: ./copydesk-home).",
        show_default=False,
    ),
]


WorkersOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Batches processed in parallel, each in its own local process (default: the machine's core count; "
        "in this process when less than 2 MB is new).",
        show_default=False,
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        help="Send the batches to this Dask cluster (tcp://HOST:PORT) instead of local processes.",
        show_default=False,
    ),
]


def resolve_home(home: Path | None) -> Path:
    """The home folder: --home, else $COPYDESK_HOME, else ./copydesk-home."""
    if home is not None:
        return home.expanduser().resolve()
    env = os.environ.get("COPYDESK_HOME")
    return Path(env).expanduser().resolve() if env else Path("copydesk-home").resolve()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


@app.command()
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders or globs; none: the bundled sample.", show_default=False),
    ] = None,
    home: HomeOpt = None,
    csv_columns: Annotated[
        str | None, typer.Option(help="Column names, in order, for headerless CSV (e.g. class,title,text).")
    ] = None,
    backslash_breaks: Annotated[
        bool | None,
        typer.Option(
            "--backslash-breaks/--no-backslash-breaks",
            help="CSV text uses AG News backslashes (\\ = line break, \\$ = $); default: detected per file.",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="At most this many documents per batch task (batches are also cut at 4 MB).")
    ] = 2000,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Run the data checks after publishing.")] = True,
    workers: WorkersOpt = None,
    dask_address: DaskOpt = None,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Follow symlinks found under an input when they point inside it (default: quarantine every symlink).",
        ),
    ] = False,
    max_document_mb: Annotated[
        float, typer.Option(min=0.001, help="Quarantine a record whose text is larger than this (MiB, UTF-8).")
    ] = 64.0,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Show Prefect's log lines and tracebacks on the terminal (default: <home>/logs/prefect.log).",
        ),
    ] = False,
) -> None:
    """Run the pipeline: load, clean, extract, publish the warehouse, check it.

    On a terminal a progress bar shows the stage, files, documents, MB/s and ETA; other
    output gets one progress line every few seconds. Prefect's log lines go to
    <home>/logs/prefect.log, or to the terminal with --verbose.

    Example: copydesk run ../shared/seeds --home ./h
    """
    from flows.runner import run_flow

    home_path = resolve_home(home)
    columns = [c.strip() for c in csv_columns.split(",")] if csv_columns else None
    code = run_flow(
        list(inputs or []),
        home_path,
        csv_columns=columns,
        backslash_breaks=backslash_breaks,
        batch_size=batch_size,
        check=check,
        workers=workers or 0,  # 0: decided by the run, from the cores and the new input
        dask_address=dask_address,
        follow_symlinks=follow_symlinks,
        max_document_bytes=int(max_document_mb * 2**20),
        verbose=verbose,
    )
    raise typer.Exit(code)


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help='When to run, as a cron expression (e.g. "*/15 * * * *").')],
    inbox: Annotated[Path, typer.Option(help="Folder whose new files each scheduled run loads.")],
    home: HomeOpt = None,
    name: Annotated[str, typer.Option(help="Name of the Prefect deployment.")] = "copydesk",
    batch_size: Annotated[
        int, typer.Option(min=1, help="At most this many documents per batch task (batches are also cut at 4 MB).")
    ] = 2000,
    check: Annotated[bool, typer.Option("--check/--no-check", help="Run the data checks after publishing.")] = True,
    workers: WorkersOpt = None,
    dask_address: DaskOpt = None,
) -> None:
    """Serve scheduled runs from a Prefect server (PREFECT_API_URL) until Ctrl-C or SIGTERM.

    Each run loads what is new in the inbox; one run at a time; a late run waits, and a
    run that outlasts its interval is followed by at most one catch-up run.

    Example: copydesk serve --cron "*/15 * * * *" --inbox ./inbox --home ./h
    """
    from flows.runner import serve_flow

    code = serve_flow(
        inbox.expanduser().resolve(),
        resolve_home(home),
        cron=cron,
        name=name,
        batch_size=batch_size,
        check=check,
        workers=workers or 0,  # 0: decided by the run, from the cores and the new input
        dask_address=dask_address,
    )
    raise typer.Exit(code)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL query (read-only).")],
    home: HomeOpt = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="Output: table, markdown, csv, json or parquet (binary, to stdout)."),
    ] = "table",
    max_width: Annotated[
        int | None,
        typer.Option(
            "--max-width",
            min=20,
            help="Widest the table may be, in characters (default: the terminal, else 80).",
            show_default=False,
        ),
    ] = None,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="Rows the table shows before it shows only the first and last.")
    ] = 40,
) -> None:
    """Query the warehouse, read-only: writes, ATTACH, COPY and file reads are refused.

    The table format cuts long values with an ellipsis, leaves out the columns that do
    not fit (and says so) and shows the first and last rows of long results; markdown,
    csv, json and parquet give every row and value whole.

    Example: copydesk sql "SELECT title, published_date FROM documents" --format json
    """
    import duckdb

    from warehouse import sql as wsql
    from warehouse.store import db_path

    if fmt not in wsql.FORMATS:
        raise _fail(f"unknown --format {fmt!r}; choose one of {', '.join(wsql.FORMATS)}")
    try:
        result = wsql.query(db_path(resolve_home(home)), query)
    except (wsql.SqlRefused, wsql.WarehouseMissing) as exc:
        raise _fail(str(exc)) from None
    except duckdb.Error as exc:
        raise _fail(str(exc).strip()) from None
    if fmt in {"table", "markdown"}:
        import shutil

        from flows.render import box_lines, markdown_lines

        if fmt == "markdown":
            lines = markdown_lines(result)
        else:
            lines = box_lines(result, max_width=max_width or shutil.get_terminal_size().columns, max_rows=max_rows)
        sys.stdout.write("".join(line + "\n" for line in lines))
    else:
        sys.stdout.buffer.write(wsql.render(result, fmt))
    sys.stdout.flush()


@app.command()
def check(
    home: HomeOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Also fail (exit 1) on warnings.")] = False,
    junit: Annotated[
        Path | None, typer.Option(help="Write a JUnit XML report here, one testcase per expectation.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every expectation, not only the failures.")
    ] = False,
) -> None:
    """Run the data checks (Great Expectations) on the warehouse.

    Exit 0 when no error-severity check fails (--strict: no check fails at all), 1
    otherwise. Results go to the check_results table and Data Docs under the home.

    Example: copydesk check --home ./h --junit checks.xml
    """
    from flows.runner import check_home

    raise typer.Exit(check_home(resolve_home(home), strict=strict, junit=junit, verbose=verbose))


@app.command()
def compact(
    home: HomeOpt = None,
    table: Annotated[
        list[str] | None, typer.Option("--table", help="Only this table (repeatable); default: every dataset.")
    ] = None,
) -> None:
    """Rewrite each Parquet dataset's small parts into a few large files, atomically.

    Readers keep seeing the same rows throughout. Runs do this on their own once a table
    has more than 64 parts.

    Example: copydesk compact --home ./h
    """
    from warehouse.compact import compact as compact_home
    from warehouse.store import HomeBusy, lock_home

    home_path = resolve_home(home)
    if not (home_path / "parquet").is_dir():
        raise _fail(f"no Parquet datasets under {home_path}; run `copydesk run` first")
    try:
        with lock_home(home_path):
            done = compact_home(home_path, table or None)
    except HomeBusy as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not done:
        typer.echo("nothing to compact: every dataset already has as few files as its size needs")
    for c in done:
        typer.echo(f"{c.table}: {c.parts_before} files -> {c.files_after} ({c.bytes / 1e6:.1f} MB)")


@app.command()
def report(
    home: HomeOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write the site into (default: <home>/report).", show_default=False),
    ] = None,
) -> None:
    """Write the story report: a static HTML site that opens from disk, with no network.

    An overview (runs, documents per outlet and per day, checks, link to the Data Docs),
    a sortable, searchable story list and one page per story: its sources in time order,
    who copied whom, the facts with consensus and conflicts, quotes, a map of its places,
    and the clean texts the facts link to.

    Example: copydesk report --home ./h --out ./site
    """
    from flows.report import NotAReport, build_report
    from warehouse.sql import WarehouseMissing

    try:
        index = build_report(resolve_home(home), out.expanduser().resolve() if out else None)
    except (NotAReport, WarehouseMissing) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Report: {index}")
    typer.echo(f"Open: {index.as_uri()}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
