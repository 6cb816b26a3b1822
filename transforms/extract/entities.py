"""People, organisations and places: capitalised-sequence rules, title and role cues, gazetteers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from transforms.extract.places import DEMONYMS, Candidate, gazetteer, resolve

_WORDCHARS = r"[A-Z]\w*(?:['’](?!s\b)\w+)*"
_TOKEN = rf"(?:[A-Z]\.){{2,}}|{_WORDCHARS}(?:-{_WORDCHARS})*"
_JOIN = r"[ \t]+(?:(?:al|el|bin|ibn|bint|abu|de|del|da|di|van|von|der|le|of|for|of the|for the)[ \t]+)?|[ \t]+(?:al|el)-"
CAP_RE = re.compile(rf"(?:{_TOKEN})(?:(?:{_JOIN})(?:{_TOKEN}))*")
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
    "Partners Capital Petroleum Oil Energy Steel Motors Railways Communications Electric Pharmaceuticals United FC".split()
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
_PARTICLE_RE = re.compile(r"\b(?:al|el|bin|ibn|abu)[- ][A-Z]")


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity mention."""

    start: int
    end: int
    kind: str
    surface: str
    name: str


@dataclass(frozen=True, slots=True)
class Place:
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
    last = name.split()[-1]
    return re.sub(r"^(?:al|el|Al|El)-", "", last)


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Token spans inside a capitalised sequence."""
    spans, pos = [], start
    for m in _SPLIT_RE.finditer(text, start, end):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        spans.append((pos, end))
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


_OF_RE = re.compile(r"[ \t]+(?:of|for)(?:[ \t]+the)?[ \t]+")


def _sequences(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised sequences; ``X of Y`` is split in two unless it names an organisation."""
    out: list[tuple[int, int]] = []
    for m in CAP_RE.finditer(text):
        start, end = m.span()
        surface = m[0]
        if (" of " in surface or " for " in surface) and not any(w in ORG_WORDS for w in surface.split()):
            pos = start
            for j in _OF_RE.finditer(text, start, end):
                out.append((pos, j.start()))
                pos = j.end()
            out.append((pos, end))
        else:
            out.append((start, end))
    return out


def find_entities(text: str) -> Found:
    """People, organisations and geocoded places in ``text``."""
    gaz = gazetteer()
    common = gaz.common_words
    votes: Counter[str] = Counter()
    spans: list[tuple[int, int, str, str, tuple[Candidate, ...]]] = []  # start, end, kind, name, candidates
    people: dict[str, str] = {}
    for start, end in _sequences(text):
        if text.endswith(("'s", "’s"), start, end):
            end -= 2
        toks = _tokens(text, start, end)
        while toks and text[toks[0][0] : toks[0][1]] in LEAD_STOP:
            toks.pop(0)
        if not toks:
            continue
        start = toks[0][0]
        first = text[start : toks[0][1]]
        if len(toks) == 1 and (first in SKIP_SINGLE or len(first) < 2):
            continue
        surface = text[start:end]
        if surface in KNOWN_ORGS or (
            any(w in ORG_WORDS for w in surface.split()) and not (len(toks) > 1 and first in TITLES)
        ):
            spans.append((start, end, "ORG", surface, ()))
            continue
        titled = False
        while len(toks) > 1 and (text[toks[0][0] : toks[0][1]] in TITLES or text[toks[0][0] : toks[0][1]] in DEMONYMS):
            if text[toks[0][0] : toks[0][1]] in DEMONYMS:
                votes[DEMONYMS[text[toks[0][0] : toks[0][1]]]] += 1
            else:
                titled = True
            toks.pop(0)
        start = toks[0][0]
        surface = text[start:end]
        words = surface.split()
        if first in DEMONYMS and len(words) == 1 and surface == first:
            votes[DEMONYMS[first]] += 1
            continue
        if not titled and ((surface.isupper() and 2 <= len(surface) <= 6 and surface.isalpha()
                               and not gaz.names.get(surface.lower()))):
            spans.append((start, end, "ORG", surface, ()))
            continue
        if not titled:
            sn = people.get(surface) if len(words) == 1 else None
            if sn:
                spans.append((start, end, "PERSON", sn, ()))
                continue
            cands = _place_candidates(surface)
            if cands and not (len(words) == 1 and surface.lower() in common and not cands[0].is_country):
                if cands[0].is_country:
                    votes[cands[0].country_code] += 2
                spans.append((start, end, "PLACE", surface, cands))
                continue
            if not cands and "-" in surface and len(words) == 1:
                pos = start
                for part in surface.split("-"):
                    pc_ = _place_candidates(part)
                    if pc_ and part.lower() not in common:
                        spans.append((pos, pos + len(part), "PLACE", part, pc_))
                    pos += len(part) + 1
                continue
        if titled or _looks_like_person(text, start, end, words, common):
            name = " ".join(words)
            spans.append((start, end, "PERSON", name, ()))
            if len(words) > 1:
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


def _looks_like_person(text: str, start: int, end: int, words: list[str], common: frozenset[str]) -> bool:
    """Rules for an untitled person name: role or speech cues, name particles, or a 2-3 word proper name."""
    if not 1 <= len(words) <= 4:
        return False
    cue = bool(ROLE_AFTER_RE.match(text, end) or SPEECH_AFTER_RE.match(text, end)
               or ROLE_BEFORE_RE.search(text, max(0, start - 30), start))
    if len(words) == 1:
        return False
    if cue or (_PARTICLE_RE.search(" ".join(words)) and not _PLACE_BEFORE_RE.search(text, max(0, start - 20), start)):
        return True
    if len(words) > 3 or words[0].lower() in common or any(w.isupper() for w in words):
        return False
    return ((not _sentence_initial(text, start) or bool(_SPEECH_LATER_RE.match(text, end)))
            and not gazetteer().names.get(words[0].lower())
            and not _PLACE_BEFORE_RE.search(text, max(0, start - 20), start))
