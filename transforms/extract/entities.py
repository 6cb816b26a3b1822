"""People, organisations and places: capitalised-sequence rules, title and role cues, gazetteers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from transforms.extract import _scan
from transforms.extract.places import DEMONYMS, Candidate, gazetteer, resolve

_TOKEN = r"[A-Z][\w'’.-]*"
_JOIN = (r"[ \t]+(?:(?:al|el|bin|ibn|bint|abu|de|del|da|di|van|von|der|le|of|for|of the|for the)[ \t]+)?"
         r"|[ \t]+(?:al|el)-")
CAP_RE = re.compile(rf"{_TOKEN}(?:(?:{_JOIN}){_TOKEN}){{0,5}}")
#: The same pattern for RE2, whose ``\w`` is ASCII only: letters outside ASCII are given as code-point ranges
#: (Latin-1 letters, then everything above except general punctuation, currency signs and CJK punctuation),
#: which compile in well under a millisecond where ``\p{L}`` takes ten.
_LETTERS_RE2 = (r"\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1FFF}\x{2070}-\x{209F}\x{20D0}-\x{218F}\x{2C00}-\x{2DFF}"
                r"\x{3040}-\x{FFEF}\x{10000}-\x{10FFFF}")
CAP_RE2 = CAP_RE.pattern.replace(r"\w", r"\w" + _LETTERS_RE2)
_ABBREV_RE = re.compile(
    r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Capt|Lt|Sgt|Gov|Sen|Rep|Prof|Rev|Co|Corp|Inc|Ltd|Jr|Sr)\."
)
_TRAIL_RE = re.compile(r"(?:['’]s|['’])$|-[a-z].*$")
_SPLIT_RE = re.compile(r"[ \t]+|(?<=\b(?:al|el))-")

TITLES = frozenset(
    "President Prime Minister Premier General Gen Gen. Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Sir Dame King Queen Prince "
    "Princess Pope Sheikh Senator Sen. Rep. Representative Chancellor Secretary Governor Gov. Mayor Colonel Col. "
    "Captain Capt. Lieutenant Lt. Sergeant Sgt. Judge Justice Ambassador Spokesman Spokeswoman Commander Chairman "
    "Chief Executive Director Professor Prof. Archbishop Bishop Rev. Father Lord Lady Foreign Defence Defense Interior "
    "Finance Health Vice Deputy Former Ayatollah Emir Crown Field Marshal Admiral Brigadier Major-General Coach "
    "Manager Striker Midfielder Defender Goalkeeper Chef Economist Analyst Activist Speaker Leader".split()
)
ORG_WORDS = frozenset(
    "Ministry Council Front Observatory Agency Nations Party Bank Corp Corp. Corporation Inc Inc. Ltd Ltd. Co Co. "
    "Group Union Association Committee Army Helmets News TV Television Organisation Organization Institute "
    "University College School Commission Federation League Club Court Parliament Congress Senate Department Office "
    "Police Authority Fund Company Airlines Airways Motors Reserve Exchange Times Post Service Network Foundation "
    "Alliance Movement Brigade Brigades Coalition Forces Board Bureau Industries Holdings Systems Technologies Labs "
    "Records Studios Channel Radio Magazine Journal Herald Telegraph Guardian Tribune Assembly Cabinet Commons "
    "Treasury Trust Society Centre Center Hospital Church Academy Unit Guard Command Navy Directorate Securities "
    "Partners Capital Petroleum Oil Energy Steel Motors Railways Communications Electric Pharmaceuticals "
    "United FC".split()
)
KNOWN_ORGS = frozenset(
    "AFP Reuters AP SANA BBC CNN NATO UN EU OPEC IMF WHO Al Jazeera Twitter Facebook Instagram YouTube Google "
    "Microsoft Apple IBM Hezbollah Hamas Taliban Kremlin Pentagon FBI CIA NASA Fifa FIFA Uefa UEFA ITV Sony Nintendo "
    "Chelsea Arsenal Liverpool Everton Fulham Labour Tories Conservatives Democrats Republicans Congress "
    "Al-Araby Xinhua Anadolu Interfax IRNA Opec Nato".split()
) | {"Al Jazeera", "White Helmets", "The New Arab", "New Arab", "Islamic State", "Al-Qaeda", "Al Qaeda", "Wall Street",
     "Downing Street", "White House", "Hayat Tahrir al-Sham", "Free Syrian Army", "Manchester United"}
LEAD_STOP = frozenset(
    "The A An In On At To For From By With But And Or If As Of So Yet After Before When While Since During Under "
    "Over Despite Although Though Because However Meanwhile Earlier Later Last Next This That These Those There "
    "Here It Its He She They We I You His Her Their Our My Your Some Many Most Much Such Other Another Both Each "
    "Every All No Not Only Also Even Still Then Now Today Yesterday Tomorrow Why How What Where Who Which Read "
    "Follow Source Mr Mrs Ms Do Does Did Is Are Was Were Be Has Have Had Will Would Can Could May Might Should Must "
    "Let Our Please Image Photo Picture Copyright Hours Late Early Like Unlike Between Among Against Amid Around "
    "Into Onto Upon Within Without Through Across Behind Beyond Near Until Via Per Plus Minus Than Instead".split()
)
SKIP_SINGLE = frozenset(
    "January February March April May June July August September October November December Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Christmas Easter God "
    "Mr Mrs Ms Dr Sir St OK TV".split()
)
ROLE_AFTER_RE = re.compile(
    r",\s+(?:a|an|the|who|its|his|her)?\s*(?:[\w-]+\s+){0,3}?(?:spokesman|spokeswoman|spokesperson|minister|"
    r"official|president|chief|leader|director|head|commander|activist|figure|analyst|founder|chairman|executive|"
    r"secretary|general|ambassador|envoy|correspondent|reporter|editor|manager|coach|captain|striker|player|"
    r"governor|mayor|senator|lawyer|professor|economist|researcher|author|singer|actor|actress|star|boss|aged?\s+\d)"
)
ROLE_BEFORE_RE = re.compile(
    r"(?:spokesman|spokeswoman|activist|correspondent|reporter|analyst|minister|leader|official|commander|"
    r"chief|boss|coach|manager|striker|midfielder|defender|star|singer|actor|actress|director|economist|"
    r"said|says|according to|told|by|defector|colleague|wife|husband|son|daughter|brother|sister),?\s+$"
)
SPEECH_AFTER_RE = re.compile(r"\s+(?:said|says|told|added|warned|explained|insisted|stated|noted|argued|vowed|"
                             r"promised|claimed|declared|announced|urged|wrote|tweeted)\b")
_GENERIC_TAIL = frozenset("Province Region City District Governorate County Town Village Valley".split())
_PLACE_BEFORE_RE = re.compile(r"\b(?:of|in|near|at|from|to|into|towards)\s+(?:the\s+)?$")
_SPEECH_LATER_RE = re.compile(r"[^.\"\n]{0,120}?\b(?:said|says|told)\b")
_ARTICLE_RE = re.compile(r"^(?:al|el|Al|El)-")
_PARTICLE_RE = re.compile(r"\b(?:al|el|bin|ibn|abu)[- ][A-Z]")


class Entity(NamedTuple):
    """A named entity mention."""

    start: int
    end: int
    kind: str
    surface: str
    name: str


class Place(NamedTuple):
    """A geocoded place mention."""

    start: int
    end: int
    surface: str
    name: str
    country_code: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Found:
    """Entities and places of one document, and its person mentions as (start, end, name)."""

    entities: list[Entity] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    people: list[tuple[int, int, str]] = field(default_factory=list)


def surname(name: str) -> str:
    """The last token of a person's name without an Arabic article: ``Ibrahim al-Idlibi`` -> ``Idlibi``."""
    return _ARTICLE_RE.sub("", name.split()[-1])


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Token spans inside a capitalised sequence (split on blanks and after ``al-``/``el-``)."""
    spans: list[tuple[int, int]] = []
    pos = start
    for word in text[start:end].split():
        s = text.index(word, pos)
        e = s + len(word)
        if word.startswith(("al-", "el-")) and len(word) > 3:
            spans.append((s, s + 2))
            spans.append((s + 3, e))
        else:
            spans.append((s, e))
        pos = e
    return spans


def _sentence_initial(text: str, start: int) -> bool:
    """Whether ``start`` begins a sentence, line or quotation."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in ".!?\n\"“‘'(:|"


