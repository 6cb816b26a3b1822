"""People, organisations and places: capitalised-sequence rules, title and role cues, gazetteers."""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import partial
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract import _scan
from transforms.extract.places import DEMONYMS, Candidate, fixed_choice, gazetteer, resolve

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
_ROLES_BEFORE = (
    "spokesman|spokeswoman|activist|correspondent|reporter|analyst|minister|leader|official|commander|"
    "chief|boss|coach|manager|striker|midfielder|defender|star|singer|actor|actress|director|economist|"
    "said|says|according to|told|by|defector|colleague|wife|husband|son|daughter|brother|sister"
)
ROLE_BEFORE_RE = re.compile(rf"(?:{_ROLES_BEFORE}),?\s+$")
_SPEECH_VERBS = tuple("said says told added warned explained insisted stated noted argued vowed promised claimed "
                      "declared announced urged wrote tweeted".split())
SPEECH_AFTER_RE = re.compile(rf"\s+(?:{'|'.join(_SPEECH_VERBS)})\b")
_GENERIC_TAIL = frozenset("Province Region City District Governorate County Town Village Valley".split())
_PLACES_BEFORE = ("of", "in", "near", "at", "from", "to", "into", "towards")
_PLACE_BEFORE_RE = re.compile(rf"\b(?:{'|'.join(_PLACES_BEFORE)})\s+(?:the\s+)?$")
_SPEECH_LATER_RE = re.compile(r"[^.\"\n]{0,120}?\b(?:said|says|told)\b")
_ARTICLES = frozenset({"al-", "el-", "Al-", "El-"})
_PARTICLES = ("al", "el", "bin", "ibn", "abu")
_PARTICLE_RE = re.compile(rf"\b(?:{'|'.join(_PARTICLES)})[- ][A-Z]")


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


#: Step kinds, as codes.
_VOTE, _ORG, _PERSON, _PLACE, _SINGLE, _MAYBE = range(6)


class _Step(NamedTuple):
    """One step of a sequence's plan, with everything that does not depend on context worked out.

    ``name`` holds the country code of a VOTE; ``fixed`` is the place the candidates resolve to
    whatever the context; ``sur`` the surname a PERSON or MAYBE step would register; ``hyphen``
    the (s, e, surface, cands, fixed) of the place names inside a hyphenated word.
    """

    kind: int
    s: int
    e: int
    surface: str
    name: str
    cands: tuple[Candidate, ...]
    fixed: Candidate | None
    sur: str | None
    particle: bool
    fallback: bool
    hyphen: tuple[tuple[int, int, str, tuple[Candidate, ...], Candidate | None], ...]


#: Builds a :class:`_Step` from a tuple of its fields, skipping the keyword-handling constructor.
_step = partial(tuple.__new__, _Step)


def _vote(cc: str) -> _Step:
    """A vote for country ``cc`` (a demonym)."""
    return _step((_VOTE, 0, 0, "", cc, (), None, None, False, False, ()))


def _org(seq: str, s: int, e: int, name: str) -> _Step:
    """An organisation at ``seq[s:e]``."""
    return _step((_ORG, s, e, seq[s:e], name, (), None, None, False, False, ()))


def _person(seq: str, s: int, e: int, name: str) -> _Step:
    """A titled person at ``seq[s:e]``; a full name registers its surname."""
    return _step((_PERSON, s, e, seq[s:e], name, (), None, surname(name) if " " in name else None, False, False, ()))


def _place(seq: str, s: int, e: int, cands: tuple[Candidate, ...]) -> _Step:
    """A place name at ``seq[s:e]`` with its gazetteer candidates."""
    return _step((_PLACE, s, e, seq[s:e], "", cands, fixed_choice(cands), None, False, False, ()))


def _single(seq: str, s: int, e: int, cands: tuple[Candidate, ...],
            parts: list[tuple[int, int, tuple[Candidate, ...]]]) -> _Step:
    """A single word: a place (``cands``, or places inside it, ``parts``) unless a person's surname."""
    hyphen = tuple((hs, he, seq[hs:he], c, fixed_choice(c)) for hs, he, c in parts) if parts else ()
    return _step((_SINGLE, s, e, seq[s:e], "", cands, fixed_choice(cands) if cands else None, None, False, False,
                  hyphen))


def _maybe(seq: str, s: int, e: int, particle: bool, fallback: bool) -> _Step:
    """An untitled name that the context may show to be a person."""
    surface = seq[s:e]
    name = " ".join(surface.split())
    return _step((_MAYBE, s, e, surface, name, (), None, surname(name), particle, fallback, ()))


_Plan = tuple[_Step, ...]


def _plan(seq: str) -> _Plan:
    """What a capitalised sequence can be, from context-free rules, as steps (:class:`_Step`).

    Steps name an ORG, a PERSON (titled), a PLACE, cast a VOTE for a country (a demonym), or
    leave the decision to the document: a SINGLE word (a place, or the surname of a person named
    earlier) and a MAYBE person (an untitled name, see :func:`_looks_like_person`).
    """
    return _plan_token(seq) if " " not in seq and "\t" not in seq else _plan_sequence(seq)


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
        return (_org(seq, 0, end, tok),)
    cc = DEMONYMS.get(tok)
    if cc:
        return (_vote(cc),)
    gaz = gazetteer()
    low = tok.lower()
    cands = gaz.names.get(low, ())
    if tok.isupper() and end <= 6 and tok.isalpha() and not cands:
        return (_org(seq, 0, end, tok),)
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
    return (_single(seq, 0, end, cands, hyphen),)


