"""Every expectation fails on a warehouse broken for it, and only it (plus named consequences)."""

from __future__ import annotations

import pytest

from contract.schema import TABLES
from expectations.runner import run_checks
from expectations.suites import REFERENCES, VOCABULARIES, all_checks, reference_column

LAST = "rowid = (SELECT max(rowid) FROM {t})"

#: Out-of-range values for the range checks.
BAD_VALUES = {
    ("counts", "number"): "0",
    ("documents", "published_date"): "DATE '1899-12-31'",
    ("stories", "first_published"): "DATE '2101-01-01'",
    ("places", "latitude"): "90.5",
    ("places", "longitude"): "-180.5",
    ("doc_links", "similarity"): "1.5",
    ("documents", "word_count"): "-1",
}


def _update(table: str, assignment: str) -> list[str]:
    return [f"UPDATE {table} SET {assignment} WHERE {LAST.format(t=table)}"]


# key -> (SQL statements that break the good warehouse, other checks that must fail with it)
Breaker = tuple[list[str], set[tuple[str, str, str | None]]]


def breakers() -> dict[tuple[str, str, str | None], Breaker]:
    out: dict[tuple[str, str, str | None], Breaker] = {}
    for name, table in TABLES.items():
        for col in table.columns:
            if not col.nullable:
                out[(name, "expect_column_values_to_not_be_null", col.name)] = (
                    [
                        f'ALTER TABLE {name} ALTER COLUMN "{col.name}" DROP NOT NULL',
                        *_update(name, f'"{col.name}" = NULL'),
                    ],
                    set(),
                )
        if table.key:
            expectation = (
                "expect_column_values_to_be_unique" if len(table.key) == 1 else "expect_compound_columns_to_be_unique"
            )
            out[(name, expectation, ",".join(table.key))] = (
                [f"INSERT INTO {name} SELECT * FROM {name} WHERE {LAST.format(t=name)}"],
                set(),
            )
    for table, col in VOCABULARIES:
        out[(table, "expect_column_values_to_be_in_set", col)] = (_update(table, f"\"{col}\" = 'BOGUS'"), set())
    for key, value in BAD_VALUES.items():
        out[(key[0], "expect_column_values_to_be_between", key[1])] = (_update(key[0], f'"{key[1]}" = {value}'), set())
    for table, col in REFERENCES:
        out[(table, "expect_column_values_to_be_in_set", reference_column(table, col))] = (
            _update(table, f"\"{col}\" = 'missing'"),
            set(),
        )
    true = "expect_column_values_to_be_in_set"
    for table in ("numbers", "entities", "places", "date_mentions"):
        out[(table, true, "surface_matches_clean_text")] = (_update(table, "surface = surface || 'x'"), set())
    replay_key = ("edits", true, "replay_matches_clean_text")
    out.update(
        {
            ("quotes", true, "quote_inside_span"): (_update("quotes", "quote = 'never said'"), set()),
            ("counts", true, "span_inside_clean_text"): (_update("counts", '"end" = 100000'), set()),
            ("documents", true, "no_entity_residue"): (
                _update("documents", "raw_text = raw_text || ' it#39;s', clean_text = clean_text || ' it#39;s'"),
                set(),
            ),
            ("documents", true, "clean_text_not_blank"): (
                _update("documents", "raw_text = ' \n', clean_text = ' \n'"),
                set(),
            ),
            ("edits", true, "before_matches_raw_text"): (_update("edits", "before = 'zzz'"), set()),
            # An overlapping edit cannot be replayed either.
            ("edits", true, "span_follows_previous_edit"): (
                [
                    # Stretch the last edit back over the one before it; `before` still matches its span.
                    "UPDATE edits SET raw_start = p.raw_start, "
                    "before = substr(d.raw_text, p.raw_start + 1, edits.raw_end - p.raw_start) "
                    "FROM edits p, documents d WHERE p.doc_id = edits.doc_id AND p.seq = edits.seq - 1 "
                    "AND d.doc_id = edits.doc_id AND edits.seq = (SELECT max(seq) FROM edits)"
                ],
                {replay_key},
            ),
            replay_key: (_update("edits", "\"after\" = 'X'"), set()),
            ("stories", true, "doc_count_matches_documents"): (_update("stories", "doc_count = 5"), set()),
            ("facts", true, "values_match_doc_ids"): (_update("facts", "doc_ids = ['a']"), set()),
            ("facts", true, "conflicting_matches_values"): (_update("facts", "conflicting = NOT conflicting"), set()),
            ("quarantine", "expect_column_values_to_be_between", "quarantine_share"): (
                ["INSERT INTO quarantine SELECT q.* FROM quarantine q, range(5)"],
                set(),
            ),
            ("numbers", true, "is_malformed"): (_update("numbers", "is_malformed = true"), set()),
        }
    )
    return out


BREAKERS = breakers()
# Consequences that cannot be avoided: the row a key or id is taken from is referenced.
_CONSEQUENCES = {
    ("edits", "expect_compound_columns_to_be_unique", "doc_id,seq"): {
        ("edits", "expect_column_values_to_be_in_set", "span_follows_previous_edit"),
        ("edits", "expect_column_values_to_be_in_set", "replay_matches_clean_text"),
    },
    # An edit moved off its document leaves that document's edits incomplete.
    ("edits", "expect_column_values_to_not_be_null", "doc_id"): {
        ("edits", "expect_column_values_to_be_in_set", "replay_matches_clean_text"),
    },
    ("edits", "expect_column_values_to_be_in_set", "doc_id_in_documents"): {
        ("edits", "expect_column_values_to_be_in_set", "replay_matches_clean_text"),
    },
    ("stories", "expect_column_values_to_not_be_null", "story_id"): {
        ("documents", "expect_column_values_to_be_in_set", "story_id_in_stories"),
        ("facts", "expect_column_values_to_be_in_set", "story_id_in_stories"),
        ("story_members", "expect_column_values_to_be_in_set", "story_id_in_stories"),
    },
}
for _key, _also in _CONSEQUENCES.items():
    BREAKERS[_key] = (BREAKERS[_key][0], BREAKERS[_key][1] | _also)


def test_every_check_has_a_breaker() -> None:
    assert {c.key for c in all_checks()} == set(BREAKERS)


@pytest.mark.parametrize(
    "key", sorted(BREAKERS, key=str), ids=lambda k: f"{k[0]}-{k[1].removeprefix('expect_')}-{k[2]}"
)
def test_broken_warehouse_fails_exactly_that_check(warehouse, key) -> None:
    statements, also = BREAKERS[key]
    for sql in statements:
        warehouse.execute(sql)
    outcomes = run_checks(warehouse)
    failing = {(o.suite, o.expectation, o.column_name) for o in outcomes if not o.success}
    assert failing == {key} | also, [o.detail for o in outcomes if not o.success]
    (target,) = [o for o in outcomes if (o.suite, o.expectation, o.column_name) == key]
    assert target.unexpected_count and target.unexpected_count >= 1
