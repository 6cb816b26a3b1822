"""The warehouse contract: every table, its columns, their Arrow types and meaning.

This module is the single source of truth. The DDL, the Parquet writer, the
expectation suites and the docs test all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from contract import vocab

#: Bumped whenever the contract changes; :mod:`warehouse.migrate` upgrades older warehouses.
SCHEMA_VERSION = 4

_UTC_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    """A warehouse column. ``allowed`` is its vocabulary (empty: any value); for a list column, of its items."""

    name: str
    type: pa.DataType
    doc: str
    nullable: bool = True
    allowed: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """The doc, followed by the allowed values where the column has a vocabulary."""
        if not self.allowed:
            return self.doc
        values = ", ".join(f"`{v}`" for v in self.allowed)
        return f"{self.doc} {'Items from' if pa.types.is_list(self.type) else 'One of'} {values}."


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def schema_of(self, names: tuple[str, ...]) -> pa.Schema:
        """The Arrow schema of some of the columns, in the order of ``names``."""
        schema = self.arrow_schema
        return pa.schema([schema.field(n) for n in names])


def _c(name: str, type_: pa.DataType, doc: str, nullable: bool = True, allowed: tuple[str, ...] = ()) -> Column:
    return Column(name, type_, doc, nullable, allowed)


S, I32, I64, F64, B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()
_SPAN = (
    _c("start", I64, "Start character offset into `documents.clean_text` (inclusive).", False),
    _c("end", I64, "End character offset into `documents.clean_text` (exclusive).", False),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "documents",
            "One row per distinct article, keyed by a hash of its raw text.",
            (
                _c("doc_id", S, "Content hash of `raw_text` (first 16 hex digits of SHA-256).", False),
                _c(
                    "source_uri",
                    S,
                    "Where the record came from: file path, plus `#N` for the Nth record of a multi-record file.",
                    False,
                ),
                _c("source_format", S, "Input format.", False, vocab.SOURCE_FORMATS),
                _c("run_id", S, "The run that first loaded this document.", False),
                _c("ingested_at", _UTC_TS, "When the document was loaded (UTC).", False),
                _c(
                    "encoding", S, "Detected encoding of the source bytes (utf-8, utf-8-sig, utf-16, cp1252...).", False
                ),
                _c("raw_text", S, "The article text exactly as read, before any cleaning.", False),
                _c("clean_text", S, "The cleaned text; every extracted offset points into it.", False),
                _c("title", S, "Headline, from metadata or the first line."),
                _c("published_date", pa.date32(), "Publication date, where one was found."),
                _c(
                    "published_date_source",
                    S,
                    "Where `published_date` came from.",
                    allowed=vocab.DATE_SOURCES,
                ),
                _c("outlet", S, "Publishing outlet, from metadata or the source file's folder."),
                _c("agencies", pa.list_(S), "News agencies credited in the text.", allowed=vocab.CREDITED_AGENCIES),
                _c("byline", S, "Author or attribution line moved out of the body."),
                _c("word_count", I32, "Number of words in `clean_text`.", False),
                _c("story_id", S, "The story (event) this document belongs to."),
                _c("duplicate_of", S, "`doc_id` of an earlier document this one duplicates."),
                _c("metadata", S, "Other source metadata as a JSON object (topics, places, extra CSV columns...)."),
            ),
            key=("doc_id",),
        ),
        Table(
            "edits",
            "Every change cleaning made, as spans of `raw_text`; replaying them yields `clean_text`.",
            (
                _c("doc_id", S, "Document edited.", False),
                _c(
                    "seq",
                    I32,
                    "Order of the edit within its document (0, 1, ...); spans are non-overlapping and ascending.",
                    False,
                ),
                _c("rule", S, "Name of the cleaning rule that made the edit.", False),
                _c("raw_start", I64, "Start character offset into `documents.raw_text` (inclusive).", False),
                _c("raw_end", I64, "End character offset into `documents.raw_text` (exclusive).", False),
                _c("before", S, "The raw text that was replaced (`raw_text[raw_start:raw_end]`).", False),
                _c("after", S, "The replacement text (empty for a deletion).", False),
            ),
            key=("doc_id", "seq"),
        ),
        Table(
            "numbers",
            "Every number written in the clean text, with its value and unit.",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("surface", S, "The number as written (`clean_text[start:end]`).", False),
                _c("value", F64, "Numeric value, multiplier applied (`1.5 mln` is 1500000)."),
                _c("unit", S, "Unit: a currency code (USD, GBP, EUR), `%`, or null."),
                _c("is_malformed", B, "True when the digit grouping is invalid (`950,0000`).", False),
                _c("suggested_value", F64, "Likely intended value of a malformed number, else null."),
            ),
            key=("doc_id", "start"),
        ),
        Table(
            "counts",
            "What happened to whom: a number of people or things killed, wounded, displaced...",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("count_type", S, "Count type (GDELT-style; MISSING: missing, or dead and missing together).", False,
                   vocab.COUNT_TYPES),
                _c("number", F64, "How many.", False),
                _c("object", S, "Who or what was counted (`Turkish soldiers`)."),
                _c("qualifier", S, "How the text qualifies the number (running_total: an otherwise exact total over a "
                   "period up to the time of writing, `19 soldiers killed this month`).", False, vocab.QUALIFIERS),
            ),
            key=("doc_id", "start", "end", "count_type"),
        ),
        Table(
            "entities",
            "People, organisations and places named in the clean text.",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("kind", S, "Kind of entity.", False, vocab.ENTITY_KINDS),
                _c("surface", S, "The name as written.", False),
                _c("name", S, "Normalised name.", False),
            ),
        ),
        Table(
            "places",
            "Place mentions geocoded with the offline gazetteer.",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("surface", S, "The place as written.", False),
                _c("name", S, "Gazetteer name of the place.", False),
                _c("country_code", S, "ISO 3166-1 alpha-2 country code."),
                _c("latitude", F64, "Latitude in degrees."),
                _c("longitude", F64, "Longitude in degrees."),
            ),
        ),
        Table(
            "quotes",
            "Quotations with their speaker and reporting verb.",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("quote", S, "The quoted words, without quotation marks.", False),
                _c("speaker", S, "Who said it, where the text allows."),
                _c("verb", S, "Reporting verb (said, warned...)."),
            ),
        ),
        Table(
            "date_mentions",
            "Dates mentioned in the text, resolved against the publication date.",
            (
                _c("doc_id", S, "Document.", False),
                *_SPAN,
                _c("surface", S, "The date as written.", False),
                _c("resolved_date", pa.date32(), "The calendar date it refers to, where resolvable."),
                _c("resolution", S, "How it was resolved.", False, vocab.DATE_RESOLUTIONS),
            ),
        ),
        Table(
            "doc_links",
            "Pairs of documents that share text: duplicates, syndicated copies, same story.",
            (
                _c("doc_id_a", S, "First document.", False),
                _c("doc_id_b", S, "Second document.", False),
                _c("relation", S, "How the two documents are related.", False, vocab.LINK_RELATIONS),
                _c("similarity", F64, "Estimated Jaccard similarity of their shingles (0-1).", False),
                _c("reason", S, "Evidence that made the link.", allowed=vocab.LINK_REASONS),
                _c(
                    "shared_shingles",
                    I64,
                    "Word 5-grams of their own wording they share (numbers masked, the source's template "
                    "wording left out); null for identical texts.",
                ),
                _c(
                    "number_agreement",
                    F64,
                    "Of the numbers both texts state in the same words, the share that are the same number "
                    "(0-1); null when they state none in the same words.",
                ),
                _c("shared_key_facts", I64, "Uncommon numbers (amounts, prices, tolls) both texts give."),
                _c("shared_counts", I64, "Counts (`counts` rows: type, counted head noun, number) both texts give."),
                _c("shared_names", I64, "Capitalised names both texts use."),
            ),
        ),
        Table(
            "stories",
            "Groups of documents about the same event.",
            (
                _c("story_id", S, "Story key.", False),
                _c("title", S, "Title of the earliest document of the story."),
                _c("first_published", pa.date32(), "Earliest publication date in the story."),
                _c("doc_count", I32, "Number of documents in the story.", False),
            ),
            key=("story_id",),
        ),
        Table(
            "story_members",
            "Which story each document belongs to (the link step's output; `documents.story_id` and "
            "`duplicate_of` in the DuckDB file are filled from it, in Parquet read this table).",
            (
                _c("doc_id", S, "Document.", False),
                _c("story_id", S, "Its story.", False),
                _c("duplicate_of", S, "`doc_id` of the earliest document it duplicates, if any."),
            ),
            key=("doc_id",),
        ),
        Table(
            "facts",
            "Story-level facts: the values each source gives for the same count.",
            (
                _c("story_id", S, "Story.", False),
                _c("count_type", S, "Count type.", False, vocab.COUNT_TYPES),
                _c("object", S, "Who or what was counted; ` (running total)` after it for running totals."),
                _c("values", pa.list_(F64), "The values reported, one per document.", False),
                _c("doc_ids", pa.list_(S), "The documents reporting them, in the same order.", False),
                _c("consensus", F64, "The value most sources agree on."),
                _c("conflicting", B, "True when the sources give different values.", False),
            ),
        ),
        Table(
            "quality_issues",
            "Problems found in documents while loading, cleaning and extracting.",
            (
                _c("doc_id", S, "Document.", False),
                _c("check_name", S, "What was found (malformed_number, empty_clean_text...).", False),
                _c("severity", S, "How serious the issue is.", False, vocab.SEVERITIES),
                _c("detail", S, "Human-readable detail."),
                _c("start", I64, "Start offset into `clean_text`, where the issue has a place."),
                _c("end", I64, "End offset into `clean_text`, where the issue has a place."),
            ),
        ),
        Table(
            "quarantine",
            "Input records that could not become documents, with the reason.",
            (
                _c("source_uri", S, "Where the record came from.", False),
                _c("reason", S, "Why it was quarantined.", False),
                _c("bytes", I64, "Size of the rejected record in bytes."),
                _c("run_id", S, "Run that quarantined it.", False),
                _c("detected_at", _UTC_TS, "When (UTC).", False),
            ),
        ),
        Table(
            "runs",
            "One row per pipeline run.",
            (
                _c("run_id", S, "Run key.", False),
                _c("started_at", _UTC_TS, "Start time (UTC).", False),
                _c("finished_at", _UTC_TS, "End time (UTC)."),
                _c("status", S, "State of the run.", False, vocab.RUN_STATUSES),
                _c("inputs_seen", I64, "Input records seen.", False),
                _c("docs_new", I64, "Documents added by this run.", False),
                _c("docs_unchanged", I64, "Input records whose document was already in the warehouse.", False),
                _c("quarantined", I64, "Records quarantined by this run.", False),
                _c("checks_failed", I64, "Expectations that failed in this run's checks."),
            ),
            key=("run_id",),
        ),
        Table(
            "inputs",
            "Fingerprints of the input files loaded, so a re-run skips files it has already parsed.",
            (
                _c("source_uri", S, "Path of the input file (no `#N` suffix).", False),
                _c("size", I64, "File size in bytes when it was read.", False),
                _c("mtime_ns", I64, "File modification time (nanoseconds since the epoch) when it was read.", False),
                _c("sha256", S, "Hex SHA-256 of the bytes; a file whose hash is unchanged is not parsed again.", False),
                _c("records", I64, "Input records the file produced (documents plus quarantined rows).", False),
                _c("run_id", S, "Run that read this version of the file.", False),
                _c("seen_at", _UTC_TS, "When it was read (UTC); the latest row per `source_uri` is current.", False),
            ),
        ),
        Table(
            "check_results",
            "Results of the data checks (Great Expectations), one row per expectation per check run.",
            (
                _c("run_id", S, "Run (or check invocation) that produced the result.", False),
                _c("suite", S, "Expectation suite (one per table).", False),
                _c("expectation", S, "Expectation name.", False),
                _c("column_name", S, "Column checked, if any."),
                _c("success", B, "Whether the expectation held.", False),
                _c("unexpected_count", I64, "Number of rows that broke it."),
                _c(
                    "severity",
                    S,
                    "Whether a failure fails the run (error) or only reports it.",
                    False,
                    vocab.CHECK_SEVERITIES,
                ),
                _c("detail", S, "What failed, in words (row ids, never article text)."),
            ),
        ),
    )
}

#: The columns of ``documents`` that the extract stage finds in the text (keyed by ``doc_id``).
DOC_META_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "title",
    "published_date",
    "published_date_source",
    "outlet",
    "agencies",
    "byline",
)

#: Tables written as Parquet parts per run (``runs`` and ``check_results`` live in DuckDB only).
CONTENT_TABLES: tuple[str, ...] = (
    "documents",
    "edits",
    "numbers",
    "counts",
    "entities",
    "places",
    "quotes",
    "date_mentions",
    "doc_links",
    "stories",
    "story_members",
    "facts",
    "quality_issues",
    "quarantine",
    "inputs",
)


def empty_table(name: str) -> pa.Table:
    """An empty Arrow table with the schema of warehouse table ``name``."""
    return TABLES[name].arrow_schema.empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the contract schema of ``name`` (columns in contract order)."""
    schema = TABLES[name].arrow_schema
    return table.select(schema.names).cast(schema)