def _place_candidates(name: str) -> tuple[Candidate, ...]:
    """Gazetteer candidates for a name, ignoring a trailing generic word (``Hama Province``)."""
    names = gazetteer().names
    found = names.get(name.lower(), ())
    if not found and " " in name and name.rsplit(" ", 1)[1] in _GENERIC_TAIL:
        found = names.get(name.rsplit(" ", 1)[0].lower(), ())
    return found




_Plan = tuple[tuple[Any, ...], ...]
_PLANS: dict[str, _Plan] = {}


def _plan(seq: str) -> _Plan:
    """What a capitalised sequence can be, worked out once per distinct string (context-free rules only).

    Steps: ``("VOTE", cc)``, ``("ORG", s, e, name)``, ``("PLACE", s, e, cands)``, ``("PERSON", s, e, name)``,
    ``("SINGLE", s, e, cands, hyphen_parts)`` and ``("MAYBE", s, e, particle, fallback_ok)``; s, e are
    offsets inside ``seq``.
    """
    plan = _PLANS.get(seq)
    if plan is not None:
        return plan
    plan = _plan_token(seq) if " " not in seq and "\t" not in seq else _plan_sequence(seq)
    if len(_PLANS) > 300_000:
        _PLANS.clear()
    _PLANS[seq] = plan
    return plan


