"""People, organisations and places in texts: sequences laid out by their plans, context cues, country votes."""

from __future__ import annotations

import re
from collections import Counter
from functools import partial
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract import _scan
from transforms.extract.names import plans as registry
from transforms.extract.names.sequence_arrays import objects
from transforms.extract.names.sequences import CAP_RE2, MAYBE, ORG, PERSON, PLACE, SINGLE, VOTE
from transforms.extract.places import Candidate, resolve

ROLE_AFTER_RE = re.compile(
    r",\s+(?:a|an|the|who|its|his|her)?\s*(?:[\w-]+\s+){0,3}?(?:spokesman|spokeswoman|spokesperson|minister|"
    r"official|president|chief|leader|director|head|commander|activist|figure|analyst|founder|chairman|executive|"
    r"secretary|general|ambassador|envoy|correspondent|reporter|editor|manager|coach|captain|striker|player|"
    r"governor|mayor|senator|lawyer|professor|economist|researcher|author|singer|actor|actress|star|boss|aged?\s+\d)"
)
_ROLES_BEFORE = (
    "spokesman|spokeswoman|activist|correspondent|reporter|analyst|minister|leader|official|commander|"
    "chief|boss|coach|manager|striker|midfielder|defender|star|singer|actor|actress|director|economist|"
    "said|says|according to|told|by|defector|colleague|wife|husband|son|daughter|brother|sister"
)
ROLE_BEFORE_RE = re.compile(rf"(?:{_ROLES_BEFORE}),?\s+$")
_SPEECH_VERBS = tuple("said says told added warned explained insisted stated noted argued vowed promised claimed "
                      "declared announced urged wrote tweeted".split())
SPEECH_AFTER_RE = re.compile(rf"\s+(?:{'|'.join(_SPEECH_VERBS)})\b")
_PLACES_BEFORE = ("of", "in", "near", "at", "from", "to", "into", "towards")
_PLACE_BEFORE_RE = re.compile(rf"\b(?:{'|'.join(_PLACES_BEFORE)})\s+(?:the\s+)?$")
_SPEECH_LATER_RE = re.compile(r"[^.\"\n]{0,120}?\b(?:said|says|told)\b")


class Entity(NamedTuple):
    """A named entity mention."""

    start: int
    end: int
    kind: str
    surface: str
    name: str


class Place(NamedTuple):
    """A geocoded place mention."""

    start: int
    end: int
    surface: str
    name: str
    country_code: str | None
    latitude: float | None
    longitude: float | None


