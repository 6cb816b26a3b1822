"""Edit spans: record, compose and replay the changes cleaning makes to a text.

An :class:`Edit` replaces ``text[start:end]`` by ``after``. A list of edits is
*well formed* when its spans are sorted and non-overlapping. Cleaning runs rules one
after another; :func:`compose` folds each rule's edits (in the coordinates of the text
the rule saw) into edits over the raw text, so that :func:`replay` of the composed
edits over the raw text gives the clean text exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` by ``after``; ``rule`` names who asked."""

    start: int
    end: int
    after: str
    rule: str


def replay(text: str, edits: Iterable[Edit]) -> str:
    """Apply well-formed ``edits`` to ``text``, left to right.

    >>> replay("a,quot;b", [Edit(1, 7, '"', "fix_entities")])
    'a"b'
    """
    parts: list[str] = []
    pos = 0
    for ed in edits:
        if ed.start < pos or ed.end < ed.start or ed.end > len(text):
            raise ValueError(f"edit {ed} overlaps or lies outside the text")
        parts.append(text[pos : ed.start])
        parts.append(ed.after)
        pos = ed.end
    parts.append(text[pos:])
    return "".join(parts)


def _overlaps(lo: int, hi: int, a: int, b: int) -> bool:
    """Whether span [a, b) touches the inside of group span [lo, hi)."""
    if a < hi and lo < b:
        return True
    if a == b:
        return lo < a < hi
    if lo == hi:
        return a < lo < b
    return False


def compose(first: Sequence[Edit], second: Sequence[Edit], middle: str) -> list[Edit]:
    """Edits over the original text equal to applying ``first`` and then ``second``.

    ``middle`` is the text ``first`` produced; ``second`` is in its coordinates. Where
    edits of the two passes touch, they merge into one edit whose rule joins both
    names with ``+``.

    >>> raw = "x &amp;quot; y"
    >>> one = [Edit(2, 12, "&quot;", "unescape_double")]
    >>> mid = replay(raw, one)
    >>> two = [Edit(2, 8, '"', "fix_entities")]
    >>> both = compose(one, two, mid)
    >>> replay(raw, both), both[0].rule
    ('x " y', 'unescape_double+fix_entities')
    """
    if not second:
        return list(first)
    if not first:
        return list(second)
    # Output spans of the first pass's edits, in `middle` coordinates.
    items: list[tuple[int, int, int, Edit]] = []  # (start, end, pass, edit)
    delta = 0
    for ed in first:
        out_start = ed.start + delta
        items.append((out_start, out_start + len(ed.after), 0, ed))
        delta += len(ed.after) - (ed.end - ed.start)
    items.extend((ed.start, ed.end, 1, ed) for ed in second)
    items.sort(key=lambda it: (it[0], it[1], it[2]))

    groups: list[list[tuple[int, int, int, Edit]]] = []
    lo = hi = -1
    for it in items:
        if groups and _overlaps(lo, hi, it[0], it[1]):
            groups[-1].append(it)
            lo, hi = min(lo, it[0]), max(hi, it[1])
        else:
            groups.append([it])
            lo, hi = it[0], it[1]

    result: list[Edit] = []
    shift = 0  # length change made by first-pass edits in earlier groups
    for group in groups:
        olds = [it[3] for it in group if it[2] == 0]
        seconds = [it for it in group if it[2] == 1]
        group_shift = sum(len(ed.after) - (ed.end - ed.start) for ed in olds)
        if not seconds:
            result.extend(olds)
            shift += group_shift
            continue
        out_lo = min(it[0] for it in group)
        out_hi = max(it[1] for it in group)
        parts: list[str] = []
        pos = out_lo
        for s, e, _, ed in seconds:
            parts.append(middle[pos:s])
            parts.append(ed.after)
            pos = e
        parts.append(middle[pos:out_hi])
        rules = dict.fromkeys([*(ed.rule for ed in olds), *(it[3].rule for it in seconds)])
        result.append(Edit(out_lo - shift, out_hi - shift - group_shift, "".join(parts), "+".join(rules)))
        shift += group_shift
    return result


def drop_noops(raw: str, edits: Iterable[Edit]) -> list[Edit]:
    """Edits that really change the text (``after`` differs from the raw slice)."""
    return [ed for ed in edits if raw[ed.start : ed.end] != ed.after]
