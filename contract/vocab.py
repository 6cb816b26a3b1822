"""Enumerations shared by transforms, warehouse DDL, expectation suites and docs.

Each vocabulary is defined once here and imported wherever it is needed.
"""

from __future__ import annotations

#: GDELT-style count types for ``counts.count_type``.
COUNT_TYPES: tuple[str, ...] = (
    "KILL",
    "WOUND",
    "ARREST",
    "KIDNAP",
    "DISPLACED",
    "AFFECT",
    "PROTEST",
    "SEIZE",
)

#: Qualifiers for ``counts.qualifier``.
QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "more_than", "about", "nearly", "up_to")

#: Severities for ``quality_issues.severity`` and ``check_results.severity``.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

#: Kinds for ``entities.kind``.
ENTITY_KINDS: tuple[str, ...] = ("PERSON", "ORG", "PLACE")

#: Where ``documents.published_date`` came from.
DATE_SOURCES: tuple[str, ...] = ("metadata", "header", "dateline", "text", "story")

#: How a ``date_mentions`` row was resolved.
DATE_RESOLUTIONS: tuple[str, ...] = ("absolute", "relative_weekday", "relative_offset", "relative_period", "unresolved")

#: Input formats for ``documents.source_format``.
SOURCE_FORMATS: tuple[str, ...] = ("txt", "jsonl", "csv", "sgm")

#: Relations for ``doc_links.relation``.
LINK_RELATIONS: tuple[str, ...] = ("exact_duplicate", "near_duplicate", "syndicated", "same_story")

#: Evidence that made a ``doc_links`` row (``doc_links.reason``): identical text; nearly the same
#: text with agreeing numbers; a shared passage of the texts' own (non-template) wording with
#: agreeing numbers; a shared agency credit with such a passage; a smaller passage of own wording
#: with mostly agreeing numbers (a later report of one event); shared rare names and key facts.
LINK_REASONS: tuple[str, ...] = (
    "identical_text",
    "same_text",
    "shared_passage",
    "agency_passage",
    "related_passage",
    "names_and_facts",
)

#: Status of a ``runs`` row.
RUN_STATUSES: tuple[str, ...] = ("running", "completed", "failed")