def _sentence_initial(text: str, start: int) -> bool:
    """Whether ``start`` begins a sentence, line or quotation."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in ".!?\n\"“‘'(:|"


def find_entities(text: str) -> tuple[list[Entity], list[Place]]:
    """People, organisations and geocoded places in one text (see :func:`find_all` for a column).

    >>> ents, places = find_entities("Turkish President Recep Tayyip Erdogan spoke in Ankara.")
    >>> [(e.kind, e.name) for e in ents], [(p.name, p.country_code) for p in places]
    ([('PERSON', 'Recep Tayyip Erdogan'), ('PLACE', 'Ankara')], [('Ankara', 'TR')])
    """
    found = find_all(_scan.as_array(pa.array([text], pa.large_string())), [text])
    ents = [Entity(*r[1:]) for r in zip(*(found.entities[c].to_pylist() for c in found.entities.column_names),
                                         strict=True)]
    places = [Place(*r[1:]) for r in zip(*(found.places[c].to_pylist() for c in found.places.column_names),
                                         strict=True)]
    return ents, places


_ENTITY_KIND = np.array(["", "ORG", "PERSON", "PLACE", "PLACE", "PERSON"], dtype=object)


class Found(NamedTuple):
    """Entities and places of a column of texts, each row with the position (``row``) of its text."""

    entities: pa.Table
    places: pa.Table

    def mentions(self, rows: list[int]) -> dict[int, list[Entity]]:
        """The PERSON and ORG mentions of the given rows, as :class:`Entity` lists in text order."""
        if not rows:
            return {}
        ents = self.entities
        sub = ents.filter(pc.and_(pc.is_in(ents["row"], pa.array(rows, pa.int64())),
                                  pc.not_equal(ents["kind"], "PLACE")))
        of_row = sub["row"].to_numpy()  # entities come in row order
        firsts = np.searchsorted(of_row, rows, side="left").tolist()
        lasts = np.searchsorted(of_row, rows, side="right").tolist()
        made = list(map(_entity, zip(*(sub[c].to_pylist() for c in Entity._fields), strict=True)))
        return {r: made[a:b] for r, a, b in zip(rows, firsts, lasts, strict=True)}


#: Builds an :class:`Entity` from a tuple of its fields.
_entity = partial(tuple.__new__, Entity)


def find_all(texts_arr: pa.Array, texts: list[str]) -> Found:
    """People, organisations and geocoded places of each text of a column.

    ``texts_arr`` is the column prepared by ``_scan.as_array`` and ``texts`` the same strings as a list.
    Capitalised sequences are found by one RE2 pass over the column and each distinct sequence is
    planned once per process (:func:`~transforms.extract.names.sequence_arrays.plan_new`, kept in
    :class:`~transforms.extract.names.plans.Plans`); the steps of every
    occurrence are then laid out as arrays, and Python runs only where context decides: untitled
    names (:func:`_looks_like_person`), a word that may be the surname of a person named earlier,
    and places whose country the document's other mentions decide.
    """
    found = _scan.matches(texts_arr, CAP_RE2)
    with registry.LOCK:  # one registry per process: its threads take turns
        return _lay_out(found, texts, registry.PLANS)


class _HyphenRow(NamedTuple):
    """A place named inside a hyphenated word: a row after the step rows.

    ``order`` sorts it among them (a step row's order is 64 times its position), ``doc`` is its
    document row, ``start`` and ``end`` its span in the text.
    """

    order: int
    doc: int
    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]
    fixed: Candidate | None


def _lay_out(found: _scan.Matches, texts: list[str], plans: registry.Plans) -> Found:
    """The entities and places of the sequences ``found`` in ``texts``, by the plans of the registry."""
    enc = found.text.dictionary_encode()
    sids = plans.ids_of(enc.dictionary.to_pylist())[enc.indices.to_numpy(zero_copy_only=False)]
    # the steps of every occurrence of a useful sequence, laid out in text order
    keep = plans.useful[sids]
    m_doc, m_base, m_sid = found.doc[keep], found.start[keep], sids[keep]
    count = plans.count[m_sid]
    occ = np.repeat(np.arange(len(m_sid)), count)
    ends = np.cumsum(count)
    step = plans.first[m_sid][occ] + np.arange(len(occ)) - (ends - count)[occ]
    kind = plans.kind[step]
    doc = m_doc[occ]
    start = m_base[occ] + plans.start[step]
    end = m_base[occ] + plans.end[step]
    name = plans.name[step]
    # untitled names: context rules, one occurrence at a time
    is_person = np.zeros(len(step), dtype=bool)
    mi = np.flatnonzero(kind == MAYBE)
    is_person[mi] = [
        _looks_like_person(texts[d], s, e, pa_, fb)
        for d, s, e, pa_, fb in zip(doc[mi].tolist(), start[mi].tolist(), end[mi].tolist(),
                                    plans.particle[step[mi]].tolist(), plans.fallback[step[mi]].tolist(), strict=True)
    ]
    # a single word that is the surname of a person named earlier in the document is that person
    named = np.zeros(len(step), dtype=bool)
    single_known = plans.single_known[step]
    if single_known.any():
        ri = np.flatnonzero(((kind == PERSON) | is_person) & plans.sur_known[step])
        si = np.flatnonzero(single_known)
        width = np.int64(len(plans.words))
        keys, first_at = np.unique(doc[ri] * width + plans.word[step[ri]], return_index=True)
        if len(keys):
            want = doc[si] * width + plans.word[step[si]]
            at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
            j = ri[first_at[at]]  # the first person of the document with that surname
            ok = (keys[at] == want) & (j < si)
            named[si[ok]] = True
            name[si[ok]] = name[j[ok]]
    single = kind == SINGLE
    has_cands = plans.has_cands[step]
    place = (kind == PLACE) | (single & ~named & has_cands)
    # rows: every step that names something, then the place names inside hyphenated words
    emit = (kind == ORG) | (kind == PERSON) | place | named | ((kind == MAYBE) & is_person)
    rows = np.flatnonzero(emit)
    row_kind = _ENTITY_KIND[kind[rows]]
    row_kind[named[rows]] = "PERSON"
    order = rows * 64
    r_doc, r_start, r_end = doc[rows], start[rows], end[rows]
    r_surface = pa.chunked_array(plans.surface, pa.string()).take(pa.array(step[rows])).combine_chunks()
    r_name = name[rows]
    hyphen_rows = np.flatnonzero(single & ~named & ~has_cands & plans.has_hyphen[step])
    extra: list[_HyphenRow] = []
    for i in hyphen_rows.tolist():
        base = int(start[i]) - int(plans.start[step[i]])  # where the sequence starts in the text
        for j, hp in enumerate(plans.hyphen_places[step[i]]):
            extra.append(_HyphenRow(i * 64 + j + 1, int(doc[i]), base + hp.start, base + hp.end, hp.surface,
                                    hp.candidates, hp.fixed))
    # places: resolved by their candidates alone (taken from the registry), or by the document's votes
    p_idx = np.flatnonzero(place[rows])
    p_step = step[rows[p_idx]]
    voted = np.flatnonzero(~plans.is_fixed[p_step])
    # votes, in the documents that need them: demonyms count once, country names twice
    wanted = np.zeros(len(texts), dtype=bool)
    wanted[r_doc[p_idx[voted]]] = True
    wanted[[x.doc for x in extra if x.fixed is None]] = True
    votes: dict[int, Counter[str]] = {}
    vi = np.flatnonzero((kind == VOTE) & wanted[doc])
    for d, cc in zip(doc[vi].tolist(), name[vi].tolist(), strict=True):
        v = votes.get(d)
        if v is None:
            v = votes[d] = Counter()
        v[cc] += 1
    ci = np.flatnonzero(place & single & plans.is_country[step] & wanted[doc])
    for d, cands in zip(doc[ci].tolist(), plans.candidates[step[ci]].tolist(), strict=True):
        v = votes.get(d)
        if v is None:
            v = votes[d] = Counter()
        v[cands[0].country_code] += 2
    chosen = [resolve(cands, votes.get(d, _NO_VOTES))
              for d, cands in zip(r_doc[p_idx[voted]].tolist(), plans.candidates[p_step[voted]].tolist(), strict=True)]
    chosen += [x.fixed if x.fixed is not None else resolve(x.candidates, votes.get(x.doc, _NO_VOTES)) for x in extra]
    p_fields = [np.concatenate([f[p_step], objects((getattr(c, k) for c in chosen[len(voted):]), len(extra))])
                for f, k in zip(plans.fixed_fields, registry.PLACE_FIELDS, strict=True)]
    for f, k in zip(p_fields, registry.PLACE_FIELDS, strict=True):
        f[voted] = objects((getattr(c, k) for c in chosen[: len(voted)]), len(voted))
    p_name, p_cc, p_lat, p_lon = p_fields
    r_name[p_idx] = p_name[: len(p_idx)]
    ent = pa.table({
        "row": np.concatenate([r_doc, np.array([x.doc for x in extra], dtype=np.int64)]),
        "start": np.concatenate([r_start, np.array([x.start for x in extra], dtype=np.int64)]),
        "end": np.concatenate([r_end, np.array([x.end for x in extra], dtype=np.int64)]),
        "kind": pa.array([*row_kind.tolist(), *(["PLACE"] * len(extra))], pa.string()),
        "surface": pa.concat_arrays([r_surface, pa.array([x.surface for x in extra], pa.string())]),
        "name": pa.array(np.concatenate([r_name, p_name[len(p_idx):]]), pa.string()),
    })
    ent_order = np.concatenate([order, np.array([x.order for x in extra], dtype=np.int64)])
    p_order = np.concatenate([order[p_idx], np.array([x.order for x in extra], dtype=np.int64)])
    in_ent = pa.array(np.concatenate([p_idx, np.arange(len(rows), len(rows) + len(extra))]))
    places = pa.table({
        **{c: ent[c].take(in_ent) for c in ("row", "start", "end", "surface")},
        "name": pa.array(p_name, pa.string()),
        "country_code": pa.array(p_cc, pa.string()),
        "latitude": pa.array(p_lat, pa.float64()),
        "longitude": pa.array(p_lon, pa.float64()),
    })
    if extra:
        ent = ent.take(pa.array(np.argsort(ent_order, kind="stable")))
        places = places.take(pa.array(np.argsort(p_order, kind="stable")))
    return Found(ent, places)


_NO_VOTES: Counter[str] = Counter()


def _looks_like_person(text: str, start: int, end: int, particle: bool, fallback: bool) -> bool:
    """Rules for an untitled person name: name particles, a 2-3 word proper name in place, or a role/speech cue.

    Each context pattern runs only when a cheap test of the characters around the name allows a match.
    """
    lo = start - 20 if start > 20 else 0
    place_before = _scan.ends_with(text[lo:start], _PLACE_BEFORE_ENDINGS) and bool(
        _PLACE_BEFORE_RE.search(text, lo, start))
    if particle and not place_before:
        return True
    if fallback and not place_before and (not _sentence_initial(text, start) or _speech_later(text, end)):
        return True
    after = text[end : end + 2]
    if after[:1] == "," and ROLE_AFTER_RE.match(text, end):
        return True
    # a speech verb after one blank, or after more (then only the pattern can tell)
    if after[:1].isspace() and (after[1:].isspace() or text.startswith(_SPEECH_VERBS, end + 1)) \
            and SPEECH_AFTER_RE.match(text, end):
        return True
    lo = start - 30 if start > 30 else 0
    return _scan.ends_with(text[lo:start].rstrip().removesuffix(","), _ROLE_BEFORE_ENDINGS) and bool(
        ROLE_BEFORE_RE.search(text, lo, start))


_PLACE_BEFORE_ENDINGS = (*_PLACES_BEFORE, "the")
_ROLE_BEFORE_ENDINGS = tuple(_ROLES_BEFORE.split("|"))


def _speech_later(text: str, end: int) -> bool:
    """Whether ``said``, ``says`` or ``told`` follows ``end`` in the same sentence (see ``_SPEECH_LATER_RE``)."""
    ahead = text[end : end + 124]
    return ("said" in ahead or "says" in ahead or "told" in ahead) and bool(_SPEECH_LATER_RE.match(text, end))
