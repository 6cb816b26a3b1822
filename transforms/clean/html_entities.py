"""HTML entity repair: ordinary, double-escaped, and entities that lost their ampersand.

Two fixers, each returning :class:`~transforms.clean.edits.Edit` spans:

* :func:`entity_edits` — ``&quot;``, ``&#8217;``, ``&#x2019;`` and double-escaped
  ``&amp;quot;`` / ``&amp;#39;``. Only real entity names count, so ``Q&A;`` stays.
* :func:`bare_entity_edits` — forms whose ampersand was lost or garbled into a space
  or a comma: ``,quot;``, `` quot;``, `` #39;``, `` #36;``, `` amp;``, `` #151;``.
  The space or comma that stood for the ampersand goes with the entity. A bare form
  glued to a word (``act#39;``), or without its semicolon (``#39``), is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from html.entities import name2codepoint

from transforms.clean.edits import Edit, replay

#: Characters cleaning deletes (``remove_control_chars``): C0 and C1 controls but tab and
#: line breaks, DEL, zero-width space and byte-order mark. An entity never decodes to one.
CONTROL_CLASS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0080-\u009f\u200b\ufeff]"
_CONTROL = re.compile(CONTROL_CLASS)

#: Entity names (HTML 4, case-sensitive) that are repaired with their ampersand.
NAMES: frozenset[str] = frozenset(name2codepoint) | {"apos"}
_NAME_ALT = "|".join(sorted(NAMES, key=lambda n: (-len(n), n)))
#: Entity names repaired when their ampersand is lost: the ones news text really uses.
BARE_NAMES: tuple[str, ...] = (
    "quot",
    "amp",
    "lt",
    "gt",
    "apos",
    "nbsp",
    "mdash",
    "ndash",
    "hellip",
    "rsquo",
    "lsquo",
    "rdquo",
    "ldquo",
    "pound",
    "euro",
)

_ENTITY = re.compile(rf"&(?:amp;)*(?:({_NAME_ALT})|#(\d{{1,7}})|#[xX]([0-9a-fA-F]{{1,6}}));")
# A lost ampersand: a comma or one space stands in its place, or nothing at the start
# of a line or after an opening quote or bracket (but never glued to a word).
_BARE = re.compile(rf"(?:[, ]|(?<![^\s\"'(\[\\]))(?:amp;)*(?:({'|'.join(BARE_NAMES)})|#(\d{{2,4}}));")

#: ASCII code points repaired in bare numeric form (``#39;``); others below 128 (``#40;``)
#: look too much like list numbering to touch.
BARE_ASCII: frozenset[int] = frozenset({34, 36, 38, 39, 60, 62})

#: RE2 detectors (for ``pyarrow.compute``): a superset of what the fixers change.
ENTITY_DETECTOR = r"&(?:amp;)*(?:[A-Za-z][A-Za-z0-9]{1,7}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});"
BARE_DETECTOR = rf"(?:{'|'.join(BARE_NAMES)}|#\d{{2,4}});"


@lru_cache(maxsize=4096)
def entity_char(name: str | None, dec: str | None, hexa: str | None = None) -> str | None:
    """The character an entity stands for; "" for control characters; None if invalid.

    A carriage return decodes to a line break (``normalise_newlines`` runs before entities).

    >>> entity_char("quot", None), entity_char(None, "151"), entity_char(None, "3"), entity_char(None, "13")
    ('"', '—', '', '\\n')
    """
    if name:
        return html.unescape(f"&{name};")
    code = int(dec) if dec else int(hexa or "0", 16)
    if 0x80 <= code <= 0x9F:  # cp1252 code points written as numeric entities
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    if code == 13:
        return "\n"
    ch = chr(code)
    return "" if _CONTROL.fullmatch(ch) else ch


def entity_edits(text: str) -> list[Edit]:
    """Edits decoding ordinary and double-escaped entities.

    >>> replay("say &amp;quot;hi&#8221; &lt;b&gt; Q&A;", entity_edits("say &amp;quot;hi&#8221; &lt;b&gt; Q&A;"))
    'say "hi” <b> Q&A;'
    """
    out = []
    for m in _ENTITY.finditer(text):
        ch = entity_char(m.group(1), m.group(2), m.group(3))
        if ch is not None:
            out.append(Edit(m.start(), m.end(), ch, "fix_entities"))
    return out


def bare_entity_edits(text: str) -> list[Edit]:
    """Edits decoding entities whose ampersand was lost (the stand-in goes too).

    >>> t = "clashes,quot; and  quot;hi quot; it #39;s #39 act#39;"
    >>> replay(t, bare_entity_edits(t))
    'clashes" and "hi" it\\'s #39 act#39;'
    """
    out = []
    for m in _BARE.finditer(text):
        code = m.group(2)
        if code is not None and not (int(code) in BARE_ASCII or int(code) >= 128):
            continue
        ch = entity_char(m.group(1), code)
        if ch:
            out.append(Edit(m.start(), m.end(), ch, "fix_bare_entities"))
    return out


#: AG News style: a backslash stands for a line break, `\$` for `$`. A property of the
#: inputs that use it (see :func:`uses_backslash_breaks`), never of text in general:
#: elsewhere a backslash is a path, a regex or an escape, and stays.
_BACKSLASH = re.compile(r"( *)\\+(\$?)( *)")
BACKSLASH_DETECTOR = r"\\"
#: The AG News signatures: a dollar escaped before an amount (`\$55bn`), or a backslash
#: for the break after a sentence (`said.\The`)...
_AG_SIGNATURE = re.compile(r"\\\$\d|[.!?]\\ ?[\"A-Z]")
#: ... and what a file using backslashes for something else would hold: a drive path.
_DRIVE_PATH = re.compile(r"(?<![A-Za-z])[A-Za-z]:\\")


def uses_backslash_breaks(texts: Iterable[str]) -> bool:
    r"""Whether a file's texts follow the AG News backslash convention.

    They do when some text escapes a dollar before an amount (`\$55bn`) or puts a
    backslash between sentences (`said.\The`), and none holds a drive path (`C:\Users`).

    >>> uses_backslash_breaks(["record \\$55bn", "dwindling\\band"]), uses_backslash_breaks(["said.\\The"])
    (True, True)
    >>> uses_backslash_breaks(["record \\$55bn", r"saved to C:\Users"]), uses_backslash_breaks([r"regex \d+"])
    (False, False)
    """
    signed = False
    for text in texts:
        if "\\" not in text:
            continue
        if _DRIVE_PATH.search(text):
            return False
        signed = signed or bool(_AG_SIGNATURE.search(text))
    return signed


def _backslash(m: re.Match[str]) -> str:
    """A lost line break becomes one space (none at the edges); `\\$` is `$`."""
    pre, dollar, post = m.groups()
    if dollar:
        glued = m.start() > 0 and not pre and m.string[m.start() - 1].isalnum()
        return (" " if glued else pre) + "$" + post
    return "" if m.start() == 0 or m.end() == len(m.string) else " "


def fix_backslash_breaks(text: str) -> list[Edit]:
    r"""Edits turning AG News backslash line breaks into spaces, and `\$` into `$`.

    >>> t = r"dwindling\band, record \$55bn, (\$9bn), about\$2bn"
    >>> replay(t, fix_backslash_breaks(t))
    'dwindling band, record $55bn, ($9bn), about $2bn'
    """
    out = []
    for m in _BACKSLASH.finditer(text):
        if (after := _backslash(m)) != m.group(0):
            out.append(Edit(m.start(), m.end(), after, "fix_backslash_breaks"))
    return out


def repair_entities(text: str, backslash_breaks: bool = False) -> str:
    """``text`` with entities repaired, and AG News backslashes if its input uses them.

    For titles and metadata.

    >>> repair_entities("Apple #146;s &amp;quot;iPod&quot; at \\$46", backslash_breaks=True)
    'Apple’s "iPod" at $46'
    >>> repair_entities("C:\\temp &amp; more")
    'C:\\temp & more'
    """
    for fixer in (entity_edits, bare_entity_edits):
        text = replay(text, fixer(text))
    if backslash_breaks:
        text = replay(text, fix_backslash_breaks(text))
    return text
