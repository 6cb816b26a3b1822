"""Reading the link step's inputs from the warehouse, and writing what it derives.

Only reads and writes: the rules are in :mod:`transforms.link`, and the flow
(:func:`flows.linkcheck.link_documents`) calls them between the two.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.store import EVIDENCE_PREFIX, KEPT_DIR, WHOLE_PREFIX, insert_arrow, staging_dir

#: Tables the link step replaces whole on each run that adds documents.
DERIVED_TABLES = ("doc_links", "stories", "story_members", "facts")


class WarehouseTexts:
    """The clean texts of the warehouse's documents, by row of ``doc_ids`` (the documents in
    ``doc_id`` order), read from ``con`` when asked for: the link step holds only those it uses.
    It is the link step's ``Texts`` (:class:`transforms.link.link.Texts`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, doc_ids: pa.Array) -> None:
        self.con = con
        self.doc_ids = doc_ids

    def __len__(self) -> int:
        return len(self.doc_ids)

    def _query(self, rows: np.ndarray) -> duckdb.DuckDBPyRelation:
        rows = np.asarray(rows, np.int64)
        wanted = pa.table({"doc_id": self.doc_ids.take(pa.array(rows)), "at": pa.array(np.arange(len(rows)))})
        self.con.register("_copydesk_texts", wanted)
        return self.con.sql(
            "SELECT d.clean_text FROM _copydesk_texts w LEFT JOIN documents d ON d.doc_id = w.doc_id ORDER BY w.at"
        )

    def take(self, rows: np.ndarray) -> pa.Array:
        """The texts at ``rows``, in that order."""
        if len(rows) == 0:
            return pa.array([], pa.string())
        try:
            return self._query(rows).to_arrow_table().column(0).combine_chunks()
        finally:
            self.con.unregister("_copydesk_texts")

    def chunks(self, rows: np.ndarray, size: int) -> Iterator[pa.Array]:
        """The texts at ``rows``, in that order, ``size`` at a time (one query: read nothing else from
        the connection until it is done)."""
        if len(rows) == 0:
            return
        try:
            reader = self._query(rows).to_arrow_reader(size)
            pending: list[pa.Array] = []
            held = 0
            for batch in reader:  # DuckDB's batches need not be of ``size``: cut them to it
                pending.append(batch.column(0))
                held += batch.num_rows
                while held >= size:
                    whole = pa.concat_arrays(pending)
                    yield whole.slice(0, size)
                    pending, held = [whole.slice(size)], held - size
            if held:
                yield pa.concat_arrays(pending)
        finally:
            self.con.unregister("_copydesk_texts")

    def maybe_blank(self) -> tuple[np.ndarray, pa.Array]:
        """The rows whose text may be blank (null, or without an ASCII letter or digit: a superset of
        the blank ones, found in SQL) and their texts; the link step tells which are."""
        from pyarrow import compute as pc

        maybe = self.con.sql(
            "SELECT doc_id, clean_text FROM documents "
            "WHERE clean_text IS NULL OR NOT regexp_matches(clean_text, '[0-9A-Za-z]')"
        ).to_arrow_table()
        at = pc.index_in(maybe.column("doc_id"), value_set=self.doc_ids)
        known = pc.is_valid(at)
        rows = pc.filter(at, known).to_numpy(zero_copy_only=False).astype(np.int64)
        return rows, pc.filter(maybe.column("clean_text"), known).combine_chunks()

    def by_id(self, doc_ids: list[str]) -> dict[str, str | None]:
        """The text of each of ``doc_ids`` (those in the warehouse)."""
        if not doc_ids:
            return {}
        rows = self.con.execute(
            "SELECT doc_id, clean_text FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [doc_ids]
        ).fetchall()
        return dict(rows)


@dataclass(frozen=True)
class LinkInputs:
    """What the link step reads: every document's metadata (in ``doc_id`` order) and its text (read
    when needed), its counts and numbers, the quality issues of the check it annotates, and the story
    of each document already linked."""

    documents: pa.Table
    texts: WarehouseTexts
    counts: pa.Table
    numbers: pa.Table
    issues: pa.Table
    previous: pa.Table


def read_link_inputs(con: duckdb.DuckDBPyConnection, noted_check: str) -> LinkInputs:
    """The link step's inputs from the (new) warehouse; ``noted_check``'s issues only. The texts
    are read from ``con`` as the link step asks for them: keep it open (and do not write) meanwhile."""
    documents = con.sql(  # in doc_id order, with a hash of the text (which is read apart)
        "SELECT doc_id, title, published_date, outlet, agencies, hash(clean_text) AS text_hash "
        "FROM documents ORDER BY doc_id"
    ).to_arrow_table()
    return LinkInputs(
        documents=documents,
        texts=WarehouseTexts(con, documents.column("doc_id").combine_chunks()),
        counts=con.sql("SELECT * FROM counts").to_arrow_table(),
        numbers=con.sql(  # the columns the corroboration of malformed numbers reads
            "SELECT doc_id, start, surface, value, is_malformed, suggested_value FROM numbers"
        ).to_arrow_table(),
        issues=con.sql(
            "SELECT doc_id, start, check_name, detail FROM quality_issues WHERE check_name = ?", params=[noted_check]
        ).to_arrow_table(),
        previous=con.sql("SELECT doc_id, story_id FROM documents WHERE story_id IS NOT NULL").to_arrow_table(),
    )


