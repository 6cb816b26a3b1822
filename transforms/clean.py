"""Cleaning: rules that edit text, run over a batch, with every edit recorded.

Each :class:`Rule` has a cheap *detector* (a regex run over the whole batch with
``pyarrow.compute``) and a *fixer* (Python, run only on the documents the detector
flags). Rules run in order; their edits are composed into edits over the raw text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from transforms.edits import Edit, compose, replay

Fixer = Callable[[str], list[Edit]]


@dataclass(frozen=True)
class Rule:
    """A named cleaning step: ``detector`` finds candidates, ``fix`` returns edits."""

    name: str
    detector: str
    fix: Fixer
    #: Edits by this rule move text out of the body into the header metadata.
    header: bool = False


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


# --- whitespace and control characters ---------------------------------------------

_CRLF = re.compile(r"\r\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+(?=\n|\Z)")
_BLANK_RUN = re.compile(r"\n{3,}")
_EDGE_SPACE = re.compile(r"\A\s+|\s+\Z")

# --- entities ----------------------------------------------------------------------

_NAMED = "quot|amp|lt|gt|apos|nbsp|mdash|ndash|hellip|rsquo|lsquo|rdquo|ldquo|pound|euro|copy|eacute"
# Double-escaped (&amp;quot;) and ordinary entities.
_ENTITY = re.compile(rf"&(?:amp;)*(?:({_NAMED})|#(\d{{1,7}})|#[xX]([0-9a-fA-F]{{1,6}}));")
# Entities that lost their ampersand: ",quot;" (junk for "&") or " quot;" / "#39;".
_BARE = re.compile(rf"(?:(?<=[\s(\[\"'])|^|,)(?:({_NAMED})|#(\d{{2,4}}));", re.MULTILINE)


def _entity_char(name: str | None, dec: str | None, hexa: str | None = None) -> str:
    if name:
        return html.unescape(f"&{name};")
    code = int(dec) if dec else int(hexa or "0", 16)
    if code in (151, 150):  # cp1252 dashes written as numeric entities
        return "\u2014" if code == 151 else "\u2013"
    if 0x80 <= code <= 0x9F:
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    try:
        ch = chr(code)
    except (ValueError, OverflowError):
        return ""
    return "" if _CONTROL.fullmatch(ch) else ch


def _fix_entity(m: re.Match[str]) -> str:
    return _entity_char(m.group(1), m.group(2), m.group(3))


def _fix_bare(m: re.Match[str]) -> str:
    return _entity_char(m.group(1), m.group(2))


# --- boilerplate -------------------------------------------------------------------

#: Known boilerplate lines (whole lines, case-insensitive).
BOILERPLATE_LINES: tuple[str, ...] = (
    r"Do you like this article\?",
    r"\d+ Comment\(s\)",
    r"Comment Policy\b.*",
    r"Follow the live information on our channel.*",
    r"Follow us on (?:Facebook|Twitter|Instagram)\b.*",
    r"Read (?:also|more):.*",
    r"\|+",
    r"Share (?:this|on) .*",
    r"Advertisement",
)
_BOILERPLATE = re.compile(
    r"(?im)^[ \t]*(?:" + "|".join(BOILERPLATE_LINES) + r")[ \t]*(?:\n|\Z)"
)
#: Navigation lines at the top of a page: short section names before the headline.
_NAV_TOP = re.compile(r"\A(?:[ \t]*(?:[A-Z][a-z]+ News|Security|Politics|World|Middle East)[ \t]*\n)+")
#: Header lines: `date 2020-02-27 Fast News` or a ` date 2020-02-27 ` prefix.
_HEADER = re.compile(r"\A[ \t]*date \d{4}-\d{2}-\d{2}(?:[ \t]+Fast News[ \t]*(?:\n|\Z)|[ \t]+)")
#: Attribution lines: `By AFP`, `Source: TRTWorld and agencies`.
_ATTRIBUTION = re.compile(r"(?im)^[ \t]*(?:By (?:AFP|AP|Reuters)|Source: .{2,80})[ \t]*(?:\n|\Z)")


def _line_edits(name: str, pattern: re.Pattern[str]) -> Fixer:
    def fix(text: str) -> list[Edit]:
        return [Edit(m.start(), m.end(), "", name) for m in pattern.finditer(text)]

    return fix


def _repeated_lines(text: str) -> list[Edit]:
    """Second copies of a line printed twice (photo captions); long lines only."""
    seen: set[str] = set()
    out: list[Edit] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        key = line.strip()
        if len(key) >= 40:
            if key in seen:
                out.append(Edit(pos, pos + len(line), "", "drop_repeated_line"))
            seen.add(key)
        pos += len(line)
    return out


def _teasers(text: str) -> list[Edit]:
    """A line cut short with an ellipsis whose words open a later line."""
    out: list[Edit] = []
    lines = text.splitlines(keepends=True)
    pos = 0
    for i, line in enumerate(lines):
        stem = line.strip()
        if stem.endswith(("\u2026", "...")) and len(stem) > 20:
            prefix = stem.rstrip(".\u2026").rstrip()
            if any(other.strip().startswith(prefix) for other in lines[i + 1 :]):
                out.append(Edit(pos, pos + len(line), "", "drop_teaser"))
        pos += len(line)
    return out


RULES: tuple[Rule, ...] = (
    Rule("normalise_newlines", r"\r", regex_fixer("normalise_newlines", _CRLF, lambda m: "\n")),
    Rule("remove_control_chars", r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", regex_fixer("remove_control_chars", _CONTROL, lambda m: "")),
    Rule("fix_entities", r"&(?:amp;)*(?:[a-zA-Z]+|#\d+|#[xX][0-9a-fA-F]+);", regex_fixer("fix_entities", _ENTITY, _fix_entity)),
    Rule("fix_bare_entities", rf"(?:{_NAMED}|#\d{{2,4}});", regex_fixer("fix_bare_entities", _BARE, _fix_bare)),
    Rule("strip_header", r"^[ \t]*date \d{4}-\d{2}-\d{2}", _line_edits("strip_header", _HEADER), header=True),
    Rule("strip_navigation", r"\A[ \t]*(?:[A-Z][a-z]+ News|Security|Politics|World|Middle East)[ \t]*\n", _line_edits("strip_navigation", _NAV_TOP)),
    Rule("move_attribution", r"(?im)^[ \t]*(?:By (?:AFP|AP|Reuters)|Source: )", _line_edits("move_attribution", _ATTRIBUTION), header=True),
    Rule("remove_boilerplate", r"(?i)comment|follow|read (?:also|more)|\||share|advertisement", _line_edits("remove_boilerplate", _BOILERPLATE)),
    Rule("drop_repeated_line", r"\n", _repeated_lines),
    Rule("drop_teaser", "\u2026|\\.\\.\\.", _teasers),
    Rule("strip_trailing_space", "[ \t\u00a0]\n|[ \t\u00a0]$", regex_fixer("strip_trailing_space", _TRAILING_SPACE, lambda m: "")),
    Rule("collapse_blank_lines", r"\n\n\n", regex_fixer("collapse_blank_lines", _BLANK_RUN, lambda m: "\n\n")),
    Rule("strip_edges", r"^\s|\s$", regex_fixer("strip_edges", _EDGE_SPACE, lambda m: "")),
)


@dataclass(frozen=True)
class Cleaned:
    """Result of cleaning a batch: texts, per-document raw edits, and header text."""

    clean_text: list[str]
    edits: list[list[Edit]]
    header: list[str | None]


def clean_texts(raw: Sequence[str], rules: Sequence[Rule] = RULES) -> Cleaned:
    """Clean a batch of raw texts, recording each document's edits over its raw text."""
    current = list(raw)
    edits: list[list[Edit]] = [[] for _ in current]
    header: list[list[str]] = [[] for _ in current]
    for rule in rules:
        flags = pc.match_substring_regex(pa.array(current, pa.large_string()), rule.detector)
        for i in pc.indices_nonzero(flags).to_pylist():
            new = rule.fix(current[i])
            if not new:
                continue
            if rule.header:
                header[i].extend(current[i][e.start : e.end].strip() for e in new)
            edits[i] = compose(edits[i], new, current[i])
            current[i] = replay(current[i], new)
    return Cleaned(current, edits, ["\n".join(h) if h else None for h in header])


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
    from warehouse.schema import TABLES  # the contract schema; import kept local to stay pure

    return pa.table(cols, schema=TABLES["edits"].arrow_schema)
