"""The plans of many capitalised sequences at once, as arrays: the rules of :mod:`transforms.extract.names.sequences`.

Simple sequences (no tab, double space, quote mark, full stop, hyphen or ``of``/``for``/``the``)
are one part each; the parts of the others are cut out with array operations too. What each
distinct word is gets worked out once per batch; Python runs per sequence only for slices and
gazetteer look-ups. The few sequences these arrays cannot take are planned one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract.names.sequences import (
    GENERIC_TAIL,
    KNOWN_ORGS,
    LEAD_STOP,
    MAX_ACRONYM_CHARS,
    MAX_FALLBACK_WORDS,
    MAX_UNTITLED_WORDS,
    MAYBE,
    MIN_NAME_CHARS,
    ORG,
    ORG_WORDS,
    PARTICLE_RE,
    PARTICLES,
    PERSON,
    PLACE,
    SINGLE,
    SKIP_SINGLE,
    TITLES,
    VOTE,
    Plan,
    Step,
    plan,
    token_cut,
)
from transforms.extract.places import DEMONYMS, Candidate, fixed_choice, gazetteer

#: Sequences that :func:`plan_simple` cannot take: a tab, a double space, a quote mark, a full stop, a hyphen,
#: or ``of``/``for``/``the`` (without these a sequence is one part, and its tokens are its words).
COMPLEX_RE2 = r"[\t'’.-]|  |(?:^| )(?:of|for|the)(?: |$)"


_KNOWN_ORGS = pa.array(sorted(KNOWN_ORGS), pa.string())
_DEMONYM_WORDS = pa.array(list(DEMONYMS), pa.string())
_DEMONYM_CODES = np.array(list(DEMONYMS.values()), dtype=object)
#: Word lists as Arrow arrays, for look-ups of a column of words.
_TITLE_WORDS, _SKIP_WORDS, _STOP_WORDS, _ORG_WORDS, _GENERIC_WORDS = (
    pa.array(sorted(group), pa.string()) for group in (TITLES, SKIP_SINGLE, LEAD_STOP, ORG_WORDS, GENERIC_TAIL))


def _member(words: pa.Array, values: pa.Array) -> np.ndarray:
    """Which of ``words`` are among ``values``."""
    return pc.is_in(words, value_set=values).to_numpy(zero_copy_only=False)


class Columns(NamedTuple):
    """Steps of newly planned sequences as columns (the fields of :class:`Step`); ``seq`` is each step's sequence."""

    seq: np.ndarray
    kind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    surface: np.ndarray
    name: np.ndarray
    candidates: np.ndarray
    fixed: np.ndarray
    surname: np.ndarray
    particle: np.ndarray
    fallback: np.ndarray
    hyphen_places: np.ndarray


def objects(values: Iterable[object], n: int) -> np.ndarray:
    """An object array of ``n`` values (tuples stay elements: nothing is unpacked)."""
    return np.fromiter(values, dtype=object, count=n)


def columns(plans: list[Plan]) -> Columns:
    """The steps of ``plans`` (one plan per sequence) as columns."""
    steps = list(chain.from_iterable(plans))
    kind, s, e, surface, name, cands, fixed, sur, particle, fallback, hyphen = (
        zip(*steps, strict=True) if steps else [()] * len(Step._fields))
    n = len(steps)
    return Columns(
        np.repeat(np.arange(len(plans)), [len(p) for p in plans]), np.array(kind, dtype=np.int8),
        np.array(s, dtype=np.int64), np.array(e, dtype=np.int64), objects(surface, n), objects(name, n),
        objects(cands, n), objects(fixed, n), objects(sur, n), np.array(particle, dtype=bool),
        np.array(fallback, dtype=bool), objects(hyphen, n))


class _Words(NamedTuple):
    """What each distinct word of a batch is, indexed by its code: worked out once per word."""

    text: list[str]
    lower: list[str]
    candidates: list[tuple[Candidate, ...]]  # gazetteer candidates of the word alone
    demonym: np.ndarray  # the country code of a demonym, else None
    is_demonym: np.ndarray
    is_title: np.ndarray
    is_upper: np.ndarray
    is_place: np.ndarray  # has gazetteer candidates
    drops: np.ndarray  # too short, or a word that is never a name alone (months, ``Mr``...)
    is_acronym: np.ndarray  # all capitals, short, and no place: an organisation alone
    is_common: np.ndarray  # a common word (which the gazetteer also holds)
    is_stop: np.ndarray  # a stop word, dropped at the start of a sequence
    is_org_word: np.ndarray
    is_generic: np.ndarray  # a generic place word (``Province``)
    ends_in_particle: np.ndarray  # ends with a name particle (``al``, ``bin``...)


