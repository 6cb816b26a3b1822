"""Starting the flow from the command line: environment defaults, errors, summaries."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import typer

from contract.vocab import ERROR

#: Prefect settings copydesk applies unless the environment says otherwise.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    # Prefect's client telemetry: off, and with it the notice it prints on a terminal's first run.
    "DO_NOT_TRACK": "1",
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
    dask_address: str | None = None,
    follow_symlinks: bool = False,
    max_document_bytes: int | None = None,
    verbose: bool = False,
) -> int:
    """Run the pipeline flow and print its summary; the process exit code.

    SIGINT and SIGTERM stop the run within seconds (:mod:`flows.interrupt`): the
    warehouse stays the last good one and the exit code is 130 or 143. Progress goes to
    standard error (a bar on a terminal, plain lines otherwise); Prefect's log lines go to
    ``<home>/logs/prefect.log``, or to the terminal (with tracebacks) when ``verbose``.
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
    from flows import interrupt, progress
    from flows.discover import InputNotFound
    from flows.pipeline import MAX_DOCUMENT_BYTES, RunSummary, run_pipeline
    from flows.render import summary_lines
    from warehouse.migrate import WarehouseTooNew

    logs = contextlib.nullcontext(None) if verbose else progress.prefect_logs_to(progress.log_path(home))
    try:
        with (
            interrupt.stop_on_signals(),
            stop_tracebacks_in_one_line(verbose),
            logs,
            progress.show(bar=False if verbose else None),
            prefect_api(),
        ):
            progress.stage("starting Prefect")
            state = run_pipeline(
                inputs=inputs, home=str(home), batch_size=batch_size, check=check, csv_columns=csv_columns,
                workers=workers, backslash_breaks=backslash_breaks, dask_address=dask_address,
                follow_symlinks=follow_symlinks, max_document_bytes=max_document_bytes or MAX_DOCUMENT_BYTES,
                return_state=True,
            )
            summary = state.result(raise_on_failure=False)
            if isinstance(summary, BaseException):
                raise summary
    except KeyboardInterrupt:
        if interrupt.received() is None:
            raise
        name = signal_name(interrupt.received())
        interrupt.finish_interrupted(f"error: stopped by {name}; the warehouse in {home} is the last one published")
        raise  # not reached: finish_interrupted exits
    except (InputNotFound, HomeBusy, WarehouseTooNew) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        return 2
    except PermissionError as exc:
        typer.secho(f"error: permission denied: {exc.filename or exc}", fg=typer.colors.RED, err=True)
        return 2
    except OSError as exc:  # a transient error that outlasted the retries
        typer.secho(f"error: {exc}; the last good warehouse is unchanged", fg=typer.colors.RED, err=True)
        return 1
    if not isinstance(summary, RunSummary):
        typer.secho(f"error: the run ended {state.name}: {state.message}", fg=typer.colors.RED, err=True)
        return 1
    for line in summary_lines(summary):
        typer.echo(line)
    if state.is_failed():
        typer.secho(f"error: {state.message}", fg=typer.colors.RED, err=True)  # it names `copydesk check --home`
        return 1
    return 0


def signal_name(signum: int | None) -> str:
    """``SIGTERM`` for 15."""
    import signal

    return signal.Signals(signum).name if signum else "a signal"