def write_links(
    con: duckdb.DuckDBPyConnection,
    derived: dict[str, pa.Table],
    doc_story: pa.Table,
    suggestions: pa.Table,
    notes: pa.Table,
    story_dates: pa.Table | None = None,
) -> None:
    """Replace the derived tables and write the link results into documents, numbers and issues.

    ``derived`` holds the new rows of each of :data:`DERIVED_TABLES`; ``doc_story`` each
    document's ``story_id`` and ``duplicate_of``; ``suggestions`` the ``suggested_value``
    of numbers (by ``doc_id``, ``start``); ``notes`` the new ``detail`` of quality issues
    (by ``doc_id``, ``start``, ``check_name``); ``story_dates`` the ``published_date`` an
    undated document takes from its story (by ``doc_id``; ``published_date_source = 'story'``,
    see :mod:`transforms.link.story_dates`).
    """
    for name in DERIVED_TABLES:
        con.sql(f'DELETE FROM "{name}"')
        insert_arrow(con, name, derived[name])
    updates = {
        "_doc_story": (
            doc_story,
            "UPDATE documents SET story_id = s.story_id, duplicate_of = s.duplicate_of "
            "FROM _doc_story s WHERE documents.doc_id = s.doc_id",
        ),
        "_suggestions": (
            suggestions,
            "UPDATE numbers SET suggested_value = s.suggested_value FROM _suggestions s "
            "WHERE numbers.doc_id = s.doc_id AND numbers.start = s.start",
        ),
        "_story_dates": (
            story_dates if story_dates is not None else pa.table({"doc_id": pa.array([], pa.string())}),
            "UPDATE documents SET published_date = d.published_date, published_date_source = 'story' "
            "FROM _story_dates d WHERE documents.doc_id = d.doc_id AND documents.published_date IS NULL",
        ),
        "_notes": (
            notes,
            "UPDATE quality_issues SET detail = s.detail FROM _notes s WHERE quality_issues.doc_id = s.doc_id "
            "AND quality_issues.start = s.start AND quality_issues.check_name = s.check_name",
        ),
    }
    for view, (rows, sql) in updates.items():
        if rows.num_rows == 0:
            continue
        con.register(view, rows)
        try:
            con.sql(sql)
        finally:
            con.unregister(view)


#: Suffix of the kept features' files (Arrow IPC).
KEPT_SUFFIX = ".docs.arrow"
#: Kept feature files past which a run rewrites them as one (each run that links adds one).
MAX_KEPT_FILES = 8


def mapped_table(path: Path) -> tuple[pa.Table, Callable[[], None]]:
    """The Arrow IPC file at ``path``, memory-mapped (nothing is read until used), and a function
    that hands the pages read so far back to the system: they are read again from the file (the
    system's cache) when next used, so the process holds only the columns it is using."""
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise pa.ArrowInvalid(f"{path} is empty")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(mapped))).read_all()

    def release() -> None:
        mapped.madvise(mmap.MADV_DONTNEED)

    return table, release


def _release_all(releases: list[Callable[[], None]]) -> Callable[[], None]:
    def release() -> None:
        for r in releases:
            r()

    return release


@dataclass(frozen=True)
class KeptFiles:
    """What ``link-features/`` holds: the features of every kept document (one table, its files
    memory-mapped: a column is read only when used, and ``release`` hands the pages read back),
    the sorted hashes of the words seen in lower case, and the last link's pair evidence, document
    prints and template keys (None when absent or unreadable). The link step gives them meaning
    (:mod:`transforms.link.cache`)."""

    features: pa.Table
    lower: np.ndarray
    pairs: pa.Table | None
    prints: pa.Table | None
    template: np.ndarray | None
    release: Callable[[], None] = lambda: None