_CUTS: dict[str, tuple[int, bool]] = {}


def _cut(tok: str) -> tuple[int, bool]:
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


def _plan_sequence(seq: str) -> _Plan:
    """The plan of a multi-token sequence: split into parts (:func:`_part_tokens`), and plan each."""
    return _plan_parts(seq, _part_tokens(seq))


def _part_tokens(seq: str) -> list[list[tuple[int, int]]]:
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
        cut, brk = _cut(tok)
        if cut > 0:
            cur.append((s, s + cut))
        if brk and cur:
            parts.append(cur)
            cur = []
    if cur:
        parts.append(cur)
    return parts


def _plan_parts(seq: str, parts: list[list[tuple[int, int]]]) -> _Plan:
    """The steps of the parts of a sequence, each given as its token spans."""
    gaz = gazetteer()
    common = gaz.common_words
    steps: list[_Step] = []
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
        if n - i == 1 and (first in SKIP_SINGLE or len(first) < 2):
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
        if surface.isupper() and 2 <= len(surface) <= 6 and surface.isalpha() and not gaz.names.get(surface.lower()):
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
        elif len(words) <= 4:
            particle = bool(_PARTICLE_RE.search(surface))
            fallback = len(words) <= 3 and words[0].lower() not in common and not any(w.isupper() for w in words) \
                and not gaz.names.get(words[0].lower())
            steps.append(_maybe(seq, start, end, particle, fallback))
    return tuple(steps)


#: Sequences that :func:`_plan_simple` cannot take: a tab, a double space, a quote mark, a full stop, a hyphen,
#: or ``of``/``for``/``the`` (without these a sequence is one part, and its tokens are its words).
_COMPLEX_RE2 = r"[\t'’.-]|  |(?:^| )(?:of|for|the)(?: |$)"


_KNOWN_ORGS = pa.array(sorted(KNOWN_ORGS), pa.string())
_DEMONYM_WORDS = pa.array(list(DEMONYMS), pa.string())
_DEMONYM_CODES = np.array(list(DEMONYMS.values()), dtype=object)
#: Word lists as Arrow arrays, for look-ups of a column of words.
_TITLE_WORDS, _SKIP_WORDS, _STOP_WORDS, _ORG_WORDS, _GENERIC_WORDS = (
    pa.array(sorted(group), pa.string()) for group in (TITLES, SKIP_SINGLE, LEAD_STOP, ORG_WORDS, _GENERIC_TAIL))


def _member(words: pa.Array, values: pa.Array) -> np.ndarray:
    """Which of ``words`` are among ``values``."""
    return pc.is_in(words, value_set=values).to_numpy(zero_copy_only=False)


class _Columns(NamedTuple):
    """Steps of newly planned sequences as columns (the fields of :class:`_Step`); ``seq`` is each step's sequence."""

    seq: np.ndarray
    kind: np.ndarray
    s: np.ndarray
    e: np.ndarray
    surface: np.ndarray
    name: np.ndarray
    cands: np.ndarray
    fixed: np.ndarray
    sur: np.ndarray
    particle: np.ndarray
    fallback: np.ndarray
    hyphen: np.ndarray


def _objects(values: Iterable[object], n: int) -> np.ndarray:
    """An object array of ``n`` values (tuples stay elements: nothing is unpacked)."""
    return np.fromiter(values, dtype=object, count=n)


def _columns(plans: list[_Plan]) -> _Columns:
    """The steps of ``plans`` (one plan per sequence) as columns."""
    steps = list(chain.from_iterable(plans))
    kind, s, e, surface, name, cands, fixed, sur, particle, fallback, hyphen = (
        zip(*steps, strict=True) if steps else [()] * len(_Step._fields))
    n = len(steps)
    return _Columns(
        np.repeat(np.arange(len(plans)), [len(p) for p in plans]), np.array(kind, dtype=np.int8),
        np.array(s, dtype=np.int64), np.array(e, dtype=np.int64), _objects(surface, n), _objects(name, n),
        _objects(cands, n), _objects(fixed, n), _objects(sur, n), np.array(particle, dtype=bool),
        np.array(fallback, dtype=bool), _objects(hyphen, n))


