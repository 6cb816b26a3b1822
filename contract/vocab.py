"""Enumerations shared by transforms, warehouse DDL, expectation suites and docs.

Each vocabulary is defined once here, and given to a column as its allowed values in
:mod:`contract.schema`; the suites and the docs read it from the column. Code that writes or
reads a value imports it from here rather than spelling it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: GDELT-style count types for ``counts.count_type``; ``MISSING`` is people missing, or a figure of dead
#: and missing together ("1,000 people died or were missing"), which is not a count of the killed.
COUNT_TYPES: tuple[str, ...] = (
    "KILL",
    "WOUND",
    "ARREST",
    "KIDNAP",
    "DISPLACED",
    "AFFECT",
    "PROTEST",
    "SEIZE",
    "MISSING",
)

#: Qualifiers for ``counts.qualifier``; ``running_total`` marks an otherwise exact total over a period
#: that runs to the time of writing ("19 soldiers killed this month"), not the count of one day.
QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "more_than", "about", "nearly", "up_to", "running_total")

#: Severity levels, by name.
ERROR, WARNING, INFO = "error", "warning", "info"

#: Severities for ``quality_issues.severity``.
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)

#: Severities a data check can have (``check_results.severity``): an error fails the run, a warning reports.
CHECK_SEVERITIES: tuple[str, ...] = (ERROR, WARNING)

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


# --- news agencies ----------------------------------------------------------------------
#: Every news agency copydesk knows: its name as stored (``documents.agencies``) -> how texts spell it.
NEWS_AGENCIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AFP": ("AFP",),
        "Reuters": ("Reuters", "REUTERS"),
        "AP": ("AP", "Associated Press"),
        "dpa": ("dpa", "DPA"),
        "Anadolu": ("Anadolu", "Anadolu Agency", "AA"),
        "ANSA": ("ANSA",),
        "Xinhua": ("Xinhua",),
        "EFE": ("EFE",),
        "UPI": ("UPI",),
        "PA": ("PA",),
        "Bloomberg": ("Bloomberg",),
        "TASS": ("TASS",),
        "Kyodo": ("Kyodo",),
        "PTI": ("PTI",),
        "IANS": ("IANS",),
        "Interfax": ("Interfax",),
        "IRNA": ("IRNA",),
        "SANA": ("SANA",),
    }
)

# Each use below takes the spellings it is safe for; the subsets differ on purpose. A short
# spelling (``AA``, ``PA``) is safe on a line of its own but not as a word in running text,
# and widening a subset changes what the pipeline finds, so it is a decision per use.

#: Spellings whose credit (``(AFP)``, ``By Reuters``, ``AP -``...) fills ``documents.agencies``.
CREDIT_SPELLINGS: tuple[str, ...] = (
    "AFP", "Reuters", "REUTERS", "AP", "Associated Press", "dpa", "DPA", "Anadolu", "ANSA", "Xinhua", "EFE", "UPI",
    "PA", "Bloomberg",
)
#: Spellings in the attribution lines cleaning removes (``By AFP``, ``Source: Reuters and AP``).
ATTRIBUTION_SPELLINGS: tuple[str, ...] = (
    "AFP", "AP", "Reuters", "Anadolu Agency", "Anadolu", "AA", "dpa", "DPA", "EFE", "ANSA", "Xinhua", "TASS", "Kyodo",
    "UPI", "PTI", "IANS",
)
#: Spellings that name an organisation wherever they stand as a capitalised sequence (entities).
ORG_SPELLINGS: tuple[str, ...] = ("AFP", "Reuters", "AP", "Xinhua", "Anadolu", "Interfax", "IRNA", "SANA")

#: Spelling -> agency name, for every spelling of :data:`NEWS_AGENCIES`.
AGENCY_OF_SPELLING: Mapping[str, str] = MappingProxyType(
    {spelling: name for name, spellings in NEWS_AGENCIES.items() for spelling in spellings}
)


def _unknown_spellings() -> list[str]:
    """Spellings used by some subset that :data:`NEWS_AGENCIES` does not list."""
    used = (*CREDIT_SPELLINGS, *ATTRIBUTION_SPELLINGS, *ORG_SPELLINGS)
    return [s for s in used if s not in AGENCY_OF_SPELLING]


if _unknown_spellings():  # a real check (not an assert, which -O strips)
    raise ValueError(f"agency spellings missing from NEWS_AGENCIES: {_unknown_spellings()}")

#: Agency names a credit can give: the allowed items of ``documents.agencies``.
CREDITED_AGENCIES: tuple[str, ...] = tuple(dict.fromkeys(AGENCY_OF_SPELLING[s] for s in CREDIT_SPELLINGS))
