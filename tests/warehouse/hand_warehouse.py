"""A small hand-made warehouse published through ``warehouse.store`` (no flow needed)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from contract.schema import TABLES
from warehouse import store
from warehouse.runlog import record_run

T0 = dt.datetime(2020, 2, 28, 9, 0, tzinfo=dt.UTC)

_TEXTS = {
    "d1": (
        "Syria rebels retake Saraqeb",
        "Al Arabiya",
        ["AFP"],
        "s1",
        "Syria rebels retake Saraqeb\nAbout 950,0000 civilians fled. Two soldiers were killed, an official said.",
    ),
    "d2": (
        "Syria opposition reenters Saraqeb",
        "Iraq News",
        ["AFP"],
        "s1",
        "Syria opposition reenters Saraqeb\nAbout 950,000 civilians fled. Two soldiers were killed, an official said.",
    ),
    "d3": (
        "Turkish soldiers killed in Idlib",
        "TRTWorld",
        [],
        "s1",
        "Turkish soldiers killed in Idlib\nThree Turkish soldiers were killed on Thursday in Idlib.",
    ),
    "d4": (
        "Café reopens in Beirut",
        "Local Paper",
        ["Reuters"],
        "s2",
        "Café reopens in Beirut\nThe café on Hamra Street reopened on 3 March.",
    ),
}


def doc_id(key: str) -> str:
    """The hand-made document id of ``key`` (a content hash, like the pipeline's)."""
    return hashlib.sha256(_TEXTS[key][4].encode()).hexdigest()[:16]


def _span(key: str, needle: str) -> tuple[int, int]:
    text = _TEXTS[key][4]
    start = text.index(needle)
    return start, start + len(needle)


def hand_tables(run_id: str = "r1") -> dict[str, pa.Table]:
    """One small, consistent table per content table: an AFP story syndicated twice, with a conflict."""
    docs = [
        {
            "doc_id": doc_id(k),
            "source_uri": f"/in/{k}.txt",
            "source_format": "txt",
            "run_id": run_id,
            "ingested_at": T0,
            "encoding": "utf-8",
            "raw_text": ("Iraq News\nSecurity\n" if k == "d2" else "") + text.replace('"', ",quot;"),
            "clean_text": text,
            "title": title,
            "published_date": dt.date(2020, 2, 27 if k != "d4" else 3),
            "published_date_source": "header",
            "outlet": outlet,
            "agencies": agencies,
            "byline": None,
            "word_count": len(text.split()),
            "story_id": story,
            "duplicate_of": None,
            "metadata": "{}",
        }
        for k, (title, outlet, agencies, story, text) in _TEXTS.items()
    ]
    d1, d2, d3, d4 = (doc_id(k) for k in ("d1", "d2", "d3", "d4"))
    rows: dict[str, list[dict]] = {
        "documents": docs,
        "edits": [
            {
                "doc_id": d2,
                "seq": 0,
                "rule": "strip_navigation",
                "raw_start": 0,
                "raw_end": 19,
                "before": "Iraq News\nSecurity\n",
                "after": "",
            },
        ],
        "numbers": [
            {
                "doc_id": d1,
                "start": _span("d1", "950,0000")[0],
                "end": _span("d1", "950,0000")[1],
                "surface": "950,0000",
                "value": 9500000.0,
                "unit": None,
                "is_malformed": True,
                "suggested_value": 950000.0,
            },
            {
                "doc_id": d2,
                "start": _span("d2", "950,000")[0],
                "end": _span("d2", "950,000")[1],
                "surface": "950,000",
                "value": 950000.0,
                "unit": None,
                "is_malformed": False,
                "suggested_value": None,
            },
        ],
        "counts": [
            _count("d1", "Two soldiers were killed", "KILL", 2, "soldiers"),
            _count("d2", "Two soldiers were killed", "KILL", 2, "soldiers"),
            _count("d3", "Three Turkish soldiers were killed", "KILL", 3, "soldiers"),
            _count("d1", "About 950,0000 civilians fled", "DISPLACED", 950000, "civilians", "about"),
            _count("d2", "About 950,000 civilians fled", "DISPLACED", 950000, "civilians", "about"),
        ],
        "entities": [
            {
                "doc_id": d3,
                "start": _span("d3", "Idlib")[0],
                "end": _span("d3", "Idlib")[1],
                "kind": "PLACE",
                "surface": "Idlib",
                "name": "Idlib",
            }
        ],
        "places": [
            {
                "doc_id": d3,
                "start": _span("d3", "Idlib")[0],
                "end": _span("d3", "Idlib")[1],
                "surface": "Idlib",
                "name": "Idlib",
                "country_code": "SY",
                "latitude": 35.93,
                "longitude": 36.63,
            }
        ],
        "quotes": [],
        "date_mentions": [
            {
                "doc_id": d3,
                "start": _span("d3", "Thursday")[0],
                "end": _span("d3", "Thursday")[1],
                "surface": "Thursday",
                "resolved_date": dt.date(2020, 2, 27),
                "resolution": "relative_weekday",
            }
        ],
        "doc_links": [
            {"doc_id_a": d1, "doc_id_b": d2, "relation": "syndicated", "similarity": 0.82},
            {"doc_id_a": d1, "doc_id_b": d3, "relation": "same_story", "similarity": 0.21},
        ],
        "stories": [
            {
                "story_id": "s1",
                "title": "Syria rebels retake Saraqeb",
                "first_published": dt.date(2020, 2, 27),
                "doc_count": 3,
            },
            {
                "story_id": "s2",
                "title": "Café reopens in Beirut",
                "first_published": dt.date(2020, 3, 3),
                "doc_count": 1,
            },
        ],
        "facts": [
            {
                "story_id": "s1",
                "count_type": "KILL",
                "object": "soldiers",
                "values": [2.0, 2.0, 3.0],
                "doc_ids": [d1, d2, d3],
                "consensus": 2.0,
                "conflicting": True,
            },
            {
                "story_id": "s1",
                "count_type": "DISPLACED",
                "object": "civilians",
                "values": [950000.0, 950000.0],
                "doc_ids": [d1, d2],
                "consensus": 950000.0,
                "conflicting": False,
            },
        ],
        "quality_issues": [
            {
                "doc_id": d1,
                "check_name": "malformed_number",
                "severity": "warning",
                "detail": "bad digit grouping in '950,0000'",
                "start": _span("d1", "950,0000")[0],
                "end": _span("d1", "950,0000")[1],
            }
        ],
        "quarantine": [
            {
                "source_uri": "/in/broken.csv#3",
                "reason": "no text column",
                "bytes": 12,
                "run_id": run_id,
                "detected_at": T0,
            }
        ],
        "inputs": [
            {
                "source_uri": f"/in/{k}.txt",
                "size": 100,
                "mtime_ns": 1,
                "sha256": k * 32,
                "records": 1,
                "run_id": run_id,
                "seen_at": T0,
            }
            for k in _TEXTS
        ],
    }
    return {name: pa.Table.from_pylist(r, schema=TABLES[name].arrow_schema) for name, r in rows.items()}


def _count(key: str, phrase: str, kind: str, n: float, obj: str, qualifier: str = "exact") -> dict:
    start, end = _span(key, phrase)
    return {
        "doc_id": doc_id(key),
        "start": start,
        "end": end,
        "count_type": kind,
        "number": float(n),
        "object": obj,
        "qualifier": qualifier,
    }


@dataclass
class Run:
    """A ``runs`` row (what the flow's summary provides)."""

    run_id: str
    started_at: dt.datetime = T0
    finished_at: dt.datetime | None = T0
    status: str = "completed"
    inputs_seen: int = 5
    docs_new: int = 4
    docs_unchanged: int = 0
    quarantined: int = 1
    checks_failed: int | None = None


def publish_tables(home: Path, run_id: str, tables: dict[str, pa.Table], finish: store.Finisher | None = None) -> Path:
    """Stage ``tables`` as run ``run_id`` and publish them, recording the run like the flow does."""

    def record(con) -> None:  # type: ignore[no-untyped-def]
        record_run(con, Run(run_id))
        store.insert_arrow(
            con,
            "check_results",
            pa.Table.from_pylist(
                [
                    {
                        "run_id": run_id,
                        "suite": "numbers",
                        "expectation": "expect_column_values_to_be_between",
                        "column_name": "value",
                        "success": False,
                        "unexpected_count": 1,
                        "severity": "warning",
                    }
                ],
                schema=TABLES["check_results"].arrow_schema,
            ),
        )
        if finish is not None:
            finish(con)

    with store.lock_home(home):
        store.recover(home)
        for name, table in tables.items():
            store.write_part(home, run_id, name, 0, table)
        return store.publish(home, run_id, record)


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file under ``home`` (except the lock) and its bytes."""
    return {
        str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and p.name != ".lock"
    }


def extra_tables(run_id: str, n: int = 1) -> dict[str, pa.Table]:
    """A later run's rows: ``n`` new documents, each with one count and an input fingerprint."""
    docs, counts, inputs = [], [], []
    for i in range(n):
        text = f"Run {run_id} report {i}\nFive people were wounded in Aleppo."
        did = hashlib.sha256(text.encode()).hexdigest()[:16]
        docs.append(
            {
                "doc_id": did,
                "source_uri": f"/in/{run_id}-{i}.txt",
                "source_format": "txt",
                "run_id": run_id,
                "ingested_at": T0,
                "encoding": "utf-8",
                "raw_text": text,
                "clean_text": text,
                "title": text.splitlines()[0],
                "published_date": dt.date(2020, 3, 1),
                "published_date_source": "text",
                "outlet": "Wire",
                "agencies": ["AP"],
                "byline": None,
                "word_count": len(text.split()),
                "story_id": None,
                "duplicate_of": None,
                "metadata": None,
            }
        )
        start = text.index("Five")
        counts.append(
            {
                "doc_id": did,
                "start": start,
                "end": start + 26,
                "count_type": "WOUND",
                "number": 5.0,
                "object": "people",
                "qualifier": "exact",
            }
        )
        inputs.append(
            {
                "source_uri": f"/in/{run_id}-{i}.txt",
                "size": len(text),
                "mtime_ns": 2,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "records": 1,
                "run_id": run_id,
                "seen_at": T0,
            }
        )
    rows = {"documents": docs, "counts": counts, "inputs": inputs}
    return {name: pa.Table.from_pylist(r, schema=TABLES[name].arrow_schema) for name, r in rows.items()}
