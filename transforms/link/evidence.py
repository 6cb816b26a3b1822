"""Evidence for a link: template wording learned per source, the facts two texts share, and the rules.

A wire service repeats its forms: dividend notices ("Qtly div 10 cts vs 10 cts prior"),
eurobond briefs, daily slaughter estimates. Two such notices share most of their words and
none of their facts, so word overlap alone calls them copies. Here, as boilerplate is
learned by cleaning, *template* shingles are learned per source: a word 5-gram of the text
with its numbers masked (:func:`number_masked`) that recurs in TEMPLATE_MIN_DOCS or more
distinct texts of one source is the source's form, not a report, and is left out of the
overlap that makes a copy: a text's *own* wording is what remains. A copy must also agree on its
facts: the numbers (digits and number words) of the smaller text are mostly in the larger.

Stories are stricter than shared names: two documents that share rare names are one story
only when they also share facts (a count of the same thing, such as two soldiers killed, or
uncommon numbers: amounts, prices, tolls; not years or day numbers), or a passage of their
own wording with agreeing numbers.

Every rule here works on whole arrays of candidate pairs, and records which evidence made
each link (:data:`contract.vocab.LINK_REASONS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contract.vocab import LINK_REASONS, LINK_RELATIONS
from transforms.link.facts import object_key
from transforms.link.features import (
    SHINGLE_BITS,
    SHINGLE_WORDS,
    Sets,
    Tokens,
    _csr,
    _hash_strings,
    sorted_unique,
    token_hashes,
    window_hashes,
    without,
)
from transforms.link.minhash import intersections

__all__ = [
    "Evidence",
    "Facts",
    "classify",
    "count_facts",
    "wording_and_facts",
    "key_facts",
    "normalised_numbers",
    "number_masked",
    "pair_evidence",
    "without",
]

#: A shingle is template wording of a source when this many distinct texts of the source use it.
TEMPLATE_MIN_DOCS = 8
#: Copies (near duplicates, syndicated) share at least this many shingles of their own (non-template)...
MIN_OWN_SHINGLES = 8
#: ...and agree on their facts: of the number slots both have, this share holds the same number.
COPY_NUMBER_AGREEMENT = 0.8
#: Near duplicate: Jaccard of all shingles at or above this (with the two conditions above).
NEAR_DUPLICATE = 0.8
#: Syndicated: this share of the smaller text's own shingles is in the other...
SYNDICATED_CONTAINMENT = 0.5
#: ...or a shared agency credit (different outlets) and this many own shingles shared (about two sentences).
AGENCY_SHARED_SHINGLES = 10
#: Same story by text: a passage of own wording (this many shingles, this share of the smaller text)
#: with numbers that mostly agree (in the slots both have): a later report of one event quoting the earlier one.
STORY_SHARED_SHINGLES = 10
STORY_CONTAINMENT = 0.2
STORY_NUMBER_AGREEMENT = 0.6
#: A key fact is a number used by at most this many texts (amounts, prices, tolls, not topics)...
KEY_FACT_MAX_DOCS = 10
#: ...and same story by names needs this many shared key facts, or one shared count (of the counts table).
STORY_KEY_FACTS = 2

_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
).split()
_NUMBER_VALUES = dict(zip(_NUMBER_WORDS, [*range(2, 21), 30, 40, 50, 60, 70, 80, 90], strict=True))
#: Bits of a fact token's hash kept (the lowest bit of a fact id tells a key fact).
_FACT_BITS = 40

EXACT, NEAR, SYNDICATED, SAME_STORY = LINK_RELATIONS
IDENTICAL_TEXT, SAME_TEXT, SHARED_PASSAGE, AGENCY_PASSAGE, RELATED_PASSAGE, NAMES_AND_FACTS = LINK_REASONS


@dataclass(frozen=True)
class Facts:
    """The facts of each document: its numbers as ids (:func:`wording_and_facts`), and its *number slots*:
    the word 5-grams that hold a number, once with the numbers masked (``slots``: "issuing a # mln
    dlr") and once as written (``values``: "issuing a 60 mln dlr"). Two texts that share a slot
    agree on that fact when they also share the value. The lead slots hold the text's first
    number: its headline fact."""

    numbers: Sets
    slots: Sets
    values: Sets
    lead_slots: Sets
    lead_values: Sets


def normalised_numbers(tokens: Tokens) -> Tokens:
    """``tokens`` with number words as digits and ordinals without their suffix: ``ten`` -> ``10``,
    ``8th`` -> ``8`` (so "February 8th" and "February 8" state the same date).

    >>> normalised_numbers(Tokens(np.zeros(3, np.int64), pa.array(["Ten", "8th", "Pay"]))).text.to_pylist()
    ['10', '8', 'Pay']
    """
    lower = pc.utf8_lower(tokens.text)
    digits = pa.array([str(_NUMBER_VALUES[w]) for w in _NUMBER_WORDS])
    word = pc.index_in(lower, value_set=pa.array(_NUMBER_WORDS))
    as_digits = pc.take(digits, pc.fill_null(word, 0))
    text = pc.if_else(pc.is_valid(word), as_digits, tokens.text)
    return Tokens(tokens.doc, pc.replace_substring_regex(text, r"^(\d+)(?:st|nd|rd|th)$", r"\1"))


def _is_number(tokens: Tokens) -> pa.Array:
    lower = pc.utf8_lower(tokens.text)
    return pc.or_(pc.match_substring_regex(lower, r"\d"), pc.is_in(lower, value_set=pa.array(_NUMBER_WORDS)))


def _number_slots(tokens: Tokens, number: np.ndarray, n_docs: int) -> tuple[Sets, tuple[Sets, Sets, Sets, Sets]]:
    """The wording of each document (hashes of the 5-grams of its number-masked text), its number
    slots (masked and as-written hashes of the 5-grams holding a number), and those of its lead:
    the 5-grams holding its first number."""
    start, slots = window_hashes(token_hashes(number_masked(tokens)), tokens.doc)
    shift = np.uint64(64 - SHINGLE_BITS)
    wording = _csr(tokens.doc[start], slots >> shift, n_docs, SHINGLE_BITS)
    held = np.convolve(number.astype(np.int64), np.ones(SHINGLE_WORDS, np.int64))[SHINGLE_WORDS - 1 :]
    keep = held[start] > 0 if len(start) else np.empty(0, bool)
    start, slots = start[keep], slots[keep]
    values = window_hashes(token_hashes(normalised_numbers(tokens)), tokens.doc)[1][keep]  # the same windows
    first = np.full(n_docs, -1, np.int64)
    at = np.flatnonzero(number)
    docs_with, idx = np.unique(tokens.doc[at], return_index=True)  # tokens are in text order
    first[docs_with] = at[idx]
    doc = tokens.doc[start]
    lead = (first[doc] >= start) & (first[doc] < start + SHINGLE_WORDS)
    everywhere = np.ones(len(start), bool)
    sets = tuple(_csr(doc[m], h[m] >> shift, n_docs, SHINGLE_BITS) for m in (everywhere, lead) for h in (slots, values))
    return wording, sets  # type: ignore[return-value]


def wording_and_facts(tokens: Tokens, n_docs: int) -> tuple[Sets, Facts]:
    """The wording of each document (:func:`number_masked`, 5-grams), and its facts: its numbers
    (words with a digit, and number words), lower-cased and hashed, and its number slots.

    The lowest bit of each number id marks a *key-shaped* number: one with a digit that is
    not a year (1900-2099) nor a bare day-sized integer (0-31); number words count as digits
    and ordinals as their number (:func:`normalised_numbers`).
    """
    keep = _is_number(tokens)
    keep_np = keep.to_numpy(zero_copy_only=False)
    wording, slots = _number_slots(tokens, keep_np, n_docs)
    words = pc.utf8_lower(normalised_numbers(tokens).text).filter(keep)
    if len(words) == 0:
        return wording, Facts(Sets(np.zeros(n_docs + 1, np.int64), np.empty(0, np.int64)), *slots)
    plain = pc.match_substring_regex(words, r"^((19|20)\d\d|[0-9]|[12][0-9]|3[01])$")
    key = pc.and_(pc.match_substring_regex(words, r"\d"), pc.invert(plain)).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(words)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    h = _hash_strings(encoded.dictionary)[encoded.indices.to_numpy()] >> np.uint64(64 - _FACT_BITS + 1)
    ids = (h.astype(np.int64) << 1) | key.astype(np.int64)
    return wording, Facts(_csr(tokens.doc[keep_np], ids, n_docs, _FACT_BITS), *slots)


def number_masked(tokens: Tokens) -> Tokens:
    """``tokens`` with every number (a word with a digit, or a number word) replaced by ``#``.

    Shingles of masked text are a text's *wording*: "Qtly div 10 cts vs 10 cts prior" and
    "Qtly div 25 cts vs 25 cts prior" have the same wording, which recurs as a template.

    >>> t = number_masked(Tokens(np.zeros(4, np.int64), pa.array(["Pay", "April", "30", "eight"])))
    >>> t.text.to_pylist()
    ['Pay', 'April', '#', '#']
    """
    return Tokens(tokens.doc, pc.if_else(_is_number(tokens), "#", tokens.text))


def count_facts(counts: pa.Table, doc_ids: list[str]) -> Sets:
    """The counts of each document in ``doc_ids`` order as ids of (count type, counted head noun, number):
    "two Turkish soldiers killed" and "two of its soldiers were killed" give the same fact."""
    row = {d: i for i, d in enumerate(doc_ids)}
    cols = counts.select(["doc_id", "count_type", "number", "object"]).to_pydict()
    keys = [
        (row[d], f"{t}|{object_key(o)}|{float(v)!r}")
        for d, t, v, o in zip(cols["doc_id"], cols["count_type"], cols["number"], cols["object"], strict=True)
        if d in row and v is not None
    ]
    if not keys:
        return Sets(np.zeros(len(doc_ids) + 1, np.int64), np.empty(0, np.int64))
    h = _hash_strings(pa.array([k for _, k in keys])) >> np.uint64(64 - _FACT_BITS)
    return _csr(np.array([d for d, _ in keys], np.int64), h.astype(np.int64), len(doc_ids), _FACT_BITS)


def key_facts(facts: Sets) -> Sets:
    """Each document's key facts: key-shaped numbers used by 2 to KEY_FACT_MAX_DOCS documents."""
    values, df = sorted_unique(facts.values, return_counts=True)
    per_value = df[np.searchsorted(values, facts.values)]
    return without(facts, ~(((facts.values & 1) == 1) & (per_value >= 2) & (per_value <= KEY_FACT_MAX_DOCS)))


def source_keys(shingles: Sets, sources: np.ndarray) -> np.ndarray:
    """Each value of ``shingles`` keyed by its document's source code (in the bits above 40)."""
    key = np.repeat(sources.astype(np.int64) << 40, shingles.sizes())
    key |= shingles.values
    return key


def template_values(keys: np.ndarray, in_place: bool = False) -> np.ndarray:
    """The sorted keys (:func:`source_keys`) found TEMPLATE_MIN_DOCS times or more: as each set
    holds a value once, in as many documents of one source. ``in_place``: sort ``keys`` itself."""
    # In sorted order, such a key equals the key that many places on. Memory: one sorted copy (or none).
    if in_place:
        keys.sort()
    ordered = keys if in_place else np.sort(keys)
    k = TEMPLATE_MIN_DOCS - 1
    return sorted_unique(ordered[:-k][ordered[k:] == ordered[:-k]]) if len(ordered) > k else ordered[:0]


def is_template(keys: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Whether each key is one of the ``template`` keys (a hash lookup: no sort of the keys)."""
    if len(template) == 0 or len(keys) == 0:
        return np.zeros(len(keys), bool)
    return pc.is_in(pa.array(keys, pa.int64()), value_set=pa.array(template, pa.int64())).to_numpy(zero_copy_only=False)


@dataclass(frozen=True)
class Evidence:
    """What each candidate pair shares (arrays aligned with the pairs)."""

    jaccard: np.ndarray  # of all shingles
    own_shared: np.ndarray  # non-template shingles shared
    own_containment: np.ndarray  # own_shared / the smaller text's own shingles
    slots: np.ndarray  # of the number slots both texts have, the share where they give the same number (NaN: none)
    leads: np.ndarray  # neither text's headline number is contradicted by the other
    key_facts: np.ndarray  # key facts shared (uncommon numbers)
    counts: np.ndarray  # counts shared (the same number of the same kind of thing killed, displaced...)
    names: np.ndarray  # names shared (capitalised words that are not common words)


def _cross(first: Sets, second: Sets, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Size of ``first``'s set of ``i`` intersected with ``second``'s set of ``j``, per pair."""
    out = np.zeros(len(i), np.int64)
    for n, (x, y) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        p, q = first.of(x), second.of(y)
        if len(p) and len(q):
            pos = np.minimum(np.searchsorted(q, p), len(q) - 1)
            out[n] = np.count_nonzero(q[pos] == p)
    return out


def _on(mask: np.ndarray, pairs: np.ndarray, count, fill: float = 0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``count(pairs[mask])`` spread back over all pairs (``fill`` elsewhere): evidence is only
    worked out for the pairs a rule can use it on."""
    out = np.full(len(pairs), fill, np.float64)
    if mask.any():
        out[mask] = count(pairs[mask])
    return out


def pair_evidence(
    pairs: np.ndarray,
    shingles: Sets,
    own: Sets,
    facts: Facts,
    counts: Sets,
    names: Sets,
    full_inter: np.ndarray,
    named: np.ndarray,
    key_fact_sets: Sets | None = None,
) -> Evidence:
    """The evidence for each pair (i, j) of document indices; ``full_inter`` is the shared shingles count,
    ``named`` whether the pair shares enough rare names (facts are only counted for those);
    ``key_fact_sets`` the documents' :func:`key_facts`, when already worked out."""
    a, b = pairs[:, 0], pairs[:, 1]
    size = shingles.sizes()
    union = size[a] + size[b] - full_inter
    jac = np.where(union > 0, full_inter / np.maximum(union, 1), 0.0)
    own_inter = intersections(own, pairs)
    own_size = own.sizes()
    contain = own_inter / np.maximum(np.minimum(own_size[a], own_size[b]), 1)
    texts = own_inter >= min(MIN_OWN_SHINGLES, STORY_SHARED_SHINGLES)  # pairs a text rule may link

    def leads_of(p: np.ndarray) -> np.ndarray:
        ok = np.ones(len(p), bool)
        for x, y in ((p[:, 0], p[:, 1]), (p[:, 1], p[:, 0])):  # a lead slot the other has must hold the same number
            same = _cross(facts.lead_values, facts.values, x, y) > 0
            ok &= (_cross(facts.lead_slots, facts.slots, x, y) == 0) | same
        return ok

    def slots_of(p: np.ndarray) -> np.ndarray:
        shared = intersections(facts.slots, p)
        return np.where(shared > 0, intersections(facts.values, p) / np.maximum(shared, 1), np.nan)

    either = texts | named
    kf = key_facts(facts.numbers) if key_fact_sets is None else key_fact_sets
    return Evidence(
        jaccard=jac,
        own_shared=own_inter,
        own_containment=contain,
        slots=_on(texts, pairs, slots_of, np.nan),
        leads=_on(texts, pairs, leads_of, 1.0).astype(bool),
        key_facts=_on(either, pairs, lambda p: intersections(kf, p)).astype(np.int64),
        counts=_on(either, pairs, lambda p: intersections(counts, p)).astype(np.int64),
        names=_on(either, pairs, lambda p: intersections(names, p)).astype(np.int64),
    )


def classify(ev: Evidence, agency: np.ndarray, named: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relation ('' for no link) and reason of each pair, from its evidence.

    ``agency``: the pair shares an agency credit across outlets; ``named``: the pair shares
    enough rare names within the date window (:func:`transforms.link.stories.same_story`).
    """
    # Where both texts state a number in the same words, they must state the same number (no shared
    # number slots: nothing to disagree on).
    agree = np.where(ev.leads, np.nan_to_num(ev.slots, nan=1.0), 0.0)  # a contradicted headline: no agreement
    copy = (ev.own_shared >= MIN_OWN_SHINGLES) & (agree >= COPY_NUMBER_AGREEMENT)
    near = copy & (ev.jaccard >= NEAR_DUPLICATE)
    passage = copy & (ev.own_containment >= SYNDICATED_CONTAINMENT)
    wired = agency & (ev.own_shared >= AGENCY_SHARED_SHINGLES) & (agree >= COPY_NUMBER_AGREEMENT)
    related = (
        (ev.own_shared >= STORY_SHARED_SHINGLES)
        & (ev.own_containment >= STORY_CONTAINMENT)
        & (agree >= STORY_NUMBER_AGREEMENT)
    )
    facts = named & ((ev.key_facts >= STORY_KEY_FACTS) | (ev.counts >= 1))
    conditions = [near, passage, wired, related, facts]
    rel = np.select(conditions, [NEAR, SYNDICATED, SYNDICATED, SAME_STORY, SAME_STORY], "")
    reason = np.select(conditions, [SAME_TEXT, SHARED_PASSAGE, AGENCY_PASSAGE, RELATED_PASSAGE, NAMES_AND_FACTS], "")
    return rel, reason