@contextlib.contextmanager
def stop_tracebacks_in_one_line(verbose: bool) -> Iterator[None]:
    """A query interrupted by a stop signal is logged in one line, not with Prefect's
    traceback; ``verbose`` keeps the traceback."""
    from flows import interrupt

    class OneLine(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            exc = record.exc_info[1] if record.exc_info else None
            if exc is not None and interrupt.received():
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


def prefect_api() -> contextlib.AbstractContextManager[object]:
    """The Prefect API for a run: ``PREFECT_API_URL`` when set, else a temporary server of our own.

    The temporary server is shared by the run's worker processes (Prefect would start
    one per process otherwise) and dies with this process, even on ``kill -9``.
    """
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def served() -> Iterator[None]:
        from flows.tempserver import temporary_server

        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        with temporary_server(timeout=timeout) as url:
            # The environment, for the processes this run starts; the global settings
            # context, for every thread of this one (Prefect's log and event workers).
            os.environ["PREFECT_API_URL"] = url
            refresh_global_settings_context()
            try:
                yield
            finally:
                _flush_prefect_logs()
                os.environ.pop("PREFECT_API_URL", None)
                refresh_global_settings_context()

    return served()


#: What ``copydesk serve`` says when no Prefect server is configured.
NO_SERVER_HINT = (
    "serve needs a Prefect server: start one with `prefect server start` and set "
    "PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/operations.md)"
)


def serve_flow(
    inbox: Path,
    home: Path,
    *,
    cron: str,
    name: str,
    batch_size: int,
    check: bool,
    workers: int,
    dask_address: str | None,
) -> int:
    """Serve the flow as a deployment on ``cron`` against the server in ``PREFECT_API_URL``.

    Each scheduled run loads what is new in ``inbox`` (unchanged files are passed over
    by their fingerprints). One run at a time; runs that come due meanwhile wait, and
    all but the latest of them are skipped. Blocks until Ctrl-C or SIGTERM; the process
    exit code.
    """
    prefect_env()
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            typer.secho(f"error: {NO_SERVER_HINT}", fg=typer.colors.RED, err=True)
            return 2
    if not inbox.is_dir():
        typer.secho(f"error: --inbox {inbox} is not a folder", fg=typer.colors.RED, err=True)
        return 2
    if home.exists() and not home.is_dir():
        typer.secho(f"error: --home {home} is a file, not a folder", fg=typer.colors.RED, err=True)
        return 2
    import asyncio

    import httpx
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.runner import Runner

    from flows.pipeline import run_pipeline

    try:
        CronSchedule(cron=cron)
    except ValueError:
        typer.secho(f"error: --cron {cron!r} is not a cron expression", fg=typer.colors.RED, err=True)
        return 2
    deployment = run_pipeline.to_deployment(
        name=name,
        cron=cron,
        parameters={
            "inputs": [str(inbox)],
            "home": str(home),
            "batch_size": batch_size,
            "check": check,
            "workers": workers,
            "dask_address": dask_address,
            "scheduled": True,
        },
        description=f"copydesk: load what is new in {inbox} into the warehouse at {home}",
        tags=["copydesk"],
    )
    runner = Runner(name=f"copydesk-{name}", pause_on_shutdown=True, limit=1)

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the runner the way Ctrl-C does

    runner.handle_sigterm = interrupt  # type: ignore[method-assign] # the runner installs it on start
    try:
        runner.add_deployment(deployment)  # type: ignore[arg-type] # to_deployment is sync here
        typer.echo(f"copydesk serve: deployment copydesk-run/{name} on {cron!r}, inbox {inbox}, home {home}")
        typer.echo(f"  UI: {_ui_url()}; Ctrl-C or SIGTERM stops")
        asyncio.run(_quietly(runner.start()))
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        typer.secho(f"error: cannot reach the Prefect server: {exc}", fg=typer.colors.RED, err=True)
        return 2
    except KeyboardInterrupt:
        pass
    typer.echo("copydesk serve: stopped")
    return 0


async def _quietly(coro: Coroutine[Any, Any, None]) -> None:
    """Await ``coro`` with the tasks the runner cancels on stop left out of the error log."""
    import asyncio

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not isinstance(context.get("exception"), asyncio.CancelledError | KeyboardInterrupt):
            loop.default_exception_handler(context)

    asyncio.get_running_loop().set_exception_handler(handler)
    await coro


def _ui_url() -> str:
    from prefect.settings import PREFECT_API_URL

    url = str(PREFECT_API_URL.value() or "")
    return url[: -len("/api")] if url.endswith("/api") else url


def _flush_prefect_logs() -> None:
    """Send the logs and events still queued to the API before its server stops."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=5)


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