def _word_facts(words: pa.Array, names: dict[str, tuple[Candidate, ...]], common: frozenset[str]) -> _Words:
    """What each distinct word is: set memberships in Arrow, str methods and gazetteer look-ups in Python."""
    text: list[str] = words.to_pylist()
    lower = [w.lower() for w in text]
    candidates = [names.get(w, ()) for w in lower]
    length = pc.utf8_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
    demonym_at = pc.index_in(words, value_set=_DEMONYM_WORDS)
    is_demonym = pc.is_valid(demonym_at).to_numpy(zero_copy_only=False)
    demonym = np.full(len(text), None, dtype=object)
    demonym[is_demonym] = _DEMONYM_CODES[demonym_at.drop_null().to_numpy()]
    is_upper = np.array([w.isupper() for w in text], dtype=bool)
    is_place = np.fromiter(map(bool, candidates), dtype=bool, count=len(text))
    is_alpha = np.array([w.isalpha() for w in text], dtype=bool)
    return _Words(
        text=text,
        lower=lower,
        candidates=candidates,
        demonym=demonym,
        is_demonym=is_demonym,
        is_title=_member(words, _TITLE_WORDS),
        is_upper=is_upper,
        is_place=is_place,
        drops=(length < MIN_NAME_CHARS) | _member(words, _SKIP_WORDS),
        is_acronym=is_upper & (length >= MIN_NAME_CHARS) & (length <= MAX_ACRONYM_CHARS) & ~is_place & is_alpha,
        is_common=np.array([w in common for w in lower], dtype=bool),
        is_stop=_member(words, _STOP_WORDS),
        is_org_word=_member(words, _ORG_WORDS),
        is_generic=_member(words, _GENERIC_WORDS),
        ends_in_particle=pc.match_substring_regex(words, f"(?:{'|'.join(PARTICLES)})$").to_numpy(
            zero_copy_only=False),
    )


class _Layout(NamedTuple):
    """Where the words of the sequences lie: per word occurrence, then per sequence."""

    code: np.ndarray  # per occurrence: its distinct word
    seq: np.ndarray  # per occurrence: its sequence
    pos: np.ndarray  # per occurrence: its position in its sequence
    at: np.ndarray  # per occurrence: its character offset in its sequence
    heads: np.ndarray  # per sequence: its first occurrence
    tails: np.ndarray  # per sequence: its last occurrence
    n_words: np.ndarray  # per sequence: how many words
    size: np.ndarray  # per sequence: its length in characters

    def any(self, flags: np.ndarray) -> np.ndarray:
        """Per sequence, whether any of its occurrences has the flag."""
        return np.logical_or.reduceat(flags, self.heads)

    def least(self, values: np.ndarray) -> np.ndarray:
        """Per sequence, the least of its occurrences' values."""
        return np.minimum.reduceat(values, self.heads)


def _layout(arr: pa.Array) -> tuple[_Layout, pa.Array]:
    """The words of the sequences ``arr`` (split at single spaces) laid out, and the distinct words."""
    split = pc.split_pattern(arr, " ")
    offsets = split.offsets.to_numpy().astype(np.int64)
    heads, tails = offsets[:-1], offsets[1:] - 1
    count = np.diff(offsets)
    enc = split.values.dictionary_encode()
    code = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    length = pc.utf8_length(enc.dictionary).to_numpy(zero_copy_only=False).astype(np.int64)[code]
    seq = np.repeat(np.arange(len(arr)), count)
    pos = np.arange(len(code)) - heads[seq]
    before = np.cumsum(length + 1) - (length + 1)  # each word and the space after it
    at = before - before[heads][seq]
    size = at[tails] + length[tails]
    return _Layout(code, seq, pos, at, heads, tails, count, size), enc.dictionary


class _Classes(NamedTuple):
    """What each sequence is, once its leading stop words and its run of titles and demonyms are set aside."""

    first: np.ndarray  # the first word kept
    first_at: np.ndarray  # its character offset
    after_lead: np.ndarray  # per occurrence: not a leading stop word
    in_run: np.ndarray  # per occurrence: in the leading run of titles and demonyms
    in_name: np.ndarray  # per occurrence: in the name after that run
    name_at: np.ndarray  # the name's first word, as a position in the sequence
    name_word: np.ndarray  # the name's first word
    name_words: np.ndarray  # how many words the name has
    org: np.ndarray  # an organisation (the whole sequence after its stop words)
    vote: np.ndarray  # a lone demonym: a vote for its country
    person: np.ndarray  # a titled person
    acronym: np.ndarray  # an organisation's acronym
    other: np.ndarray  # a place or an untitled name