def _plan_simple(seqs: list[str]) -> _Columns:
    """The plans of sequences without the marks of ``_COMPLEX_RE2``, worked out for all of them at once.

    These are the rules of :func:`_plan_parts` for a single part, as array operations over the
    words: leading stop words go; a known name or an organisation word makes an organisation;
    a leading run of titles and demonyms (each demonym voting for its country) makes a titled
    person; what is left is a short upper-case organisation, a single word, a place, or an
    untitled name. Python runs once per distinct word, and per sequence only for string slices
    and look-ups.
    """
    if not seqs:
        return _columns([])
    gaz = gazetteer()
    names, common = gaz.names, gaz.common_words
    n_seqs = len(seqs)
    arr = pa.array(seqs, pa.string())
    split = pc.split_pattern(arr, " ")
    offsets = split.offsets.to_numpy().astype(np.int64)
    heads, tails = offsets[:-1], offsets[1:] - 1
    n = np.diff(offsets)
    enc = split.values.dictionary_encode()
    code = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    words = enc.dictionary
    uniq: list[str] = words.to_pylist()
    # what each distinct word is: set memberships in Arrow, str methods and gazetteer look-ups in Python
    low = [w.lower() for w in uniq]
    w_cands = [names.get(w, ()) for w in low]
    w_len = pc.utf8_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
    dem_at = pc.index_in(words, value_set=_DEMONYM_WORDS)
    is_dem = pc.is_valid(dem_at).to_numpy(zero_copy_only=False)
    w_dem = np.full(len(uniq), None, dtype=object)
    w_dem[is_dem] = _DEMONYM_CODES[dem_at.drop_null().to_numpy()]
    is_title = _member(words, _TITLE_WORDS)
    is_upper = np.array([w.isupper() for w in uniq], dtype=bool)
    has_place = np.fromiter(map(bool, w_cands), dtype=bool, count=len(uniq))
    drops = (w_len < 2) | _member(words, _SKIP_WORDS)
    upper_org = is_upper & (w_len >= 2) & (w_len <= 6) & ~has_place & np.array([w.isalpha() for w in uniq], dtype=bool)
    loose = np.array([w in common for w in low], dtype=bool)
    stop = _member(words, _STOP_WORDS)[code]
    org_word = _member(words, _ORG_WORDS)[code]
    generic = _member(words, _GENERIC_WORDS)
    particle_end = pc.match_substring_regex(words, f"(?:{'|'.join(_PARTICLES)})$").to_numpy(zero_copy_only=False)[code]
    # each word's sequence (q), position in it (p) and character offset (at); each sequence's length
    q = np.repeat(np.arange(n_seqs), n)
    p = np.arange(len(code)) - heads[q]
    span = w_len[code] + 1
    before = np.cumsum(span) - span
    at = before - before[heads][q]
    size = at[tails] + w_len[code[tails]]
    # leading stop words go, and a lone short or skipped word
    i0 = np.minimum.reduceat(np.where(stop, n[q], p), heads)
    first_at = heads + np.minimum(i0, n - 1)
    first = code[first_at]
    start0 = at[first_at]
    alive = (i0 < n) & ~((n - i0 == 1) & drops[first])
    after = p >= i0[q]
    known = pc.is_in(arr, value_set=_KNOWN_ORGS).to_numpy(zero_copy_only=False)
    cut = np.flatnonzero(alive & (start0 > 0))
    known[cut] = [seqs[k][a:] in KNOWN_ORGS for k, a in zip(cut.tolist(), start0[cut].tolist(), strict=True)]
    org = alive & (known | (np.logical_or.reduceat(org_word & after, heads) & ~((n - i0 > 1) & is_title[first])))
    rest = alive & ~org
    # a leading run of titles and demonyms, leaving at least one word
    lead = is_dem[code] | is_title[code]
    j = np.minimum(np.minimum.reduceat(np.where(after & ~lead, p, n[q]), heads), n - 1)
    in_run = after & (p < j[q]) & rest[q]
    titled = np.logical_or.reduceat(in_run & is_title[code] & ~is_dem[code], heads)
    words = n - j
    jc = code[heads + j]
    vote = rest & is_dem[first] & (words == 1) & (jc == first)
    person = rest & ~vote & titled
    short_org = rest & ~vote & ~person & (words == 1) & upper_org[jc]
    other = rest & ~vote & ~person & ~short_org
    # the final step of each sequence: span and surface
    s = np.where(org, start0, at[heads + j])
    e = size.copy()
    surface = _objects(seqs, n_seqs)
    cut = np.flatnonzero(s > 0)
    surface[cut] = _objects((x[a:] for x, a in zip(surface[cut].tolist(), s[cut].tolist(), strict=True)), len(cut))
    name = surface.copy()
    cands = _objects(((),) * n_seqs, n_seqs)
    fixed = np.full(n_seqs, None, dtype=object)
    # single words: places unless common words; longer names: places, else untitled names
    single = np.flatnonzero(other & (words == 1))
    s_cands = [() if c and w in common and not c[0].is_country else c
               for c, w in zip([w_cands[c] for c in jc[single].tolist()], [low[c] for c in jc[single].tolist()],
                               strict=True)]
    cands[single] = _objects(s_cands, len(single))
    fixed[single] = _objects((fixed_choice(c) if c else None for c in s_cands), len(single))
    multi = np.flatnonzero(other & (words > 1))
    m_cands = [names.get(x.lower(), ()) for x in surface[multi].tolist()]
    for i in np.flatnonzero(generic[code[tails[multi]]]).tolist():  # Hama Province: Hama
        if not m_cands[i]:
            m_cands[i] = names.get(surface[multi[i]].rpartition(" ")[0].lower(), ())
    found = np.array([bool(c) for c in m_cands], dtype=bool)
    place = multi[found]
    p_cands = [c for c in m_cands if c]
    cands[place] = _objects(p_cands, len(place))
    fixed[place] = _objects((fixed_choice(c) for c in p_cands), len(place))
    maybe = multi[~found & (words[multi] <= 4)]
    name[single] = ""
    name[place] = ""
    kind = np.full(n_seqs, -1, dtype=np.int8)
    kind[org | short_org] = _ORG
    kind[person] = _PERSON
    kind[single] = _SINGLE
    kind[place] = _PLACE
    kind[maybe] = _MAYBE
    kind[vote] = _VOTE
    # surnames: the last word of an untitled name or of a titled full name
    sur = np.full(n_seqs, None, dtype=object)
    has_sur = person & (words > 1)
    has_sur[maybe] = True
    sur[has_sur] = _objects(uniq, len(uniq))[code[tails[has_sur]]]
    particle = np.zeros(n_seqs, dtype=bool)
    # a particle (al, bin, ...) ends some word before the last, or the pattern cannot match
    maybe_particle = maybe[np.logical_or.reduceat(particle_end & (p >= j[q]) & (p < (n - 1)[q]), heads)[maybe]]
    particle[maybe_particle] = [bool(_PARTICLE_RE.search(x)) for x in surface[maybe_particle].tolist()]
    upper_after = np.logical_or.reduceat(is_upper[code] & (p >= j[q]), heads)
    fallback = np.zeros(n_seqs, dtype=bool)
    fallback[maybe] = ((words <= 3) & ~loose[jc] & ~upper_after & ~has_place[jc])[maybe]
    # a final vote has no span, and names its country
    s[vote] = 0
    e[vote] = 0
    surface[vote] = ""
    name[vote] = w_dem[first[vote]]
    # the votes of the run come before the final step
    runs = np.flatnonzero(in_run & is_dem[code])
    has = np.flatnonzero(kind >= 0)
    seq = np.concatenate([q[runs], has])
    order = np.lexsort((np.concatenate([p[runs], np.full(len(has), np.iinfo(np.int64).max)]), seq))
    k = len(runs)

    def column(run_value: object, values: np.ndarray) -> np.ndarray:
        """One step column: ``run_value`` for the votes of the runs, then ``values`` of the final steps."""
        head = np.full(k, run_value, dtype=values.dtype) if run_value != () else _objects(((),) * k, k)
        return np.concatenate([head, values[has]])[order]

    return _Columns(
        seq[order], column(_VOTE, kind), column(0, s), column(0, e), column("", surface),
        np.concatenate([w_dem[code[runs]], name[has]])[order], column((), cands), column(None, fixed),
        column(None, sur), column(False, particle), column(False, fallback), _objects(((),) * len(seq), len(seq)))


