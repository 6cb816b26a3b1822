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
from operator import itemgetter


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


_Item = tuple[int, int, int, Edit]  # (start, end, pass, edit), in `middle` coordinates
_ORDER = itemgetter(0, 1, 2)
_END: _Item = (1 << 62, 1 << 62, 2, Edit(0, 0, "", ""))  # closes the last group


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
    items: list[_Item] = []
    delta = 0
    for ed in first:
        out_start = ed.start + delta
        items.append((out_start, out_start + len(ed.after), 0, ed))
        delta += len(ed.after) - (ed.end - ed.start)
    items.extend((ed.start, ed.end, 1, ed) for ed in second)
    items.sort(key=_ORDER)
    items.append(_END)

    result: list[Edit] = []
    shift = 0  # length change made by first-pass edits in earlier groups
    group: list[_Item] = []
    lo = hi = -1
    for it in items:
        a, b = it[0], it[1]
        # Whether [a, b) touches the inside of the group's span [lo, hi): overlap, an
        # insertion strictly inside, or a group that is an insertion strictly inside [a, b).
        if group and ((a < hi and lo < b) or (lo < a < hi if a == b else lo == hi and a < lo < b)):
            group.append(it)
            hi = max(hi, b)
            continue
        if len(group) == 1:  # the common case: an edit touching no other
            s, e, p, ed = group[0]
            if p == 0:
                result.append(ed)
                shift += len(ed.after) - (ed.end - ed.start)
            else:
                result.append(Edit(s - shift, e - shift, ed.after, ed.rule))
        elif group:
            shift = _merge(group, middle, shift, result)
        group = [it]
        lo, hi = a, b
    return result


def _merge(group: list[_Item], middle: str, shift: int, result: list[Edit]) -> int:
    """Append the raw edit(s) for a group of touching edits; return the new shift."""
    olds = [it[3] for it in group if it[2] == 0]
    seconds = [it for it in group if it[2] == 1]
    group_shift = sum(len(ed.after) - (ed.end - ed.start) for ed in olds)
    if not seconds:
        result.extend(olds)
        return shift + group_shift
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
    return shift + group_shift
