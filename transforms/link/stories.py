"""Stories: connected groups of documents linked by shared text or shared rare names."""

from __future__ import annotations

import hashlib

import numpy as np

from transforms.link.features import Sets, sorted_unique
from transforms.link.minhash import intersections

#: A name is rare when 2 to this many documents use it. A fixed cap, not a fraction: a name
#: used by 50 documents is a topic (a team, a party), not an event, however big the corpus.
RARE_MAX_DOCS = 20
#: Documents are about the same story when they share at least this many rare names...
MIN_SHARED_NAMES = 3
#: ...and the Jaccard similarity of all their names reaches this: the stricter bar applies when
#: a publication date is unknown, since the date window cannot then rule out a mere shared topic.
NAME_JACCARD_DATED = 0.15
NAME_JACCARD_UNDATED = 0.3
#: Linked documents must be published within this many days of each other (when both dates are known).
MAX_DAYS_APART = 3


def name_pairs(names: Sets, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, of documents sharing rare names, and how many they share."""
    n_docs = len(names.offsets) - 1
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), names.sizes())
    name = names.values
    keep = (df[name] >= 2) & (df[name] <= RARE_MAX_DOCS)
    doc, name = doc[keep], name[keep]
    order = np.lexsort((doc, name))
    doc, name = doc[order], name[order]
    found = []
    for d in sorted_unique(df[name]).tolist():
        rows = doc[df[name] == d].reshape(-1, d)  # one row per name, its documents in order
        iu = np.triu_indices(d, 1)
        found.append(rows[:, iu[0]].ravel() * n_docs + rows[:, iu[1]].ravel())
    if not found:
        return np.empty((0, 2), np.int64), np.empty(0, np.int64)
    keys, shared = sorted_unique(np.concatenate(found), return_counts=True)
    return np.stack([keys // n_docs, keys % n_docs], axis=1), shared


def same_story(names: Sets, df: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, about the same story by their names and dates, and their name Jaccard."""
    pairs, shared = name_pairs(names, df)
    pairs = pairs[shared >= MIN_SHARED_NAMES]
    sizes = names.sizes()
    inter = intersections(names, pairs)
    jac = inter / np.maximum(sizes[pairs[:, 0]] + sizes[pairs[:, 1]] - inter, 1)
    dated = ~np.isnan(days[pairs[:, 0]]) & ~np.isnan(days[pairs[:, 1]])
    ok = close_in_time(days, pairs) & (jac >= np.where(dated, NAME_JACCARD_DATED, NAME_JACCARD_UNDATED))
    return pairs[ok], jac[ok]


def close_in_time(days: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Whether each pair was published within MAX_DAYS_APART days (True when a date is unknown: NaN)."""
    gap = np.abs(days[pairs[:, 0]] - days[pairs[:, 1]])
    return np.isnan(gap) | (gap <= MAX_DAYS_APART)


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected component of each of ``n`` nodes, labelled by its smallest member."""
    label = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return label
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    while True:  # min-label propagation with pointer jumping: O(log n) rounds in practice
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]
        while not np.array_equal(new, new[new]):
            new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def story_key(doc_id: str) -> str:
    """Stable story id: the first 16 hex digits of SHA-256 of the group's smallest doc_id."""
    return hashlib.sha256(f"story:{doc_id}".encode()).hexdigest()[:16]
