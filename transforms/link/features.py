"""Per-document features for linking: hashed word shingles and rare capitalised names.

Everything is computed over whole columns with pyarrow and numpy; only the distinct
tokens of the corpus are hashed in Python (a stable, content-based hash, so results do
not depend on row order or on the process).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Words per shingle.
SHINGLE_WORDS = 5
#: Bits kept of each shingle hash (the rest of a 64-bit key holds the document index).
SHINGLE_BITS = 40
_DOC_BITS = 64 - SHINGLE_BITS
#: Punctuation trimmed from both ends of whitespace-separated words.
_PUNCT = "\"'`“”‘’«».,;:!?()[]{}<>-–—…|/\\*#&%+=_~^"
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True)
class Sets:
    """A set of int64 keys per document, as CSR: ``values[offsets[i]:offsets[i + 1]]`` sorted, unique."""

    offsets: np.ndarray
    values: np.ndarray

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def of(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i] : self.offsets[i + 1]]


@dataclass(frozen=True)
class Tokens:
    """Every word of every document, flattened: ``doc`` index and original-case ``text``."""

    doc: np.ndarray
    text: pa.Array


def tokenize(texts: pa.Array) -> Tokens:
    """Split each text on whitespace and trim punctuation from each word (empty words dropped)."""
    lists = pc.utf8_split_whitespace(pc.fill_null(texts, ""))
    parent = pc.list_parent_indices(lists).to_numpy()
    flat = pc.utf8_trim(pc.list_flatten(lists), _PUNCT)
    keep = pc.greater(pc.utf8_length(flat), 0)
    return Tokens(parent[keep.to_numpy(zero_copy_only=False)], flat.filter(keep))


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 in, uint64 out, wrapping arithmetic)."""
    h = (h ^ (h >> np.uint64(30))) * _M1
    h = (h ^ (h >> np.uint64(27))) * _M2
    return h ^ (h >> np.uint64(31))


def _hash_strings(values: pa.Array) -> np.ndarray:
    """A stable 64-bit hash of each string (BLAKE2b), as uint64."""
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in values.to_pylist())
    return np.frombuffer(digests, dtype="<u8").copy()


def sorted_unique(a: np.ndarray, return_counts: bool = False):  # type: ignore[no-untyped-def]
    """Sorted distinct values of ``a`` (a sort, faster here than numpy's hash-based ``unique``)."""
    a = np.sort(a, kind="stable" if a.dtype.kind == "O" else None)
    first = np.ones(len(a), bool)
    first[1:] = a[1:] != a[:-1]
    if not return_counts:
        return a[first]
    starts = np.flatnonzero(first)
    return a[first], np.diff(np.append(starts, len(a)))


def _csr(doc: np.ndarray, keys: np.ndarray, n_docs: int, bits: int) -> Sets:
    """Sorted unique ``keys`` (< 2**bits) per document, as CSR."""
    packed = sorted_unique((doc.astype(np.int64) << bits) | keys.astype(np.int64))
    owner = packed >> bits
    offsets = np.searchsorted(owner, np.arange(n_docs + 1, dtype=np.int64)).astype(np.int64)
    return Sets(offsets, packed & ((1 << bits) - 1))


def token_hashes(tokens: Tokens) -> np.ndarray:
    """A stable 64-bit hash of each (lower-cased) token, as uint64."""
    if not len(tokens.doc):
        return np.empty(0, np.uint64)
    encoded = (
        pc.dictionary_encode(pc.utf8_lower(tokens.text)).combine_chunks()
        if isinstance(tokens.text, pa.ChunkedArray)
        else pc.dictionary_encode(pc.utf8_lower(tokens.text))
    )
    return _hash_strings(encoded.dictionary)[encoded.indices.to_numpy()]


def window_hashes(th: np.ndarray, doc: np.ndarray, k: int = SHINGLE_WORDS) -> tuple[np.ndarray, np.ndarray]:
    """Start positions of the ``k``-token windows within one document, and each window's 64-bit hash."""
    n = len(th)
    if n < k:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    h = th[: n - k + 1].copy()
    for j in range(1, k):
        h = mix64(h) ^ th[j : n - k + 1 + j]
    h = mix64(h)
    valid = np.flatnonzero(doc[: n - k + 1] == doc[k - 1 :])
    return valid, h[valid]


