"""Mojibake and odd Unicode: ``ftfy`` on the lines it would change, each change recorded as an edit.

``ftfy.fix_text`` runs at about 5 MB/s, so it only sees the lines it would change.
Whether it changes a line is decided by a few tests (:func:`needs_ftfy`): its badness
heuristic (the only gate of its encoding repair), the characters its other fixes
replace (C1 controls, ligatures and digraphs, full- and half-width forms, odd line
breaks, invisible controls) and Unicode normalisation (NFC). Over a whole batch the
same tests run as one RE2 pattern, :data:`DETECTOR`, built from ftfy's own tables
when this module is imported; it matches every text :func:`needs_ftfy` accepts (a
superset: it may flag more, never less), so no text ftfy would change is skipped.

ftfy runs with its defaults but two (:data:`FTFY_CONFIG`): entities are decoded by
copydesk's own rules, before this one, and curly quotes are kept (they are not
defects). Each changed line becomes one edit over the smallest span that differs.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE, is_bad

from transforms.clean.edits import Edit

#: ftfy settings: its defaults, but entities (copydesk's own rules decode them first)
#: and curly quotes (kept: typography, not a defect).
FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, explain=False)


def _class(chars: set[str]) -> str:
    """An RE2 character class body matching exactly ``chars``."""
    codes = sorted(ord(c) for c in chars)
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        lo, hi = codes[i], codes[j]
        parts.append(f"\\x{{{lo:x}}}" if lo == hi else f"\\x{{{lo:x}}}-\\x{{{hi:x}}}")
        i = j + 1
    return "".join(parts)


#: RE2 pattern matching wherever NFC may change a text: a combining mark or Hangul
#: vowel or final jamo (which compose with what precedes them), or a character NFC
#: replaces (singletons and composition exclusions, listed for Unicode 14; the tests
#: check the list against the running Python's tables).
NFC_DETECTOR = (
    r"[\p{M}\x{1161}-\x{1175}\x{11a8}-\x{11c2}"
    r"\x{374}\x{37e}\x{387}\x{958}-\x{95f}\x{9dc}-\x{9dd}\x{9df}\x{a33}\x{a36}\x{a59}-\x{a5b}\x{a5e}"
    r"\x{b5c}-\x{b5d}\x{f43}\x{f4d}\x{f52}\x{f57}\x{f5c}\x{f69}\x{1f71}\x{1f73}\x{1f75}\x{1f77}\x{1f79}"
    r"\x{1f7b}\x{1f7d}\x{1fbb}\x{1fbe}\x{1fc9}\x{1fcb}\x{1fd3}\x{1fdb}\x{1fe3}\x{1feb}\x{1fee}-\x{1fef}"
    r"\x{1ff9}\x{1ffb}\x{1ffd}\x{2000}-\x{2001}\x{2126}\x{212a}-\x{212b}\x{2329}-\x{232a}\x{2adc}"
    r"\x{f900}-\x{fa0d}\x{fa10}\x{fa12}\x{fa15}-\x{fa1e}\x{fa20}\x{fa22}\x{fa25}-\x{fa26}\x{fa2a}-\x{fa6d}"
    r"\x{fa70}-\x{fad9}\x{fb1d}\x{fb1f}\x{fb2a}-\x{fb36}\x{fb38}-\x{fb3c}\x{fb3e}\x{fb40}-\x{fb41}"
    r"\x{fb43}-\x{fb44}\x{fb46}-\x{fb4e}\x{1d15e}-\x{1d164}\x{1d1bb}-\x{1d1c0}\x{2f800}-\x{2fa1d}]"
)


#: Characters ftfy's fixes other than the encoding repair replace or remove.
OTHER_CHARS: frozenset[str] = frozenset(
    "".join(map(chr, chardata.LIGATURES))
    + "".join(map(chr, chardata.WIDTH_MAP))
    + "".join(map(chr, chardata.CONTROL_CHARS))
    + "\r\u2028\u2029\x85\x1b"
    + "".join(map(chr, range(0x80, 0xA0)))
)
_OTHER = re.compile("[" + "".join(map(re.escape, sorted(OTHER_CHARS))) + "]")

#: RE2 stand-ins for Python's Unicode-aware classes, each matching at least as much.
_SPACE = r"[\s\x{b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_WORD = r"[0-9A-Za-z_\x{80}-\x{10ffff}]"


def re2_pattern(verbose: str) -> str:
    r"""A Python verbose regex rewritten for RE2, matching at least what the original matches.

    Comments and layout go; ``\s`` and ``\w`` become classes covering Python's Unicode
    ones; ``^`` (the start of the segment ftfy sees, a line without its edge spaces)
    becomes a line start followed by optional spaces and tabs.

    >>> re2_pattern("[ab] [ ]  # two\n | ^x\\w")
    '[ab][ ]|(?m:^)[ \\t]*x[0-9A-Za-z_\\x{80}-\\x{10ffff}]'
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(verbose):
        ch = verbose[i]
        if ch == "\\":
            esc = verbose[i : i + 2]
            if not in_class and esc == "\\s":
                out.append(_SPACE)
            elif not in_class and esc == "\\w":
                out.append(_WORD)
            elif esc[1:] in ("s", "w", "W", "S", "b", "B", "d", "D"):
                raise ValueError(f"cannot widen {esc} inside a class")
            else:
                out.append(esc)
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if verbose[i + 1 : i + 2] == "]":  # a literal ] first in a class
                out.append("]")
                i += 1
        elif ch == "#":
            while i < len(verbose) and verbose[i] != "\n":
                i += 1
            continue
        elif ch.isspace():
            pass
        elif ch == "^":
            out.append("(?m:^)[ \\t]*")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