def _classify(seqs: list[str], arr: pa.Array, lay: _Layout, w: _Words) -> _Classes:
    """The class of each sequence by the rules of ``sequences._plan_parts`` for one part, over all at once."""
    code, seq, pos, n = lay.code, lay.seq, lay.pos, lay.n_words
    # leading stop words go, and a lone short or skipped word
    i_first = lay.least(np.where(w.is_stop[code], n[seq], pos))
    first_occ = lay.heads + np.minimum(i_first, n - 1)
    first, first_at = code[first_occ], lay.at[first_occ]
    alive = (i_first < n) & ~((n - i_first == 1) & w.drops[first])
    after_lead = pos >= i_first[seq]
    # a known organisation, or an organisation word unless a title leads a longer name
    known = pc.is_in(arr, value_set=_KNOWN_ORGS).to_numpy(zero_copy_only=False)
    shifted = np.flatnonzero(alive & (first_at > 0))
    known[shifted] = [seqs[k][a:] in KNOWN_ORGS
                      for k, a in zip(shifted.tolist(), first_at[shifted].tolist(), strict=True)]
    titled_lead = (n - i_first > 1) & w.is_title[first]
    org = alive & (known | (lay.any(w.is_org_word[code] & after_lead) & ~titled_lead))
    rest = alive & ~org
    # a leading run of titles and demonyms, leaving at least one word
    lead = w.is_demonym[code] | w.is_title[code]
    name_at = np.minimum(lay.least(np.where(after_lead & ~lead, pos, n[seq])), n - 1)
    in_run = after_lead & (pos < name_at[seq]) & rest[seq]
    titled = lay.any(in_run & w.is_title[code] & ~w.is_demonym[code])
    name_words = n - name_at
    name_word = code[lay.heads + name_at]
    vote = rest & w.is_demonym[first] & (name_words == 1) & (name_word == first)
    person = rest & ~vote & titled
    acronym = rest & ~vote & ~person & (name_words == 1) & w.is_acronym[name_word]
    return _Classes(
        first=first, first_at=first_at, after_lead=after_lead, in_run=in_run, in_name=pos >= name_at[seq],
        name_at=name_at, name_word=name_word, name_words=name_words, org=org, vote=vote, person=person,
        acronym=acronym, other=rest & ~vote & ~person & ~acronym)


def _slices(seqs: list[str], start: np.ndarray) -> np.ndarray:
    """Each sequence from its ``start`` on, as an object array."""
    surface = objects(seqs, len(seqs))
    sliced = np.flatnonzero(start > 0)
    surface[sliced] = objects(
        (x[a:] for x, a in zip(surface[sliced].tolist(), start[sliced].tolist(), strict=True)), len(sliced))
    return surface


class _Places(NamedTuple):
    """Which of the other sequences are single words, places or maybe persons, and their candidates."""

    single: np.ndarray  # positions of single words (places unless common words)
    place: np.ndarray  # positions of longer place names
    maybe: np.ndarray  # positions of untitled names that may be persons
    candidates: np.ndarray
    fixed: np.ndarray


def _places(surface: np.ndarray, lay: _Layout, w: _Words, c: _Classes,
            names: dict[str, tuple[Candidate, ...]]) -> _Places:
    """Single words are places unless common words; longer names are places, else untitled names."""
    n_seqs = len(surface)
    candidates = objects(((),) * n_seqs, n_seqs)
    fixed = np.full(n_seqs, None, dtype=object)
    single = np.flatnonzero(c.other & (c.name_words == 1))
    alone = c.name_word[single].tolist()
    s_cands = [() if w.candidates[k] and w.is_common[k] and not w.candidates[k][0].is_country else w.candidates[k]
               for k in alone]
    candidates[single] = objects(s_cands, len(single))
    fixed[single] = objects((fixed_choice(x) if x else None for x in s_cands), len(single))
    multi = np.flatnonzero(c.other & (c.name_words > 1))
    m_cands = [names.get(x.lower(), ()) for x in surface[multi].tolist()]
    for i in np.flatnonzero(w.is_generic[lay.code[lay.tails[multi]]]).tolist():  # Hama Province: Hama
        if not m_cands[i]:
            m_cands[i] = names.get(surface[multi[i]].rpartition(" ")[0].lower(), ())
    found = np.array([bool(x) for x in m_cands], dtype=bool)
    place = multi[found]
    p_cands = [x for x in m_cands if x]
    candidates[place] = objects(p_cands, len(place))
    fixed[place] = objects((fixed_choice(x) for x in p_cands), len(place))
    maybe = multi[~found & (c.name_words[multi] <= MAX_UNTITLED_WORDS)]
    return _Places(single, place, maybe, candidates, fixed)