def shingles(tokens: Tokens, n_docs: int) -> Sets:
    """Hashed word ``SHINGLE_WORDS``-grams of each document (lower-cased); a shorter text is one shingle."""
    if n_docs >= 1 << _DOC_BITS:
        raise ValueError(f"too many documents for {SHINGLE_BITS}-bit shingles: {n_docs}")
    th = token_hashes(tokens)
    doc, k = tokens.doc, SHINGLE_WORDS
    start, sh = window_hashes(th, doc, k)
    sh_doc = doc[start]
    # Texts with fewer than k words: one shingle of all their words.
    counts = np.bincount(doc, minlength=n_docs)
    short = np.flatnonzero((counts > 0) & (counts < k))
    if len(short):
        first = np.searchsorted(doc, short)
        extra = []
        for d, f in zip(short, first, strict=True):
            h = th[f]
            for j in range(1, counts[d]):
                h = mix64(np.array([h], np.uint64))[0] ^ th[f + j]
            extra.append(mix64(np.array([h], np.uint64))[0])
        sh_doc = np.concatenate([sh_doc, short])
        sh = np.concatenate([sh, np.array(extra, np.uint64)])
    return _csr(sh_doc, sh >> np.uint64(64 - SHINGLE_BITS), n_docs, SHINGLE_BITS)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words common in news text (package data shared with extraction)."""
    text = resources.files("transforms.extract").joinpath("data/common_words.txt").read_text("utf-8")
    return frozenset(w for w in text.split("\n") if w and not w.startswith("#"))


@dataclass(frozen=True)
class NameCandidates:
    """Capitalised words of some documents that may be names (lower-cased, with their documents),
    and the words those documents use in lower case (which rule a candidate out, see :func:`names`)."""

    doc: np.ndarray
    lower: pa.Array
    seen_lower: pa.Array


def name_candidates(tokens: Tokens) -> NameCandidates:
    """The name candidates of ``tokens``."""
    text = tokens.text
    lower = pc.utf8_lower(text)
    cap = pc.and_(pc.match_substring_regex(text, r"^\p{Lu}"), pc.greater_equal(pc.utf8_length(text), 3))
    cap = pc.and_(cap, pc.invert(pc.match_substring_regex(text, r"^\p{N}|\p{N}$")))
    return NameCandidates(
        tokens.doc[cap.to_numpy(zero_copy_only=False)],
        lower.filter(cap),
        pc.unique(lower.filter(pc.equal(text, lower))),
    )


#: Bits kept of a name's hash (:func:`name_hashes`).
NAME_BITS = 40


def name_hashes(words: pa.Array) -> np.ndarray:
    """A stable hash of each (lower-case) word, NAME_BITS bits, as int64."""
    if len(words) == 0:
        return np.empty(0, np.int64)
    return (_hash_strings(words) >> np.uint64(64 - NAME_BITS)).astype(np.int64)


@lru_cache(maxsize=1)
def _common_hashes() -> np.ndarray:
    return sorted_unique(name_hashes(pa.array(sorted(common_words()), pa.string())))


def without(sets: Sets, drop: np.ndarray) -> Sets:
    """``sets`` with the values where ``drop`` is true removed."""
    keep = ~drop
    sizes = sets.sizes()
    counts = np.zeros(len(sizes), np.int64)
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty):  # kept values per document, summed in place (no per-value document index)
        counts[nonempty] = np.add.reduceat(keep, sets.offsets[nonempty], dtype=np.int64)
    return Sets(np.concatenate([np.zeros(1, np.int64), np.cumsum(counts)]).astype(np.int64), sets.values[keep])


def names(candidates: Sets, lower: np.ndarray) -> tuple[Sets, np.ndarray, np.ndarray]:
    """Names: capitalised words (3+ letters) that are not common words and never appear in lower case.

    ``candidates`` holds each document's name candidates (:func:`name_candidates`, hashed by
    :func:`name_hashes`), ``lower`` the hashes of the words used in lower case anywhere. Returns the
    set of name ids per document, each name id's document frequency, and the hash of each name id;
    name ids are ranks in the sorted hashes: independent of row order.
    """
    excluded = sorted_unique(np.concatenate([lower, _common_hashes()]))
    values = candidates.values
    drop = np.zeros(len(values), bool)
    if len(excluded):
        pos = np.minimum(np.searchsorted(excluded, values), len(excluded) - 1)
        drop = excluded[pos] == values
    kept = without(candidates, drop)
    if len(kept.values) == 0:
        return kept, np.empty(0, np.int64), np.empty(0, np.int64)
    vocab, df = sorted_unique(kept.values, return_counts=True)
    return Sets(kept.offsets, np.searchsorted(vocab, kept.values).astype(np.int64)), df, vocab