def read_kept(home: Path) -> KeptFiles | None:
    """The link features kept by earlier runs, or None when there are none or they cannot be
    read (they are then worked out again: they are only a cache)."""
    import pyarrow.parquet as pq

    folder = home / KEPT_DIR
    docs, lower = sorted(folder.glob(f"*{KEPT_SUFFIX}")), sorted(folder.glob("*.lower.parquet"))
    if not docs:
        return None
    try:  # Arrow files, memory-mapped: a column is read only when asked for, without a copy
        mapped = [mapped_table(f) for f in docs]
        tables = [t for t, _ in mapped]
        if any(t.schema != tables[0].schema for t in tables):
            return None
        features = pa.concat_tables(tables)
        words = [pq.read_table(f).column("word_hash").to_numpy() for f in lower]
    except (OSError, ValueError, pa.ArrowException):
        return None
    pairs = prints = template = None
    evidence = sorted(folder.glob(f"{EVIDENCE_PREFIX}*.pairs.parquet"))
    if evidence:
        try:  # only a shortcut: without it, every pair's evidence is worked out again
            pairs = pq.read_table(evidence[-1])
            prints = pq.read_table(evidence[-1].with_name(evidence[-1].name.replace(".pairs.", ".prints.")))
            template_file = evidence[-1].with_name(evidence[-1].name.replace(".pairs.", ".template."))
            template = pq.read_table(template_file).column(0).to_numpy()
        except (OSError, pa.ArrowException):
            pairs = prints = template = None
    return KeptFiles(
        features,
        np.unique(np.concatenate(words)) if words else np.empty(0, np.int64),
        pairs,
        prints,
        template,
        _release_all([r for _, r in mapped]),
    )


#: Suffix of the file a run's link step writes the features it works out to, as it goes (in its
#: staging folder: publish moves no such file; :func:`stage_kept` renames it).
SPILL_SUFFIX = ".spill"


def spill_writer(home: Path, run_id: str) -> Callable[[Iterable[pa.Table]], tuple[pa.Table, Callable[[], None], Path]]:
    """A function that writes tables of one schema, as they come, to this run's spill file and gives
    them back memory-mapped (:func:`mapped_table`), with the file's path (for :func:`stage_kept`):
    the link step then holds none of them in memory."""

    def spill(tables: Iterable[pa.Table]) -> tuple[pa.Table, Callable[[], None], Path]:
        folder = staging_dir(home, run_id) / KEPT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{run_id}{SPILL_SUFFIX}"
        out = None
        with pa.OSFile(str(path), "wb") as sink:
            try:
                for table in tables:
                    if out is None:
                        out = pa.ipc.new_file(sink, table.schema)
                    out.write_table(table)
            finally:
                if out is not None:
                    out.close()
        if out is None:
            raise ValueError("nothing to spill")
        return (*mapped_table(path), path)

    return spill


def stage_kept(
    home: Path,
    run_id: str,
    features: pa.Table | Path,
    lower: np.ndarray,
    whole: bool,
    evidence: dict[str, pa.Table] | None = None,
) -> None:
    """Stage the link features worked out by this run (``features``: a table, or this run's spill
    file of :func:`spill_writer`; and the hashes of the words their texts use in lower case); on
    publish they join those kept (or, when ``whole`` or too many files are kept, replace them with
    one file, written a batch at a time). ``evidence`` (``pairs``, ``prints``, ``template``: the
    last link's) replaces the kept one."""
    import pyarrow.parquet as pq

    existing = sorted((home / KEPT_DIR).glob(f"*{KEPT_SUFFIX}"))
    merge = not whole and len(existing) >= MAX_KEPT_FILES
    folder = staging_dir(home, run_id) / KEPT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in (evidence or {}).items():
        pq.write_table(table, folder / f"{EVIDENCE_PREFIX}{run_id}.{name}.parquet", compression="zstd")
    spilled = features if isinstance(features, Path) else None
    if spilled is None and not whole and not merge and features.num_rows == 0:  # type: ignore[union-attr]
        return
    stem = f"{WHOLE_PREFIX if whole or merge else ''}{run_id}"
    target = folder / f"{stem}{KEPT_SUFFIX}"
    if spilled is not None and not merge:
        spilled.replace(target)  # already an Arrow file of the features, written as they were worked out
    else:
        sources = [*existing, spilled] if merge and spilled is not None else existing if merge else []
        schema = pa.ipc.open_file(pa.memory_map(str(sources[0]))).schema if sources else features.schema  # type: ignore[union-attr]
        # An Arrow file, not compressed (hashes do not compress): the next run maps it, reading no more than it uses.
        with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, schema) as out:
            for f in sources:  # a file at a time, its pages handed back after
                table, release = mapped_table(f)
                for batch in table.to_batches(max_chunksize=4096):
                    out.write_batch(batch)
                del table
                release()
            if spilled is None:
                out.write_table(features)  # type: ignore[arg-type]
        if spilled is not None:
            spilled.unlink()
        if merge:
            words = [pq.read_table(f).column("word_hash").to_numpy() for f in (home / KEPT_DIR).glob("*.lower.parquet")]
            lower = np.unique(np.concatenate([lower, *words]))
    pq.write_table(
        pa.table({"word_hash": pa.array(lower, pa.int64())}), folder / f"{stem}.lower.parquet", compression="zstd"
    )
