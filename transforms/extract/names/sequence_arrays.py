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
    MAYBE,
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
from transforms.extract.places import DEMONYMS, fixed_choice, gazetteer

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


def plan_simple(seqs: list[str]) -> Columns:
    """The plans of sequences without the marks of ``COMPLEX_RE2``, worked out for all of them at once.

    These are the rules of ``sequences._plan_parts`` for a single part, as array operations over the
    words: leading stop words go; a known name or an organisation word makes an organisation;
    a leading run of titles and demonyms (each demonym voting for its country) makes a titled
    person; what is left is a short upper-case organisation, a single word, a place, or an
    untitled name. Python runs once per distinct word, and per sequence only for string slices
    and look-ups.
    """
    if not seqs:
        return columns([])
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
    particle_end = pc.match_substring_regex(words, f"(?:{'|'.join(PARTICLES)})$").to_numpy(zero_copy_only=False)[code]
    # each word'start sequence (seq_of), position in it (pos) and character offset (at); each sequence'start length
    seq_of = np.repeat(np.arange(n_seqs), n)
    pos = np.arange(len(code)) - heads[seq_of]
    span = w_len[code] + 1
    before = np.cumsum(span) - span
    at = before - before[heads][seq_of]
    size = at[tails] + w_len[code[tails]]
    # leading stop words go, and a lone short or skipped word
    i_first = np.minimum.reduceat(np.where(stop, n[seq_of], pos), heads)
    first_at = heads + np.minimum(i_first, n - 1)
    first = code[first_at]
    start0 = at[first_at]
    alive = (i_first < n) & ~((n - i_first == 1) & drops[first])
    after = pos >= i_first[seq_of]
    known = pc.is_in(arr, value_set=_KNOWN_ORGS).to_numpy(zero_copy_only=False)
    shifted = np.flatnonzero(alive & (start0 > 0))
    known[shifted] = [seqs[k][a:] in KNOWN_ORGS
                      for k, a in zip(shifted.tolist(), start0[shifted].tolist(), strict=True)]
    org = alive & (known | (np.logical_or.reduceat(org_word & after, heads) & ~((n - i_first > 1) & is_title[first])))
    rest = alive & ~org
    # a leading run of titles and demonyms, leaving at least one word
    lead = is_dem[code] | is_title[code]
    i_name = np.minimum(np.minimum.reduceat(np.where(after & ~lead, pos, n[seq_of]), heads), n - 1)
    in_run = after & (pos < i_name[seq_of]) & rest[seq_of]
    titled = np.logical_or.reduceat(in_run & is_title[code] & ~is_dem[code], heads)
    n_name = n - i_name
    name_word = code[heads + i_name]
    vote = rest & is_dem[first] & (n_name == 1) & (name_word == first)
    person = rest & ~vote & titled
    short_org = rest & ~vote & ~person & (n_name == 1) & upper_org[name_word]
    other = rest & ~vote & ~person & ~short_org
    # the final step of each sequence: span and surface
    start = np.where(org, start0, at[heads + i_name])
    end = size.copy()
    surface = objects(seqs, n_seqs)
    sliced = np.flatnonzero(start > 0)
    surface[sliced] = objects(
        (x[a:] for x, a in zip(surface[sliced].tolist(), start[sliced].tolist(), strict=True)), len(sliced))
    name = surface.copy()
    cands = objects(((),) * n_seqs, n_seqs)
    fixed = np.full(n_seqs, None, dtype=object)
    # single words: places unless common words; longer names: places, else untitled names
    single = np.flatnonzero(other & (n_name == 1))
    alone = name_word[single].tolist()
    s_cands = [() if c and w in common and not c[0].is_country else c
               for c, w in zip([w_cands[k] for k in alone], [low[k] for k in alone], strict=True)]
    cands[single] = objects(s_cands, len(single))
    fixed[single] = objects((fixed_choice(c) if c else None for c in s_cands), len(single))
    multi = np.flatnonzero(other & (n_name > 1))
    m_cands = [names.get(x.lower(), ()) for x in surface[multi].tolist()]
    for i in np.flatnonzero(generic[code[tails[multi]]]).tolist():  # Hama Province: Hama
        if not m_cands[i]:
            m_cands[i] = names.get(surface[multi[i]].rpartition(" ")[0].lower(), ())
    found = np.array([bool(c) for c in m_cands], dtype=bool)
    place = multi[found]
    p_cands = [c for c in m_cands if c]
    cands[place] = objects(p_cands, len(place))
    fixed[place] = objects((fixed_choice(c) for c in p_cands), len(place))
    maybe = multi[~found & (n_name[multi] <= 4)]
    name[single] = ""
    name[place] = ""
    kind = np.full(n_seqs, -1, dtype=np.int8)
    kind[org | short_org] = ORG
    kind[person] = PERSON
    kind[single] = SINGLE
    kind[place] = PLACE
    kind[maybe] = MAYBE
    kind[vote] = VOTE
    # surnames: the last word of an untitled name or of a titled full name
    sur = np.full(n_seqs, None, dtype=object)
    has_sur = person & (n_name > 1)
    has_sur[maybe] = True
    sur[has_sur] = objects(uniq, len(uniq))[code[tails[has_sur]]]
    particle = np.zeros(n_seqs, dtype=bool)
    # a particle (al, bin, ...) ends some word before the last, or the pattern cannot match
    in_name = pos >= i_name[seq_of]
    maybe_particle = maybe[np.logical_or.reduceat(particle_end & in_name & (pos < (n - 1)[seq_of]), heads)[maybe]]
    particle[maybe_particle] = [bool(PARTICLE_RE.search(x)) for x in surface[maybe_particle].tolist()]
    upper_after = np.logical_or.reduceat(is_upper[code] & in_name, heads)
    fallback = np.zeros(n_seqs, dtype=bool)
    fallback[maybe] = ((n_name <= 3) & ~loose[name_word] & ~upper_after & ~has_place[name_word])[maybe]
    # a final vote has no span, and names its country
    start[vote] = 0
    end[vote] = 0
    surface[vote] = ""
    name[vote] = w_dem[first[vote]]
    # the votes of the run come before the final step
    runs = np.flatnonzero(in_run & is_dem[code])
    has = np.flatnonzero(kind >= 0)
    seq = np.concatenate([seq_of[runs], has])
    order = np.lexsort((np.concatenate([pos[runs], np.full(len(has), np.iinfo(np.int64).max)]), seq))
    k = len(runs)

    def column(run_value: object, values: np.ndarray) -> np.ndarray:
        """One step column: ``run_value`` for the votes of the runs, then ``values`` of the final steps."""
        head = np.full(k, run_value, dtype=values.dtype) if run_value != () else objects(((),) * k, k)
        return np.concatenate([head, values[has]])[order]

    return Columns(
        seq[order], column(VOTE, kind), column(0, start), column(0, end), column("", surface),
        np.concatenate([w_dem[code[runs]], name[has]])[order], column((), cands), column(None, fixed),
        column(None, sur), column(False, particle), column(False, fallback), objects(((),) * len(seq), len(seq)))


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
    cols = cols._replace(seq=owner, s=cols.s + shift, e=cols.e + shift)
    slow_at = hard_at[slow]
    ones = columns([plan(seqs[k]) for k in slow_at.tolist()])
    ones = ones._replace(seq=slow_at[ones.seq])
    both = Columns(*(np.concatenate(pair) for pair in zip(cols, ones, strict=True)))
    order = np.argsort(both.seq, kind="stable")  # a sequence's parts come in order already
    return Columns(*(f[order] for f in both))