_SINGLE_NONE: dict[str, _Plan] = {}


def _plan_token(seq: str) -> _Plan:
    """The plan of a one-token sequence (the common case), by set and dictionary look-ups."""
    end = len(seq)
    t = _TRAIL_RE.search(seq) if "'" in seq or "’" in seq or "-" in seq else None
    if t:
        end = t.start()
    tok = seq[:end]
    if tok.endswith(".") and not _ABBREV_RE.fullmatch(tok):
        tok, end = tok[:-1], end - 1
    if len(tok) < 2 or tok in LEAD_STOP or tok in SKIP_SINGLE:
        return ()
    if tok in KNOWN_ORGS or tok in ORG_WORDS:
        return (("ORG", 0, end, tok),)
    cc = DEMONYMS.get(tok)
    if cc:
        return (("VOTE", cc),)
    gaz = gazetteer()
    low = tok.lower()
    cands = gaz.names.get(low, ())
    if tok.isupper() and end <= 6 and tok.isalpha() and not cands:
        return (("ORG", 0, end, tok),)
    if cands and low in gaz.common_words and not cands[0].is_country:
        cands = ()
    hyphen: list[tuple[int, int, tuple[Candidate, ...]]] = []
    if not cands and "-" in tok:
        pos = 0
        for part in tok.split("-"):
            found = gaz.names.get(part.lower(), ())
            if found and part.lower() not in gaz.common_words:
                hyphen.append((pos, pos + len(part), found))
            pos += len(part) + 1
    return (("SINGLE", 0, end, cands, tuple(hyphen)),)


