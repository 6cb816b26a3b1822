"""The link step and the checks of a run, in a process of their own.

Both read the whole warehouse, and they are a run's largest steps in memory. The flow's
process holds what it gathered while reading the inputs (a record of every input file,
Prefect's state, the batches' buffers), about 0.5 GB after 80,000 files; a fresh process
holds only what the two steps need, and hands all of it back when it ends.

:class:`LinkCheckProcess` starts ``python -m flows.linkcheck`` before publishing (it
imports what the link step needs meanwhile); once the staged DuckDB file is built and closed, it sends
the process the job on standard input and reads its messages from standard output: the
stages it enters, then its answer or its error. The process ends with the run's process,
even on ``kill -9``, and is ended when the run is stopped. :func:`link_and_check` is the
work itself, callable in any process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: DuckDB's memory while the link step runs: what it has cached of the file is handed back
#: (the link step reads its inputs once, then works in Arrow and NumPy).
LINK_DUCKDB_MEMORY = "128MB"


@dataclass
class Linked:
    """What the link and check step tells the flow: the number of stories and the check outcomes."""

    stories: int | None = None
    outcomes: list[Any] = field(default_factory=list)


def link_documents(inputs: Any, home: Path | None = None, run_id: str | None = None) -> tuple[dict[str, Any], Any]:
    """Link every document: duplicates, stories, facts, corroborated suggestions and their notes;
    also the features worked out for documents new to linking, to keep.

    Stories keep the ids they had in the warehouse (see :mod:`transforms.link.identity`). The
    features of documents linked before are read from what ``home`` keeps (see
    :mod:`transforms.link.cache`): the same links, without tokenising the warehouse again. With
    ``run_id`` too, the features worked out are written to that run's staging as they come (the
    step holds one feature column at a time, not all of them).

    Pure but for that cache: the inputs (:class:`warehouse.linking.LinkInputs`) come from the
    warehouse and the results go back to it through :mod:`warehouse.linking`; the rules are in
    :mod:`transforms.link`.
    """
    from flows.resources import cores
    from transforms.link.cache import Kept
    from transforms.link.identity import inherited_ids, rename_stories
    from transforms.link.link import link_kept
    from transforms.link.notes import corroborated_notes
    from transforms.link.story_dates import story_dates
    from warehouse.linking import read_kept, spill_writer

    files = read_kept(home) if home else None
    kept = (
        Kept.from_files(files.features, files.lower, files.pairs, files.prints, files.template, files.release)
        if files
        else None
    )
    del files
    spill = spill_writer(home, run_id) if home and run_id else None
    out, fresh = link_kept(  # on every core
        inputs.documents, inputs.counts, inputs.numbers, workers=cores(), kept=kept, spill=spill, texts=inputs.texts
    )
    del kept
    keep = inherited_ids(out["doc_story"], inputs.previous)  # a story that gains a document keeps its id
    out["doc_story"] = rename_stories(out["doc_story"], keep)
    out["stories"] = rename_stories(out["stories"], keep, sort_by=["story_id"])
    out["facts"] = rename_stories(out["facts"], keep)
    out["story_members"] = out["doc_story"]
    out["notes"] = corroborated_notes(inputs.issues, out["suggestions"])
    out["story_dates"] = story_dates(inputs.documents, out["doc_story"], inputs.texts.by_id)  # dated by their story
    return out, fresh


def link_and_check(db: Path, home: Path, run_id: str, check: bool, stage: Callable[[str], None]) -> Linked:
    """Link the staged warehouse ``db`` and stage what the link step derives; then run the checks.

    Writes the links into ``db`` and the derived tables and kept features into the run's
    staging; returns what the flow records. ``stage`` is told each step as it starts.
    """
    import duckdb

    from flows.resources import release_memory
    from transforms.link.notes import NOTED_CHECK
    from warehouse import linking, store
    from warehouse.linking import DERIVED_TABLES, stage_kept, write_links

    result = Linked()
    con = store.connect(db)
    try:
        stage("linking stories")
        with store.duckdb_memory(con, LINK_DUCKDB_MEMORY) as lift:  # DuckDB's cache handed back meanwhile
            try:
                linked, fresh = link_documents(linking.read_link_inputs(con, NOTED_CHECK), home, run_id)
            except duckdb.OutOfMemoryException:  # a warehouse too large for the low cap: the run's cap
                lift()
                release_memory()
                linked, fresh = link_documents(linking.read_link_inputs(con, NOTED_CHECK), home, run_id)
        stage_kept(home, run_id, *fresh.staged())
        del fresh
        write_links(
            con,
            {name: linked[name] for name in DERIVED_TABLES},
            linked["doc_story"],
            linked["suggestions"],
            linked["notes"],
            linked["story_dates"],
        )
        result.stories = linked["stories"].num_rows
        for name in DERIVED_TABLES:
            store.write_snapshot(home, run_id, name, linked[name])
        del linked
        release_memory()
        if check:
            from expectations.runner import run_checks

            stage("checking")
            result.outcomes = run_checks(con, run_id=run_id)  # the rows this run added, and whole tables
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return result


class LinkCheckProcess:
    """The process that links and checks a run's staged warehouse (:func:`link_and_check`).

    Started before publishing, it imports what the link step needs while the flow builds the
    new DuckDB file; :meth:`run` then gives it the job and waits for its answer. Use it as a
    context manager: on leaving, a process not done with is ended.
    """

    def __init__(self, check: bool) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.linkcheck", *(["--checks"] if check else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "COPYDESK_PARENT_PID": str(os.getpid())},
        )

    def __enter__(self) -> LinkCheckProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, db: Path, home: Path, run_id: str, check: bool, stage: Callable[[str], None]) -> Linked:
        """:func:`link_and_check` in the process; its error, if any, is raised here."""
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            with contextlib.suppress(BrokenPipeError):  # it ended at once: told below
                pickle.dump((str(db), str(home), run_id, check), proc.stdin)
                proc.stdin.close()
            while True:
                try:
                    kind, value = pickle.load(proc.stdout)
                except EOFError:
                    code = proc.wait()
                    raise RuntimeError(
                        f"the link and check process ended without an answer (exit code {code}); "
                        "the run published nothing"
                    ) from None
                if kind == "stage":
                    stage(value)
                elif kind == "done":
                    proc.wait()
                    return value  # type: ignore[no-any-return]
                else:
                    proc.wait()
                    raise value
        finally:
            self.close()

    def close(self) -> None:
        """End the process if it still runs (stopped, or failed here): it must not outlive the run."""
        proc = self.proc
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # type: ignore[union-attr]
            try:
                proc.wait(timeout=0.2)  # waiting for a job, it ends on its own
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        with contextlib.suppress(OSError):
            proc.stdout.close()  # type: ignore[union-attr]


def link_and_check_apart(
    db: Path, home: Path, run_id: str, check: bool, stage: Callable[[str], None]
) -> Linked:
    """:func:`link_and_check` in a new process; its error, if any, is raised here."""
    with LinkCheckProcess(check) as process:
        return process.run(db, home, run_id, check, stage)


def _warm(checks: bool) -> None:
    """Import what the link step (and with ``checks``, the checks) will need, while the run publishes."""
    import transforms.link.link  # noqa: F401
    import warehouse.linking  # noqa: F401

    if checks:  # Great Expectations (about 160 MB) is imported after the link step, which needs the room
        import expectations.frames  # noqa: F401


def _send(out: IO[bytes], kind: str, value: object) -> None:
    pickle.dump((kind, value), out)
    out.flush()


def _main() -> None:
    """The process of :func:`link_and_check_apart`: the job on stdin, messages on stdout."""
    parent = os.environ.get("COPYDESK_PARENT_PID")
    if parent:
        from flows.tempserver import die_with_parent

        die_with_parent(int(parent))
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break the messages
    _warm("--checks" in sys.argv[1:])
    try:
        db, home, run_id, check = pickle.load(sys.stdin.buffer)
    except EOFError:  # the run needed no link step after all
        return
    try:
        result = link_and_check(Path(db), Path(home), run_id, check, lambda name: _send(out, "stage", name))
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the run
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - an error that does not pickle goes back as its text
            exc = RuntimeError("".join(traceback.format_exception(exc)).rstrip())
        with contextlib.suppress(OSError):
            _send(out, "error", exc)
        raise SystemExit(1) from None
    _send(out, "done", result)


if __name__ == "__main__":
    from flows.linkcheck import _main as main  # this module under its own name: its answers unpickle in the run

    main()
