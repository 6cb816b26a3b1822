"""The ``copydesk run`` flow: discover, load, clean and extract in batches, publish, check."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Completed, Failed, State
from prefect.task_runners import TaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from contract.schema import TABLES
from contract.vocab import ERROR, WARNING
from flows import faults, interrupt, progress
from flows.discover import Discovered, InputFile, discover, parse_input, read_file
from flows.resources import cores, release_memory
from transforms.load.parse import Parsed, Record, Rejected
from warehouse import store
from warehouse.inputs import Fingerprint, fingerprint_of, inputs_table, is_unchanged, known_inputs, looks_unchanged


@dataclass
class RunSummary:
    """What a run did; printed by the CLI and stored in ``runs``."""

    run_id: str
    home: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    status: str = "running"
    inputs_seen: int = 0
    docs_new: int = 0
    docs_unchanged: int = 0
    quarantined: int = 0
    skipped_files: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    checks_failed: int | None = None
    check_errors: int = 0
    check_warnings: int = 0
    failed_checks: list[str] = field(default_factory=list)
    failed_check_rows: list[dict[str, str]] = field(default_factory=list)
    stories: int | None = None
    error: str | None = None

    @property
    def seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()


#: Retries of the I/O tasks: on a transient error only, after 1, 2, 4 s (with jitter). No task of
#: the flow caches its result: Prefect would otherwise hash every input (every record) to key it.
IO_RETRIES: dict = {
    "cache_policy": NO_CACHE,
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=1),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": faults.retry_if_transient,
}


class Batch:
    """The records of one batch, as a task's argument that no one walks through.

    Prefect looks into lists, tuples and dataclasses for futures to resolve, and Dask
    rebuilds the tuples and dataclasses it finds in a task's arguments: for thousands of
    records both cost time, and Dask's rebuilding loses the records' class. A plain
    object is handed over as it is (pickled whole when it goes to another process).
    """

    __slots__ = ("records",)

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)


@task(name="discover-inputs", cache_policy=NO_CACHE)
def discover_inputs(inputs: list[str], follow_symlinks: bool = False) -> Discovered:
    """Expand the command-line inputs into files (and the paths refused, to quarantine)."""
    return discover(inputs, follow_symlinks=follow_symlinks)


#: Default size above which a record is quarantined as too large to be an article (UTF-8 bytes).
MAX_DOCUMENT_BYTES = 64 * 2**20


def too_large(record: Record, limit: int) -> Rejected | None:
    """A rejection when ``record``'s text is longer than ``limit`` bytes in UTF-8, else None."""
    if len(record.raw_text) * 4 <= limit:  # no need to encode: it cannot be over
        return None
    size = len(record.raw_text.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return None
    return Rejected(record.source_uri, f"too large to be an article: {size} bytes (limit {limit})", size)


@task(name="load-batch", **IO_RETRIES)
def load_batch(
    files: list[InputFile],
    csv_columns: list[str] | None = None,
    backslash_breaks: bool | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
) -> tuple[list[Record | Rejected], list[int], list[Fingerprint | None]]:
    """Read and parse a batch of input files; also how many records each file gave, and
    each file's fingerprint, hashed from the bytes read (None when it could not be read)."""
    out: list[Record | Rejected] = []
    per_file: list[int] = []
    prints: list[Fingerprint | None] = []
    for item in files:
        read = read_file(item)
        parsed: Parsed
        if isinstance(read, Rejected):
            parsed, fp = [read], None
        else:
            parsed, fp = parse_input(item, read[0], csv_columns, backslash_breaks), fingerprint_of(item.path, *read)
        out.extend(r if isinstance(r, Rejected) else too_large(r, max_document_bytes) or r for r in parsed)
        per_file.append(len(parsed))
        prints.append(fp)
    return out, per_file, prints


@task(name="fingerprint-inputs", **IO_RETRIES)
def fingerprint_inputs(files: list[InputFile], home: str) -> tuple[list[InputFile], int, int]:
    """The input files that are new or changed, by size and modification time (no file is read);
    also the files and records left unchanged. The changed files are hashed as they are read."""
    known = known_inputs(Path(home), (str(f.path) for f in files))
    fresh, unchanged_files, unchanged_records = [], 0, 0
    for item in files:
        if item.size < 0:  # named on the command line: not seen by a folder scan
            try:
                st = os.stat(item.path)
            except OSError:  # gone, or not ours to read: loading it quarantines it with the reason
                fresh.append(InputFile(item.path, item.fmt, 0, -1))
                continue
            item = InputFile(item.path, item.fmt, st.st_size, st.st_mtime_ns)
        if looks_unchanged(str(item.path), item.size, item.mtime_ns, known):
            unchanged_files += 1
            unchanged_records += known[str(item.path)][3]
        else:
            fresh.append(item)
    return fresh, unchanged_files, unchanged_records


@task(name="transform-batch", cache_policy=NO_CACHE)
def transform_batch(run_id: str, batch: Batch, ingested_at: dt.datetime) -> tuple[dict[str, pa.Table], list[Rejected]]:
    """Clean and extract a batch of new records into Arrow tables (no file is touched).

    It runs wherever the task runner sends it (a worker process, a Dask worker on
    another machine): it needs the records only, and the flow stages what it returns.
    Should a transform fail on the batch, the records are retried one by one and the
    ones that still fail are quarantined with the error as the reason.
    """
    from transforms.batch import batch_tables  # the transforms (and pandas, through pyarrow): where batches run

    records = batch.records
    rejected: list[Rejected] = []
    try:
        with interrupt.worker():  # a stop signal ends the batch
            tables = batch_tables(records, run_id, ingested_at)
    except Exception:  # noqa: BLE001 - isolate the record(s) that break a transform
        good: list[Record] = []
        for rec in records:
            try:
                batch_tables([rec], run_id, ingested_at)
                good.append(rec)
            except Exception as exc:  # noqa: BLE001
                reason = f"processing failed: {type(exc).__name__}: {exc}"[:500]
                rejected.append(Rejected(rec.source_uri, reason, len(rec.raw_text.encode("utf-8", "replace"))))
        tables = batch_tables(good, run_id, ingested_at) if good else {}
    pa.default_memory_pool().release_unused()  # a long-lived worker hands back what the batch freed
    return tables, rejected


@task(name="stage-parts", **IO_RETRIES)
def stage_parts(home: str, run_id: str, part: int, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Write a batch's tables as staged Parquet parts of this run; rows per table."""
    faults.inject("write")
    for name, table in tables.items():
        store.write_part(Path(home), run_id, name, part, table)
    return {name: t.num_rows for name, t in tables.items()}


@task(name="stage-quarantine", **IO_RETRIES)
def stage_quarantine(home: str, run_id: str, rejected: list[Rejected], detected_at: dt.datetime) -> int:
    """Stage the quarantine rows of this run."""
    table = pa.Table.from_pylist(
        [
            {
                "source_uri": r.source_uri,
                "reason": r.reason,
                "bytes": r.bytes,
                "run_id": run_id,
                "detected_at": detected_at,
            }
            for r in rejected
        ],
        schema=TABLES["quarantine"].arrow_schema,
    )
    store.write_part(Path(home), run_id, "quarantine", 0, table)
    return table.num_rows


#: Input bytes read per load task, and text per transform task: a task costs Prefect some
#: milliseconds and a worker some set-up, so a batch must be large enough to pay for them.
BATCH_BYTES = 4 * 2**20
#: At most this many files per load task (many tiny files would otherwise make one huge batch).
FILES_PER_LOAD = 5000
#: Less new input than this is processed in the flow's own process when the worker count is
#: left to the run: starting worker processes would cost more than they save.
SMALL_INPUT_BYTES = 2 * 10**6


def _by_bytes(items: list, sizes: list[int], max_bytes: int, max_items: int) -> list[list]:
    """``items`` in order, cut into runs of at most ``max_items`` and, past the first item, ``max_bytes``."""
    out: list[list] = []
    current: list = []
    total = 0
    for item, size in zip(items, sizes, strict=True):
        if current and (total + size > max_bytes or len(current) >= max_items):
            out.append(current)
            current, total = [], 0
        current.append(item)
        total += size
    if current:
        out.append(current)
    return out


def worker_count(workers: int, new_bytes: int) -> int:
    """Worker processes for a run: ``workers`` when given (> 0); else every core, or none
    (this process) for less than :data:`SMALL_INPUT_BYTES` of new input."""
    if workers > 0:
        return workers
    return 1 if new_bytes < SMALL_INPUT_BYTES else cores()


@task(name="publish-and-check", cache_policy=NO_CACHE)
def publish_and_check(home: str, summary: RunSummary, check: bool) -> RunSummary:
    """Publish the new warehouse atomically, with the run row and check results in it.

    When the run added nothing, the data is what the last checks saw: they are not
    run again (``runs.checks_failed`` stays null for this run).
    """
    from warehouse.runlog import record_checks, record_run

    changed = bool(summary.docs_new or summary.quarantined)
    outcomes: list = []

    def link_and_check(db: Path) -> None:
        linked = process.run(db, Path(home), summary.run_id, check=check, stage=progress.stage)
        summary.stories = linked.stories
        outcomes.extend(linked.outcomes)

    def finish(con) -> None:  # type: ignore[no-untyped-def]
        if outcomes:
            from expectations.runner import outcomes_table

            summary.checks_failed = sum(not o.success for o in outcomes)
            summary.check_errors = sum(not o.success and o.severity == ERROR for o in outcomes)
            summary.check_warnings = sum(not o.success and o.severity == WARNING for o in outcomes)
            summary.failed_checks = [
                f"{o.severity}: {o.suite} {o.expectation}" + (f" ({o.column_name})" if o.column_name else "")
                for o in outcomes
                if not o.success
            ]
            summary.failed_check_rows = [
                {"severity": o.severity, "suite": o.suite, "expectation": o.expectation, "column": o.column_name or ""}
                for o in outcomes
                if not o.success
            ]
            record_checks(con, outcomes_table(outcomes, summary.run_id))
        summary.finished_at = dt.datetime.now(dt.UTC)
        summary.status = "failed" if summary.check_errors else "completed"
        record_run(con, summary)

    progress.stage("publishing")
    if changed:
        from flows.linkcheck import LinkCheckProcess

        with LinkCheckProcess(check) as process:  # it starts up while the new warehouse file is built
            store.publish(Path(home), summary.run_id, finish, work=link_and_check)
    elif store.staged_parts(Path(home), summary.run_id):
        store.publish(Path(home), summary.run_id, finish)
    else:  # nothing new: record the run in place instead of copying the warehouse
        store.update_in_place(Path(home), finish)
        store.abandon(Path(home), summary.run_id)  # a copy made ahead, if any, is not needed
    if outcomes:
        from expectations.runner import build_data_docs

        progress.stage("data docs")
        build_data_docs(outcomes, Path(home))
    return summary


@task(name="compact-datasets", cache_policy=NO_CACHE)
def compact_crowded(home: str) -> None:
    """Compact the Parquet datasets that have gathered more small parts than the threshold."""
    from warehouse.compact import compact, needs_compaction

    crowded = needs_compaction(Path(home))
    if not crowded:
        return
    try:
        for c in compact(Path(home), crowded):
            get_run_logger().info("compacted %s: %d files -> %d", c.table, c.parts_before, c.files_after)
    except OSError as exc:  # the run is published; its parts stay as they are until the next compaction
        get_run_logger().warning("compaction skipped: %s", exc)


@flow(name="copydesk-run", log_prints=False)
def run_pipeline(
    inputs: list[str],
    home: str,
    batch_size: int = 2000,
    check: bool = True,
    csv_columns: list[str] | None = None,
    workers: int = 0,
    backslash_breaks: bool | None = None,
    dask_address: str | None = None,
    scheduled: bool = False,
    follow_symlinks: bool = False,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
) -> RunSummary | State:
    """Load ``inputs`` (the bundled sample when empty) into the warehouse under ``home``.

    Batches of about 4 MB go to ``workers`` local processes (one: in this process; zero:
    see :func:`worker_count`), or to the Dask cluster at ``dask_address``; the flow itself
    stages and publishes what they return.
    A ``scheduled`` run is skipped, not failed, when another run holds the home or when a
    later scheduled run of its deployment is already due (so a slow run is followed by at
    most one catch-up run). When a check of severity error fails, the flow run ends
    Failed with a one-line message; the summary is the state's data.
    """
    logger = get_run_logger()
    home_path = Path(home)
    now = dt.datetime.now(dt.UTC)
    summary = RunSummary(run_id=now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6], home=home, started_at=now)
    if scheduled:  # served: end with the serving process, even on its kill -9
        from flows.tempserver import die_with_parent

        die_with_parent(os.getppid())
    if scheduled and (reason := _later_run_due()):
        logger.info("skipped: %s", reason)
        return Completed(message=f"skipped: {reason}")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(store.lock_home(home_path))
        except store.HomeBusy as exc:
            if not scheduled:
                raise
            logger.info("skipped: %s", exc)
            return Completed(message=f"skipped: {exc}")
        store.recover(home_path)
        try:
            progress.stage("finding inputs")
            found = discover_inputs(inputs, follow_symlinks)
            all_files = found.files
            summary.skipped_files = len(found.skipped)
            progress.stage("fingerprinting")
            files, unchanged_files, unchanged_records = fingerprint_inputs(quote(all_files), home)  # type: ignore[call-overload]
            summary.inputs_seen += unchanged_records
            summary.docs_unchanged += unchanged_records  # their records were loaded (or quarantined) before
            new_bytes = sum(f.size for f in files)
            if files:  # the run will publish: the last good warehouse file is copied meanwhile
                store.copy_ahead(home_path, summary.run_id)
            progress.total(len(files), new_bytes)
            progress.stage("reading")
            loaded: list[tuple[Fingerprint, int]] = []
            known = store.known_doc_ids(home_path)
            previously = known_inputs(home_path, (str(f.path) for f in files))
            rejected: list[Rejected] = list(found.refused)
            summary.inputs_seen += len(found.refused)
            pending: list[tuple[PrefectFuture, int, int, int]] = []
            part = done_files = 0
            workers = worker_count(workers, new_bytes)
            with batch_runner(workers, dask_address) as runner:
                in_flight = 2 * max(workers, _cluster_threads(runner))
                for file_batch in _by_bytes(files, [f.size for f in files], BATCH_BYTES, FILES_PER_LOAD):
                    from transforms.batch import doc_id_of  # not imported by a run that has nothing to read

                    fresh: list[Record] = []
                    items, per_file, prints = load_batch(  # type: ignore[call-overload]
                        quote(file_batch), csv_columns, backslash_breaks, max_document_bytes
                    )
                    # Progress counts input bytes: a record's share of its batch, credited once it is processed.
                    per_record = sum(f.size for f in file_batch) / max(len(items), 1)
                    progress.advance(files=len(file_batch))
                    at = 0
                    for n, fp in zip(per_file, prints, strict=True):
                        file_items, at = items[at : at + n], at + n
                        if fp is None:  # unreadable: its rejection is quarantined, and it is tried again next run
                            rejected.extend(r for r in file_items if isinstance(r, Rejected))
                            summary.inputs_seen += len(file_items)
                            continue
                        loaded.append((fp, n))
                        if is_unchanged(fp, previously):  # touched, not changed: its records are known
                            summary.inputs_seen += n
                            summary.docs_unchanged += n
                            continue
                        for item in file_items:
                            summary.inputs_seen += 1
                            if isinstance(item, Rejected):
                                rejected.append(item)
                                continue
                            doc_id = doc_id_of(item.raw_text)
                            if doc_id in known:
                                summary.docs_unchanged += 1
                            else:
                                known.add(doc_id)
                                fresh.append(item)
                    progress.advance(nbytes=round(per_record * (len(items) - len(fresh))))
                    progress.stage("processing")
                    for chunk in _by_bytes(fresh, [len(r.raw_text) for r in fresh], BATCH_BYTES, batch_size):
                        params = {"run_id": summary.run_id, "batch": Batch(chunk), "ingested_at": summary.started_at}
                        future = (
                            runner.submit(transform_batch, params)
                            if runner
                            else transform_batch.submit(summary.run_id, Batch(chunk), summary.started_at)
                        )
                        pending.append((future, part, len(chunk), round(per_record * len(chunk))))
                        part += 1
                        _collect(pending, summary, rejected, keep=in_flight)
                    done_files += len(file_batch)
                    logger.info(
                        "%d/%d files read: %d records, %d new documents processed (%d batches in progress), "
                        "%d quarantined so far",
                        done_files,
                        len(files),
                        summary.inputs_seen,
                        summary.docs_new,
                        len(pending),
                        len(rejected),
                    )
                _collect(pending, summary, rejected, keep=0)
            if runner is None and summary.docs_new:  # the batches ran here: their gazetteer is not needed again
                from transforms.extract.places import release_gazetteer

                release_gazetteer()
            if rejected:
                summary.quarantined = stage_quarantine(home, summary.run_id, rejected, summary.started_at)
            store.write_part(
                home_path, summary.run_id, "inputs", 0, inputs_table(loaded, summary.run_id, summary.started_at)
            )
            # Staged: the record of every input file (about 0.6 kB each) and the batches' tables are not needed again.
            del found, all_files, files, loaded, known, previously, rejected
            release_memory()
            faults.hold()
            summary = publish_and_check(home, summary, check)
            compact_crowded(home)
        except BaseException:
            store.abandon(home_path, summary.run_id)
            raise
    publish_artifacts(summary)
    if summary.check_errors:
        return Failed(message=checks_failed_message(summary), data=summary)
    return summary


def checks_failed_message(summary: RunSummary) -> str:
    """The one line that says why a run is Failed."""
    return f"{summary.check_errors} data check(s) of severity error failed; see `copydesk check --home {summary.home}`"


def batch_runner(workers: int, dask_address: str | None) -> contextlib.AbstractContextManager[TaskRunner | None]:
    """The task runner for the batches: a Dask cluster, a local process pool, or none (in-process)."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        from flows.tempserver import die_with_parent

        pool = ProcessPoolTaskRunner(max_workers=workers)
        # Prefect passes these to the pool: its workers end with this process, even on kill -9.
        pool._initializer, pool._initargs = die_with_parent, (os.getpid(),)  # type: ignore[attr-defined]
        return pool
    return contextlib.nullcontext()


def _cluster_threads(runner: TaskRunner | None) -> int:
    """Worker threads of the Dask cluster behind ``runner`` (0 when not Dask)."""
    client = getattr(runner, "_client", None)
    try:
        return sum(client.nthreads().values()) if client is not None else 0
    except Exception:  # noqa: BLE001 - only a sizing hint
        return 0


def _later_run_due() -> str | None:
    """Why this scheduled run should give way to a later one, if it should.

    When a run outlasts its interval, the runs scheduled meanwhile are all due at once;
    every one but the latest is skipped, so at most one catch-up run follows.
    """
    from prefect import runtime
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterId,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    deployment_id, run_id = runtime.deployment.id, runtime.flow_run.id
    mine = runtime.flow_run.scheduled_start_time
    if not deployment_id or mine is None:
        return None
    now = dt.datetime.now(dt.UTC)
    with get_client(sync_client=True) as client:
        later = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[uuid.UUID(str(deployment_id))])),
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(not_any_=[uuid.UUID(str(run_id))]),
                expected_start_time=FlowRunFilterExpectedStartTime(
                    after_=mine + dt.timedelta(seconds=1),
                    before_=now,  # type: ignore[arg-type] # a datetime is accepted
                ),
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,  # the server refuses a request without one
            limit=1,
        )
    if later:
        return f"the run scheduled for {later[0].expected_start_time:%H:%M:%S} is already due and catches up"
    return None


def publish_artifacts(summary: RunSummary) -> None:
    """Leave the run's markdown summary and a table of its failed checks in Prefect."""
    import re

    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    slug = re.sub(r"[^a-z0-9]+", "-", Path(summary.home).name.lower()).strip("-")[:40] or "home"
    checks = (
        "not run (nothing new since the last checks)"
        if summary.checks_failed is None
        else f"{summary.check_errors} error(s), {summary.check_warnings} warning(s) failed"
    )
    lines = [
        f"# copydesk run `{summary.run_id}`: {summary.status}",
        "",
        "| | |",
        "|---|---|",
        f"| home | `{summary.home}` |",
        f"| inputs seen | {summary.inputs_seen} |",
        f"| documents new | {summary.docs_new} |",
        f"| unchanged | {summary.docs_unchanged} |",
        f"| quarantined | {summary.quarantined} |",
        f"| checks | {checks} |",
        f"| time taken | {summary.seconds:.1f} s |",
    ]
    if summary.failed_checks:
        lines += ["", "## Failed checks", ""] + [f"- {line}" for line in summary.failed_checks]
    from flows.report import report_index, report_url

    built = report_index(Path(summary.home)).exists()
    lines += [
        "",
        f"Story report: [{report_url(Path(summary.home))}]({report_url(Path(summary.home))})"
        + ("" if built else f" (build or refresh it with `copydesk report --home {summary.home}`)"),
    ]
    create_markdown_artifact(
        "\n".join(lines), key=f"copydesk-{slug}-summary", description=f"copydesk run summary for {summary.home}"
    )
    create_table_artifact(
        summary.failed_check_rows,
        key=f"copydesk-{slug}-failed-checks",
        description=f"failed data checks of the run {summary.run_id}",
    )


def _collect(
    pending: list[tuple[PrefectFuture, int, int, int]], summary: RunSummary, rejected: list[Rejected], keep: int
) -> None:
    """Wait for submitted batches, oldest first, until at most ``keep`` are in flight; stage each one's parts."""
    while len(pending) > keep:
        future, part, size, nbytes = pending.pop(0)
        tables, failed = future.result()
        counts = stage_parts(summary.home, summary.run_id, part, quote(tables))  # type: ignore[call-overload]
        for name, n in counts.items():
            summary.rows[name] = summary.rows.get(name, 0) + n
        summary.docs_new += size - len(failed)
        rejected.extend(failed)
        progress.advance(nbytes=nbytes, documents=size - len(failed))