def _person_hints(surface: np.ndarray, lay: _Layout, w: _Words, c: _Classes,
                  maybe: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surname a titled full name or an untitled name registers, and the particle and fallback hints."""
    code, seq, pos, n = lay.code, lay.seq, lay.pos, lay.n_words
    n_seqs = len(surface)
    surname = np.full(n_seqs, None, dtype=object)
    has_surname = c.person & (c.name_words > 1)
    has_surname[maybe] = True
    surname[has_surname] = objects(w.text, len(w.text))[code[lay.tails[has_surname]]]
    # a particle (al, bin, ...) ends some word before the last, or the pattern cannot match
    particle = np.zeros(n_seqs, dtype=bool)
    inner_particle = lay.any(w.ends_in_particle[code] & c.in_name & (pos < (n - 1)[seq]))
    maybe_particle = maybe[inner_particle[maybe]]
    particle[maybe_particle] = [bool(PARTICLE_RE.search(x)) for x in surface[maybe_particle].tolist()]
    upper_in_name = lay.any(w.is_upper[code] & c.in_name)
    fallback = np.zeros(n_seqs, dtype=bool)
    fallback[maybe] = ((c.name_words <= MAX_FALLBACK_WORDS) & ~w.is_common[c.name_word] & ~upper_in_name
                       & ~w.is_place[c.name_word])[maybe]
    return surname, particle, fallback


def plan_simple(seqs: list[str]) -> Columns:
    """The plans of sequences without the marks of ``COMPLEX_RE2``, worked out for all of them at once.

    These are the rules of ``sequences._plan_parts`` for a single part, as array operations over the
    words: leading stop words go; a known name or an organisation word makes an organisation;
    a leading run of titles and demonyms (each demonym voting for its country) makes a titled
    person; what is left is a short upper-case organisation, a single word, a place, or an
    untitled name. Python runs once per distinct word, and per sequence only for string slices
    and look-ups. Each sequence gets one final step (or none), after the votes of its run.
    """
    if not seqs:
        return columns([])
    gaz = gazetteer()
    arr = pa.array(seqs, pa.string())
    lay, words = _layout(arr)
    w = _word_facts(words, gaz.names, gaz.common_words)
    c = _classify(seqs, arr, lay, w)
    # the final step: from the first kept word for an organisation, else from the name
    start = np.where(c.org, c.first_at, lay.at[lay.heads + c.name_at])
    end = lay.size.copy()
    surface = _slices(seqs, start)
    name = surface.copy()
    p = _places(surface, lay, w, c, gaz.names)
    name[p.single] = ""
    name[p.place] = ""
    kind = np.full(len(seqs), -1, dtype=np.int8)
    kind[c.org | c.acronym] = ORG
    kind[c.person] = PERSON
    kind[p.single] = SINGLE
    kind[p.place] = PLACE
    kind[p.maybe] = MAYBE
    kind[c.vote] = VOTE
    surname, particle, fallback = _person_hints(surface, lay, w, c, p.maybe)
    # a final vote has no span, and names its country
    start[c.vote] = 0
    end[c.vote] = 0
    surface[c.vote] = ""
    name[c.vote] = w.demonym[c.first[c.vote]]
    final = Columns(np.arange(len(seqs)), kind, start, end, surface, name, p.candidates, p.fixed, surname, particle,
                    fallback, objects(((),) * len(seqs), len(seqs)))
    return _with_run_votes(final, lay, w, c)


def _with_run_votes(final: Columns, lay: _Layout, w: _Words, c: _Classes) -> Columns:
    """The steps of every sequence: a vote per demonym of its leading run, in order, then its final step, if any."""
    runs = np.flatnonzero(c.in_run & w.is_demonym[lay.code])  # occurrences that vote
    has = np.flatnonzero(final.kind >= 0)  # sequences with a final step
    seq = np.concatenate([lay.seq[runs], has])
    # by sequence, then by position (final steps last)
    order = np.lexsort((np.concatenate([lay.pos[runs], np.full(len(has), np.iinfo(np.int64).max)]), seq))
    k = len(runs)

    def column(run_value: object, values: np.ndarray) -> np.ndarray:
        """One step column: ``run_value`` for the votes of the runs, then ``values`` of the final steps."""
        head = np.full(k, run_value, dtype=values.dtype) if run_value != () else objects(((),) * k, k)
        return np.concatenate([head, values[has]])[order]

    return Columns(
        seq[order], column(VOTE, final.kind), column(0, final.start), column(0, final.end),
        column("", final.surface), np.concatenate([w.demonym[lay.code[runs]], final.name[has]])[order],
        column((), final.candidates), column(None, final.fixed), column(None, final.surname),
        column(False, final.particle), column(False, final.fallback), objects(((),) * len(seq), len(seq)))


#: Sequences whose parts :func:`cut_parts` cannot sliced out as arrays: a tab, a double space, an ``al-`` word.
_UNSPLIT_RE2 = r"\t|  |(?:^| )[ae]l-\S"
_CONNECTORS = pa.array(["of", "for", "the"], pa.string())


class _Parts(NamedTuple):
    """Parts of sequences: each part's sequence (a position), its start in it, and its text."""

    seq: np.ndarray
    start: np.ndarray
    text: list[str]


_NO_PARTS = _Parts(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [])


def cut_parts(seqs: list[str]) -> tuple[_Parts, np.ndarray]:
    """The parts of sequences with the marks of ``COMPLEX_RE2``, and which sequences to plan one by one.

    This is :func:`~transforms.extract.names.sequences.part_tokens` as array operations: the cut of each distinct token
    (:func:`token_cut`) is worked out once, and the parts are cut out together (``Reuters. The``,
    ``Smith's``, ``Bank of Japan`` split at ``of`` unless an organisation word is in it). The
    parts are simple unless they hold a hyphenated word, which may hold place names (see
    ``sequences._plan_parts``): their sequences, and those with a tab, a double space or an ``al-``
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
        t_cut[may], t_brk[may] = zip(*map(token_cut, tokens.take(pa.array(may)).to_pylist()), strict=True)
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
    texts = objects((seqs[k][a:b] for k, a, b in zip(part_seq.tolist(), part_start.tolist(), part_end.tolist(),
                                                        strict=True)), len(part_seq))
    slow = np.ones(len(seqs), dtype=bool)
    slow[ok] = False
    slow[part_seq[pc.match_substring(pa.array(texts, pa.string()), "-").to_numpy(zero_copy_only=False)]] = True
    fast = ~slow[part_seq]
    return _Parts(part_seq[fast], part_start[fast], texts[fast].tolist()), slow


def plan_new(seqs: list[str]) -> Columns:
    """The plans of ``seqs``, as the columns of their steps (``seq``: a position in ``seqs``), in order.

    Simple sequences and the parts of complex ones (:func:`cut_parts`) are planned together as
    arrays (:func:`plan_simple`); the few others one by one (:func:`plan`).
    """
    if not seqs:
        return columns([])
    every = objects(seqs, len(seqs))
    hard = pc.match_substring_regex(pa.array(seqs, pa.string()), COMPLEX_RE2).to_numpy(zero_copy_only=False)
    simple_at, hard_at = np.flatnonzero(~hard), np.flatnonzero(hard)
    parts, slow = cut_parts(every[hard_at].tolist()) if len(hard_at) else (_NO_PARTS, np.zeros(0, dtype=bool))
    cols = plan_simple(every[simple_at].tolist() + parts.text)
    # back to the sequences; a part's spans shift by its start (votes have none)
    is_part = cols.seq >= len(simple_at)
    at = cols.seq[is_part] - len(simple_at)
    owner = np.empty(len(cols.seq), dtype=np.int64)
    owner[~is_part] = simple_at[cols.seq[~is_part]]
    owner[is_part] = hard_at[parts.seq[at]]
    shift = np.zeros(len(cols.seq), dtype=np.int64)
    shift[is_part] = np.where(cols.kind[is_part] == VOTE, 0, parts.start[at])
    cols = cols._replace(seq=owner, start=cols.start + shift, end=cols.end + shift)
    slow_at = hard_at[slow]
    ones = columns([plan(seqs[k]) for k in slow_at.tolist()])
    ones = ones._replace(seq=slow_at[ones.seq])
    both = Columns(*(np.concatenate(pair) for pair in zip(cols, ones, strict=True)))
    order = np.argsort(both.seq, kind="stable")  # a sequence's parts come in order already
    return Columns(*(f[order] for f in both))
