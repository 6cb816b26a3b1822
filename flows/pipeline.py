"""The ``copydesk run`` flow: discover, load, clean and extract in batches, publish, check."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from contract.schema import TABLES
from contract.vocab import ERROR, WARNING
from flows import progress
from flows.discover import InputFile, discover, read_input
from transforms.batch import batch_tables, doc_id_of
from transforms.gcpause import gc_paused
from transforms.load.parse import Record, Rejected
from warehouse import store
from warehouse.inputs import Fingerprint, fingerprint, inputs_table, is_unchanged, known_inputs
from warehouse.linking import LinkInputs


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
    stories: int | None = None
    error: str | None = None

    @property
    def seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()


@task(name="discover-inputs")
def discover_inputs(inputs: list[str]) -> tuple[list[InputFile], list[Path]]:
    """Expand the command-line inputs into files."""
    return discover(inputs)


@task(name="load-batch", retries=1, retry_delay_seconds=1)
def load_batch(
    files: list[InputFile], csv_columns: list[str] | None = None
) -> tuple[list[Record | Rejected], list[int]]:
    """Read and parse a batch of input files; also how many records each file gave."""
    out: list[Record | Rejected] = []
    per_file: list[int] = []
    for item in files:
        parsed = read_input(item, csv_columns)
        out.extend(parsed)
        per_file.append(len(parsed))
    return out, per_file


@task(name="fingerprint-inputs")
def fingerprint_inputs(files: list[InputFile], home: str) -> tuple[list[tuple[InputFile, Fingerprint]], int, int]:
    """Hash every input file; the changed or new ones, and the files and records left unchanged."""
    known = known_inputs(Path(home))
    fresh, unchanged_files, unchanged_records = [], 0, 0
    for item in files:
        fp = fingerprint(item.path)
        if is_unchanged(fp, known):
            unchanged_files += 1
            unchanged_records += known[fp.source_uri][3]
        else:
            fresh.append((item, fp))
    return fresh, unchanged_files, unchanged_records


@task(name="process-batch")
def process_batch(
    home: str, run_id: str, part: int, records: list[Record], ingested_at: dt.datetime
) -> tuple[dict[str, int], list[Rejected]]:
    """Clean and extract a batch of new records and stage its Parquet parts.

    Should a transform fail on the batch, the records are retried one by one and the
    ones that still fail are quarantined with the error as the reason.
    """
    rejected: list[Rejected] = []
    try:
        with gc_paused():  # millions of small acyclic objects: skip the full rescans
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
    for name, table in tables.items():
        store.write_part(Path(home), run_id, name, part, table)
    return {name: t.num_rows for name, t in tables.items()}, rejected


@task(name="stage-quarantine")
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


#: Input files read per load task (a Reuters .sgm file holds ~1,000 records).
FILES_PER_LOAD = 200


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@task(name="link", cache_policy=NO_CACHE)
def link_documents(inputs: LinkInputs) -> dict[str, pa.Table]:
    """Link every document: duplicates, stories, facts, corroborated suggestions and their notes.

    Stories keep the ids they had in the warehouse (see :mod:`transforms.link.identity`).

    Pure: the inputs come from the warehouse and the results go back to it through
    :mod:`warehouse.linking`; the rules are in :mod:`transforms.link`.
    """
    from transforms.link.identity import inherited_ids, rename_stories
    from transforms.link.link import link
    from transforms.link.notes import corroborated_notes

    out = link(inputs.documents, inputs.counts, inputs.numbers)
    keep = inherited_ids(out["doc_story"], inputs.previous)  # a story that gains a document keeps its id
    out["doc_story"] = rename_stories(out["doc_story"], keep)
    out["stories"] = rename_stories(out["stories"], keep, sort_by=["story_id"])
    out["facts"] = rename_stories(out["facts"], keep)
    out["story_members"] = out["doc_story"]
    out["notes"] = corroborated_notes(inputs.issues, out["suggestions"])
    return out


@task(name="publish-and-check")
def publish_and_check(home: str, summary: RunSummary, check: bool) -> RunSummary:
    """Publish the new warehouse atomically, with the run row and check results in it.

    When the run added nothing, the data is what the last checks saw: they are not
    run again (``runs.checks_failed`` stays null for this run).
    """
    from warehouse.runlog import record_checks, record_run

    changed = bool(summary.docs_new or summary.quarantined)
    outcomes: list = []

    def finish(con) -> None:  # type: ignore[no-untyped-def]
        if changed:
            from transforms.link.notes import NOTED_CHECK
            from warehouse.linking import DERIVED_TABLES, read_link_inputs, write_links

            progress.stage("linking stories")
            linked = link_documents(read_link_inputs(con, NOTED_CHECK))
            derived = {name: linked[name] for name in DERIVED_TABLES}
            write_links(con, derived, linked["doc_story"], linked["suggestions"], linked["notes"])
            summary.stories = linked["stories"].num_rows
            for name in DERIVED_TABLES:
                store.write_snapshot(Path(home), summary.run_id, name, linked[name])
        if check and changed:
            from expectations.runner import outcomes_table, run_checks

            progress.stage("checking")
            outcomes.extend(run_checks(con))
            summary.checks_failed = sum(not o.success for o in outcomes)
            summary.check_errors = sum(not o.success and o.severity == ERROR for o in outcomes)
            summary.check_warnings = sum(not o.success and o.severity == WARNING for o in outcomes)
            summary.failed_checks = [
                f"{o.severity}: {o.suite} {o.expectation}" + (f" ({o.column_name})" if o.column_name else "")
                for o in outcomes
                if not o.success
            ]
            record_checks(con, outcomes_table(outcomes, summary.run_id))
        summary.finished_at = dt.datetime.now(dt.UTC)
        summary.status = "failed" if summary.check_errors else "completed"
        record_run(con, summary)

    progress.stage("publishing")
    if changed or store.staged_parts(Path(home), summary.run_id):
        store.publish(Path(home), summary.run_id, finish)
    else:  # nothing new: record the run in place instead of copying the warehouse
        store.update_in_place(Path(home), finish)
    if outcomes:
        from expectations.runner import build_data_docs

        progress.stage("data docs")
        build_data_docs(outcomes, Path(home))
    return summary


@task(name="compact-datasets")
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
    workers: int = 1,
) -> RunSummary:
    """Load ``inputs`` (the bundled sample when empty) into the warehouse under ``home``.

    Batches are submitted to the flow's task runner; at most ``workers`` run at once
    (run the flow with a process-pool or Dask task runner for real parallelism).
    """
    logger = get_run_logger()
    home_path = Path(home)
    now = dt.datetime.now(dt.UTC)
    summary = RunSummary(run_id=now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6], home=home, started_at=now)
    with store.lock_home(home_path):
        store.recover(home_path)
        try:
            progress.stage("finding inputs")
            all_files, skipped = discover_inputs(inputs)
            summary.skipped_files = len(skipped)
            progress.stage("fingerprinting")
            changed, unchanged_files, unchanged_records = fingerprint_inputs(all_files, home)
            summary.inputs_seen += unchanged_records
            summary.docs_unchanged += unchanged_records  # their records were loaded (or quarantined) before
            files = [item for item, _ in changed]
            fingerprints = {item.path: fp for item, fp in changed}
            progress.total(len(files), sum(fp.size for _, fp in changed))
            progress.stage("reading")
            loaded: list[tuple[Fingerprint, int]] = []
            known = store.known_doc_ids(home_path)
            rejected: list[Rejected] = []
            pending: list[tuple[PrefectFuture, int, int]] = []
            part = done_files = 0
            for file_batch in _chunks(files, FILES_PER_LOAD):
                fresh: list[Record] = []
                items, per_file = load_batch(file_batch, csv_columns)
                loaded.extend((fingerprints[f.path], n) for f, n in zip(file_batch, per_file, strict=True))
                # Progress counts input bytes: a record's share of its batch, credited once it is processed.
                per_record = sum(fingerprints[f.path].size for f in file_batch) / max(len(items), 1)
                progress.advance(files=len(file_batch))
                for item in items:
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
                for chunk in _chunks(fresh, batch_size):
                    future = process_batch.submit(home, summary.run_id, part, chunk, summary.started_at)
                    pending.append((future, len(chunk), round(per_record * len(chunk))))
                    part += 1
                    _collect(pending, summary, rejected, keep=2 * workers)
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
            if rejected:
                summary.quarantined = stage_quarantine(home, summary.run_id, rejected, summary.started_at)
            store.write_part(
                home_path, summary.run_id, "inputs", 0, inputs_table(loaded, summary.run_id, summary.started_at)
            )
            summary = publish_and_check(home, summary, check)
            compact_crowded(home)
        except BaseException:
            store.abandon(home_path, summary.run_id)
            raise
    if summary.check_errors:
        raise ChecksFailed(summary)
    return summary


def _collect(
    pending: list[tuple[PrefectFuture, int, int]], summary: RunSummary, rejected: list[Rejected], keep: int
) -> None:
    """Wait for submitted batches, oldest first, until at most ``keep`` are in flight."""
    while len(pending) > keep:
        future, size, nbytes = pending.pop(0)
        counts, failed = future.result()
        for name, n in counts.items():
            summary.rows[name] = summary.rows.get(name, 0) + n
        summary.docs_new += size - len(failed)
        rejected.extend(failed)
        progress.advance(nbytes=nbytes, documents=size - len(failed))


class ChecksFailed(RuntimeError):
    """The data checks found an ``error``; the run is recorded as failed."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(f"{summary.check_errors} data check(s) of severity error failed")
        self.summary = summary