def _plan_sequence(seq: str) -> _Plan:
    """The plan of a multi-token sequence: split, strip leading stop words and titles, classify."""
    gaz = gazetteer()
    common = gaz.common_words
    steps: list[tuple[Any, ...]] = []
    orgish = not ORG_WORDS.isdisjoint(seq.split())
    parts: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = 0
    all_toks = _tokens(seq, 0, len(seq))
    for s, e in all_toks:
        tok = seq[s:e]
        if not orgish and tok in ("of", "for", "the"):
            if cur_start is not None:
                parts.append((cur_start, cur_end))
            cur_start = None
            continue
        brk = False
        t = _TRAIL_RE.search(tok) if "'" in tok or "’" in tok or "-" in tok else None
        if t:
            e, brk = s + t.start(), True
        if e > s and seq[e - 1] == "." and not _ABBREV_RE.fullmatch(seq[s:e]):
            e, brk = e - 1, True
        if e > s:
            cur_start = s if cur_start is None else cur_start
            cur_end = e
        if brk and cur_start is not None:
            parts.append((cur_start, cur_end))
            cur_start = None
    if cur_start is not None:
        parts.append((cur_start, cur_end))
    for start, end in parts:
        toks = list(all_toks) if start == 0 and end == len(seq) else _tokens(seq, start, end)
        while toks and seq[toks[0][0] : toks[0][1]] in LEAD_STOP:
            toks.pop(0)
        if not toks:
            continue
        start = toks[0][0]
        first = seq[start : toks[0][1]]
        if len(toks) == 1 and (first in SKIP_SINGLE or len(first) < 2):
            continue
        surface = seq[start:end]
        if surface in KNOWN_ORGS or (
            not ORG_WORDS.isdisjoint(surface.split()) and not (len(toks) > 1 and first in TITLES)
        ):
            steps.append(("ORG", start, end, surface))
            continue
        titled = False
        while len(toks) > 1 and (seq[toks[0][0] : toks[0][1]] in TITLES or seq[toks[0][0] : toks[0][1]] in DEMONYMS):
            tok = seq[toks[0][0] : toks[0][1]]
            if tok in DEMONYMS:
                steps.append(("VOTE", DEMONYMS[tok]))
            else:
                titled = True
            toks.pop(0)
        start = toks[0][0]
        surface = seq[start:end]
        words = surface.split()
        if first in DEMONYMS and len(words) == 1 and surface == first:
            steps.append(("VOTE", DEMONYMS[first]))
            continue
        if titled:
            steps.append(("PERSON", start, end, " ".join(words)))
            continue
        if surface.isupper() and 2 <= len(surface) <= 6 and surface.isalpha() and not gaz.names.get(surface.lower()):
            steps.append(("ORG", start, end, surface))
            continue
        cands = _place_candidates(surface)
        if cands and len(words) == 1 and surface.lower() in common and not cands[0].is_country:
            cands = ()
        if len(words) == 1:
            hyphen: list[tuple[int, int, tuple[Candidate, ...]]] = []
            if not cands and "-" in surface:
                pos = start
                for part in surface.split("-"):
                    found = _place_candidates(part)
                    if found and part.lower() not in common:
                        hyphen.append((pos, pos + len(part), found))
                    pos += len(part) + 1
            steps.append(("SINGLE", start, end, cands, tuple(hyphen)))
        elif cands:
            steps.append(("PLACE", start, end, cands))
        elif len(words) <= 4:
            particle = bool(_PARTICLE_RE.search(surface))
            fallback = len(words) <= 3 and words[0].lower() not in common and not any(w.isupper() for w in words) \
                and not gaz.names.get(words[0].lower())
            steps.append(("MAYBE", start, end, particle, fallback))
    return tuple(steps)


def find_entities(text: str) -> Found:
    """People, organisations and geocoded places in ``text`` (one document; see :func:`find_all`)."""
    return find_all(_scan.as_array(pa.array([text], pa.large_string())), [text])[0]


_NO_PLAN: _Plan = ()


