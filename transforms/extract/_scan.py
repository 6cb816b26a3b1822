"""Vectorised regex scanning: every match of an RE2 pattern in a column of texts, with offsets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_OPEN = "\x00"


@dataclass(frozen=True)
class Matches:
    """All matches of a pattern: document row, character offset, and matched text (parallel arrays)."""

    doc: np.ndarray
    start: np.ndarray
    text: pa.Array

    def __len__(self) -> int:
        return len(self.doc)

    def subset(self, mask: np.ndarray) -> Matches:
        """The matches where ``mask`` is true."""
        return Matches(self.doc[mask], self.start[mask], self.text.filter(pa.array(mask)))


def as_array(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array, nulls as empty strings and the marker character blanked."""
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    arr = pc.fill_null(arr.cast(pa.large_string()), "")
    if _has_marker(arr):
        arr = pc.replace_substring(arr, _OPEN, " ")
    return arr


def _has_marker(arr: pa.Array) -> bool:
    """Whether a large-string array holds the marker, a NUL (its UTF-8 is a zero byte that nothing else has).

    Counting zero bytes of the data buffer is some fifty times faster than ``pc.match_substring``.

    >>> words = pa.array(["a" + chr(0), "b"], pa.large_string())
    >>> _has_marker(words), _has_marker(words.slice(1))
    (True, False)
    """
    if not len(arr) or arr.buffers()[2] is None:
        return False
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return bool(np.count_nonzero(data) != len(data))


def matches(texts: pa.Array, pattern: str) -> Matches:
    """Every non-overlapping match of RE2 ``pattern`` in ``texts`` (prepared by :func:`as_array`).

    Each match is wrapped in marker characters by one RE2 replace; splitting on the marker gives,
    per document, the text before the first match and then (match, text after it) pairs, whose
    code-point lengths place each match in its document.

    >>> m = matches(as_array(pa.array(["a 12 b 3", "x"])), r"\\d+")
    >>> m.doc.tolist(), m.start.tolist(), m.text.to_pylist()
    ([0, 0], [2, 7], ['12', '3'])
    """
    marked = pc.replace_substring_regex(texts, pattern, _OPEN + r"\0" + _OPEN)
    pieces = pc.split_pattern(marked, _OPEN)
    offsets = pieces.offsets.to_numpy()
    flat = pieces.values
    lengths = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64)
    before = np.cumsum(lengths) - lengths
    doc_of_piece = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    first = offsets[:-1][doc_of_piece]
    starts = before - before[first]
    sel = ((np.arange(len(flat)) - first) & 1).astype(bool)  # odd pieces are the matches
    return Matches(doc_of_piece[sel], starts[sel], flat.filter(pa.array(sel)))


def windows(texts: pa.Array, pattern: str, before: int = 1, after: int = 1) -> list[list[tuple[int, int]]]:
    """Per document, merged character windows of the lines that match RE2 ``pattern``, widened by lines around."""
    lines = pc.split_pattern(texts, "\n")
    offsets = lines.offsets.to_numpy()
    flat = lines.values
    hit = pc.match_substring_regex(flat, pattern).to_numpy(zero_copy_only=False)
    out: list[list[tuple[int, int]]] = [[] for _ in range(len(texts))]
    if not hit.any():
        return out
    lengths = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    counts = np.diff(offsets)
    doc_of_line = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(lengths) - lengths
    starts = starts - starts[offsets[:-1]][doc_of_line]
    ends = starts + lengths - 1
    for i in np.flatnonzero(hit).tolist():
        d = int(doc_of_line[i])
        lo = max(int(offsets[d]), i - before)
        hi = min(int(offsets[d + 1]) - 1, i + after)
        ws, we = int(starts[lo]), int(ends[hi])
        if out[d] and ws <= out[d][-1][1] + 1:
            out[d][-1] = (out[d][-1][0], max(out[d][-1][1], we))
        else:
            out[d].append((ws, we))
    return out


def ends_with(window: str, endings: tuple[str, ...], *, fold_case: bool = False) -> bool:
    """Whether ``window``, without trailing blanks, ends with one of ``endings``.

    A cheap necessary condition for a Python pattern anchored at the window's end
    (``(?:word|...)\\s+$``), which ``re`` would otherwise try from every position.

    >>> ends_with("at least  ", ("least",)), ends_with("At Least ", ("least",), fold_case=True)
    (True, True)
    """
    window = window.rstrip()
    return (window.lower() if fold_case else window).endswith(endings)
