"""MinHash signatures, LSH banding and exact set overlap, vectorised with numpy."""

from __future__ import annotations

import numpy as np

from transforms.link.features import Sets, mix64, sorted_unique

#: Hash functions per signature, and rows per LSH band (bands = NUM_PERM // BAND_ROWS).
NUM_PERM = 128
BAND_ROWS = 2
#: A bucket holding more documents than this is linked as a star around its first member.
MAX_BUCKET = 50
_EMPTY = np.uint32(0xFFFFFFFF)
# Fixed parameters of the multiply-shift hash family: results never depend on a clock or a seed source.
_RNG = np.random.Generator(np.random.PCG64(20200227))
_A = _RNG.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 2**63, NUM_PERM, dtype=np.uint64)


def signatures(sets: Sets) -> np.ndarray:
    """MinHash signature of each document's set, shape (documents, NUM_PERM), uint32 (all-max when empty)."""
    n = len(sets.offsets) - 1
    sig = np.full((n, NUM_PERM), _EMPTY, dtype=np.uint32)
    sizes = sets.sizes()
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty) == 0:
        return sig
    shift = np.uint64(32)
    # A block of documents at a time: the hashes of one block's values, not of all, are held at once.
    for lo in range(0, len(nonempty), _SIGN_BLOCK):
        block = nonempty[lo : lo + _SIGN_BLOCK]
        first, end = sets.offsets[block[0]], sets.offsets[block[-1] + 1]
        x = sets.values[first:end].astype(np.uint64)
        starts = sets.offsets[block] - first
        for i in range(NUM_PERM):
            h = (_A[i] * x + _B[i]) >> shift  # multiply-shift: the high 32 bits
            sig[block, i] = np.minimum.reduceat(h, starts)
    return sig


#: Documents signed at a time by :func:`signatures`.
_SIGN_BLOCK = 4096


def _bucket_pairs(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Pairs of documents sharing a key: each with its bucket's smallest, and all pairs in small buckets."""
    order = np.lexsort((docs, keys))
    k, d = keys[order], docs[order]
    same = np.zeros(len(k), bool)
    same[1:] = k[1:] == k[:-1]
    head = np.maximum.accumulate(np.where(same, 0, np.arange(len(k))))
    out = [np.stack([d[head[same]], d[same]], axis=1)]
    starts = np.flatnonzero(~same)
    size = np.diff(np.append(starts, len(k)))
    small = (size > 2) & (size <= MAX_BUCKET)
    for m in np.unique(size[small]).tolist():  # every bucket of one size at once
        rows = d[starts[small & (size == m)][:, None] + np.arange(m)]  # one row per bucket, its documents in order
        iu = np.triu_indices(m, 1)
        out.append(np.stack([rows[:, iu[0]].ravel(), rows[:, iu[1]].ravel()], axis=1))
    return np.concatenate(out)


def candidate_pairs(sig: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Unique pairs (i, j), i < j, among ``docs`` (indices into ``sig``) that collide in some LSH band."""
    docs = docs[(sig[docs] != _EMPTY).any(axis=1)]
    if len(docs) < 2:
        return np.empty((0, 2), np.int64)
    s = sig[docs].astype(np.uint64)
    # Documents sharing a key share its low bits: only those whose low bits collide are sorted
    # (about one in five, with 4 to 8 slots per document), not every document of every band.
    bits = min(22, max(16, int(np.ceil(np.log2(len(docs)))) + 2))
    low_mask = np.uint64((1 << bits) - 1)
    found = []
    for b in range(NUM_PERM // BAND_ROWS):
        key = s[:, b * BAND_ROWS]
        for r in range(1, BAND_ROWS):
            key = mix64((key << np.uint64(32)) ^ s[:, b * BAND_ROWS + r])
        low = (key & low_mask).astype(np.intp)
        shared = np.bincount(low, minlength=1 << bits)[low] > 1
        found.append(_bucket_pairs(key[shared], docs[shared]))
    return unique_pairs(np.concatenate(found))


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Sorted unique rows of an (n, 2) pair array, each as (min, max), self-pairs dropped."""
    if len(pairs) == 0:
        return np.empty((0, 2), np.int64)
    lo, hi = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    key = sorted_unique((lo.astype(np.int64) << 32) | hi.astype(np.int64))
    out = np.stack([key >> 32, key & 0xFFFFFFFF], axis=1)
    return out[out[:, 0] != out[:, 1]]


def estimated_jaccard(sig: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """MinHash estimate of the Jaccard similarity of each pair."""
    return (sig[pairs[:, 0]] == sig[pairs[:, 1]]).mean(axis=1) if len(pairs) else np.empty(0)


def intersections(sets: Sets, pairs: np.ndarray) -> np.ndarray:
    """Exact size of the intersection of the two sets of each pair."""
    out = np.zeros(len(pairs), np.int64)
    off, val = sets.offsets, sets.values
    for n, (i, j) in enumerate(pairs.tolist()):
        a, b = val[off[i] : off[i + 1]], val[off[j] : off[j + 1]]
        if len(a) > len(b):
            a, b = b, a
        if len(a):
            pos = np.searchsorted(b, a)
            pos[pos == len(b)] = 0
            out[n] = np.count_nonzero(b[pos] == a) if len(b) else 0
    return out
