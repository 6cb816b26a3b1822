"""What the story report shows, read from the warehouse (read-only) as plain Python values.

:func:`read_overview` gives the runs, the documents per outlet and per day and the
latest checks; :func:`iter_stories` gives every story with its documents, copy links,
facts (each source's value tied to the count it was read from, by offsets), malformed
figures, quotes and places, a few hundred stories per query so memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.sql import open_read_only
from warehouse.store import db_path

#: Stories read per round of queries.
STORIES_PER_QUERY = 500


@dataclass
class Overview:
    """The report's front page."""

    runs: list[dict[str, Any]]
    documents: int
    per_outlet: list[tuple[str | None, int]]
    per_day: list[tuple[dt.date | None, int]]
    check_run: str | None
    checks: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    quarantined: int


@dataclass
class SourceValue:
    """One document's value for a fact, and where in its clean text it was read."""

    doc_id: str
    value: float
    start: int | None = None
    end: int | None = None
    malformed: dict[str, Any] | None = None  # the malformed figure inside the count, if any


@dataclass
class Fact:
    count_type: str
    object: str | None
    consensus: float | None
    conflicting: bool
    sources: list[SourceValue]


@dataclass
class Story:
    """Everything one story page shows."""

    story_id: str
    title: str | None
    first_published: dt.date | None
    documents: list[dict[str, Any]]
    links: list[dict[str, Any]]
    facts: list[Fact]
    quotes: list[dict[str, Any]]
    places: list[dict[str, Any]]
    counts: list[dict[str, Any]]
    malformed: list[dict[str, Any]] = field(default_factory=list)


