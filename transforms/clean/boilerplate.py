"""Boilerplate: a pattern library of known lines, page furniture, and lines learned from a batch.

Whole lines are removed (with their line break). Header lines, navigation and
attribution lines are *moved* to the document header (the cleaning rules that use
them are marked ``header=True``); known boilerplate, repeated captions, teasers and
learned footers are dropped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from contract.vocab import ATTRIBUTION_SPELLINGS
from transforms.clean.edits import Edit

Fixer = Callable[[str], list[Edit]]

#: Known boilerplate lines (whole lines, case-insensitive). Documented in tests/golden/README.md.
BOILERPLATE_LINES: tuple[str, ...] = (
    r"Do you like this article\?",
    r"Did you (?:like|enjoy) this (?:article|story)\?",
    r"\d+ Comments?(?:\(s\))?",
    r"Comment Policy\b.*",
    r"(?:Leave|Post|Add) a comment.*",
    r"Follow the live information on our channel.*",
    r"Follow us on (?:Facebook|Twitter|Instagram|Telegram|YouTube|LinkedIn|X)\b.*",
    r"(?:Read|See) (?:also|more)\s*:.*",
    r"Related\s*:.*",
    r"[|•·]+",
    r"Share (?:this|on) (?:article|story|page|Facebook|Twitter|WhatsApp)\b.*",
    r"(?:Click|Tap) here to .{0,80}",
    r"Sign up (?:for|to) (?:our|the) .{0,40}newsletter.*",
    r"Subscribe to (?:our|the) .{0,40}(?:newsletter|channel).*",
    r"Advertisement",
    r"(?:Copyright|\(c\)|©) .{0,60}All rights reserved\.?",
)
_BOILERPLATE = re.compile(r"(?im)^[ \t]*(?:" + "|".join(BOILERPLATE_LINES) + r")[ \t]*(?:\n|\Z)")
#: RE2 detector: a line opening the way one of BOILERPLATE_LINES does (``\\p{Nd}`` is Python's ``\\d``).
BOILERPLATE_DETECTOR = (
    r"(?im)^[ \t]*(?:do you like|did you|\p{Nd}+ comment|comment policy|leave a|post a|add a|follow|read|see"
    r"|related|[|•·]|share|click|tap|sign up|subscribe|advertisement|copyright|\(c\)|©)"
)

#: Section names a site prints above the headline (`Iraq News` / `Security`).
NAV_WORDS = r"(?:[A-Z][a-z]+ News|Security|Politics|Economy|Business|World|Middle East|Africa|Europe|Asia|Sport|Home)"
_NAV_TOP = re.compile(rf"\A(?:[ \t]*\n)*(?:[ \t]*{NAV_WORDS}[ \t]*\n)+(?=(?:[ \t]*\n)*[^\n]*\S)")
NAV_DETECTOR = rf"\A\s*{NAV_WORDS}[ \t]*\n"

#: Header lines: `date 2020-02-27 Fast News`, or a `date 2020-02-27 ` prefix glued to the lede.
_HEADER = re.compile(r"(?m)^[ \t]*date \d{4}-\d{2}-\d{2}(?:(?:[ \t]+Fast News)?[ \t]*(?:\n|\Z)|[ \t]+(?=\S))")
HEADER_DETECTOR = r"(?m)^[ \t]*date \d{4}-\d{2}-\d{2}"

#: Agency names accepted in `By AFP` attribution lines.
AGENCIES = "(?:" + "|".join(re.escape(a) for a in sorted(ATTRIBUTION_SPELLINGS, key=len, reverse=True)) + ")"
_BY_AGENCY = re.compile(rf"(?m)^[ \t]*By {AGENCIES}[ \t]*(?:\n|\Z)")
_SOURCE = re.compile(
    rf"(?m)^[ \t]*Source: (?:[^\n]{{1,60}} and agencies|{AGENCIES}(?:(?:, | and ){AGENCIES})*)[ \t]*(?:\n|\Z)"
)
ATTRIBUTION_DETECTOR = rf"(?m)^[ \t]*(?:By {AGENCIES}[ \t]*$|Source: )"


def line_remover(name: str, pattern: re.Pattern[str]) -> Fixer:
    """A fixer deleting every match of a whole-line ``pattern``."""

    def fix(text: str) -> list[Edit]:
        return [Edit(m.start(), m.end(), "", name) for m in pattern.finditer(text) if m.end() > m.start()]

    return fix


remove_boilerplate = line_remover("remove_boilerplate", _BOILERPLATE)
strip_navigation = line_remover("strip_navigation", _NAV_TOP)
strip_header = line_remover("strip_header", _HEADER)


def move_attribution(text: str) -> list[Edit]:
    """Delete `By AFP` lines and `Source: … and agencies` / `Source: AFP` lines."""
    spans = {(m.start(), m.end()) for p in (_BY_AGENCY, _SOURCE) for m in p.finditer(text)}
    return [Edit(s, e, "", "move_attribution") for s, e in sorted(spans) if e > s]


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end including the line break, stripped content) of each line."""
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        out.append((pos, pos + len(line), line.strip()))
        pos += len(line)
    return out