def find_all(texts_arr: pa.Array, texts: list[str]) -> list[Found]:
    """People, organisations and geocoded places of each text.

    ``texts_arr`` is the column prepared by ``_scan.as_array`` and ``texts`` the same strings as a list.
    Capitalised sequences are found by one RE2 pass over the column; each distinct sequence is
    planned once (:func:`_plan`), and only the sequences whose plan can yield something (or whose
    word may be the surname of a person named in the batch) reach the per-document rules.
    """
    found = _scan.matches(texts_arr, CAP_RE2)
    n = len(texts)
    if not len(found):
        return [Found() for _ in range(n)]
    enc = found.text.dictionary_encode()
    idx = enc.indices.to_numpy(zero_copy_only=False)
    uniq: list[str] = enc.dictionary.to_pylist()
    plans = _PLANS
    steps_of = [plans.get(u) or _plan(u) for u in uniq]
    surnames: set[str] = set()
    for u, steps in zip(uniq, steps_of, strict=True):
        for step in steps:
            if step[0] == "PERSON" and " " in step[3]:
                surnames.add(surname(step[3]))
            elif step[0] == "MAYBE":
                surnames.add(surname(u[step[1] : step[2]]))
    useful = np.fromiter(
        (any(st[0] != "SINGLE" or st[3] or st[4] or u[st[1] : st[2]] in surnames for st in steps)
         for u, steps in zip(uniq, steps_of, strict=True)),
        dtype=bool, count=len(uniq),
    )
    keep = useful[idx]
    docs = found.doc[keep]
    starts = found.start[keep].tolist()
    kept = [steps_of[u] for u in idx[keep].tolist()]
    bounds = np.searchsorted(docs, np.arange(n + 1)).tolist()
    return [
        _document(texts[d], starts[bounds[d] : bounds[d + 1]], kept[bounds[d] : bounds[d + 1]])
        if bounds[d] < bounds[d + 1] else Found()
        for d in range(n)
    ]


def _document(text: str, bases: list[int], plans: list[_Plan]) -> Found:
    """Entities and places of one document from its capitalised sequences (offset and plan of each)."""
    votes: Counter[str] = Counter()
    spans: list[tuple[int, int, str, str, tuple[Candidate, ...]]] = []  # start, end, kind, name, candidates
    people: dict[str, str] = {}
    for base, plan in zip(bases, plans, strict=True):
        for step in plan:
            kind = step[0]
            if kind == "VOTE":
                votes[step[1]] += 1
                continue
            start, end = base + step[1], base + step[2]
            if kind == "ORG":
                spans.append((start, end, "ORG", step[3], ()))
            elif kind == "SINGLE":
                name = people.get(text[start:end]) if people else None
                if name:
                    spans.append((start, end, "PERSON", name, ()))
                elif step[3]:
                    if step[3][0].is_country:
                        votes[step[3][0].country_code] += 2
                    spans.append((start, end, "PLACE", "", step[3]))
                else:
                    for s, e, cands in step[4]:
                        spans.append((base + s, base + e, "PLACE", "", cands))
            elif kind == "PLACE":
                spans.append((start, end, "PLACE", "", step[3]))
            elif kind == "PERSON" or _looks_like_person(text, start, end, step[3], step[4]):
                name = step[3] if kind == "PERSON" else " ".join(text[start:end].split())
                spans.append((start, end, "PERSON", name, ()))
                if " " in name:
                    people.setdefault(surname(name), name)
    entities: list[Entity] = []
    places: list[Place] = []
    mentions: list[tuple[int, int, str]] = []
    for start, end, kind, name, cands in spans:
        surface = text[start:end]
        if kind == "PLACE":
            best = resolve(cands, votes)
            name = best.name
            places.append(Place(start, end, surface, name, best.country_code, best.latitude, best.longitude))
        elif kind == "PERSON":
            mentions.append((start, end, name))
        entities.append(Entity(start, end, kind, surface, name))
    return Found(entities, places, mentions)


def _looks_like_person(text: str, start: int, end: int, particle: bool, fallback: bool) -> bool:
    """Rules for an untitled person name: name particles, a 2-3 word proper name in place, or a role/speech cue."""
    place_before = bool(_PLACE_BEFORE_RE.search(text, max(0, start - 20), start))
    if particle and not place_before:
        return True
    if fallback and not place_before and (not _sentence_initial(text, start) or _SPEECH_LATER_RE.match(text, end)):
        return True
    return bool(ROLE_AFTER_RE.match(text, end) or SPEECH_AFTER_RE.match(text, end)
                or ROLE_BEFORE_RE.search(text, max(0, start - 30), start))
