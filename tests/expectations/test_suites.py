"""The suites are derived from the contract: one check per rule, with the contract's values."""

from __future__ import annotations

import pyarrow as pa

from contract import vocab
from contract.schema import TABLES
from expectations.suites import RANGES, REFERENCES, VOCABULARIES, all_checks, reference_column, suite_checks

CHECKS = all_checks()


def _find(table: str, expectation: str, column: str | None) -> list:
    return [c for c in CHECKS if c.key == (table, expectation, column)]


def test_every_vocabulary_column_gets_one_in_set_check_with_its_allowed_values() -> None:
    enumerated = [(t, c) for t in TABLES.values() for c in t.columns if c.allowed and not pa.types.is_list(c.type)]
    assert {(t.name, c.name) for t, c in enumerated} >= {
        ("counts", "count_type"), ("counts", "qualifier"), ("entities", "kind"), ("quality_issues", "severity"),
        ("check_results", "severity"), ("doc_links", "relation"), ("runs", "status"),
    }
    for table, col in enumerated:
        (check,) = _find(table.name, "expect_column_values_to_be_in_set", col.name)
        assert check.kwargs["value_set"] == list(col.allowed)
        assert check.severity == vocab.ERROR


def test_vocabularies_are_the_columns_own_allowed_values() -> None:
    """The suites read each column's allowed values (the same object): no second list to keep in step."""
    assert VOCABULARIES
    for (table, column), values in VOCABULARIES.items():
        (col,) = [c for c in TABLES[table].columns if c.name == column]
        assert values is col.allowed
    assert VOCABULARIES[("quality_issues", "severity")] is vocab.SEVERITIES
    assert VOCABULARIES[("check_results", "severity")] is vocab.CHECK_SEVERITIES


def test_list_columns_get_no_in_set_check() -> None:
    assert not _find("documents", "expect_column_values_to_be_in_set", "agencies")


def test_every_not_null_column_and_key_is_checked() -> None:
    for name, table in TABLES.items():
        for col in table.columns:
            assert len(_find(name, "expect_column_values_to_not_be_null", col.name)) == (0 if col.nullable else 1)
        if len(table.key) == 1:
            assert _find(name, "expect_column_values_to_be_unique", table.key[0])
        elif table.key:
            (check,) = _find(name, "expect_compound_columns_to_be_unique", ",".join(table.key))
            assert check.kwargs["column_list"] == list(table.key)


def test_ranges_and_references_become_checks() -> None:
    for (table, col), bounds in RANGES.items():
        (check,) = _find(table, "expect_column_values_to_be_between", col)
        assert check.gx_kwargs == {**bounds, "column": col}
    for table, col in REFERENCES:
        (check,) = _find(table, "expect_column_values_to_be_in_set", reference_column(table, col))
        assert check.kwargs["value_set"] == [True]
    assert reference_column("documents", "story_id") == "story_id_in_stories"


def test_severities_come_from_the_contract_and_keys_are_unique() -> None:
    assert {c.severity for c in CHECKS} == set(vocab.CHECK_SEVERITIES)
    assert len({c.key for c in CHECKS}) == len(CHECKS)
    assert [c.suite for c in CHECKS] == sorted((c.suite for c in CHECKS), key=list(TABLES).index)


def test_quarantine_threshold_is_a_parameter() -> None:
    (check,) = [c for c in suite_checks("quarantine", quarantine_share_threshold=0.2) if c.frame == "quarantine_share"]
    assert check.kwargs == {"max_value": 0.2}
    assert check.severity == vocab.WARNING
    assert "0.2" in check.description