#: Sequences whose parts :func:`_cut_parts` cannot cut out as arrays: a tab, a double space, an ``al-`` word.
_UNSPLIT_RE2 = r"\t|  |(?:^| )[ae]l-\S"
_CONNECTORS = pa.array(["of", "for", "the"], pa.string())


class _Parts(NamedTuple):
    """Parts of sequences: each part's sequence (a position), its start in it, and its text."""

    seq: np.ndarray
    start: np.ndarray
    text: list[str]


_NO_PARTS = _Parts(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [])


def _cut_parts(seqs: list[str]) -> tuple[_Parts, np.ndarray]:
    """The parts of sequences with the marks of ``_COMPLEX_RE2``, and which sequences to plan one by one.

    This is :func:`_part_tokens` as array operations: the cut of each distinct token
    (:func:`_cut`) is worked out once, and the parts are cut out together (``Reuters. The``,
    ``Smith's``, ``Bank of Japan`` split at ``of`` unless an organisation word is in it). The
    parts are simple unless they hold a hyphenated word, which may hold place names (see
    :func:`_plan_parts`): their sequences, and those with a tab, a double space or an ``al-``
    word, are left to be planned one by one.
    """
    arr = pa.array(seqs, pa.string())
    ok = np.flatnonzero(~pc.match_substring_regex(arr, _UNSPLIT_RE2).to_numpy(zero_copy_only=False))
    split = pc.split_pattern(arr.take(pa.array(ok, pa.int64())), " ")
    offsets = split.offsets.to_numpy().astype(np.int64)
    n = np.diff(offsets)
    q = np.repeat(np.arange(len(ok)), n)  # each token's sequence, as a position in ``ok``
    enc = split.values.dictionary_encode()
    code = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    tokens = enc.dictionary
    t_size = pc.utf8_length(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    # only a token with a quote mark, a hyphen or a final full stop can be cut
    t_cut, t_brk = t_size.copy(), np.zeros(len(tokens), dtype=bool)
    may = np.flatnonzero(pc.match_substring_regex(tokens, r"['’-]|\.$").to_numpy(zero_copy_only=False))
    if len(may):
        t_cut[may], t_brk[may] = zip(*map(_cut, tokens.take(pa.array(may)).to_pylist()), strict=True)
    cut, brk = t_cut[code], t_brk[code]
    size = t_size[code] + 1
    before = np.cumsum(size) - size
    at = before - before[offsets[:-1]][q]  # each token's offset in its sequence
    # of/for/the close a part (and go) unless an organisation word is in the sequence; a cut token closes its part
    orgish = np.zeros(len(ok), dtype=bool)
    orgish[q[_member(tokens, _ORG_WORDS)[code]]] = True
    dropped = _member(tokens, _CONNECTORS)[code] & ~orgish[q]
    closes = dropped | brk
    part = np.cumsum(closes) - closes + q  # grows at each closing and each new sequence: one id per part
    kept = np.flatnonzero(~dropped & (cut > 0))
    _, first = np.unique(part[kept], return_index=True)
    last = np.append(first[1:], len(kept))[: len(first)] - 1
    part_seq = ok[q[kept[first]]]
    part_start = at[kept[first]]
    part_end = at[kept[last]] + cut[kept[last]]
    texts = _objects((seqs[k][a:b] for k, a, b in zip(part_seq.tolist(), part_start.tolist(), part_end.tolist(),
                                                        strict=True)), len(part_seq))
    slow = np.ones(len(seqs), dtype=bool)
    slow[ok] = False
    slow[part_seq[pc.match_substring(pa.array(texts, pa.string()), "-").to_numpy(zero_copy_only=False)]] = True
    fast = ~slow[part_seq]
    return _Parts(part_seq[fast], part_start[fast], texts[fast].tolist()), slow


def _plan_new(seqs: list[str]) -> _Columns:
    """The plans of ``seqs``, as the columns of their steps (``seq``: a position in ``seqs``), in order.

    Simple sequences and the parts of complex ones (:func:`_cut_parts`) are planned together as
    arrays (:func:`_plan_simple`); the few others one by one (:func:`_plan`).
    """
    if not seqs:
        return _columns([])
    every = _objects(seqs, len(seqs))
    hard = pc.match_substring_regex(pa.array(seqs, pa.string()), _COMPLEX_RE2).to_numpy(zero_copy_only=False)
    simple_at, hard_at = np.flatnonzero(~hard), np.flatnonzero(hard)
    parts, slow = _cut_parts(every[hard_at].tolist()) if len(hard_at) else (_NO_PARTS, np.zeros(0, dtype=bool))
    cols = _plan_simple(every[simple_at].tolist() + parts.text)
    # back to the sequences; a part's spans shift by its start (votes have none)
    is_part = cols.seq >= len(simple_at)
    at = cols.seq[is_part] - len(simple_at)
    owner = np.empty(len(cols.seq), dtype=np.int64)
    owner[~is_part] = simple_at[cols.seq[~is_part]]
    owner[is_part] = hard_at[parts.seq[at]]
    shift = np.zeros(len(cols.seq), dtype=np.int64)
    shift[is_part] = np.where(cols.kind[is_part] == _VOTE, 0, parts.start[at])
    cols = cols._replace(seq=owner, s=cols.s + shift, e=cols.e + shift)
    slow_at = hard_at[slow]
    ones = _columns([_plan(seqs[k]) for k in slow_at.tolist()])
    ones = ones._replace(seq=slow_at[ones.seq])
    both = _Columns(*(np.concatenate(pair) for pair in zip(cols, ones, strict=True)))
    order = np.argsort(both.seq, kind="stable")  # a sequence's parts come in order already
    return _Columns(*(f[order] for f in both))


def find_entities(text: str) -> tuple[list[Entity], list[Place]]:
    """People, organisations and geocoded places in one text (see :func:`find_all` for a column).

    >>> ents, places = find_entities("Turkish President Recep Tayyip Erdogan spoke in Ankara.")
    >>> [(e.kind, e.name) for e in ents], [(p.name, p.country_code) for p in places]
    ([('PERSON', 'Recep Tayyip Erdogan'), ('PLACE', 'Ankara')], [('Ankara', 'TR')])
    """
    found = find_all(_scan.as_array(pa.array([text], pa.large_string())), [text])
    ents = [Entity(*r[1:]) for r in zip(*(found.entities[c].to_pylist() for c in found.entities.column_names),
                                         strict=True)]
    places = [Place(*r[1:]) for r in zip(*(found.places[c].to_pylist() for c in found.places.column_names),
                                         strict=True)]
    return ents, places


#: The fields of a chosen candidate that a place row gives.
_PLACE_FIELDS = ("name", "country_code", "latitude", "longitude")


class _Plans:
    """Every distinct sequence seen by this process, its steps, and their attributes as arrays.

    A sequence gets an id and its steps consecutive step ids the first time it is seen; numpy
    arrays indexed by those ids let a batch lay out the steps of all its occurrences at once.
    A sequence is *useful* when one of its steps can name something, or when its single word is
    also the surname of some person (a *known* surname): then that word may stand for the person.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.first = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.static_useful = np.zeros(0, dtype=bool)
        self.useful = np.zeros(0, dtype=bool)
        # per step: its sequence, then the fields of _Step
        self.sid = np.zeros(0, dtype=np.int64)
        self.kind = np.zeros(0, dtype=np.int8)
        self.s = np.zeros(0, dtype=np.int64)
        self.e = np.zeros(0, dtype=np.int64)
        self.surface: list[pa.Array] = []
        self.name = np.zeros(0, dtype=object)
        self.cands = np.zeros(0, dtype=object)
        self.fixed = np.zeros(0, dtype=object)
        self.is_fixed = np.zeros(0, dtype=bool)
        self.fixed_fields = [np.zeros(0, dtype=object) for _ in _PLACE_FIELDS]  # of the fixed candidate
        self.particle = np.zeros(0, dtype=bool)
        self.fallback = np.zeros(0, dtype=bool)
        self.hyphen = np.zeros(0, dtype=object)
        # per step, derived
        self.has_cands = np.zeros(0, dtype=bool)
        self.has_hyphen = np.zeros(0, dtype=bool)
        self.is_country = np.zeros(0, dtype=bool)
        self.single_known = np.zeros(0, dtype=bool)  # a SINGLE step whose word is a known surname
        self.sur_known = np.zeros(0, dtype=bool)  # a step that registers a known surname
        self.word = np.zeros(0, dtype=np.int64)  # id of a SINGLE step's word or of the surname a step registers
        self.words = pa.array([], pa.string())  # by id
        self.is_surname = np.zeros(0, dtype=bool)  # per word id: a surname some step registers
        self.is_alone = np.zeros(0, dtype=bool)  # per word id: the word of some SINGLE step

    def ids_of(self, seqs: list[str]) -> np.ndarray:
        """Ids of ``seqs``, planning the new ones."""
        ids = np.fromiter(map(self.ids.get, seqs, repeat(-1)), dtype=np.int64, count=len(seqs))
        new = np.flatnonzero(ids < 0)
        if len(new):
            if self.ids and len(self.ids) + len(new) > _MAX_SEQUENCES:
                self.__init__()  # type: ignore[misc]  # start afresh, with this batch's sequences only
                new = np.arange(len(seqs))
            ids[new] = self._add([seqs[i] for i in new.tolist()])
        return ids

    def _word_ids(self, words: list[str]) -> np.ndarray:
        """Ids of ``words``, giving new ones the next free ids."""
        arr = pa.array(words, pa.string())
        ids = pc.index_in(arr, value_set=self.words)
        new = pc.is_null(ids)
        if not pc.any(new).as_py():
            return ids.to_numpy(zero_copy_only=False).astype(np.int64)
        fresh = pc.dictionary_encode(arr.filter(new))
        out = ids.to_numpy(zero_copy_only=False).astype(np.float64)
        out[new.to_numpy(zero_copy_only=False)] = len(self.words) + fresh.indices.to_numpy(zero_copy_only=False)
        self.words = pa.concat_arrays([self.words, fresh.dictionary])
        return out.astype(np.int64)

    def _add(self, seqs: list[str]) -> np.ndarray:
        """Plan new sequences, append them and their steps to the arrays, and return their ids."""
        base = len(self.ids)
        self.ids.update(zip(seqs, range(base, base + len(seqs)), strict=True))
        new = _plan_new(seqs)
        seq = new.seq
        count = np.bincount(seq, minlength=len(seqs))
        self.first = np.concatenate([self.first, len(self.kind) + np.cumsum(count) - count])
        self.count = np.concatenate([self.count, count])
        sid = seq + base
        kind = new.kind
        has_cands = np.fromiter(map(bool, new.cands.tolist()), dtype=bool, count=len(kind))
        has_hyphen = np.fromiter(map(bool, new.hyphen.tolist()), dtype=bool, count=len(kind))
        is_country = has_cands.copy()
        is_country[has_cands] = [c[0].is_country for c in new.cands[has_cands].tolist()]
        self.sid = np.concatenate([self.sid, sid])
        self.kind = np.concatenate([self.kind, kind])
        self.s = np.concatenate([self.s, new.s])
        self.e = np.concatenate([self.e, new.e])
        self.surface.append(pa.array(new.surface, pa.string()))
        self.name = np.concatenate([self.name, new.name])
        self.cands = np.concatenate([self.cands, new.cands])
        self.fixed = np.concatenate([self.fixed, new.fixed])
        is_fixed = np.not_equal(new.fixed, None)
        self.is_fixed = np.concatenate([self.is_fixed, is_fixed])
        fixed = new.fixed[is_fixed].tolist()
        for i, k in enumerate(_PLACE_FIELDS):
            column = np.full(len(kind), None, dtype=object)
            column[is_fixed] = _objects((getattr(c, k) for c in fixed), len(fixed))
            self.fixed_fields[i] = np.concatenate([self.fixed_fields[i], column])
        self.particle = np.concatenate([self.particle, new.particle])
        self.fallback = np.concatenate([self.fallback, new.fallback])
        self.hyphen = np.concatenate([self.hyphen, new.hyphen])
        self.has_cands = np.concatenate([self.has_cands, has_cands])
        self.has_hyphen = np.concatenate([self.has_hyphen, has_hyphen])
        self.is_country = np.concatenate([self.is_country, is_country])
        # the word of a SINGLE step, the surname a PERSON or MAYBE step registers, as ids
        single = kind == _SINGLE
        word = np.full(len(kind), -1, dtype=np.int64)
        has_word = single | (np.not_equal(new.sur, None) & np.not_equal(new.sur, ""))
        word[has_word] = self._word_ids(np.where(single, new.surface, new.sur)[has_word].tolist())
        self.word = np.concatenate([self.word, word])
        grow = len(self.words) - len(self.is_surname)
        self.is_surname = np.concatenate([self.is_surname, np.zeros(grow, dtype=bool)])
        self.is_alone = np.concatenate([self.is_alone, np.zeros(grow, dtype=bool)])
        self.is_surname[word[~single & (word >= 0)]] = True
        self.is_alone[word[single]] = True
        # which steps a known surname (a surname that also stands alone) concerns
        known = self.is_surname & self.is_alone
        has_word = self.word >= 0
        at = np.where(has_word, self.word, 0)
        self.single_known = (self.kind == _SINGLE) & has_word & known[at]
        self.sur_known = (self.kind != _SINGLE) & has_word & known[at]
        static = np.bincount(seq, weights=~single | has_cands | has_hyphen, minlength=len(seqs)) > 0
        self.static_useful = np.concatenate([self.static_useful, static])
        self.useful = self.static_useful | (np.bincount(self.sid[self.single_known], minlength=len(self.ids)) > 0)
        return np.arange(base, base + len(seqs))


#: Sequences a process keeps plans for before starting afresh (about 150 MB; memory stays bounded).
_MAX_SEQUENCES = 200_000
_PLANS = _Plans()
_PLANS_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """In a process forked while a thread was using the registry, start with a free lock and an empty registry."""
    global _PLANS, _PLANS_LOCK
    if _PLANS_LOCK.locked():
        _PLANS, _PLANS_LOCK = _Plans(), threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


_ENTITY_KIND = np.array(["", "ORG", "PERSON", "PLACE", "PLACE", "PERSON"], dtype=object)


class Found(NamedTuple):
    """Entities and places of a column of texts, each row with the position (``row``) of its text."""

    entities: pa.Table
    places: pa.Table

    def mentions(self, rows: list[int]) -> dict[int, list[Entity]]:
        """The PERSON and ORG mentions of the given rows, as :class:`Entity` lists in text order."""
        if not rows:
            return {}
        ents = self.entities
        sub = ents.filter(pc.and_(pc.is_in(ents["row"], pa.array(rows, pa.int64())),
                                  pc.not_equal(ents["kind"], "PLACE")))
        of_row = sub["row"].to_numpy()  # entities come in row order
        firsts = np.searchsorted(of_row, rows, side="left").tolist()
        lasts = np.searchsorted(of_row, rows, side="right").tolist()
        made = list(map(_entity, zip(*(sub[c].to_pylist() for c in Entity._fields), strict=True)))
        return {r: made[a:b] for r, a, b in zip(rows, firsts, lasts, strict=True)}


#: Builds an :class:`Entity` from a tuple of its fields.
_entity = partial(tuple.__new__, Entity)


def find_all(texts_arr: pa.Array, texts: list[str]) -> Found:
    """People, organisations and geocoded places of each text of a column.

    ``texts_arr`` is the column prepared by ``_scan.as_array`` and ``texts`` the same strings as a list.
    Capitalised sequences are found by one RE2 pass over the column and each distinct sequence is
    planned once per process (:func:`_plan_new`, kept in :class:`_Plans`); the steps of every
    occurrence are then laid out as arrays, and Python runs only where context decides: untitled
    names (:func:`_looks_like_person`), a word that may be the surname of a person named earlier,
    and places whose country the document's other mentions decide.
    """
    found = _scan.matches(texts_arr, CAP_RE2)
    with _PLANS_LOCK:  # one registry per process: its threads take turns
        return _lay_out(found, texts, _PLANS)


def _lay_out(found: _scan.Matches, texts: list[str], plans: _Plans) -> Found:
    """The entities and places of the sequences ``found`` in ``texts``, by the plans of the registry."""
    enc = found.text.dictionary_encode()
    sids = plans.ids_of(enc.dictionary.to_pylist())[enc.indices.to_numpy(zero_copy_only=False)]
    # the steps of every occurrence of a useful sequence, laid out in text order
    keep = plans.useful[sids]
    m_doc, m_base, m_sid = found.doc[keep], found.start[keep], sids[keep]
    count = plans.count[m_sid]
    occ = np.repeat(np.arange(len(m_sid)), count)
    ends = np.cumsum(count)
    step = plans.first[m_sid][occ] + np.arange(len(occ)) - (ends - count)[occ]
    kind = plans.kind[step]
    doc = m_doc[occ]
    start = m_base[occ] + plans.s[step]
    end = m_base[occ] + plans.e[step]
    name = plans.name[step]
    # untitled names: context rules, one occurrence at a time
    is_person = np.zeros(len(step), dtype=bool)
    mi = np.flatnonzero(kind == _MAYBE)
    is_person[mi] = [
        _looks_like_person(texts[d], s, e, pa_, fb)
        for d, s, e, pa_, fb in zip(doc[mi].tolist(), start[mi].tolist(), end[mi].tolist(),
                                    plans.particle[step[mi]].tolist(), plans.fallback[step[mi]].tolist(), strict=True)
    ]
    # a single word that is the surname of a person named earlier in the document is that person
    named = np.zeros(len(step), dtype=bool)
    single_known = plans.single_known[step]
    if single_known.any():
        ri = np.flatnonzero(((kind == _PERSON) | is_person) & plans.sur_known[step])
        si = np.flatnonzero(single_known)
        width = np.int64(len(plans.words))
        keys, first_at = np.unique(doc[ri] * width + plans.word[step[ri]], return_index=True)
        if len(keys):
            want = doc[si] * width + plans.word[step[si]]
            at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
            j = ri[first_at[at]]  # the first person of the document with that surname
            ok = (keys[at] == want) & (j < si)
            named[si[ok]] = True
            name[si[ok]] = name[j[ok]]
    single = kind == _SINGLE
    has_cands = plans.has_cands[step]
    place = (kind == _PLACE) | (single & ~named & has_cands)
    # rows: every step that names something, then the place names inside hyphenated words
    emit = (kind == _ORG) | (kind == _PERSON) | place | named | ((kind == _MAYBE) & is_person)
    rows = np.flatnonzero(emit)
    row_kind = _ENTITY_KIND[kind[rows]]
    row_kind[named[rows]] = "PERSON"
    order = rows * 64
    r_doc, r_start, r_end = doc[rows], start[rows], end[rows]
    r_surface = pa.chunked_array(plans.surface, pa.string()).take(pa.array(step[rows])).combine_chunks()
    r_name = name[rows]
    hyphen_rows = np.flatnonzero(single & ~named & ~has_cands & plans.has_hyphen[step])
    extra: list[tuple[int, int, int, int, str, tuple[Candidate, ...], Candidate | None]] = []
    for i in hyphen_rows.tolist():
        for j, (hs, he, hsurf, hc, hf) in enumerate(plans.hyphen[step[i]]):
            b = int(start[i]) - int(plans.s[step[i]])
            extra.append((i * 64 + j + 1, int(doc[i]), b + hs, b + he, hsurf, hc, hf))
    # places: resolved by their candidates alone (taken from the registry), or by the document's votes
    p_idx = np.flatnonzero(place[rows])
    p_step = step[rows[p_idx]]
    voted = np.flatnonzero(~plans.is_fixed[p_step])
    # votes, in the documents that need them: demonyms count once, country names twice
    wanted = np.zeros(len(texts), dtype=bool)
    wanted[r_doc[p_idx[voted]]] = True
    wanted[[x[1] for x in extra if x[6] is None]] = True
    votes: dict[int, Counter[str]] = {}
    vi = np.flatnonzero((kind == _VOTE) & wanted[doc])
    for d, cc in zip(doc[vi].tolist(), name[vi].tolist(), strict=True):
        v = votes.get(d)
        if v is None:
            v = votes[d] = Counter()
        v[cc] += 1
    ci = np.flatnonzero(place & single & plans.is_country[step] & wanted[doc])
    for d, cands in zip(doc[ci].tolist(), plans.cands[step[ci]].tolist(), strict=True):
        v = votes.get(d)
        if v is None:
            v = votes[d] = Counter()
        v[cands[0].country_code] += 2
    chosen = [resolve(cands, votes.get(d, _NO_VOTES))
              for d, cands in zip(r_doc[p_idx[voted]].tolist(), plans.cands[p_step[voted]].tolist(), strict=True)]
    chosen += [hf if hf is not None else resolve(hc, votes.get(d, _NO_VOTES)) for _, d, _, _, _, hc, hf in extra]
    p_fields = [np.concatenate([f[p_step], _objects((getattr(c, k) for c in chosen[len(voted):]), len(extra))])
                for f, k in zip(plans.fixed_fields, _PLACE_FIELDS, strict=True)]
    for f, k in zip(p_fields, _PLACE_FIELDS, strict=True):
        f[voted] = _objects((getattr(c, k) for c in chosen[: len(voted)]), len(voted))
    p_name, p_cc, p_lat, p_lon = p_fields
    r_name[p_idx] = p_name[: len(p_idx)]
    ent = pa.table({
        "row": np.concatenate([r_doc, np.array([x[1] for x in extra], dtype=np.int64)]),
        "start": np.concatenate([r_start, np.array([x[2] for x in extra], dtype=np.int64)]),
        "end": np.concatenate([r_end, np.array([x[3] for x in extra], dtype=np.int64)]),
        "kind": pa.array([*row_kind.tolist(), *(["PLACE"] * len(extra))], pa.string()),
        "surface": pa.concat_arrays([r_surface, pa.array([x[4] for x in extra], pa.string())]),
        "name": pa.array(np.concatenate([r_name, p_name[len(p_idx):]]), pa.string()),
    })
    ent_order = np.concatenate([order, np.array([x[0] for x in extra], dtype=np.int64)])
    p_order = np.concatenate([order[p_idx], np.array([x[0] for x in extra], dtype=np.int64)])
    in_ent = pa.array(np.concatenate([p_idx, np.arange(len(rows), len(rows) + len(extra))]))
    places = pa.table({
        **{c: ent[c].take(in_ent) for c in ("row", "start", "end", "surface")},
        "name": pa.array(p_name, pa.string()),
        "country_code": pa.array(p_cc, pa.string()),
        "latitude": pa.array(p_lat, pa.float64()),
        "longitude": pa.array(p_lon, pa.float64()),
    })
    if extra:
        ent = ent.take(pa.array(np.argsort(ent_order, kind="stable")))
        places = places.take(pa.array(np.argsort(p_order, kind="stable")))
    return Found(ent, places)


_NO_VOTES: Counter[str] = Counter()


def _looks_like_person(text: str, start: int, end: int, particle: bool, fallback: bool) -> bool:
    """Rules for an untitled person name: name particles, a 2-3 word proper name in place, or a role/speech cue.

    Each context pattern runs only when a cheap test of the characters around the name allows a match.
    """
    lo = start - 20 if start > 20 else 0
    place_before = text[lo:start].rstrip().endswith(_PLACE_BEFORE_ENDINGS) and bool(
        _PLACE_BEFORE_RE.search(text, lo, start))
    if particle and not place_before:
        return True
    if fallback and not place_before and (not _sentence_initial(text, start) or _speech_later(text, end)):
        return True
    after = text[end : end + 2]
    if after[:1] == "," and ROLE_AFTER_RE.match(text, end):
        return True
    # a speech verb after one blank, or after more (then only the pattern can tell)
    if after[:1].isspace() and (after[1:].isspace() or text.startswith(_SPEECH_VERBS, end + 1)) \
            and SPEECH_AFTER_RE.match(text, end):
        return True
    lo = start - 30 if start > 30 else 0
    return text[lo:start].rstrip().removesuffix(",").rstrip().endswith(_ROLE_BEFORE_ENDINGS) and bool(
        ROLE_BEFORE_RE.search(text, lo, start))


_PLACE_BEFORE_ENDINGS = (*_PLACES_BEFORE, "the")
_ROLE_BEFORE_ENDINGS = tuple(_ROLES_BEFORE.split("|"))


def _speech_later(text: str, end: int) -> bool:
    """Whether ``said``, ``says`` or ``told`` follows ``end`` in the same sentence (see ``_SPEECH_LATER_RE``)."""
    ahead = text[end : end + 124]
    return ("said" in ahead or "says" in ahead or "told" in ahead) and bool(_SPEECH_LATER_RE.match(text, end))
