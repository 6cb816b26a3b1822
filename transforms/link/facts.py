"""Story-level facts (the values each document gives for the same count) and corroborated suggestions."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pyarrow as pa

from contract.schema import TABLES, conform

#: Head nouns folded together: soldiers and their synonyms, and people in general.
_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        (
            "soldier",
            "soldiers",
            "troop",
            "troops",
            "personnel",
            "servicemen",
            "serviceman",
            "servicemembers",
            "marines",
            "paratroopers",
        ),
        "soldiers",
    ),
    **dict.fromkeys(
        (
            "people",
            "persons",
            "person",
            "individuals",
            "residents",
            "inhabitants",
            "civilians",
            "civilian",
            "villagers",
            "citizens",
            "men",
            "women",
            "children",
        ),
        "people",
    ),
}
#: Nationality words used as nouns ("nearly one million Syrians") count as people.
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ans|ians|eans|ese|is|ish|ch)$")
#: Two reports of one count differ by less than this factor; values further apart are different facts
#: ("two soldiers killed on Thursday" vs "19 soldiers killed this month").
MAX_VALUE_RATIO = 3.0


def object_key(obj: str | None) -> str:
    """Normalised head noun of a counted object: ``"two of its soldiers"`` and ``"Turkish troops"`` -> ``soldiers``.

    >>> [object_key(o) for o in ("Turkish soldiers", "Turkish troops", "civilians", "Syrians", None, "houses")]
    ['soldiers', 'soldiers', 'people', 'people', 'people', 'houses']
    """
    if not obj or not obj.split():
        return "people"
    head = obj.split()[-1].strip(".,;:'\"()")
    if _DEMONYM.match(head):
        return "people"
    head = head.lower()
    return _SYNONYMS.get(head, head)


def value_groups(values: list[float]) -> dict[float, int]:
    """Group sorted distinct values whose neighbours are within MAX_VALUE_RATIO; value -> group number."""
    out: dict[float, int] = {}
    group, prev = -1, None
    for v in sorted(set(values)):
        if prev is None or (v > 0 and prev > 0 and v / prev > MAX_VALUE_RATIO) or (prev <= 0 < v) or (v <= 0 < prev):
            group += 1
        out[v] = group
        prev = v
    return out


def consensus(values: list[float], outlets: list[str]) -> float:
    """Most common value; ties go to the value reported by more distinct outlets, then to the larger."""
    freq = Counter(values)
    spread = {v: len({o for x, o in zip(values, outlets, strict=True) if x == v}) for v in freq}
    return max(freq, key=lambda v: (freq[v], spread[v], v))


def facts(counts: pa.Table, story_of: dict[str, str], outlet_of: dict[str, str]) -> pa.Table:
    """One row per (story, count type, object head noun, group of close values).

    A document that gives several values for one fact contributes the largest (a later,
    updated toll is usually the larger); ``values`` and ``doc_ids`` are ordered by doc_id.
    """
    by_key: dict[tuple[str, str, str], list[tuple[str, float]]] = defaultdict(list)
    cols = counts.select(["doc_id", "count_type", "number", "object"]).to_pydict()
    for doc_id, ctype, number, obj in zip(
        cols["doc_id"], cols["count_type"], cols["number"], cols["object"], strict=True
    ):
        if doc_id in story_of and number is not None:
            by_key[(story_of[doc_id], ctype, object_key(obj))].append((doc_id, float(number)))
    rows: list[tuple] = []
    for (story, ctype, obj), reports in by_key.items():
        groups = value_groups([v for _, v in reports])
        per_fact: dict[int, dict[str, float]] = defaultdict(dict)
        for doc_id, v in reports:
            best = per_fact[groups[v]]
            best[doc_id] = max(v, best.get(doc_id, v))
        for per_doc in per_fact.values():
            doc_ids = sorted(per_doc)
            values = [per_doc[d] for d in doc_ids]
            outlets = [outlet_of.get(d) or d for d in doc_ids]
            rows.append((story, ctype, obj, values, doc_ids, consensus(values, outlets), len(set(values)) > 1))
    rows.sort(key=lambda r: (r[0], r[1], r[2], min(r[3])))
    schema = TABLES["facts"].arrow_schema
    names = schema.names
    return conform(
        "facts", pa.table({n: pa.array([r[i] for r in rows], schema.field(n).type) for i, n in enumerate(names)})
    )


def suggestions(numbers: pa.Table, story_of: dict[str, str]) -> pa.Table:
    """Malformed numbers whose suggested value another document of the same story reports."""
    cols = numbers.select(["doc_id", "start", "value", "is_malformed", "suggested_value"]).to_pydict()
    reported: dict[str, dict[float, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc_id, value, bad in zip(cols["doc_id"], cols["value"], cols["is_malformed"], strict=True):
        if doc_id in story_of and value is not None and not bad:
            reported[story_of[doc_id]][float(value)].add(doc_id)
    rows = sorted(
        (doc_id, start, float(sugg))
        for doc_id, start, bad, sugg in zip(
            cols["doc_id"], cols["start"], cols["is_malformed"], cols["suggested_value"], strict=True
        )
        if bad
        and sugg is not None
        and doc_id in story_of
        and reported[story_of[doc_id]].get(float(sugg), set()) - {doc_id}
    )
    return pa.table(
        {
            "doc_id": pa.array([r[0] for r in rows], pa.string()),
            "start": pa.array([r[1] for r in rows], pa.int64()),
            "suggested_value": pa.array([r[2] for r in rows], pa.float64()),
        }
    )
