"""Cleaning: rules that edit text, run over a batch, with every edit recorded.

Each :class:`Rule` has a cheap *detector* (a regex run over the whole batch with
``pyarrow.compute``) and a *fixer* (Python, run only on the documents the detector
flags). Rules run in order; their edits are composed into edits over the raw text, so
replaying a document's edits over its raw text gives its clean text exactly. Cleaning
is idempotent: cleaning clean text changes nothing.

The rule library lives in :mod:`transforms.clean.html_entities` (entities),
:mod:`transforms.clean.mojibake` (ftfy) and :mod:`transforms.clean.boilerplate` (boilerplate).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from contract.schema import TABLES
from transforms.clean import boilerplate as bp
from transforms.clean import html_entities as entities
from transforms.clean import mojibake
from transforms.clean.edits import Edit, compose, replay

Fixer = Callable[[str], list[Edit]]
#: A batch-level learner: from the batch's texts and sources, one fixer per document.
Learner = Callable[[Sequence[str], Sequence[str | None]], Sequence[Fixer | None]]


@dataclass(frozen=True)
class Rule:
    """A named cleaning step: ``detector`` finds candidates, ``fix`` returns edits."""

    name: str
    #: An RE2 pattern, or a vectorised function from the batch to a boolean mask.
    detector: str | Callable[[pa.Array], pa.Array]
    fix: Fixer
    #: Edits by this rule move text out of the body into the header metadata.
    header: bool = False
    #: Batch-level rules learn their per-document fixers from the whole batch first.
    learn: Learner | None = None
    #: Runs only on documents whose input uses the AG News backslash convention.
    backslash_only: bool = False


def regex_fixer(name: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Fixer:
    """A fixer replacing each match of ``pattern`` by ``repl(match)``."""

    def fix(text: str) -> list[Edit]:
        out = []
        for m in pattern.finditer(text):
            after = repl(m)
            if after != m.group(0):
                out.append(Edit(m.start(), m.end(), after, name))
        return out

    return fix


def until_stable(*fixers: Fixer, limit: int = 8) -> Fixer:
    """A fixer running ``fixers`` in turn, again and again while they change the text.

    For rules whose output can feed themselves or each other (a decoded ``&#38;``
    followed by ``quot;``), so that cleaning clean text changes nothing.

    >>> fix = until_stable(entities.entity_edits)
    >>> replay("&#38;quot;", fix("&#38;quot;"))
    '"'
    """

    def fix(text: str) -> list[Edit]:
        out: list[Edit] = []
        for _ in range(limit):
            changed = False
            for fixer in fixers:
                if new := fixer(text):
                    out = compose(out, new, text)
                    text = replay(text, new)
                    changed = True
            if not changed:
                break
        return out

    return fix


def _no_edits(text: str) -> list[Edit]:
    """The fixer of a batch rule when run alone: nothing to learn from, no edits."""
    return []


# --- whitespace, control characters, escapes ---------------------------------------

_CRLF = re.compile(r"\r\n?")
#: Control characters but C1 ones, which ftfy reads as cp1252 bytes (`â€\x9d` is `”`).
_C0_CLASS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]"
_C0 = re.compile(_C0_CLASS + "+")
_CONTROL = re.compile(entities.CONTROL_CLASS + "+")
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
#: Inner whitespace tidying: runs of blank lines, trailing spaces (edges: see tidy_whitespace).
remove_control_chars = regex_fixer("remove_control_chars", _CONTROL, lambda m: "")
normalise_spaces = regex_fixer("normalise_spaces", _SPACES, lambda m: " ")
_TIDY = re.compile(r"\n(?:[ \t]*\n){2,}|[ \t]+(?=\n)")
TIDY_DETECTOR = r"\A\s|\s\z|\n\n\n|[ \t]\n"


def tidy_whitespace(text: str) -> list[Edit]:
    r"""Edits removing edge whitespace and trailing spaces, and shrinking blank-line runs.

    >>> replay(" a  \n\n \n\nb \n", tidy_whitespace(" a  \n\n \n\nb \n"))
    'a\n\nb'
    """
    lo, hi = 0, len(text)
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    if lo >= hi:
        return [Edit(0, len(text), "", "tidy_whitespace")] if text else []
    out = [Edit(0, lo, "", "tidy_whitespace")] if lo else []
    # Every inner match holds one of these (a space or tab before a line break, or three breaks).
    if " \n" in text or "\t\n" in text or "\n\n\n" in text:
        for m in _TIDY.finditer(text, lo, hi):
            after = "\n\n" if m.group(0).startswith("\n") else ""
            out.append(Edit(m.start(), m.end(), after, "tidy_whitespace"))
    if hi < len(text):
        out.append(Edit(hi, len(text), "", "tidy_whitespace"))
    return out


RULES: tuple[Rule, ...] = (
    Rule("normalise_newlines", r"\r", regex_fixer("normalise_newlines", _CRLF, lambda m: "\n")),
    # Before anything that reads characters: deleting one joins its neighbours (`&am\x00p;`).
    Rule("remove_control_chars", _C0_CLASS, regex_fixer("remove_control_chars", _C0, lambda m: "")),
    # Decoding can make new entities (`&#38;quot;`, ` amp;eacute;`): decode until stable.
    Rule("fix_entities", entities.ENTITY_DETECTOR, until_stable(entities.entity_edits)),
    Rule(
        "fix_bare_entities",
        entities.BARE_DETECTOR,
        until_stable(entities.bare_entity_edits, entities.entity_edits),
    ),
    Rule("fix_backslash_breaks", entities.BACKSLASH_DETECTOR, entities.fix_backslash_breaks, backslash_only=True),
    # ftfy reads C1 controls as cp1252 bytes, so they go after it; it can repair `Â\xa0` into
    # a no-break space, and leaves `\xa0Ã©` until that is a space. Its detector flags C1.
    Rule(
        "fix_mojibake",
        mojibake.DETECTOR,
        until_stable(mojibake.fix_mojibake, remove_control_chars, normalise_spaces),
    ),
    Rule("normalise_spaces", _SPACES.pattern, normalise_spaces),
    Rule("strip_header", bp.HEADER_DETECTOR, bp.strip_header, header=True),
    Rule("strip_navigation", bp.NAV_DETECTOR, bp.strip_navigation, header=True),
    Rule("move_attribution", bp.ATTRIBUTION_DETECTOR, bp.move_attribution, header=True),
    Rule("remove_boilerplate", bp.BOILERPLATE_DETECTOR, bp.remove_boilerplate),
    Rule("drop_repeated_line", bp.repeated_line_flags, bp.drop_repeated_lines),
    Rule("drop_teaser", "\u2026|\\.\\.\\.", bp.drop_teasers),
    Rule("remove_learned_boilerplate", r"\n", _no_edits, learn=bp.learn_boilerplate),
    # Again: navigation that the removal of lines above it brought to the top.
    Rule("strip_navigation", bp.NAV_DETECTOR, bp.strip_navigation, header=True),
    Rule("tidy_whitespace", TIDY_DETECTOR, tidy_whitespace),
)
#: Rule names, in the order they run (``edits.rule`` joins merged rules with ``+``).
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)


@dataclass(frozen=True)
class Cleaned:
    """Result of cleaning a batch: texts, per-document raw edits, and header text."""

    clean_text: list[str]
    edits: list[list[Edit]]
    header: list[str | None]


def _screen_ends(rules: Sequence[Rule]) -> list[int]:
    """For each rule, the end of its screening group: the run of pattern rules it is in."""
    ends = [0] * len(rules)
    end = len(rules)
    for k in range(len(rules) - 1, -1, -1):
        plain = isinstance(rules[k].detector, str) and rules[k].learn is None
        nxt = rules[k + 1] if k + 1 < len(rules) else None
        if not plain or nxt is None or not isinstance(nxt.detector, str) or nxt.learn is not None:
            end = k + 1
        ends[k] = end
    return ends


class _Detection:
    """Runs detectors over a changing batch, re-reading only the documents that changed.

    Texts are kept as UTF-8 (encoded once per version). A *screen*, one regex joining the
    detectors of a run of pattern rules, finds the documents any of them may flag; each
    rule's own detector then reads only those. A document that changes is screened again.
    """

    def __init__(self, texts: list[str], rules: Sequence[Rule]) -> None:
        self.texts = texts  # the caller's list, updated in place as rules edit documents
        self.rules = rules
        self.ends = _screen_ends(rules)
        self.utf8: list[bytes | None] = [None] * len(texts)
        self.dirty: set[int] = set()
        self.screen_end = -1  # rules[.. : screen_end] share the current screen
        self.candidates: list[int] = []
        self.subset: pa.Array | None = None  # the candidates as Arrow

    def changed(self, i: int) -> None:
        """Document ``i`` has new text."""
        self.utf8[i] = None
        self.dirty.add(i)
        self.subset = None

    def _array(self, idx: Sequence[int]) -> pa.Array:
        utf8 = self.utf8
        for i in idx:
            if utf8[i] is None:
                utf8[i] = self.texts[i].encode()
        return pa.array([utf8[i] for i in idx], pa.large_binary()).view(pa.large_string())

    @staticmethod
    def _hits(batch: pa.Array, detector: str | Callable[[pa.Array], pa.Array]) -> list[int]:
        flags = pc.match_substring_regex(batch, detector) if isinstance(detector, str) else detector(batch)
        return pc.indices_nonzero(flags).to_pylist()

    def flagged(self, k: int) -> list[int]:
        """Indices of the documents rule ``k`` flags in the current texts."""
        detector = self.rules[k].detector
        if not self.texts:
            return []
        if not isinstance(detector, str):
            return self._hits(self._array(range(len(self.texts))), detector)
        end = self.ends[k]
        screen = "|".join(f"(?:{r.detector})" for r in self.rules[k:end])
        if k >= self.screen_end:  # a new group: screen every document
            todo: Sequence[int] = range(len(self.texts))
            keep: list[int] = []
        else:  # screen again only what changed
            todo = sorted(self.dirty)
            keep = [i for i in self.candidates if i not in self.dirty]
        if k >= self.screen_end or todo:
            hits = self._hits(self._array(todo), screen)
            self.candidates = sorted(keep + [todo[j] for j in hits])
            self.screen_end, self.dirty, self.subset = end, set(), None
            if end - k == 1:  # the screen was this rule's own detector
                return self.candidates
        if self.subset is None:
            self.subset = self._array(self.candidates)
        return [self.candidates[j] for j in self._hits(self.subset, detector)]


def clean_texts(
    raw: Sequence[str],
    rules: Sequence[Rule] = RULES,
    sources: Sequence[str | None] | None = None,
    backslash_breaks: Sequence[bool] | None = None,
) -> Cleaned:
    """Clean a batch of raw texts, recording each document's edits over its raw text.

    ``sources`` (outlet or folder per document) lets batch rules learn boilerplate
    lines that repeat across one source's documents; without it nothing is learned.
    ``backslash_breaks`` marks the documents whose input uses the AG News backslash
    convention; without it no document does.
    """
    current = list(raw)
    srcs: Sequence[str | None] = sources if sources is not None else [None] * len(current)
    if len(srcs) != len(current):
        raise ValueError(f"{len(srcs)} sources for {len(current)} texts")
    breaks: Sequence[bool] = backslash_breaks if backslash_breaks is not None else [False] * len(current)
    if len(breaks) != len(current):
        raise ValueError(f"{len(breaks)} backslash flags for {len(current)} texts")
    edits: list[list[Edit]] = [[] for _ in current]
    header: dict[int, list[str]] = {}
    detection = _Detection(current, rules)
    for k, rule in enumerate(rules):
        fixers = rule.learn(current, srcs) if rule.learn else None
        if fixers is not None and not any(fixers):
            continue
        if rule.backslash_only and not any(breaks):
            continue
        for i in detection.flagged(k):
            if rule.backslash_only and not breaks[i]:
                continue
            fix = fixers[i] if fixers is not None else rule.fix
            if fix is None:
                continue
            text = current[i]
            new = fix(text)
            if not new:
                continue
            if rule.header:
                header.setdefault(i, []).extend(h for e in new if (h := text[e.start : e.end].strip()))
            edits[i] = compose(edits[i], new, text)
            current[i] = replay(text, new)
            detection.changed(i)
    return Cleaned(current, edits, ["\n".join(hs) if (hs := header.get(i)) else None for i in range(len(current))])


def edits_table(doc_ids: Sequence[str], raw: Sequence[str], edits: Sequence[Sequence[Edit]]) -> pa.Table:
    """The ``edits`` warehouse rows for a batch."""
    cols: dict[str, list] = {k: [] for k in ("doc_id", "seq", "rule", "raw_start", "raw_end", "before", "after")}
    for doc_id, text, doc_edits in zip(doc_ids, raw, edits, strict=True):
        for seq, ed in enumerate(doc_edits):
            cols["doc_id"].append(doc_id)
            cols["seq"].append(seq)
            cols["rule"].append(ed.rule)
            cols["raw_start"].append(ed.start)
            cols["raw_end"].append(ed.end)
            cols["before"].append(text[ed.start : ed.end])
            cols["after"].append(ed.after)
    return pa.table(cols, schema=TABLES["edits"].arrow_schema)
