"""Counts: how many people or things were killed, wounded, arrested, displaced..."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from contract.vocab import COUNT_TYPES, QUALIFIERS
from transforms.extract._scan import ends_with
from transforms.extract.numbers import Number

#: Past participles / adjectives that follow the counted noun ("two soldiers were killed").
_PASSIVE: dict[str, str] = {
    r"killed|dead|slain|massacred|executed|shot dead|killed outright": "KILL",
    r"died|perished|lost their lives|were killed": "KILL",
    r"wounded|injured|hurt|hospitali[sz]ed|maimed": "WOUND",
    r"arrested|detained|jailed|rounded up|taken into custody": "ARREST",
    r"kidnapped|abducted|taken hostage|held hostage|seized as hostages": "KIDNAP",
    r"displaced|forced to flee|forced from their homes|fled|made homeless|left homeless|homeless|evacuated|uprooted":
        "DISPLACED",
    r"affected": "AFFECT",
    r"protested|marched|rallied|demonstrated|took to the streets": "PROTEST",
    r"seized|confiscated|impounded": "SEIZE",
}
#: Active verbs that precede the counted noun ("killed at least four civilians").
_ACTIVE: dict[str, str] = {
    r"killed|killing|kills|kill|massacred|slaughtered": "KILL",
    r"wounded|wounding|injured|injuring|wounds|injures": "WOUND",
    r"arrested|arresting|arrests|detained|detaining|rounded up": "ARREST",
    r"kidnapped|kidnapping|abducted|abducting|took hostage": "KIDNAP",
    r"displaced|displacing|displaces|uprooted|evacuated|evacuating": "DISPLACED",
    r"affected|affecting|affects": "AFFECT",
    r"seized|seizing|seizes|confiscated|impounded": "SEIZE",
}
#: Nouns that follow the number ("25 deaths", "12 dead", "300 protesters").
_NOUNS: dict[str, str] = {
    r"dead|deaths|fatalities|killed": "KILL",
    r"wounded|injured|injuries": "WOUND",
    r"arrests|detainees": "ARREST",
    r"hostages": "KIDNAP",
    r"refugees|displaced people|displaced persons|evacuees": "DISPLACED",
    r"protesters|protestors|demonstrators|marchers": "PROTEST",
}
_QUALIFIER_WORDS: dict[str, str] = {
    "at least": "at_least", "no fewer than": "at_least", "a minimum of": "at_least", "no less than": "at_least",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "above": "more_than",
    "about": "about", "around": "about", "some": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about", "estimated": "about", "almost": "nearly", "nearly": "nearly", "close to": "nearly",
    "just under": "nearly", "up to": "up_to", "as many as": "up_to",
}
assert set(_QUALIFIER_WORDS.values()) <= set(QUALIFIERS)
assert {*_PASSIVE.values(), *_ACTIVE.values(), *_NOUNS.values()} <= set(COUNT_TYPES)


def _alt(table: dict[str, str]) -> str:
    """One alternation of every pattern key, longest first."""
    return "|".join(sorted((k for key in table for k in key.split("|")), key=len, reverse=True))


def _lookup(table: dict[str, str], phrase: str) -> str:
    """The count type of a matched trigger phrase."""
    phrase = " ".join(phrase.lower().split())
    return next(v for k, v in table.items() if phrase in k.split("|"))


_STOP = r"(?:in|on|at|to|from|with|by|for|after|before|since|during|than|under|near|over|across|inside|outside|" \
        r"around|including|into|through|between|against|among|without|within|following|because|amid|" \
        r"yesterday|today|last|earlier|later|overnight|said|says|that|as|when|while|who|and|or|but|were|was|are|is|have|has|had|been|be|of|the|a|an|this|these|those|its|their|his|her|it|they|which|per|year|years)"
_WORD = rf"(?!{_STOP}\b)[A-Za-z][\w'-]*"
_OBJ = (rf"(?:\s+of\s+(?:its|their|the|our|his|her|whom|them))?(?:\s+{_WORD}){{0,3}}?"
        rf"(?:\s+and(?:\s+{_WORD}){{1,2}}?)?(?:\s+(?:from|in)\s+[A-Z]\w+)?")
_APPOSITION = r"(?:,\s+(?:including|among them|many of them|most of them|mostly)\s+[^,.;\n]{1,50},)?"
_NEG_OR_MODAL = r"not|n't|never|could|would|will|may|might|should|can|must|to|if|feared|expected|likely|threatened"
_AUX = r"(?:(?:were|was|are|is|have|has|had|been|being|got|get|reportedly|also|all|now|later|allegedly|" \
       r"already|so far|" \
       r"slightly|seriously|critically|badly|fatally|severely|lightly|mortally|reported|both|each|" \
       rf"since|either|officially|confirmed|{_NEG_OR_MODAL}|be)\s+)*"
_PASSIVE_RE = re.compile(
    rf"(?P<obj>{_OBJ}){_APPOSITION}\s+(?:(?:who|that)\s+)?(?P<aux>{_AUX})(?P<verb>{_alt(_PASSIVE)})\b", re.I
)
_NOUN_RE = re.compile(
    rf"\s+(?P<obj>(?:{_WORD}\s+){{0,2}}?)(?P<verb>{_alt(_NOUNS)})\b(?!\s+(?:by|in\s+the\s+attack))", re.I
)
_ACTIVE_RE = re.compile(rf"\b(?P<pre>\w+\s+)?(?P<verb>{_alt(_ACTIVE)})\s+$", re.I)
_ACTIVE_OBJ_RE = re.compile(rf"(?:\s+(?P<obj>(?:of\s+(?:its|their|the)\s+)?(?:{_WORD}\s+){{0,2}}{_WORD}))?", re.I)
_HEDGE_RE = re.compile(
    r"\b(?:may|might|could|would|will|should)\s+(?:not\s+)?(?:be|have|kill|die|affect)\b[^.;]*$", re.I
)
_QUAL_RE = re.compile(rf"\b(?P<q>{'|'.join(sorted(_QUALIFIER_WORDS, key=len, reverse=True))})\s+$", re.I)
_NEG_RE = re.compile(rf"\b(?:{_NEG_OR_MODAL})\b", re.I)
_TRIGGER = (
    r"kill|dead|death|died|perish|slain|massacr|execut|lives|wound|injur|hurt|hospital|maim|"
    r"arrest|detain|jail|custody|rounded|kidnap|abduct|hostage|displac|flee|fled|homeless|"
    r"evacu|uproot|refugee|affect|protest|march|rall|demonstrat|streets|seiz|confiscat|impound|fatalit"
)
_TRIGGER_RE = re.compile(_TRIGGER, re.I)
# A match ends at the window's end: led by ``(?s:.*)``, ``match`` tries the positions from there back,
# which is faster than ``search`` trying them from the start.
_NOT_COUNT_LEFT = re.compile(
    r"(?s:.*)(?:\b(?:in|since|until|by|from|year|years|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|aged?|No\.?|number|route|"
    r"highway|page|at|age\s+of|Local|Flight|Article|Section|Room|Chapter|Class|Phase|Grade|Level)\s+|[-/]\s*)$", re.I)
_NOT_COUNT_RIGHT = re.compile(r"\s*(?:-|\s)(?:quarters?|thirds?|halves|fifths?|tenths?|times|fold)\b", re.I)
_TOLL_RE = re.compile(
    rf"(?:death toll|(?:total\s+)?number of (?P<obj>(?:{_WORD}\s+){{1,3}}?)(?P<verb>killed|dead|wounded|injured|"
    rf"displaced|arrested|detained|kidnapped))\b[^.;\n]{{0,100}}?\b(?:to|at|of|reached|is|was|stood at)\s+$",
    re.I,
)
_NAME_NUMBER_RE = re.compile(r"\s+[A-Z]")
_NAME_BEFORE_RE = re.compile(r"([A-Z]\w+)\s+$")

# Python's ``re`` tries a pattern anchored at the end (``...\s+$``) from every position of the
# window; these cheap necessary conditions skip the search when it cannot match.
_ACTIVE_ENDINGS = tuple(k.lower() for key in _ACTIVE for k in key.split("|"))
_QUAL_ENDINGS = tuple(_QUALIFIER_WORDS)
_NOT_COUNT_ENDINGS = tuple(
    "in since until by from year years january february march april may june july august september october "
    "november december jan feb mar apr jun jul aug sep sept oct nov dec age aged no no. number route highway page "
    "at of local flight article section room chapter class phase grade level".split()
)
_NOT_COUNT_LEFT_ENDINGS = (*_NOT_COUNT_ENDINGS, "-", "/")
_NOT_OBJECT_NOUNS = {"dead", "deaths", "fatalities", "killed", "wounded", "injured", "injuries", "arrests"}
_OTHERS = {"others", "other", "more", "of them", "more people"}

# Every passive verb and count noun holds a trigger word (but ``forced from their homes``) and neither
# pattern crosses a '.' or ';': unless a trigger word (or ``forced``) comes after the number before the
# clause ends, they cannot match there and are not tried.
_UNTRIGGERED_RE = re.compile("forced", re.I)
assert all(_TRIGGER_RE.search(k) or _UNTRIGGERED_RE.search(k)
           for table in (_PASSIVE, _NOUNS) for key in table for k in key.split("|"))

#: RE2 pattern of the trigger words near which a count can be written.
PREFILTER = f"(?i:{_TRIGGER})"


class Count(NamedTuple):
    """A count of what happened to whom, with its span in the text."""

    start: int
    end: int
    count_type: str
    number: float
    object: str | None
    qualifier: str


def _clean_object(obj: str) -> str | None:
    """The counted noun phrase without leading ``of its`` and trailing space, or None."""
    obj = re.sub(r"^(?:of\s+(?:its|their|the|our|his|her|whom|them)\s+)", "", obj.strip(), flags=re.I)
    return obj or None


def _countable(text: str, n: Number) -> bool:
    """Whether number ``n`` can be a count: not a year, percentage, money, date, age or road."""
    if n.unit is not None or n.value is None or n.value <= 0:
        return False
    if n.value != int(n.value) and n.value < 1000:
        return False
    # the cheap tests first; the regexes run only when the text around can still rule the number out
    if 1800 <= n.value <= 2100 and n.surface.isdigit():
        return False
    left = text[max(0, n.start - 12) : n.start]
    if ends_with(left, _NOT_COUNT_LEFT_ENDINGS, fold_case=True) and not (n.value >= 1000 and "," in n.surface) \
            and _NOT_COUNT_LEFT.match(left):
        return False
    if _NOT_COUNT_RIGHT.match(text, n.end):
        return False
    if _NAME_NUMBER_RE.match(text, n.end):
        prev = _NAME_BEFORE_RE.search(left)
        return not prev or prev[1].lower() in _QUALIFIER_WORDS
    return True


_CLAUSE_STOP = re.compile(r"[.;]")


def _clause_end(text: str, start: int, stops: list[int]) -> int:
    """Where the clause that goes on at ``start`` ends: the next '.' or ';' (``stops``), or the end of the text.

    ``stops`` holds the offsets of every '.' and ';' in order: a search from ``start``
    would scan to the end of a text without one, once per number.
    """
    k = bisect_left(stops, start)
    return stops[k] if k < len(stops) else len(text)


def find_counts(text: str, numbers: list[Number], triggers: list[int] | None = None) -> list[Count]:
    """Counts reported in ``text``: number, count type, object and qualifier.

    ``triggers`` are the offsets of trigger words, when already found (see :data:`PREFILTER`).

    >>> from transforms.extract.numbers import find_numbers
    >>> t = "Two Turkish soldiers were killed and two others were injured."
    >>> [(c.count_type, c.number, c.object, c.qualifier) for c in find_counts(t, find_numbers(t))]
    [('KILL', 2.0, 'Turkish soldiers', 'exact'), ('WOUND', 2.0, 'Turkish soldiers', 'exact')]
    """
    if triggers is None:
        triggers = [m.start() for m in _TRIGGER_RE.finditer(text)]
    if not triggers:
        return []
    out: list[Count] = []
    last_obj: tuple[int, str] | None = None
    stops = [m.start() for m in _CLAUSE_STOP.finditer(text)]
    for n in numbers:
        k = bisect_left(triggers, n.start - 170)
        if k == len(triggers) or triggers[k] > n.end + 120 or not _countable(text, n):
            continue
        offset = max(0, n.start - 60)
        left = text[offset : n.start]
        q = _QUAL_RE.search(left) if ends_with(left, _QUAL_ENDINGS, fold_case=True) else None
        qualifier = _QUALIFIER_WORDS[q["q"].lower()] if q else "exact"
        if q:
            left = left[: q.start()]
        start = offset + q.start("q") if q else n.start
        number = n.suggested_value if n.is_malformed and n.suggested_value is not None else n.value
        count: Count | None = None
        end = _clause_end(text, n.end, stops)
        j = bisect_left(triggers, n.end)
        trigger_ahead = j < len(triggers) and triggers[j] < end
        m = _PASSIVE_RE.match(text, n.end) if trigger_ahead or _UNTRIGGERED_RE.search(text, n.end, end) else None
        if m and not _NEG_RE.search(m["aux"]) and "\n" not in m[0]:
            ctype = _lookup(_PASSIVE, m["verb"])
            count = Count(start, m.end(), ctype, number, _clean_object(m["obj"]), qualifier)
        if count is None:
            a = _ACTIVE_RE.search(left) if ends_with(left, _ACTIVE_ENDINGS, fold_case=True) else None
            o = _ACTIVE_OBJ_RE.match(text, n.end) if a else None
            if a and o is not None and not (a["pre"] and _NEG_RE.fullmatch(a["pre"].strip())):
                begin = offset + a.start("verb")
                obj = _clean_object(o["obj"]) if o["obj"] else None
                count = Count(begin, o.end() if obj else n.end, _lookup(_ACTIVE, a["verb"]), number, obj, qualifier)
        if count is None:
            m = _NOUN_RE.match(text, n.end) if trigger_ahead else None
            if m and "\n" not in m[0]:
                noun = m["verb"].lower()
                obj = _clean_object(m[0] if noun not in _NOT_OBJECT_NOUNS else m["obj"])
                count = Count(start, m.end(), _lookup(_NOUNS, m["verb"]), number, obj, qualifier)
        if count is None:
            base = max(0, start - 160)
            window = text[base:start].lower()
            t = _TOLL_RE.search(text, base, start) if "death toll" in window or "number of" in window else None
            if t:
                ctype = _lookup(_PASSIVE, t["verb"]) if t["verb"] else "KILL"
                obj = _clean_object(t["obj"]) if t["obj"] else None
                count = Count(t.start(), n.end, ctype, number, obj, qualifier)
        if count is None or _HEDGE_RE.search(text, max(0, count.start - 50), count.start):
            continue
        obj = count.object
        if obj and obj.lower() in _OTHERS and last_obj and n.start - last_obj[0] < 200:
            count = Count(count.start, count.end, count.count_type, count.number, last_obj[1], count.qualifier)
        elif obj:
            last_obj = (count.end, obj)
        out.append(count)
    return out
