"""Starting the flow from the command line: environment defaults, errors, summaries."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

import typer

from contract.vocab import ERROR

#: Prefect settings copydesk applies unless the environment says otherwise.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    # The temporary server takes ~15 s to start on a busy 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def prefect_env() -> None:
    """Apply :data:`PREFECT_DEFAULTS` (before Prefect is imported)."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


def run_flow(
    inputs: list[str],
    home: Path,
    *,
    csv_columns: list[str] | None,
    batch_size: int,
    check: bool,
    workers: int = 1,
    backslash_breaks: bool | None = None,
    follow_symlinks: bool = False,
    max_document_bytes: int | None = None,
    verbose: bool = False,
) -> int:
    """Run the pipeline flow and print its summary; the process exit code.

    SIGINT and SIGTERM stop the run within seconds (:mod:`flows.interrupt`): the
    warehouse stays the last good one and the exit code is 130 or 143.
    """
    from warehouse.lock import HomeBusy, ensure_free

    if home.exists() and not home.is_dir():
        typer.secho(f"error: --home {home} is a file, not a folder", fg=typer.colors.RED, err=True)
        return 2
    try:  # refuse a busy home at once, before Prefect is even imported
        ensure_free(home)
    except HomeBusy as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        return 2
    except PermissionError as exc:
        typer.secho(f"error: permission denied: {exc.filename or exc}", fg=typer.colors.RED, err=True)
        return 2
    prefect_env()
    from flows import interrupt
    from flows.discover import InputNotFound
    from flows.pipeline import MAX_DOCUMENT_BYTES, ChecksFailed, run_pipeline
    from flows.render import summary_lines
    from warehouse.migrate import WarehouseTooNew

    flow_fn = run_pipeline
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        flow_fn = run_pipeline.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers))
    try:
        with interrupt.stop_on_signals(), checks_failed_in_one_line(verbose), one_api_for_all(workers):
            summary = flow_fn(
                inputs=inputs, home=str(home), batch_size=batch_size, check=check, csv_columns=csv_columns,
                workers=workers, backslash_breaks=backslash_breaks, follow_symlinks=follow_symlinks,
                max_document_bytes=max_document_bytes or MAX_DOCUMENT_BYTES,
            )
    except KeyboardInterrupt:
        if interrupt.received() is None:
            raise
        name = signal_name(interrupt.received())
        interrupt.finish_interrupted(
            f"error: stopped by {name}; the warehouse in {home} is the last one published"
        )
        raise  # not reached: finish_interrupted exits
    except (InputNotFound, HomeBusy, WarehouseTooNew) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        return 2
    except PermissionError as exc:
        typer.secho(f"error: permission denied: {exc.filename or exc}", fg=typer.colors.RED, err=True)
        return 2
    except ChecksFailed as exc:
        for line in summary_lines(exc.summary):
            typer.echo(line)
        typer.secho(f"error: {exc}; see `copydesk check --home {home}`", fg=typer.colors.RED, err=True)
        return 1
    for line in summary_lines(summary):
        typer.echo(line)
    return 0


def signal_name(signum: int | None) -> str:
    """``SIGTERM`` for 15."""
    import signal

    return signal.Signals(signum).name if signum else "a signal"


@contextlib.contextmanager
def checks_failed_in_one_line(verbose: bool):  # type: ignore[no-untyped-def]
    """Prefect logs a failed flow's traceback; a failed data check is an expected outcome, so it
    gets one line (the summary follows). ``verbose`` keeps the traceback."""
    from flows import interrupt
    from flows.pipeline import ChecksFailed

    class OneLine(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            exc = record.exc_info[1] if record.exc_info else None
            if isinstance(exc, ChecksFailed):
                record.msg, record.args = "%s", (f"data checks failed: {exc}",)
                record.exc_info, record.exc_text = None, None
            elif exc is not None and interrupt.received():  # a query interrupted by a stop signal
                record.msg, record.args = "%s", (f"stopping: {type(exc).__name__}: {exc}",)
                record.exc_info, record.exc_text = None, None
            return True

    loggers = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
    flt = OneLine()
    if not verbose:
        for lg in loggers:
            lg.addFilter(flt)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(flt)


def one_api_for_all(workers: int) -> contextlib.AbstractContextManager[object]:
    """With worker processes and no Prefect API configured, one temporary API server for all of them.

    Otherwise each worker process starts a temporary server of its own (several seconds each).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if workers <= 1 or PREFECT_API_URL.value():
        return contextlib.nullcontext()
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance the flow's own client would start
    server.start()
    return temporary_settings(updates={PREFECT_API_URL: server.api_url})


def check_home(home: Path, *, strict: bool, junit: Path | None, verbose: bool = False) -> int:
    """Run the data checks on the published warehouse, store and print the results."""
    import datetime as dt
    import uuid

    from warehouse import store
    from warehouse.runlog import record_checks

    if not store.db_path(home).exists():
        typer.secho(
            f"error: no warehouse at {store.db_path(home)}: run `copydesk run --home {home}` first",
            fg=typer.colors.RED,
            err=True,
        )
        return 2
    from expectations.runner import build_data_docs, exit_code, outcomes_table, render_table, run_checks, write_junit

    check_id = "check-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    outcomes: list = []

    def finish(con) -> None:  # type: ignore[no-untyped-def]
        outcomes.extend(run_checks(con))
        record_checks(con, outcomes_table(outcomes, check_id))

    from warehouse.migrate import WarehouseTooNew

    try:
        with store.lock_home(home):
            store.recover(home)
            store.publish(home, check_id, finish)
    except (store.HomeBusy, WarehouseTooNew) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        return 2
    from rich.console import Console

    Console().print(render_table(outcomes, failures_only=not verbose))
    docs = build_data_docs(outcomes, home)
    typer.echo(f"Data Docs: {docs}")
    if junit is not None:
        write_junit(outcomes, junit)
        typer.echo(f"JUnit: {junit}")
    code = exit_code(outcomes, strict)
    failed = [o for o in outcomes if not o.success]
    errors = sum(o.severity == ERROR for o in failed)
    passed, warnings = len(outcomes) - len(failed), len(failed) - errors
    typer.echo(f"{len(outcomes)} expectations: {passed} passed, {errors} error(s), {warnings} warning(s) failed")
    sys.stdout.flush()
    return code
