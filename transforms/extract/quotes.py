"""Quotations with their speaker (a name, pronouns resolved) and reporting verb."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from transforms.extract._scan import ends_with
from transforms.extract.names.entities import Entity

#: RE2 prefilter: documents that can hold a quotation.
PREFILTER = "[\"\u201c\u201d]"

_VERBS = (
    r"said|says|say|told|tells|added|adds|warned|warns|explained|insisted|stated|noted|argued|vowed|promised|"
    r"claimed|declared|announced|urged|wrote|tweeted|acknowledged|mentioned|described|called|asked|replied|"
    r"stressed|saying|admitted|conceded|cautioned|threatened|predicted|suggested|recalled|continued|reported"
)


def _by_first_letter(words: str) -> str:
    """An alternation of ``words`` grouped by first letter (``s(?:aid|ays)|t(?:old)``): faster to search."""
    groups: dict[str, list[str]] = {}
    for w in words.split("|"):
        groups.setdefault(w[0], []).append(w[1:])
    return "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in groups.items())


# Every pattern takes a verb as a whole word, so the order of the alternatives does not matter.
_VERB_ALT = _by_first_letter(_VERBS)
QUOTE_RE = re.compile(r"\"([^\"\n]{2,2000}?)\"|\u201c([^\u201c\u201d\n]{2,2000}?)\u201d")
_PRONOUN = r"he|she|they|it|He|She|They|It"
_AFTER_SPEAKER_FIRST_RE = re.compile(
    rf"\s*,?\s*(?P<sp>{_PRONOUN}|(?:the|a|an|The|A|An)\s+[\w\s'-]{{1,40}}?|[A-Z][\w'’.-]*(?:\s+(?:al-|el-|al\s+|bin\s+)?[A-Z][\w'’.-]*)*)"
    rf"(?:,[^\"\n]{{0,150}}?,)?\s+(?P<verb>{_VERB_ALT})\b"
)
_AFTER_VERB_FIRST_RE = re.compile(rf"\s*,?\s*(?P<verb>{_VERB_ALT})\s+(?P<rest>[^\"\n.]{{1,200}})")
# A leading ``(?s:.*)`` makes a match end after the last verb (sentence break) of the window: ``re``
# backtracks from the window's end, which is faster than finding every one from its start.
_LAST_VERB_RE = re.compile(rf"(?s:.*)\b(?P<verb>{_VERB_ALT})\b")
_LAST_SENTENCE_BREAK_RE = re.compile(r"(?s:.*)[.!?\n][\"\u201d]?\s+(?=[A-Z\"\u201c])")
_PRONOUN_END_RE = re.compile(r"\b(he|she|He|She)\s+$")
_PRONOUN_ENDINGS = ("he", "He")  # a cheap necessary condition for _PRONOUN_END_RE (``she`` ends with ``he``)


#: How far before a quotation its sentence (and speaker) is looked for, in characters.
_LOOK_BACK = 400


class Quote(NamedTuple):
    """A quotation: span of the words between the marks, speaker and verb."""

    start: int
    end: int
    quote: str
    speaker: str | None
    verb: str | None


class _Mentions:
    """Named-entity mentions of a document, searchable by position (by bisection), indexed on first use."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities = entities

    @cached_property
    def ents(self) -> list[Entity]:
        """The PERSON and ORG mentions, by start."""
        return sorted((e for e in self.entities if e.kind in ("PERSON", "ORG")), key=itemgetter(0))

    @cached_property
    def starts(self) -> list[int]:
        """Start of each of :attr:`ents`."""
        return [e.start for e in self.ents]

    @cached_property
    def by_kind(self) -> dict[str, tuple[list[Entity], list[int]]]:
        """Per kind, its mentions by start and their ends (which rise too: mentions of one kind do not overlap)."""
        out: dict[str, tuple[list[Entity], list[int]]] = {}
        for e in self.ents:
            ents, ends = out.setdefault(e.kind, ([], []))
            ents.append(e)
            ends.append(e.end)
        return out

    def at(self, start: int, end: int) -> Entity | None:
        """The mention inside [start, end) that starts first."""
        i = bisect_left(self.starts, start)
        return self.ents[i] if i < len(self.ents) and self.ents[i].start < end else None

    def last_before(self, pos: int, kind: str, lo: int = 0) -> Entity | None:
        """The last mention of ``kind`` that ends before ``pos`` and starts at or after ``lo``."""
        ents, ends = self.by_kind.get(kind, ((), ()))
        i = bisect_right(ends, pos) - 1
        if i < 0:
            return None
        e = ents[i]
        return e if e.start >= lo else None


