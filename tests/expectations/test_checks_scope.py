"""A run checks the rows it added, and whole tables where a check is about the whole table.

The good warehouse's rows were all added by one run (``RUN``). Each breaker of
``test_checks_breakage`` breaks one row of it: checks scoped to that run must find
exactly what the full checks find, and checks scoped to a later run that added nothing
must still find what is about a whole table (keys, the quarantine share, the tables
and columns the link step rebuilds) and nothing else.
"""

from __future__ import annotations

import pytest

from expectations.runner import run_checks
from tests.expectations.conftest import RUN
from tests.expectations.test_checks_breakage import BREAKERS

#: Tables rebuilt whole by the link step, or not about documents: always checked whole.
WHOLE_TABLES = {"doc_links", "stories", "story_members", "facts", "runs", "check_results", "inputs"}
#: Columns the link step rewrites on earlier runs' rows (reference checks named by their derived column).
LINK_COLUMNS = {
    ("documents", "story_id_in_stories"),
    ("documents", "duplicate_of_in_documents"),
    ("documents", "published_date"),
    ("documents", "published_date_source"),
    ("numbers", "suggested_value"),
    ("quality_issues", "detail"),
}


def about_whole_table(key: tuple[str, str, str | None]) -> bool:
    suite, expectation, column = key
    return (
        expectation in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
        or suite in WHOLE_TABLES
        or (suite, column) in LINK_COLUMNS
        or column == "quarantine_share"
        or column == "doc_id_in_documents"  # a row of no document is checked by every run
    )


def _failing(warehouse, run_id: str | None) -> set[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    return {(o.suite, o.expectation, o.column_name) for o in run_checks(warehouse, run_id=run_id) if not o.success}


#: One breaker of each kind, on each table a run adds rows to (a full sweep is test_checks_breakage's).
SAMPLE = [
    key
    for key in sorted(BREAKERS, key=str)
    if key
    in {
        ("documents", "expect_column_values_to_be_unique", "doc_id"),
        ("documents", "expect_column_values_to_be_in_set", "no_entity_residue"),
        ("documents", "expect_column_values_to_be_in_set", "story_id_in_stories"),
        ("documents", "expect_column_values_to_be_between", "published_date"),
        ("edits", "expect_compound_columns_to_be_unique", "doc_id,seq"),
        ("edits", "expect_column_values_to_be_in_set", "replay_matches_clean_text"),
        ("edits", "expect_column_values_to_be_in_set", "before_matches_raw_text"),
        ("counts", "expect_column_values_to_be_in_set", "doc_id_in_documents"),
        ("numbers", "expect_column_values_to_be_in_set", "surface_matches_clean_text"),
        ("quotes", "expect_column_values_to_be_in_set", "quote_inside_span"),
        ("stories", "expect_column_values_to_be_in_set", "doc_count_matches_documents"),
        ("quarantine", "expect_column_values_to_be_between", "quarantine_share"),
    }
]


def test_the_sample_is_all_there() -> None:
    assert len(SAMPLE) == 12


@pytest.mark.parametrize("key", SAMPLE, ids=lambda k: f"{k[0]}-{k[1].removeprefix('expect_')}-{k[2]}")
def test_scoped_checks_see_a_broken_row_only_in_the_run_that_added_it(warehouse, key) -> None:
    statements, also = BREAKERS[key]
    for sql in statements:
        warehouse.execute(sql)
    expected = {key} | also
    assert _failing(warehouse, RUN) == expected
    assert _failing(warehouse, "a-later-run") == {k for k in expected if about_whole_table(k)}


def test_a_later_run_that_added_nothing_checks_no_rows_of_the_earlier_one(warehouse) -> None:
    outcomes = run_checks(warehouse, run_id="a-later-run")
    assert all(o.success for o in outcomes), [o.detail for o in outcomes if not o.success]
    rows = {(o.suite, o.expectation, o.column_name): o.detail for o in outcomes}
    # A row-level check of an added-to table read no row; a key check read the whole table.
    assert rows[("entities", "expect_column_values_to_not_be_null", "surface")].endswith("(0 rows)")
    assert not rows[("documents", "expect_column_values_to_be_unique", "doc_id")].endswith("(0 rows)")
