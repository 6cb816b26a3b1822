"""Capitalised sequences, and what each can be by context-free rules: one sequence at a time.

A sequence (``Turkish President Recep Tayyip Erdogan``) splits into parts, each one name; its
plan is a list of steps: an organisation, a titled person, a place, a vote for a country (a
demonym), or a decision left to the document (a single word, an untitled name). The array
version of these rules is in :mod:`transforms.extract.names.sequence_arrays`.
"""

from __future__ import annotations

import re
from functools import partial
from typing import NamedTuple

from contract.vocab import ORG_SPELLINGS
from transforms.extract.places import DEMONYMS, Candidate, fixed_choice, gazetteer

_TOKEN = r"[A-Z][\w'’.-]*"
_JOIN = (r"[ \t]+(?:(?:al|el|bin|ibn|bint|abu|de|del|da|di|van|von|der|le|of|for|of the|for the)[ \t]+)?"
         r"|[ \t]+(?:al|el)-")
CAP_RE = re.compile(rf"{_TOKEN}(?:(?:{_JOIN}){_TOKEN}){{0,5}}")
#: The same pattern for RE2, whose ``\w`` is ASCII only: letters outside ASCII are given as code-point ranges
#: (Latin-1 letters, then everything above except the Ogham space mark, general punctuation, currency signs
#: and CJK punctuation), which compile in well under a millisecond where ``\p{L}`` takes ten.
_LETTERS_RE2 = (r"\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{167F}\x{1681}-\x{1FFF}\x{2070}-\x{209F}\x{20D0}-\x{218F}"
                r"\x{2C00}-\x{2DFF}\x{3040}-\x{FFEF}\x{10000}-\x{10FFFF}")
CAP_RE2 = CAP_RE.pattern.replace(r"\w", r"\w" + _LETTERS_RE2)
_ABBREV_RE = re.compile(
    r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Capt|Lt|Sgt|Gov|Sen|Rep|Prof|Rev|Co|Corp|Inc|Ltd|Jr|Sr)\."
)
_TRAIL_RE = re.compile(r"(?:['’]s|['’])$|-[a-z].*$")

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
    "BBC CNN NATO UN EU OPEC IMF WHO Al Jazeera Twitter Facebook Instagram YouTube Google "
    "Microsoft Apple IBM Hezbollah Hamas Taliban Kremlin Pentagon FBI CIA NASA Fifa FIFA Uefa UEFA ITV Sony Nintendo "
    "Chelsea Arsenal Liverpool Everton Fulham Labour Tories Conservatives Democrats Republicans Congress "
    "Al-Araby Opec Nato".split()
) | set(ORG_SPELLINGS) | {
    "Al Jazeera", "White Helmets", "The New Arab", "New Arab", "Islamic State", "Al-Qaeda", "Al Qaeda", "Wall Street",
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
GENERIC_TAIL = frozenset("Province Region City District Governorate County Town Village Valley".split())
_ARTICLES = frozenset({"al-", "el-", "Al-", "El-"})
PARTICLES = ("al", "el", "bin", "ibn", "abu")
PARTICLE_RE = re.compile(rf"\b(?:{'|'.join(PARTICLES)})[- ][A-Z]")


def surname(name: str) -> str:
    """The last token of a person's name without an Arabic article: ``Ibrahim al-Idlibi`` -> ``Idlibi``."""
    last = name.split()[-1]
    return last[3:] if last[:3] in _ARTICLES else last


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


def _place_candidates(name: str) -> tuple[Candidate, ...]:
    """Gazetteer candidates for a name, ignoring a trailing generic word (``Hama Province``)."""
    names = gazetteer().names
    found = names.get(name.lower(), ())
    if not found and " " in name and name.rsplit(" ", 1)[1] in GENERIC_TAIL:
        found = names.get(name.rsplit(" ", 1)[0].lower(), ())
    return found


#: A word shorter than this is not a name on its own (a lone ``A`` or ``I``).
MIN_NAME_CHARS = 2
#: An all-capital word of at most this many letters that names no place is an organisation (``NATO``, ``UEFA``).
MAX_ACRONYM_CHARS = 6
#: An untitled name of at most this many words may be a person (the document decides, a MAYBE step).
MAX_UNTITLED_WORDS = 4
#: An untitled name of at most this many words, none all-capital, is a person unless its context says otherwise.
MAX_FALLBACK_WORDS = 3


def _is_acronym(word: str) -> bool:
    """An all-capital word of :data:`MIN_NAME_CHARS` to :data:`MAX_ACRONYM_CHARS` letters."""
    return word.isupper() and MIN_NAME_CHARS <= len(word) <= MAX_ACRONYM_CHARS and word.isalpha()


#: Step kinds, as codes.
VOTE, ORG, PERSON, PLACE, SINGLE, MAYBE = range(6)


class HyphenPlace(NamedTuple):
    """A place name inside a hyphenated word (``Idlib-Hama``): its span in the sequence, and its candidates."""

    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]
    fixed: Candidate | None