def _speaker(phrase: str, start: int, mentions: _Mentions, quote_start: int) -> str | None:
    """A name for a speaker phrase: an entity inside it, a pronoun's antecedent, or the phrase itself."""
    phrase_s = phrase.strip()
    if phrase_s.lower() in ("he", "she"):
        e = mentions.last_before(quote_start, "PERSON")
        return e.name if e else None
    if phrase_s.lower() in ("they", "it"):
        e = mentions.last_before(quote_start, "ORG", max(0, quote_start - 600))
        return e.name if e else None
    e = mentions.at(start, start + len(phrase))
    if e:
        return e.name
    return phrase_s if phrase_s[:1].isupper() and not phrase_s.lower().startswith(("the ", "a ", "an ")) else (
        phrase_s or None
    )


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans of the quotations of ``text`` with their marks, as ``QUOTE_RE.finditer`` finds them.

    Found with ``str.find``: a quotation opens at the first quotation mark not yet consumed and
    closes at the next mark of its kind, 3 to 2001 characters on, with no line break (nor, for
    curly quotes, another opening mark) in between; otherwise the next mark is tried.

    >>> text = 'say "no" or \\u201cyes\\u201d, "a\\nb" "c'
    >>> _quotations(text), [m.span() for m in QUOTE_RE.finditer(text)]
    ([(4, 8), (12, 17)], [(4, 8), (12, 17)])
    """
    out: list[tuple[int, int]] = []
    curly = "\u201c" in text
    pos = 0
    while True:
        i = text.find('"', pos)
        if curly:
            c = text.find("\u201c", pos, i if i >= 0 else len(text))
            if c >= 0:
                i = c
        if i < 0:
            return out
        if text[i] == '"':
            k = text.find('"', i + 1, i + 2002)
            ok = k > i + 2 and text.find("\n", i + 1, k) < 0
        else:
            k = text.find("\u201d", i + 1, i + 2002)
            ok = k > i + 2 and text.find("\n", i + 1, k) < 0 and text.find("\u201c", i + 1, k) < 0
        if ok:
            out.append((i, k + 1))
            pos = k + 1
        else:
            pos = i + 1


def find_quotes(text: str, entities: list[Entity]) -> list[Quote]:
    """Quotations in ``text`` with speaker and reporting verb.

    The speaker comes from the words after the quotation (``"...," X said``, ``said X``) or before it
    in the same sentence (``X warned ... to "..."``); pronouns resolve to the last person named.
    """
    spans = _quotations(text)
    if not spans:
        return []
    mentions = _Mentions(entities)
    out: list[Quote] = []
    for q_start, q_end in spans:
        qs, qe = q_start + 1, q_end - 1
        speaker = verb = None
        a = _AFTER_SPEAKER_FIRST_RE.match(text, q_end)
        if a:
            verb = a["verb"]
            speaker = _speaker(a["sp"], a.start("sp"), mentions, q_start)
        else:
            b = _AFTER_VERB_FIRST_RE.match(text, q_end)
            if b:
                verb = b["verb"]
                rest_start, rest_end = b.span("rest")
                e = mentions.at(rest_start, rest_end)
                speaker = e.name if e else _speaker(b["rest"].split(",")[0], rest_start, mentions, q_start)
        if speaker is None:
            s = max(0, q_start - _LOOK_BACK)  # the sentence start, at most this far back
            brk = _LAST_SENTENCE_BREAK_RE.match(text, s, q_start)
            if brk:
                s = brk.end()
            v = _LAST_VERB_RE.match(text, s, q_start)
            if v:
                verb = v["verb"]
                v_start = v.start("verb")
                e = mentions.last_before(v_start, "PERSON", s) or mentions.last_before(v_start, "ORG", s)
                if e:
                    speaker = e.name
                else:
                    before = text[s:v_start]
                    p = _PRONOUN_END_RE.search(before) if ends_with(before, _PRONOUN_ENDINGS) else None
                    if p:
                        speaker = _speaker(p[1], 0, mentions, s)
        out.append(Quote(qs, qe, text[qs:qe], speaker, verb))
    return out
