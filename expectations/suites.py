"""The expectation suites, generated from the warehouse contract and the vocabularies.

One suite per warehouse table. Nothing here is written per column by hand: keys and
non-null columns and allowed values (a column's vocabulary from :mod:`contract.vocab`)
come from :data:`contract.schema.TABLES`, ranges and
references from the small tables below. A :class:`Check` is plain data; the runner
turns it into a Great Expectations expectation. This module never imports GX.

Checks that need more than one column or table (offsets pointing at their surface,
story counts, references) are computed in DuckDB as a derived boolean column of the
suite's frame (see :mod:`expectations.frames`) and validated with
``expect_column_values_to_be_in_set([True])``; a derived value is NULL when an input
is NULL, so a NULL is reported once, by its not-null check, not by every check that
reads it.
"""

from __future__ import annotations

import datetime as dt
import html.entities
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pyarrow as pa

from contract.schema import TABLES
from contract.vocab import ERROR, WARNING

#: Earliest and latest plausible publication date (no clock: a fixed far-future bound).
EARLIEST_DATE = dt.datetime(1900, 1, 1)
LATEST_DATE = dt.datetime(2100, 12, 31)

#: Which vocabulary each enumerated column takes its values from: the columns' ``allowed`` values in the
#: contract (list columns, whose items are checked where they are made, are left out).
VOCABULARIES: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType(
    {
        (t.name, c.name): c.allowed
        for t in TABLES.values()
        for c in t.columns
        if c.allowed and not pa.types.is_list(c.type)
    }
)

#: Numeric and date ranges: (table, column) -> GX ``expect_column_values_to_be_between`` kwargs.
RANGES: Mapping[tuple[str, str], Mapping[str, object]] = MappingProxyType(
    {
        ("counts", "number"): {"min_value": 0, "strict_min": True},
        ("documents", "published_date"): {"min_value": EARLIEST_DATE, "max_value": LATEST_DATE},
        ("stories", "first_published"): {"min_value": EARLIEST_DATE, "max_value": LATEST_DATE},
        ("places", "latitude"): {"min_value": -90, "max_value": 90},
        ("places", "longitude"): {"min_value": -180, "max_value": 180},
        ("doc_links", "similarity"): {"min_value": 0, "max_value": 1},
        ("documents", "word_count"): {"min_value": 0},
    }
)

#: References: (table, column) -> (referenced table, referenced column).
REFERENCES: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType(
    {
        **{
            (t, "doc_id"): ("documents", "doc_id")
            for t in ("edits", "numbers", "counts", "entities", "places", "quotes", "date_mentions", "quality_issues")
        },
        ("doc_links", "doc_id_a"): ("documents", "doc_id"),
        ("doc_links", "doc_id_b"): ("documents", "doc_id"),
        ("documents", "duplicate_of"): ("documents", "doc_id"),
        ("documents", "story_id"): ("stories", "story_id"),
        ("facts", "story_id"): ("stories", "story_id"),
        ("story_members", "doc_id"): ("documents", "doc_id"),
        ("story_members", "story_id"): ("stories", "story_id"),
    }
)

#: Tables whose rows carry a ``surface`` that must equal ``clean_text[start:end]``.
SURFACE_TABLES: tuple[str, ...] = ("numbers", "entities", "places", "date_mentions")

# --- entity residue -------------------------------------------------------------------
# Named entities are the 252 HTML 4 names (case-sensitive, as in HTML), not the 2,000
# HTML5 names, some of which are innocent text (`&in;`, `&or;`); `Q&A;` and `AT&T;`
# match no name. An ampersand-less name must not follow a letter, digit or `&`
# (`camp;`, `salt;` are words); an ampersand-less number (`it#39;s`, `#36;2.6`) must
# have 2-4 digits and not follow a digit or `&` (`#1;` is innocent).
_NAMES = sorted({*html.entities.name2codepoint, "apos"}, key=lambda n: (-len(n), n))
ENTITY_RESIDUE_PATTERN = (
    "&(?:" + "|".join(_NAMES) + ");"
    r"|&#[0-9]{1,7};|&#[xX][0-9a-fA-F]{1,6};"
    r"|(?:^|[^&\w])(?:quot|amp|lt|gt|apos|nbsp);"
    r"|(?:^|[^&0-9])#[0-9]{2,4};"
)
"""RE2 and Python ``re`` pattern for HTML entity residue left in cleaned text."""


@dataclass(frozen=True)
class Check:
    """One expectation of one suite, as data."""

    suite: str
    expectation: str
    column: str | None
    severity: str
    description: str
    kwargs: Mapping[str, object] = field(default_factory=dict)
    frame: str = ""  # which pulled frame it validates; defaults to the suite's table

    @property
    def frame_name(self) -> str:
        return self.frame or self.suite

    @property
    def column_name(self) -> str | None:
        """The column as stored in ``check_results`` (compound keys joined by commas)."""
        if self.column is not None:
            return self.column
        cols = self.kwargs.get("column_list")
        return ",".join(cols) if isinstance(cols, (list, tuple)) else None  # type: ignore[arg-type]

    @property
    def key(self) -> tuple[str, str, str | None]:
        """Identity of the check within a run: suite, expectation, column."""
        return (self.suite, self.expectation, self.column_name)

    @property
    def gx_kwargs(self) -> dict[str, object]:
        """Keyword arguments for the GX expectation class."""
        kw = dict(self.kwargs)
        if self.column is not None:
            kw["column"] = self.column
        return kw


