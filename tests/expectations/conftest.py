"""A tiny, valid warehouse built with the real DDL, for the check tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from transforms.clean.edits import Edit, replay
from warehouse.ddl import create_all

UTC = dt.UTC
T0 = dt.datetime(2020, 2, 27, 12, 0, tzinfo=UTC)
RUN = "run-1"
FILLERS = 40  # keeps one quarantined record under the 5 % share

RAW_A = (
    "ANKARA (AFP) - At least 33 Turkish soldiers were killed in Idlib, Erdoğan said "
    ",quot;we will respond,quot; on Thursday.\nDo you like this article?\n"
)
_EDITS_A = [
    Edit(RAW_A.index(",quot;"), RAW_A.index(",quot;") + 6, '"', "fix_entities"),
    Edit(RAW_A.rindex(",quot;"), RAW_A.rindex(",quot;") + 6, '"', "fix_entities"),
    Edit(RAW_A.index("Do you"), len(RAW_A), "", "strip_boilerplate"),
]
CLEAN_A = replay(RAW_A, _EDITS_A)
TEXT_B = "Turkey says 34 soldiers killed in Idlib strike; café owners fled."


def _span(text: str, surface: str) -> tuple[int, int]:
    start = text.index(surface)
    return start, start + len(surface)


def _doc(doc_id, raw, clean, story=None, title=None, date=None):
    return (
        doc_id,
        f"seeds/{doc_id}.txt",
        "txt",
        RUN,
        T0,
        "utf-8",
        raw,
        clean,
        title,
        date,
        "header" if date else None,
        "Example News",
        ["AFP"],
        None,
        len(clean.split()),
        story,
        None,
        "{}",
    )


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the good rows."""
    date = dt.date(2020, 2, 27)
    docs = [
        _doc("a", RAW_A, CLEAN_A, "s1", "Turkish soldiers killed", date),
        _doc("b", TEXT_B, TEXT_B, "s1", "Turkey says 34 killed", date),
        *(
            _doc(f"f{i:02d}", f"Markets were calm on day {i}.", f"Markets were calm on day {i}.")
            for i in range(FILLERS)
        ),
    ]
    con.executemany(f"INSERT INTO documents VALUES ({', '.join('?' * 18)})", docs)
    con.executemany(
        "INSERT INTO edits VALUES (?, ?, ?, ?, ?, ?, ?)",
        [("a", i, e.rule, e.start, e.end, RAW_A[e.start : e.end], e.after) for i, e in enumerate(_EDITS_A)],
    )
    con.executemany(
        "INSERT INTO numbers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("a", *_span(CLEAN_A, "33"), "33", 33.0, None, False, None),
            ("b", *_span(TEXT_B, "34"), "34", 34.0, None, False, None),
        ],
    )
    con.executemany(
        "INSERT INTO counts VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "a",
                *_span(CLEAN_A, "At least 33 Turkish soldiers were killed"),
                "KILL",
                33.0,
                "Turkish soldiers",
                "at_least",
            ),
            ("b", *_span(TEXT_B, "34 soldiers killed"), "KILL", 34.0, "soldiers", "exact"),
        ],
    )
    con.executemany(
        "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("a", *_span(CLEAN_A, "AFP"), "ORG", "AFP", "Agence France-Presse"),
            ("a", *_span(CLEAN_A, "Erdoğan"), "PERSON", "Erdoğan", "Recep Tayyip Erdoğan"),
            ("b", *_span(TEXT_B, "Idlib"), "PLACE", "Idlib", "Idlib"),
        ],
    )
    con.executemany(
        "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("a", *_span(CLEAN_A, "Idlib"), "Idlib", "Idlib", "SY", 35.93, 36.63),
            ("b", *_span(TEXT_B, "Idlib"), "Idlib", "Idlib", "SY", 35.93, 36.63),
        ],
    )
    con.execute(
        "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?)",
        ["a", *_span(CLEAN_A, '"we will respond"'), "we will respond", "Erdoğan", "said"],
    )
    con.execute(
        "INSERT INTO date_mentions VALUES (?, ?, ?, ?, ?, ?)",
        ["a", *_span(CLEAN_A, "Thursday"), "Thursday", date, "relative_weekday"],
    )
    con.execute("INSERT INTO doc_links (doc_id_a, doc_id_b, relation, similarity) VALUES ('a', 'b', 'same_story', 0.3)")
    con.execute("INSERT INTO stories VALUES ('s1', 'Turkish soldiers killed', ?, 2)", [date])
    con.execute("INSERT INTO facts VALUES ('s1', 'KILL', 'soldiers', [33.0, 34.0], ['a', 'b'], 33.0, true)")
    con.execute("INSERT INTO quality_issues VALUES ('a', 'entity_residue_fixed', 'info', 'fixed ,quot;', NULL, NULL)")
    con.execute("INSERT INTO quarantine VALUES ('inbox/bad.bin', 'undecodable', 12, ?, ?)", [RUN, T0])
    con.execute("INSERT INTO inputs VALUES ('seeds/a.txt', 120, 1582800000000000000, ?, 1, ?, ?)", ["0" * 64, RUN, T0])
    con.execute("INSERT INTO runs VALUES (?, ?, ?, 'completed', 43, 42, 0, 1, 0)", [RUN, T0, T0])
    con.execute("INSERT INTO story_members VALUES ('a', 's1', NULL), ('b', 's1', NULL)")
    con.execute(
        "INSERT INTO check_results (run_id, suite, expectation, column_name, success, unexpected_count, severity) "
        "VALUES (?, 'documents', ?, 'doc_id', true, 0, 'error')",
        [RUN, "expect_column_values_to_be_unique"],
    )


def build(path: Path) -> Path:
    """Create a good warehouse file at ``path``."""
    with duckdb.connect(str(path)) as con:
        create_all(con)
        fill(con)
    return path


@pytest.fixture(scope="session")
def good_warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture
def warehouse(tmp_path: Path, good_warehouse_file: Path) -> duckdb.DuckDBPyConnection:
    """A fresh, writable copy of the good warehouse."""
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(good_warehouse_file.read_bytes())
    con = duckdb.connect(str(path))
    yield con
    con.close()
