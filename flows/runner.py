"""Starting the flow from the command line: environment defaults, errors, summaries."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

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
    verbose: bool = False,
) -> int:
    """Run the pipeline flow and print its summary; the process exit code.

    Progress goes to standard error (a bar on a terminal, plain lines otherwise);
    Prefect's log lines go to ``<home>/logs/prefect.log``, or to the terminal when
    ``verbose``.
    """
    prefect_env()
    from flows import progress
    from flows.discover import InputNotFound
    from flows.pipeline import ChecksFailed, run_pipeline
    from flows.render import summary_lines
    from warehouse.migrate import WarehouseTooNew
    from warehouse.store import HomeBusy

    if home.exists() and not home.is_dir():
        typer.secho(f"error: --home {home} is a file, not a folder", fg=typer.colors.RED, err=True)
        return 2
    flow_fn = run_pipeline
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        flow_fn = run_pipeline.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers))
    logs = contextlib.nullcontext(None) if verbose else progress.prefect_logs_to(progress.log_path(home))
    try:
        with logs, progress.show(bar=False if verbose else None), one_api_for_all(workers):
            progress.stage("starting Prefect")
            summary = flow_fn(
                inputs=inputs,
                home=str(home),
                batch_size=batch_size,
                check=check,
                csv_columns=csv_columns,
                workers=workers,
            )
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
