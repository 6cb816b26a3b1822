"""Quotations with their speaker (a name, pronouns resolved) and reporting verb."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from transforms.extract.entities import Entity

#: RE2 prefilter: documents that can hold a quotation.
PREFILTER = "[\"\u201c\u201d]"

_VERBS = (
    r"said|says|say|told|tells|added|adds|warned|warns|explained|insisted|stated|noted|argued|vowed|promised|"
    r"claimed|declared|announced|urged|wrote|tweeted|acknowledged|mentioned|described|called|asked|replied|"
    r"stressed|saying|admitted|conceded|cautioned|threatened|predicted|suggested|recalled|continued|reported"
)
QUOTE_RE = re.compile(r"\"([^\"\n]{2,2000}?)\"|\u201c([^\u201c\u201d\n]{2,2000}?)\u201d")
_PRONOUN = r"he|she|they|it|He|She|They|It"
_AFTER_SPEAKER_FIRST_RE = re.compile(
    rf"\s*,?\s*(?P<sp>{_PRONOUN}|(?:the|a|an|The|A|An)\s+[\w\s'-]{{1,40}}?|[A-Z][\w'’.-]*(?:\s+(?:al-|el-|al\s+|bin\s+)?[A-Z][\w'’.-]*)*)"
    rf"(?:,[^\"\n]{{0,150}}?,)?\s+(?P<verb>{_VERBS})\b"
)
_AFTER_VERB_FIRST_RE = re.compile(rf"\s*,?\s*(?P<verb>{_VERBS})\s+(?P<rest>[^\"\n.]{{1,200}})")
_BEFORE_VERB_RE = re.compile(rf"\b(?P<verb>{_VERBS})\b")
_SENTENCE_START_RE = re.compile(r"[.!?\n][\"\u201d]?\s+(?=[A-Z\"\u201c])")


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
    """Named-entity mentions of a document, searchable by position (by bisection)."""

    def __init__(self, entities: list[Entity]) -> None:
        self.ents = sorted((e for e in entities if e.kind in ("PERSON", "ORG")), key=lambda e: e.start)
        self.starts = [e.start for e in self.ents]
        self.by_kind: dict[str, list[Entity]] = {}
        for e in self.ents:
            self.by_kind.setdefault(e.kind, []).append(e)
        # Mentions of one kind do not overlap, so their ends rise with their starts.
        self.ends = {k: [e.end for e in v] for k, v in self.by_kind.items()}

    def at(self, start: int, end: int) -> Entity | None:
        """The mention inside [start, end) that starts first."""
        i = bisect_left(self.starts, start)
        return self.ents[i] if i < len(self.ents) and self.ents[i].start < end else None

    def last_before(self, pos: int, kind: str, lo: int = 0) -> Entity | None:
        """The last mention of ``kind`` that ends before ``pos`` and starts at or after ``lo``."""
        i = bisect_right(self.ends.get(kind, []), pos) - 1
        if i < 0:
            return None
        e = self.by_kind[kind][i]
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


def find_quotes(text: str, entities: list[Entity]) -> list[Quote]:
    """Quotations in ``text`` with speaker and reporting verb.

    The speaker comes from the words after the quotation (``"...," X said``, ``said X``) or before it
    in the same sentence (``X warned ... to "..."``); pronouns resolve to the last person named.
    """
    mentions = _Mentions(entities)
    out: list[Quote] = []
    for m in QUOTE_RE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        qs, qe = m.span(g)
        speaker = verb = None
        a = _AFTER_SPEAKER_FIRST_RE.match(text, m.end())
        if a:
            verb = a["verb"]
            speaker = _speaker(a["sp"], a.start("sp"), mentions, m.start())
        else:
            b = _AFTER_VERB_FIRST_RE.match(text, m.end())
            if b:
                verb = b["verb"]
                rest_start, rest_end = b.span("rest")
                e = mentions.at(rest_start, rest_end)
                speaker = e.name if e else _speaker(b["rest"].split(",")[0], rest_start, mentions, m.start())
        if speaker is None:
            s = max(0, m.start() - _LOOK_BACK)  # the sentence start, at most this far back
            for s_m in _SENTENCE_START_RE.finditer(text, s, m.start()):
                s = s_m.end()
            verbs = list(_BEFORE_VERB_RE.finditer(text, s, m.start()))
            if verbs:
                v = verbs[-1]
                verb = v["verb"]
                e = mentions.last_before(v.start(), "PERSON", s) or mentions.last_before(v.start(), "ORG", s)
                if e:
                    speaker = e.name
                else:
                    p = re.search(r"\b(he|she|He|She)\s+$", text[s : v.start()])
                    if p:
                        speaker = _speaker(p[1], 0, mentions, s)
        out.append(Quote(qs, qe, text[qs:qe], speaker, verb))
    return out