def connect(home: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse under ``home`` (``WarehouseMissing`` if none)."""
    return open_read_only(db_path(home))


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The single value a ``count(*)`` query returns."""
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _check_order(run_id: str) -> str:
    """Check runs are ``<stamp>-<hex>`` (a pipeline run) or ``check-<stamp>-<hex>``: order by the stamp."""
    return run_id.removeprefix("check-")


def read_overview(con: duckdb.DuckDBPyConnection) -> Overview:
    """The runs, documents per outlet and per day, the latest checks and the story list."""
    runs = _dicts(
        con,
        "SELECT run_id, started_at, finished_at, status, inputs_seen, docs_new, docs_unchanged, quarantined, "
        "checks_failed FROM runs ORDER BY started_at DESC",
    )
    check_runs = [r[0] for r in con.execute("SELECT DISTINCT run_id FROM check_results").fetchall()]
    check_run = max(check_runs, key=_check_order) if check_runs else None
    checks = (
        _dicts(
            con,
            "SELECT suite, expectation, column_name, success, unexpected_count, severity, detail "
            "FROM check_results WHERE run_id = ? ORDER BY success, severity, suite, expectation",
            [check_run],
        )
        if check_run
        else []
    )
    stories = _dicts(
        con,
        """
        SELECT s.story_id, s.title, s.first_published, s.doc_count,
               (SELECT list(DISTINCT d.outlet ORDER BY d.outlet) FROM documents AS d
                WHERE d.story_id = s.story_id AND d.outlet IS NOT NULL) AS outlets,
               (SELECT count(*) FROM facts AS f WHERE f.story_id = s.story_id) AS facts,
               (SELECT count(*) FROM facts AS f WHERE f.story_id = s.story_id AND f.conflicting) AS conflicts
        FROM stories AS s
        ORDER BY s.doc_count DESC, s.first_published, s.story_id
        """,
    )
    return Overview(
        runs=runs,
        documents=_scalar(con, "SELECT count(*) FROM documents"),
        per_outlet=con.execute(
            "SELECT outlet, count(*) AS n FROM documents GROUP BY outlet ORDER BY n DESC, outlet NULLS LAST"
        ).fetchall(),
        per_day=con.execute(
            "SELECT published_date, count(*) FROM documents GROUP BY published_date ORDER BY published_date NULLS LAST"
        ).fetchall(),
        check_run=check_run,
        checks=checks,
        stories=stories,
        quarantined=_scalar(con, "SELECT count(*) FROM quarantine"),
    )


def _by_story(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row.pop("_story")].append(row)
    return out


def iter_stories(
    con: duckdb.DuckDBPyConnection,
    object_key: Callable[[str | None], str],
    story_ids: list[str] | None = None,
) -> Iterator[Story]:
    """Every story (or those of ``story_ids``), with what its page shows.

    ``object_key`` is the link step's rule that folds a count's object into a fact's
    (``transforms.link.facts.object_key``): it ties each source's value to its count.
    """
    if story_ids is None:
        story_ids = [r[0] for r in con.execute("SELECT story_id FROM stories ORDER BY story_id").fetchall()]
    for i in range(0, len(story_ids), STORIES_PER_QUERY):
        yield from _read_stories(con, story_ids[i : i + STORIES_PER_QUERY], object_key)


def _read_stories(
    con: duckdb.DuckDBPyConnection, ids: list[str], object_key: Callable[[str | None], str]
) -> Iterator[Story]:
    heads = {r["story_id"]: r for r in _dicts(con, "SELECT * FROM stories WHERE story_id = ANY(?)", [ids])}
    docs = _by_story(
        _dicts(
            con,
            "SELECT story_id AS _story, doc_id, source_uri, outlet, agencies, byline, published_date, "
            "published_date_source, title, word_count, duplicate_of, clean_text FROM documents "
            "WHERE story_id = ANY(?) ORDER BY published_date NULLS LAST, source_uri, doc_id",
            [ids],
        )
    )
    links = _by_story(
        _dicts(
            con,
            "SELECT a.story_id AS _story, l.doc_id_a, l.doc_id_b, l.relation, l.similarity FROM doc_links AS l "
            "JOIN documents AS a ON a.doc_id = l.doc_id_a JOIN documents AS b ON b.doc_id = l.doc_id_b "
            "WHERE a.story_id = ANY(?) AND a.story_id = b.story_id ORDER BY l.similarity DESC, l.doc_id_a, l.doc_id_b",
            [ids],
        )
    )
    facts = _by_story(
        _dicts(
            con,
            'SELECT story_id AS _story, count_type, object, "values", doc_ids, consensus, conflicting FROM facts '
            'WHERE story_id = ANY(?) ORDER BY count_type, object, list_min("values")',
            [ids],
        )
    )
    per_doc = (
        "SELECT d.story_id AS _story, x.* FROM {table} AS x JOIN documents AS d ON d.doc_id = x.doc_id "
        'WHERE d.story_id = ANY(?) ORDER BY x.doc_id, x."start"'
    )
    counts = _by_story(_dicts(con, per_doc.format(table="counts"), [ids]))
    quotes = _by_story(_dicts(con, per_doc.format(table="quotes"), [ids]))
    places = _by_story(_dicts(con, per_doc.format(table="places"), [ids]))
    malformed = _by_story(
        _dicts(
            con,
            'SELECT d.story_id AS _story, n.doc_id, n."start", n."end", n.surface, n.value, n.suggested_value '
            "FROM numbers AS n JOIN documents AS d ON d.doc_id = n.doc_id "
            'WHERE d.story_id = ANY(?) AND n.is_malformed ORDER BY n.doc_id, n."start"',
            [ids],
        )
    )
    for sid in ids:
        head = heads.get(sid)
        if head is None:
            continue
        story_counts = counts.get(sid, [])
        story_malformed = malformed.get(sid, [])
        yield Story(
            story_id=sid,
            title=head["title"],
            first_published=head["first_published"],
            documents=docs.get(sid, []),
            links=links.get(sid, []),
            facts=[_fact(f, story_counts, story_malformed, object_key) for f in facts.get(sid, [])],
            quotes=quotes.get(sid, []),
            places=places.get(sid, []),
            counts=story_counts,
            malformed=story_malformed,
        )


def _fact(
    row: dict[str, Any],
    counts: list[dict[str, Any]],
    malformed: list[dict[str, Any]],
    object_key: Callable[[str | None], str],
) -> Fact:
    """A fact with each source's value tied to the count it came from (the first one that gives it)."""
    sources = []
    for doc_id, value in zip(row["doc_ids"], row["values"], strict=True):
        src = SourceValue(doc_id, value)
        for c in counts:
            if (
                c["doc_id"] == doc_id
                and c["count_type"] == row["count_type"]
                and float(c["number"]) == value
                and object_key(c["object"]) == row["object"]
            ):
                src.start, src.end = c["start"], c["end"]
                src.malformed = next(
                    (
                        n
                        for n in malformed
                        if n["doc_id"] == doc_id and c["start"] <= n["start"] and n["end"] <= c["end"]
                    ),
                    None,
                )
                break
        sources.append(src)
    return Fact(row["count_type"], row["object"], row["consensus"], row["conflicting"], sources)
