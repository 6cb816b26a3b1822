"""HTML entity repair: ordinary, double-escaped, and entities that lost their ampersand.

Two fixers, each returning :class:`~transforms.edits.Edit` spans:

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
from html.entities import name2codepoint

from transforms.edits import Edit, replay

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Entity names (HTML 4, case-sensitive) that are repaired with their ampersand.
NAMES: frozenset[str] = frozenset(name2codepoint) | {"apos"}
_NAME_ALT = "|".join(sorted(NAMES, key=lambda n: (-len(n), n)))
#: Entity names repaired when their ampersand is lost: the ones news text really uses.
BARE_NAMES: tuple[str, ...] = ("quot", "amp", "lt", "gt", "apos", "nbsp", "mdash", "ndash", "hellip", "rsquo", "lsquo", "rdquo", "ldquo", "pound", "euro")

_ENTITY = re.compile(rf"&(?:amp;)*(?:({_NAME_ALT})|#(\d{{1,7}})|#[xX]([0-9a-fA-F]{{1,6}}));")
# A lost ampersand: a comma or one space stands in its place, or nothing at the start
# of a line or after an opening quote or bracket (but never glued to a word).
_BARE = re.compile(
    rf"(?:[, ]|(?<![^\s\"'(\[\\]))(?:amp;)*(?:({'|'.join(BARE_NAMES)})|#(\d{{2,4}}));"
)

#: RE2 detectors (for ``pyarrow.compute``): a superset of what the fixers change.
ENTITY_DETECTOR = r"&(?:amp;)*(?:[A-Za-z][A-Za-z0-9]{1,7}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});"
BARE_DETECTOR = rf"(?:{'|'.join(BARE_NAMES)}|#\d{{2,4}});"


def entity_char(name: str | None, dec: str | None, hexa: str | None = None) -> str | None:
    """The character an entity stands for; "" for control characters; None if invalid.

    >>> entity_char("quot", None), entity_char(None, "151"), entity_char(None, "3")
    ('"', '—', '')
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
    ch = chr(code)
    return "" if _CONTROL.fullmatch(ch) or code == 0 else ch


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

    >>> replay("clashes,quot; and  quot;hi quot; it #39;s #39 act#39;", bare_entity_edits("clashes,quot; and  quot;hi quot; it #39;s #39 act#39;"))
    'clashes" and "hi" it\\'s #39 act#39;'
    """
    out = []
    for m in _BARE.finditer(text):
        code = m.group(2)
        if code is not None and not 32 <= int(code) != 127:
            continue
        ch = entity_char(m.group(1), code)
        if ch:
            out.append(Edit(m.start(), m.end(), ch, "fix_bare_entities"))
    return out


def repair_entities(text: str) -> str:
    """``text`` with ordinary and ampersand-less entities decoded (for titles).

    >>> repair_entities("Apple #146;s &amp;quot;iPod&quot;")
    'Apple’s "iPod"'
    """
    text = replay(text, entity_edits(text))
    return replay(text, bare_entity_edits(text))
