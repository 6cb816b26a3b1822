"""Counts: how many people or things were killed, wounded, arrested, displaced..."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple, cast

from transforms.extract._scan import ends_with
from transforms.extract.numbers import Number

#: Past participles / adjectives that follow the counted noun ("two soldiers were killed").
_PASSIVE: dict[str, str] = {
    r"killed|dead|slain|massacred|executed|shot dead|killed outright": "KILL",
    r"died|perished|lost their lives|were killed|drowned": "KILL",
    r"wounded|injured|hurt|hospitali[sz]ed|maimed|admitted to hospital|taken to hospital|suffered injuries|"
    r"suffered slight injuries|suffered minor injuries|suffered serious injuries|suffered severe injuries|"
    r"sustained injuries|sustained minor injuries|sustained serious injuries": "WOUND",
    r"arrested|detained|jailed|rounded up|taken into custody": "ARREST",
    r"kidnapped|abducted|taken hostage|held hostage|seized as hostages": "KIDNAP",
    r"displaced|forced to flee|forced from their homes|fled|made homeless|left homeless|homeless|evacuated|uprooted":
        "DISPLACED",
    r"affected": "AFFECT",
    r"protested|marched|rallied|demonstrated|took to the streets": "PROTEST",
    r"seized|confiscated|impounded": "SEIZE",
    r"dead or missing|died or were missing|died or went missing|killed or missing|killed or reported missing|"
    r"dead or unaccounted for|missing or dead|missing, presumed dead|are missing|were missing|is missing|"
    r"was missing|remain missing|remained missing|still missing|reported missing|went missing|"
    r"unaccounted for|on the missing list|either dead or missing": "MISSING",
    # killed and wounded together: a figure of casualties, which is neither a count of the killed nor of the wounded
    r"killed or wounded|killed or injured|killed and wounded|killed and injured|dead or wounded|dead and wounded|"
    r"dead or injured|dead and injured|killed or captured": "",
}
#: Active verbs that precede the counted noun ("killed at least four civilians").
_ACTIVE: dict[str, str] = {
    r"killed or wounded|killed and wounded|killed or injured|killed and injured|killing or wounding|"
    r"killing and wounding": "",
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
    r"dead or missing|dead and missing|missing": "MISSING",
}
_QUALIFIER_WORDS: dict[str, str] = {
    "at least": "at_least", "no fewer than": "at_least", "a minimum of": "at_least", "no less than": "at_least",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "above": "more_than",
    "about": "about", "around": "about", "some": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about", "estimated": "about", "almost": "nearly", "nearly": "nearly", "close to": "nearly",
    "just under": "nearly", "up to": "up_to", "as many as": "up_to",
    "up to a total of": "up_to", "a total of": "exact", "well over": "more_than", "just over": "more_than",
    "slightly more than": "more_than", "well above": "more_than", "no more than": "up_to", "not more than": "up_to",
    "at most": "up_to", "a maximum of": "up_to", "fewer than": "up_to", "less than": "up_to", "as high as": "up_to",
}


def _alt(table: dict[str, str]) -> str:
    """One alternation of every pattern key, longest first."""
    keys = sorted((k for key in table for k in key.split("|")), key=len, reverse=True)
    return "|".join(k.replace(" ", r"\s+") for k in keys)


def _lookup(table: dict[str, str], phrase: str) -> str:
    """The count type of a matched trigger phrase."""
    phrase = " ".join(phrase.lower().split())
    return next(v for k, v in table.items() if phrase in k.split("|"))


_STOP = r"(?:in|on|at|to|from|with|by|for|after|before|since|during|than|under|near|over|across|inside|outside|" \
        r"around|including|into|through|between|against|among|without|within|following|because|amid|" \
        r"yesterday|today|last|earlier|later|overnight|said|says|also|still|now|reportedly|already|mostly|mainly|" \
        r"only|just|even|again|then|there|here|so|too|yet|" \
        r"that|as|when|while|who|and|or|but|were|was|are|is|have|has|had|been|be|of|the|a|an|this|these|those|its|" \
        r"their|his|her|it|they|which|per|year|years|plus|aboard|onboard)"
#: Adverbs in -ly end a noun phrase ("the two men starkly demonstrated"); a few nouns end so too.
_ADVERB = r"(?!(?:family|ally|assembly|supply|rally|Italy|July)\b)[a-z]+ly\b"
_WORD = rf"(?!{_STOP}\b)(?!{_ADVERB})[A-Za-z][\w'-]*"
_OBJ = (rf"(?:\s+of\s+(?:its|their|the|our|his|her|whom|them))?(?:\s+{_WORD}){{0,3}}?"
        rf"(?:\s+and(?:\s+{_WORD}){{1,2}}?)?(?:\s+(?:from|in)\s+[A-Z]\w+)?")
_APPOSITION = r"(?:,\s+(?:including|among them|many of them|most of them|mostly)\s+[^,.;\n]{1,50},|" \
              r"\s+including\s+[^,.;]{1,30}?(?=\s+(?:were|was|have|had|are)\s))?"
_NEG_OR_MODAL = r"not|n't|never|could|would|will|may|might|should|can|must|to|if|feared|expected|likely|threatened"
_AUX = r"(?:(?:were|was|are|is|have|has|had|been|being|got|get|reportedly|also|all|now|later|allegedly|" \
       r"already|so far|" \
       r"slightly|seriously|critically|badly|fatally|severely|lightly|mortally|reported|both|each|directly|" \
       r"worst|hardest|most|adversely|" \
       rf"since|either|officially|confirmed|{_NEG_OR_MODAL}|be)\s+)*"
_PASSIVE_RE = re.compile(
    rf"(?P<obj>{_OBJ}){_APPOSITION}\s+(?:(?:who|that)\s+)?(?P<aux>{_AUX})(?P<verb>{_alt(_PASSIVE)})\b", re.I
)
_NOUN_RE = re.compile(
    rf"\s+(?P<obj>(?:{_WORD}\s+){{0,2}}?)(?P<verb>{_alt(_NOUNS)})\b"
    r"(?!\s+(?:by|in\s+the\s+attack|weight|heat|end|line|ball|wood|zone)\b)", re.I
)
_ACTIVE_RE = re.compile(rf"\b(?P<pre>\w+\s+)?(?P<verb>{_alt(_ACTIVE)})\s+$", re.I)
#: Words after "dead" that make it no death ("dead weight tons", "a dead heat"), and after "missing" no
#: missing person ("two missing from the squad").
_NOT_TRIGGER_AFTER = re.compile(r"\s+(?:weight|heat|end|line|ball|wood|zone|out|from)\b", re.I)
_ACTIVE_OBJ_RE = re.compile(
    rf"(?:\s+(?P<obj>(?:of\s+(?:its|their|the)\s+)?(?:{_WORD}\s+){{0,2}}{_WORD}"
    rf"(?:(?:,\s+{_WORD}(?:\s+{_WORD})?)*,?\s+and\s+(?!{_alt(_ACTIVE)}\b){_WORD}(?:\s+{_WORD}){{0,2}}"
    rf"(?=\s+(?:in|on|at|during|near)\b))?))?",
    re.I)
_HEDGE_RE = re.compile(
    r"\b(?:may|might|could|would|will|should)\s+(?:not\s+)?(?:be|have|kill|die|affect)\b[^.;]*$", re.I
)
_QUAL_RE = re.compile(rf"\b(?P<q>{_alt(_QUALIFIER_WORDS)})\s+$", re.I)
_NEG_RE = re.compile(rf"\b(?:{_NEG_OR_MODAL})\b", re.I)
_TRIGGER = (
    r"kill|dead|death|died|perish|slain|massacr|execut|lives|wound|injur|hurt|hospital|maim|"
    r"arrest|detain|jail|custody|rounded|kidnap|abduct|hostage|displac|flee|fled|homeless|"
    r"evacu|uproot|refugee|affect|protest|march|rall|demonstrat|streets|seiz|confiscat|impound|fatalit|missing|" \
    r"unaccounted|losses|toll|drown"
)
_TRIGGER_RE = re.compile(_TRIGGER, re.I)
# A match ends at the window's end: led by ``(?s:.*)``, ``match`` tries the positions from there back,
# which is faster than ``search`` trying them from the start.
_NOT_COUNT_LEFT = re.compile(
    r"(?s:.*)(?:\b(?:in|since|until|by|from|year|years|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|aged?|No\.?|number|route|"
    r"highway|page|at|age\s+of|Local|Flight|Article|Section|Room|Chapter|Class|Phase|Grade|Level)\s+|[-/]\s*)$", re.I)
_NOT_COUNT_RIGHT = re.compile(r"\s*(?:-|\s)(?:quarters?|thirds?|halves|fifths?|tenths?|times|fold|fewer)\b", re.I)
_TOLL_RE = re.compile(
    rf"(?:(?:death\s+)?toll|(?:total\s+)?number\s+of\s+(?P<obj>(?:{_WORD}\s+){{1,3}}?)(?P<verb>dead\s+or\s+missing|"
    rf"killed|dead|wounded|injured|"
    rf"displaced|arrested|detained|kidnapped))\b[^.;\n]{{0,100}}?\b(?:to|at|of|reached|is|was|stood at)\s+$",
    re.I,
)
#: A total brought up to date: "taking its losses this month alone to 19", "bringing the toll to 30".
_RUNNING_TOTAL_RE = re.compile(
    r"\b(?:taking|bringing|raising|pushing|lifting)\s+(?:its|the|their|his|her|our)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:losses|toll|total|tally|casualties)\b[^.;\n]{0,40}?\s+to\s+$", re.I)
#: A period that runs to the time of writing, just after a count: the count is a total over it.
_PERIOD_RE = re.compile(
    r"[^,;.]{0,40}?\b(?:(?:so\s+far\s+)?this\s+(?:week|month|year)|so\s+far|to\s+date|"
    r"since\s+the\s+(?:start|beginning)\s+of|(?:in|over|during)\s+the\s+(?:past|last)\s+(?:[\w-]+\s+)?"
    r"(?:days?|weeks?|months?|years?))\b", re.I)
#: The same period before the count in its clause ("In the past seven years, 45 children were injured"),
#: or "so far" before its verb ("the fire has so far killed one").
_PERIOD_BEFORE_RE = re.compile(
    r"(?:\b(?:in|over|during)\s+the\s+(?:past|last)\s+(?:[\w-]+\s+)?(?:days?|weeks?|months?|years?)\b"
    r"(?!.*\b(?:on|last)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[^;]*"
    r"|\bso\s+far\s+)$", re.I | re.S)
#: "32 of the 543 passengers": the count is the first number, of the things the second one counts.
_PART_OF_RE = re.compile(r"\s+of\s+(?:(?:the|its|their|his|her|our)\s+)?")
#: Who is seized: people are arrested (or abducted), not confiscated.
_PEOPLE_RE = re.compile(r"(?:\w+\s+)*(?:men|women|people|persons|suspects|members|activists|protesters|"
                        r"fishermen|crew|sailors|soldiers|students|workers|civilians|nationals|citizens)$", re.I)
#: Nouns of an adjective count ("5,000 affected vehicles", "the two affected countries").
_ADJ_NOUN_RE = re.compile(rf"\s+(?P<noun>(?!{_STOP}\b)[a-z][\w-]*s)\b")
#: Protesters whom the clause says were arrested are counted as arrests.
_ARRESTED_AFTER_RE = re.compile(
    r"[^.;,]{0,70}?\b(?:were|have\s+been|had\s+been)\s+(?:arrested|detained|jailed|taken\s+into\s+custody)\b",
    re.I)
_OTHER_BEFORE_RE = re.compile(r"\bother\s+$", re.I)
#: Verbs that mean "showed" or "recovered" when they take an object: "the two men starkly demonstrated the view".
_NOT_PROTEST_VERBS = {"demonstrated", "rallied"}
_TRANSITIVE_RE = re.compile(
    r"\s+(?:the|a|an|that|how|what|why|its|their|his|her|our|this|these|those|some|no|again|strongly|"
    r"to\s+(?:beat|win|take|finish|close|end|draw|level|record|a|the))\b", re.I)
#: A paragraph break: a blank line or a new indented line. A count never crosses one; a wrapped line it does.
_BREAK_RE = re.compile(r"\n\s*\n|\n[ \t]")
_NAME_NUMBER_RE = re.compile(r"\s+[A-Z]")
_NAME_BEFORE_RE = re.compile(r"([A-Z]\w+)\s+$")

# Python's ``re`` tries a pattern anchored at the end (``...\s+$``) from every position of the
# window; these cheap necessary conditions skip the search when it cannot match.
_ACTIVE_ENDINGS = tuple({k.lower().split()[-1] for key in _ACTIVE for k in key.split("|")})
_QUAL_ENDINGS = tuple({k.split()[-1] for k in _QUALIFIER_WORDS})
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
    return " ".join(obj.split()) or None


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


def _running(text: str, count: Count) -> bool:
    """Whether ``count`` is a total over a period up to the time of writing, by the words around it."""
    p = _PERIOD_RE.match(text, count.end)
    if p and not _BREAK_RE.search(p[0]):
        return True
    base = max(0, count.start - 80)
    cut = max(text.rfind(c, base, count.start) for c in (".", ";", "\n\n"))
    return bool(_PERIOD_BEFORE_RE.search(text, cut + 1 if cut >= 0 else base, count.start))


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
    for i, n in enumerate(numbers):
        k = bisect_left(triggers, n.start - 170)
        if k == len(triggers) or triggers[k] > n.end + 120 or (out and n.start < out[-1].end) \
                or not _countable(text, n):
            continue
        offset = max(0, n.start - 60)
        left = text[offset : n.start]
        q = _QUAL_RE.search(left) if ends_with(left, _QUAL_ENDINGS, fold_case=True) else None
        qualifier = _QUALIFIER_WORDS[" ".join(q["q"].lower().split())] if q else "exact"
        if q:
            left = left[: q.start()]
        start = offset + q.start("q") if q else n.start
        number = cast(float, n.suggested_value if n.is_malformed and n.suggested_value is not None else n.value)
        # "32 of the 543 passengers were confirmed dead": what follows the second number goes with the first
        after = n.end
        po = _PART_OF_RE.match(text, n.end) if i + 1 < len(numbers) else None
        if po and numbers[i + 1].start == po.end():
            after = numbers[i + 1].end
        count: Count | None = None
        combined = False
        end = _clause_end(text, after, stops)
        j = bisect_left(triggers, after)
        trigger_ahead = j < len(triggers) and triggers[j] < end
        m = _PASSIVE_RE.match(text, after) if trigger_ahead or _UNTRIGGERED_RE.search(text, after, end) else None
        if m and not _NEG_RE.search(m["aux"]) and not _BREAK_RE.search(m[0]) \
                and not (m["verb"].lower() in _NOT_PROTEST_VERBS and _TRANSITIVE_RE.match(text, m.end())) \
                and not (m["verb"].lower() in ("dead", "missing") and _NOT_TRIGGER_AFTER.match(text, m.end())):
            ctype = _lookup(_PASSIVE, m["verb"])
            obj = _clean_object(m["obj"])
            stop = m.end()
            if obj is None and not m["aux"] and (adj := _ADJ_NOUN_RE.match(text, m.end())):
                obj, stop = adj["noun"], adj.end()  # "5,000 affected vehicles"
            combined = not ctype
            count = Count(start, stop, ctype, number, obj, qualifier)
        if count is None:
            a = _ACTIVE_RE.search(left) if ends_with(left, _ACTIVE_ENDINGS, fold_case=True) else None
            o = _ACTIVE_OBJ_RE.match(text, after) if a else None
            if a and o is not None and not (a["pre"] and _NEG_RE.fullmatch(a["pre"].strip())) \
                    and not _BREAK_RE.search(text, offset + a.start("verb"), o.end()):
                begin = offset + a.start("verb")
                obj = _clean_object(o["obj"]) if o["obj"] else None
                ctype = _lookup(_ACTIVE, a["verb"])
                combined = not ctype
                count = Count(begin, o.end() if obj else n.end, ctype, number, obj, qualifier)
        if count is None:
            m = _NOUN_RE.match(text, after) if trigger_ahead else None
            if m and not _BREAK_RE.search(m[0]) \
                    and not (m["verb"].lower() in ("dead", "missing") and _NOT_TRIGGER_AFTER.match(text, m.end())):
                noun = m["verb"].lower()
                obj = _clean_object(m[0] if noun not in _NOT_OBJECT_NOUNS and noun != "missing" else m["obj"])
                ctype = _lookup(_NOUNS, m["verb"])
                if ctype == "PROTEST" and _ARRESTED_AFTER_RE.match(text, m.end()):
                    ctype = "ARREST"  # "15 protesters from the campaign group were arrested"
                elif ctype == "PROTEST" and _OTHER_BEFORE_RE.search(left):
                    ctype = ""  # "the other seven protesters": some of a group counted elsewhere
                combined = not ctype
                count = Count(start, m.end(), ctype, number, obj, qualifier)
        if count is None:
            base = max(0, start - 160)
            window = text[base:start].lower()
            t = _TOLL_RE.search(text, base, start) if "toll" in window or "number of" in window else None
            if t:
                ctype = _lookup(_PASSIVE, t["verb"]) if t["verb"] else "KILL"
                obj = _clean_object(t["obj"]) if t["obj"] else None
                count = Count(t.start(), n.end, ctype, number, obj, qualifier)
        if count is None and any(w in left.lower() for w in ("losses", "toll", "total", "tally", "casualties")):
            t = _RUNNING_TOTAL_RE.search(left)
            if t and not _BREAK_RE.search(t[0]):
                obj = last_obj[1] if last_obj and n.start - last_obj[0] < 200 else None
                ctype = "MISSING" if re.search(r"missing|presumed", t[0], re.I) else "KILL"
                qual = "running_total" if qualifier == "exact" and _PERIOD_RE.search(t[0]) else qualifier
                count = Count(offset + t.start(), n.end, ctype, number, obj, qual)
        if count is None or combined or _HEDGE_RE.search(text, max(0, count.start - 50), count.start):
            continue
        if count.qualifier == "exact" and _running(text, count):
            count = count._replace(qualifier="running_total")
        if count.count_type == "SEIZE" and count.object and _PEOPLE_RE.search(count.object):
            count = count._replace(count_type="ARREST")  # "eight men seized at a hotel"
        obj = count.object
        if obj and obj.lower() in _OTHERS and last_obj and n.start - last_obj[0] < 200:
            count = Count(count.start, count.end, count.count_type, count.number, last_obj[1], count.qualifier)
        elif obj:
            last_obj = (count.end, obj)
        out.append(count)
    return out