class Step(NamedTuple):
    """One step of a sequence's plan, with everything that does not depend on context worked out.

    ``name`` holds the country code of a VOTE; ``fixed`` is the place the candidates resolve to
    whatever the context; ``surname`` the surname a PERSON or MAYBE step would register;
    ``particle`` and ``fallback`` are the context-free halves of the person test of a MAYBE step
    (see ``entities._looks_like_person``); ``hyphen_places`` are the place names inside a
    hyphenated SINGLE word. ``start`` and ``end`` are offsets into the sequence.
    """

    kind: int
    start: int
    end: int
    surface: str
    name: str
    candidates: tuple[Candidate, ...]
    fixed: Candidate | None
    surname: str | None
    particle: bool
    fallback: bool
    hyphen_places: tuple[HyphenPlace, ...]


#: Builds a :class:`Step` from a tuple of its fields, skipping the keyword-handling constructor.
_step = partial(tuple.__new__, Step)


def _vote(cc: str) -> Step:
    """A vote for country ``cc`` (a demonym)."""
    return _step((VOTE, 0, 0, "", cc, (), None, None, False, False, ()))


def _org(seq: str, s: int, e: int, name: str) -> Step:
    """An organisation at ``seq[s:e]``."""
    return _step((ORG, s, e, seq[s:e], name, (), None, None, False, False, ()))


def _person(seq: str, s: int, e: int, name: str) -> Step:
    """A titled person at ``seq[s:e]``; a full name registers its surname."""
    return _step((PERSON, s, e, seq[s:e], name, (), None, surname(name) if " " in name else None, False, False, ()))


def _place(seq: str, s: int, e: int, cands: tuple[Candidate, ...]) -> Step:
    """A place name at ``seq[s:e]`` with its gazetteer candidates."""
    return _step((PLACE, s, e, seq[s:e], "", cands, fixed_choice(cands), None, False, False, ()))


def _single(seq: str, s: int, e: int, cands: tuple[Candidate, ...],
            parts: list[tuple[int, int, tuple[Candidate, ...]]]) -> Step:
    """A single word: a place (``cands``, or places inside it, ``parts``) unless a person's surname."""
    hyphen = tuple(HyphenPlace(hs, he, seq[hs:he], c, fixed_choice(c)) for hs, he, c in parts) if parts else ()
    return _step((SINGLE, s, e, seq[s:e], "", cands, fixed_choice(cands) if cands else None, None, False, False,
                  hyphen))


def _maybe(seq: str, s: int, e: int, particle: bool, fallback: bool) -> Step:
    """An untitled name that the context may show to be a person."""
    surface = seq[s:e]
    name = " ".join(surface.split())
    return _step((MAYBE, s, e, surface, name, (), None, surname(name), particle, fallback, ()))


Plan = tuple[Step, ...]


