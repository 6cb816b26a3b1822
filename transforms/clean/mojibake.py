"""Mojibake and odd Unicode: ``ftfy`` on flagged lines only, each change recorded as an edit.

``ftfy`` runs at about 5 MB/s, so it only sees lines a cheap detector flags: the
UTF-8-read-as-cp1252 signatures (``Ã©``, ``â€™``), C1 control characters, ligatures
and the replacement-prone byte ``Â``. Each changed line becomes one edit over the
smallest span that differs.
"""

from __future__ import annotations

import re

import ftfy

from transforms.clean.edits import Edit

#: ftfy settings: repair encodings, never unescape HTML (entities have their own rules)
#: nor straighten curly quotes or fold full-width forms (those are not defects).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_line_breaks=False,
    explain=False,
)

_LEAD = "\u00c2\u00c3\u00c5\u00c6\u00ce\u00cf\u00d0\u00d1\u00e2\u00ef"
_TAIL = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
#: RE2 detector (also valid for Python's ``re``): where mojibake or odd Unicode may be.
DETECTOR = f"[{_LEAD}][{_TAIL}]|[\u0080-\u009f]|[\ufb00-\ufb06]"
_LINE_FLAG = re.compile(DETECTOR)


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
    """Edits repairing mojibake, one per changed line.

    ftfy sees each line without its edge spaces and tabs (whose tidying would otherwise
    change its verdict, and so make cleaning clean text change it).

    >>> from transforms.clean.edits import replay
    >>> replay("the cafÃ© is open", fix_mojibake("the cafÃ© is open"))
    'the café is open'
    """
    out: list[Edit] = []
    pos = 0
    for line in text.split("\n"):
        if _LINE_FLAG.search(line):
            lead = len(line) - len(line.lstrip(" \t"))
            content = line[lead:].rstrip(" \t")
            fixed = ftfy.fix_text(content, FTFY_CONFIG)
            if fixed != content:
                out.append(_diff_edit(pos + lead, content, fixed))
        pos += len(line) + 1
    return out