def repeated_line_flags(batch: pa.Array) -> pa.Array:
    """Vectorised detector: which texts print a line of >= 30 characters twice in a row."""
    lines = pc.split_pattern(batch, "\n")
    docs = pc.list_parent_indices(lines)
    keys = pc.utf8_trim_whitespace(pc.list_flatten(lines))
    filled = pc.greater(pc.utf8_length(keys), 0)  # blank lines between the copies are allowed
    keys, docs = keys.filter(filled), docs.filter(filled)
    if len(keys) < 2:
        return pa.array([False] * len(batch), pa.bool_())
    key, prev = keys[1:], keys[:-1]
    again = pc.and_(
        pc.and_(pc.equal(key, prev), pc.equal(docs[1:], docs[:-1])), pc.greater_equal(pc.utf8_length(key), 30)
    )
    flagged = pc.unique(docs[1:].filter(again)).cast(pa.int64())
    return pc.is_in(pa.array(range(len(batch)), pa.int64()), value_set=flagged)


def drop_repeated_lines(text: str) -> list[Edit]:
    """Second copies of a long line printed twice in a row (blank lines between allowed)."""
    out: list[Edit] = []
    prev = ""
    pos = 0
    for line in text.split("\n"):  # lines as the detector splits them
        start, end, key = pos, min(pos + len(line) + 1, len(text)), line.strip()
        pos = end
        if not key:
            continue
        if key == prev and len(key) >= 30:
            out.append(Edit(start, end, "", "drop_repeated_line"))
        prev = key
    return out


def drop_teasers(text: str) -> list[Edit]:
    """A line cut short with an ellipsis whose words open a later line (the lede)."""
    out: list[Edit] = []
    lines = _lines(text)
    for i, (start, end, key) in enumerate(lines):
        if key.endswith(("\u2026", "...")) and len(key) > 30:
            prefix = key.rstrip(".\u2026").rstrip()
            if any(other.startswith(prefix) and len(other) > len(prefix) + 1 for _, _, other in lines[i + 1 :]):
                out.append(Edit(start, end, "", "drop_teaser"))
    return out


#: Learned boilerplate: a line counts when it repeats in >= MIN_DOCS documents and
#: >= MIN_SHARE of one source's documents in the batch, within EDGE lines of the start or end.
MIN_DOCS = 5
MIN_SHARE = 0.3
EDGE = 3


def _edge_lines(text: str) -> list[tuple[int, int, str]]:
    """Non-blank lines within ``EDGE`` of the start or the end of ``text`` (in order)."""
    head: list[tuple[int, int, str]] = []
    pos = 0
    while len(head) < EDGE and pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        if key := text[pos:end].strip():
            head.append((pos, end, key))
        pos = end
    tail: list[tuple[int, int, str]] = []
    end = len(text)
    while len(tail) < EDGE and end > pos:
        start = text.rfind("\n", pos, end - 1 if text.endswith("\n", 0, end) else end) + 1
        start = max(start, pos)
        if key := text[start:end].strip():
            tail.append((start, end, key))
        end = start
    return head + tail[::-1]


def learned_lines(
    texts: Sequence[str],
    sources: Sequence[str | None],
    edges: Sequence[list[tuple[int, int, str]] | None] | None = None,
) -> dict[str, frozenset[str]]:
    """Per source, the edge lines repeated across many of its documents.

    ``edges`` are the texts' :func:`_edge_lines`, when the caller has them already.

    >>> docs = [f"Story {i}\\n\\nBody {i}.\\n\\nSupport us." for i in range(5)]
    >>> learned_lines(docs, ["Courier"] * 5)
    {'Courier': frozenset({'Support us.'})}
    """
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for i, (text, source) in enumerate(zip(texts, sources, strict=True)):
        if source is None:
            continue
        totals[source] += 1
        lines = edges[i] if edges is not None else None
        seen[source].update({key for _, _, key in (lines if lines is not None else _edge_lines(text)) if len(key) >= 3})
    out = {}
    for source, counts in seen.items():
        need = max(MIN_DOCS, MIN_SHARE * totals[source])
        learned = frozenset(k for k, n in counts.items() if n >= need)
        if learned:
            out[source] = learned
    return out


def learned_line_remover(lines: frozenset[str], known: dict[str, list[tuple[int, int]]] | None = None) -> Fixer:
    """A fixer deleting edge lines found in ``lines``; ``known`` maps texts to their spans already found."""

    def fix(text: str) -> list[Edit]:
        if known is not None and (spans := known.get(text)) is not None:
            return [Edit(s, e, "", "remove_learned_boilerplate") for s, e in spans]
        if not any(line in text for line in lines):
            return []
        return [Edit(s, e, "", "remove_learned_boilerplate") for s, e, key in _edge_lines(text) if key in lines]

    return fix


def learn_boilerplate(texts: Sequence[str], sources: Sequence[str | None]) -> list[Fixer | None]:
    """One fixer per document: remove its source's learned boilerplate (None: nothing learned)."""
    edges = [_edge_lines(t) if src is not None else None for t, src in zip(texts, sources, strict=True)]
    learned = learned_lines(texts, sources, edges)
    known: dict[str, dict[str, list[tuple[int, int]]]] = {src: {} for src in learned}
    for text, src, found in zip(texts, sources, edges, strict=True):
        if src in learned and found is not None:
            known[src][text] = [(s, e) for s, e, key in found if key in learned[src]]
    fixers = {src: learned_line_remover(lines, known[src]) for src, lines in learned.items()}
    return [fixers.get(src) if src is not None else None for src in sources]
