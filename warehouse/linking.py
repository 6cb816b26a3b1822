"""Reading the link step's inputs from the warehouse, and writing what it derives.

Only reads and writes: the rules are in :mod:`transforms.link`, and the flow
(:func:`flows.pipeline.link_documents`) calls them between the two.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from warehouse.store import EVIDENCE_PREFIX, KEPT_DIR, WHOLE_PREFIX, insert_arrow, staging_dir

if TYPE_CHECKING:
    from transforms.link import cache as _cache

#: Tables the link step replaces whole on each run that adds documents.
DERIVED_TABLES = ("doc_links", "stories", "story_members", "facts")


@dataclass(frozen=True)
class LinkInputs:
    """What the link step reads: every document's text and metadata, its counts and numbers,
    the quality issues of the check it annotates, and the story of each document already linked."""

    documents: pa.Table
    counts: pa.Table
    numbers: pa.Table
    issues: pa.Table
    previous: pa.Table


def read_link_inputs(con: duckdb.DuckDBPyConnection, noted_check: str) -> LinkInputs:
    """The link step's inputs from the (new) warehouse; ``noted_check``'s issues only."""
    return LinkInputs(
        documents=con.sql(  # in doc_id order, with a hash of the text: the link step then copies no text
            "SELECT doc_id, clean_text, title, published_date, outlet, agencies, hash(clean_text) AS text_hash "
            "FROM documents ORDER BY doc_id"
        ).to_arrow_table(),
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


def read_kept(home: Path) -> _cache.Kept | None:
    """The link features kept by earlier runs (:mod:`transforms.link.cache`), or None when there
    are none or they cannot be read (they are then worked out again: they are only a cache).
    Only the keys are read here; each feature column is read when the link step asks for it."""
    import numpy as np
    import pyarrow.parquet as pq

    from transforms.link import cache as _cache
    from transforms.link.features import sorted_unique

    folder = home / KEPT_DIR
    docs, lower = sorted(folder.glob(f"*{KEPT_SUFFIX}")), sorted(folder.glob("*.lower.parquet"))
    if not docs:
        return None

    try:  # Arrow files, memory-mapped: a column is read only when asked for, without a copy
        tables = [pa.ipc.open_file(pa.memory_map(str(f))).read_all() for f in docs]
        if any(t.schema != _cache.SCHEMA for t in tables):
            return None
        whole = pa.concat_tables(tables)
        keys = whole.select(list(_cache.KEY_COLUMNS))
        words = [pq.read_table(f).column("word_hash").to_numpy() for f in lower]
    except (OSError, pa.ArrowException):
        return None
    pairs = prints = template = None
    evidence = sorted(folder.glob(f"{EVIDENCE_PREFIX}*.pairs.parquet"))
    if evidence:
        try:  # only a shortcut: without it, every pair's evidence is worked out again
            pairs = pq.read_table(evidence[-1], schema=_cache.PAIRS_SCHEMA)
            prints_file = evidence[-1].with_name(evidence[-1].name.replace(".pairs.", ".prints."))
            prints = pq.read_table(prints_file, schema=_cache.PRINTS_SCHEMA)
            template_file = evidence[-1].with_name(evidence[-1].name.replace(".pairs.", ".template."))
            template = pq.read_table(template_file, schema=_cache.TEMPLATE_SCHEMA).column(0).to_numpy()
        except (OSError, pa.ArrowException):
            pairs = prints = template = None
    return _cache.Kept(
        keys,
        sorted_unique(np.concatenate(words)) if words else np.empty(0, np.int64),
        whole.column,
        pairs=pairs,
        prints=prints,
        template=template,
    )


def stage_kept(home: Path, run_id: str, fresh: _cache.Kept) -> None:
    """Stage the link features worked out by this run; on publish they join those kept (or,
    when ``fresh`` is whole or too many files are kept, replace them with one file, written
    a row group at a time). The evidence of the link's candidate pairs replaces the kept one."""
    import numpy as np
    import pyarrow.parquet as pq

    from transforms.link import cache as _cache
    from transforms.link.features import sorted_unique

    existing = sorted((home / KEPT_DIR).glob(f"*{KEPT_SUFFIX}"))
    merge = not fresh.whole and len(existing) >= MAX_KEPT_FILES
    folder = staging_dir(home, run_id) / KEPT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    if fresh.pairs is not None and fresh.prints is not None and fresh.template is not None:
        template = pa.table({"source_key": pa.array(fresh.template, pa.int64())})
        for name, table in (("pairs", fresh.pairs), ("prints", fresh.prints), ("template", template)):
            # the last link's, whole: they replace the kept ones
            pq.write_table(table, folder / f"{EVIDENCE_PREFIX}{run_id}.{name}.parquet", compression="zstd")
    if not fresh.whole and not merge and fresh.size == 0:
        return
    stem = f"{WHOLE_PREFIX if fresh.whole or merge else ''}{run_id}"
    lower = fresh.lower
    # An Arrow file, not compressed (hashes do not compress): the next run maps it, reading no more than it uses.
    with pa.OSFile(str(folder / f"{stem}{KEPT_SUFFIX}"), "wb") as sink, pa.ipc.new_file(sink, _cache.SCHEMA) as out:
        if merge:
            for f in existing:
                for batch in pa.ipc.open_file(pa.memory_map(str(f))).read_all().to_batches(max_chunksize=4096):
                    out.write_batch(batch)
            words = [pq.read_table(f).column("word_hash").to_numpy() for f in (home / KEPT_DIR).glob("*.lower.parquet")]
            lower = sorted_unique(np.concatenate([lower, *words]))
        out.write_table(fresh.rows())
    pq.write_table(
        pa.table({"word_hash": pa.array(lower, pa.int64())}), folder / f"{stem}.lower.parquet", compression="zstd"
    )


def discard_kept(home: Path) -> None:
    """Drop the kept link features (the next link works them out again)."""
    for f in (home / KEPT_DIR).glob("*"):
        with contextlib.suppress(OSError):
            f.unlink()