def _true(suite: str, column: str, severity: str, description: str, frame: str = "") -> Check:
    """A derived boolean column that must be true wherever it is not null."""
    return Check(
        suite, "expect_column_values_to_be_in_set", column, severity, description, {"value_set": [True]}, frame
    )


def reference_column(table: str, column: str) -> str:
    """Name of the derived column saying whether ``column`` finds its referenced row."""
    return f"{column}_in_{REFERENCES[(table, column)][0]}"


def key_checks(table: str) -> list[Check]:
    """Unique key and non-null columns of ``table``, from the schema."""
    t = TABLES[table]
    out: list[Check] = []
    if len(t.key) == 1:
        out.append(Check(table, "expect_column_values_to_be_unique", t.key[0], ERROR, f"{t.key[0]} is unique"))
    elif t.key:
        out.append(
            Check(
                table,
                "expect_compound_columns_to_be_unique",
                None,
                ERROR,
                f"({', '.join(t.key)}) is unique",
                {"column_list": list(t.key), "ignore_row_if": "any_value_is_missing"},
            )
        )
    out += [
        Check(table, "expect_column_values_to_not_be_null", c.name, ERROR, f"{c.name} is never null")
        for c in t.columns
        if not c.nullable
    ]
    return out


def value_checks(table: str) -> list[Check]:
    """Vocabularies, ranges and references of ``table``."""
    out: list[Check] = []
    for (tab, col), values in VOCABULARIES.items():
        if tab == table:
            out.append(
                Check(
                    table,
                    "expect_column_values_to_be_in_set",
                    col,
                    ERROR,
                    f"{col} is one of {', '.join(values)}",
                    {"value_set": list(values)},
                )
            )
    for (tab, col), bounds in RANGES.items():
        if tab == table:
            out.append(
                Check(
                    table,
                    "expect_column_values_to_be_between",
                    col,
                    ERROR,
                    f"{col} within {_describe(bounds)}",
                    dict(bounds),
                )
            )
    for (tab, col), (ref, ref_col) in REFERENCES.items():
        if tab == table:
            out.append(_true(table, reference_column(tab, col), ERROR, f"{col} references {ref}.{ref_col}"))
    return out


def _describe(bounds: Mapping[str, object]) -> str:
    lo, hi = bounds.get("min_value"), bounds.get("max_value")
    lo_s = "-inf" if lo is None else str(lo)[:10]
    hi_s = "+inf" if hi is None else str(hi)[:10]
    return ("(" if bounds.get("strict_min") else "[") + f"{lo_s}, {hi_s}" + ("]" if hi is not None else ")")


def content_checks(table: str, quarantine_share_threshold: float) -> list[Check]:
    """Checks on what the rows say: offsets, residue, edits, stories and facts."""
    if table in SURFACE_TABLES:
        return [_true(table, "surface_matches_clean_text", ERROR, "surface equals clean_text[start:end]")]
    match table:
        case "quotes":
            return [_true(table, "quote_inside_span", ERROR, "quote lies inside clean_text[start:end]")]
        case "counts":
            return [_true(table, "span_inside_clean_text", ERROR, "0 <= start <= end <= len(clean_text)")]
        case "documents":
            return [
                _true(table, "no_entity_residue", ERROR, "clean_text holds no HTML entity residue"),
                _true(table, "clean_text_not_blank", WARNING, "clean_text is not empty or blank"),
            ]
        case "edits":
            return [
                _true(table, "before_matches_raw_text", ERROR, "before equals raw_text[raw_start:raw_end]"),
                _true(
                    table,
                    "span_follows_previous_edit",
                    ERROR,
                    "edit spans are ascending and non-overlapping (ordered by seq)",
                ),
                _true(
                    table,
                    "replay_matches_clean_text",
                    ERROR,
                    "replaying the edits over raw_text gives clean_text (sampled documents)",
                    "edits_replay",
                ),
            ]
        case "stories":
            return [
                _true(
                    table,
                    "doc_count_matches_documents",
                    ERROR,
                    "doc_count equals the number of documents with this story_id",
                )
            ]
        case "facts":
            return [
                _true(table, "values_match_doc_ids", ERROR, "values and doc_ids have the same length"),
                _true(
                    table,
                    "conflicting_matches_values",
                    ERROR,
                    "conflicting is true exactly when values hold more than one distinct value",
                ),
            ]
        case "quarantine":
            return [
                Check(
                    table,
                    "expect_column_values_to_be_between",
                    "quarantine_share",
                    WARNING,
                    f"quarantined / (documents + quarantined) <= {quarantine_share_threshold:g}",
                    {"max_value": quarantine_share_threshold},
                    "quarantine_share",
                )
            ]
    return []


def warning_checks(table: str) -> list[Check]:
    """Checks that report without failing the run."""
    if table == "numbers":
        return [
            Check(
                table,
                "expect_column_values_to_be_in_set",
                "is_malformed",
                WARNING,
                "numbers are well formed (is_malformed is false)",
                {"value_set": [False]},
            )
        ]
    return []


def suite_checks(table: str, *, quarantine_share_threshold: float = 0.05) -> list[Check]:
    """Every check of the suite for warehouse table ``table``."""
    return [
        *key_checks(table),
        *value_checks(table),
        *content_checks(table, quarantine_share_threshold),
        *warning_checks(table),
    ]


def all_checks(*, quarantine_share_threshold: float = 0.05) -> list[Check]:
    """Every check of every suite, one suite per warehouse table, in contract order."""
    checks = [c for t in TABLES for c in suite_checks(t, quarantine_share_threshold=quarantine_share_threshold)]
    keys = [c.key for c in checks]
    assert len(keys) == len(set(keys)), "check keys must be unique"
    return checks