def plan(seq: str) -> Plan:
    """What a capitalised sequence can be, from context-free rules, as steps (:class:`Step`).

    Steps name an ORG, a PERSON (titled), a PLACE, cast a VOTE for a country (a demonym), or
    leave the decision to the document: a SINGLE word (a place, or the surname of a person named
    earlier) and a MAYBE person (an untitled name, see ``entities._looks_like_person``).
    """
    return _plan_parts(seq, part_tokens(seq))


_CUTS: dict[str, tuple[int, bool]] = {}


def token_cut(tok: str) -> tuple[int, bool]:
    """Length of a token without a trailing possessive, ``-suffix`` or full stop, and whether one was cut."""
    hit = _CUTS.get(tok)
    if hit is None:
        e, brk = len(tok), False
        t = _TRAIL_RE.search(tok) if "'" in tok or "’" in tok or "-" in tok else None
        if t:
            e, brk = t.start(), True
        if e > 0 and tok[e - 1] == "." and not _ABBREV_RE.fullmatch(tok[:e]):
            e, brk = e - 1, True
        hit = (e, brk)
        if len(_CUTS) > 200_000:
            _CUTS.clear()
        _CUTS[tok] = hit
    return hit


def part_tokens(seq: str) -> list[list[tuple[int, int]]]:
    """The parts of a sequence, each as its token spans; each part is one name.

    The sequence splits into parts at ``of``/``for``/``the`` (unless it names an organisation) and
    after a token that loses a possessive, a ``-suffix`` or a full stop.
    """
    orgish = not ORG_WORDS.isdisjoint(seq.split())
    parts: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    for s, e in _tokens(seq, 0, len(seq)):
        tok = seq[s:e]
        if not orgish and (tok == "of" or tok == "for" or tok == "the"):
            if cur:
                parts.append(cur)
                cur = []
            continue
        cut, brk = token_cut(tok)
        if cut > 0:
            cur.append((s, s + cut))
        if brk and cur:
            parts.append(cur)
            cur = []
    if cur:
        parts.append(cur)
    return parts


def _plan_parts(seq: str, parts: list[list[tuple[int, int]]]) -> Plan:
    """The steps of the parts of a sequence, each given as its token spans."""
    gaz = gazetteer()
    common = gaz.common_words
    steps: list[Step] = []
    for toks in parts:
        end = toks[-1][1]
        words = [seq[s:e] for s, e in toks]
        i, n = 0, len(toks)
        while i < n and words[i] in LEAD_STOP:
            i += 1
        if i == n:
            continue
        start = toks[i][0]
        first = words[i]
        if n - i == 1 and (first in SKIP_SINGLE or len(first) < MIN_NAME_CHARS):
            continue
        surface = seq[start:end]
        if surface in KNOWN_ORGS or (
            not ORG_WORDS.isdisjoint(surface.split()) and not (n - i > 1 and first in TITLES)
        ):
            steps.append(_org(seq, start, end, surface))
            continue
        titled = False
        while n - i > 1:
            tok = words[i]
            if tok in DEMONYMS:
                steps.append(_vote(DEMONYMS[tok]))
            elif tok in TITLES:
                titled = True
            else:
                break
            i += 1
        start = toks[i][0]
        surface = seq[start:end]
        words = surface.split()
        if first in DEMONYMS and len(words) == 1 and surface == first:
            steps.append(_vote(DEMONYMS[first]))
            continue
        if titled:
            steps.append(_person(seq, start, end, " ".join(words)))
            continue
        if _is_acronym(surface) and not gaz.names.get(surface.lower()):
            steps.append(_org(seq, start, end, surface))
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
            steps.append(_single(seq, start, end, cands, hyphen))
        elif cands:
            steps.append(_place(seq, start, end, cands))
        elif len(words) <= MAX_UNTITLED_WORDS:
            particle = bool(PARTICLE_RE.search(surface))
            fallback = len(words) <= MAX_FALLBACK_WORDS and words[0].lower() not in common \
                and not any(w.isupper() for w in words) and not gaz.names.get(words[0].lower())
            steps.append(_maybe(seq, start, end, particle, fallback))
    return tuple(steps)
