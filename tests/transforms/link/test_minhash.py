"""LSH candidates: the filter on colliding low bits finds exactly the pairs of a plain bucketing."""

from __future__ import annotations

import numpy as np

from transforms.link import minhash as mh


def _plain_candidates(sig: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Every band's buckets, formed over every document (no filter), as the rule states them."""
    docs = docs[(sig[docs] != mh._EMPTY).any(axis=1)]
    found = []
    for b in range(mh.NUM_PERM // mh.BAND_ROWS):
        buckets: dict[tuple[int, ...], list[int]] = {}
        for d in docs.tolist():
            buckets.setdefault(tuple(sig[d, b * mh.BAND_ROWS : (b + 1) * mh.BAND_ROWS].tolist()), []).append(d)
        for members in buckets.values():
            if len(members) > mh.MAX_BUCKET:  # a star around its first member
                found += [(members[0], m) for m in members[1:]]
            else:
                found += [(a, c) for i, a in enumerate(members) for c in members[i + 1 :]]
    return mh.unique_pairs(np.array(found, np.int64).reshape(-1, 2))


def test_candidates_are_those_of_plain_buckets() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    sig = rng.integers(0, 2**32 - 1, (n, mh.NUM_PERM), dtype=np.uint64).astype(np.uint32)
    src, dst = rng.integers(0, n, 300), rng.integers(0, n, 300)
    sig[dst, :40] = sig[src, :40]  # near copies: shared bands
    sig[100:180, :2] = sig[99, :2]  # one bucket larger than MAX_BUCKET
    sig[rng.integers(0, n, 50)] = mh._EMPTY  # empty sets
    docs = np.arange(n)
    got = mh.candidate_pairs(sig, docs)
    assert len(got) > 300
    assert np.array_equal(got, _plain_candidates(sig, docs))
    some = np.sort(rng.choice(n, 1200, replace=False))
    assert np.array_equal(mh.candidate_pairs(sig, some), _plain_candidates(sig, some))
