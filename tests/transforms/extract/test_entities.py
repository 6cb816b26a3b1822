"""The per-process registry of planned sequences: results do not depend on its state."""

from __future__ import annotations

import pytest

from transforms.extract import entities
from transforms.extract.entities import find_entities

TEXTS = [
    "Paul Koether said the deal was done. Koether added that Smith Barney agreed.",
    "Turkish President Recep Tayyip Erdogan warned Damascus. Erdogan spoke in Ankara.",
    "Koether met Abu Bakr al-Baghdadi near Hama Province, the Syrian Observatory said.",
    "The Istanbul-based Bank of Japan said King had left. Paul King said he had not.",
]


def all_found() -> list[tuple]:
    return [find_entities(t) for t in TEXTS]


def test_same_entities_with_a_fresh_a_warm_and_an_overflowing_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "_PLANS", entities._Plans())
    fresh = all_found()
    planned = len(entities._PLANS.ids)
    assert all_found() == fresh  # every sequence already planned
    assert len(entities._PLANS.ids) == planned
    monkeypatch.setattr(entities, "_PLANS", entities._Plans())
    monkeypatch.setattr(entities, "_MAX_SEQUENCES", 3)  # the texts overflow it: the registry starts afresh
    assert all_found() == fresh
    assert len(entities._PLANS.ids) < planned


def test_a_surname_stands_for_a_person_named_earlier_in_the_same_text() -> None:
    (first, _), (_, _), (third, _), (fourth, _) = all_found()
    assert [(e.surface, e.name) for e in first if e.kind == "PERSON"] == [
        ("Paul Koether", "Paul Koether"), ("Koether", "Paul Koether")]
    assert not [e for e in third if e.surface == "Koether"]  # named in another text only
    assert [e.surface for e in fourth if e.kind == "PERSON"] == ["Paul King"]  # "King" came first


def test_place_inside_a_hyphenated_word() -> None:
    ents, places = find_entities(TEXTS[3])
    assert ("PLACE", "Istanbul") in [(e.kind, e.surface) for e in ents]
    assert [(p.surface, p.country_code) for p in places] == [("Istanbul", "TR")]