#: The batch detector: one RE2 pattern matching every text :func:`needs_ftfy` accepts.
DETECTOR = f"{re2_pattern(BADNESS_RE.pattern)}|[{_class(set(OTHER_CHARS))}]|{NFC_DETECTOR}"


def needs_ftfy(line: str) -> bool:
    """Whether ftfy (with :data:`FTFY_CONFIG`) may change ``line``: exactly its own gates.

    >>> needs_ftfy("the café is open"), needs_ftfy("the cafÃ© is open"), needs_ftfy("ﬁne")
    (False, True, True)
    """
    return bool(is_bad(line) or _OTHER.search(line)) or not unicodedata.is_normalized("NFC", line)


def _diff_edit(start: int, old: str, new: str) -> Edit:
    """One edit turning ``old`` (at ``start``) into ``new``, trimmed to where they differ."""
    pre = 0
    limit = min(len(old), len(new))
    while pre < limit and old[pre] == new[pre]:
        pre += 1
    suf = 0
    while suf < limit - pre and old[len(old) - 1 - suf] == new[len(new) - 1 - suf]:
        suf += 1
    return Edit(start + pre, start + len(old) - suf, new[pre : len(new) - suf], "fix_mojibake")


def fix_mojibake(text: str) -> list[Edit]:
    """Edits repairing mojibake and odd Unicode, one per changed line.

    ftfy sees each line without its edge spaces and tabs (whose tidying would otherwise
    change its verdict, and so make cleaning clean text change it).

    >>> from transforms.clean.edits import replay
    >>> replay("the cafÃ© is open\\nLiĂ¨ge, æ—¥æœ¬", fix_mojibake("the cafÃ© is open\\nLiĂ¨ge, æ—¥æœ¬"))
    'the café is open\\nLiège, 日本'
    """
    out: list[Edit] = []
    pos = 0
    for line in text.split("\n"):
        lead = len(line) - len(line.lstrip(" \t"))
        content = line[lead:].rstrip(" \t")
        if content and needs_ftfy(content):
            fixed = ftfy.fix_text(content, FTFY_CONFIG)
            if fixed != content:
                out.append(_diff_edit(pos + lead, content, fixed))
        pos += len(line) + 1
    return out
