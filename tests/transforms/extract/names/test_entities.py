"""Entity planning: results do not depend on the per-process registry, and both planners agree."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_path
from transforms.extract import _scan
from transforms.extract.names import plans, sequence_arrays, sequences
from transforms.extract.names.entities import find_entities

SAMPLE = Path(__file__).resolve().parents[4] / "flows" / "sample"
TEXTS = [
    "Paul Koether said the deal was done. Koether added that Smith Barney agreed.",
    "Turkish President Recep Tayyip Erdogan warned Damascus. Erdogan spoke in Ankara.",
    "Koether met Abu Bakr al-Baghdadi near Hama Province, the Syrian Observatory said.",
    "The Istanbul-based Bank of Japan said King had left. Paul King said he had not.",
]


def all_found() -> list[tuple]:
    return [find_entities(t) for t in TEXTS]


def test_same_entities_with_a_fresh_a_warm_and_an_overflowing_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plans, "PLANS", plans.Plans())
    fresh = all_found()
    planned = len(plans.PLANS.ids)
    assert all_found() == fresh  # every sequence already planned
    assert len(plans.PLANS.ids) == planned
    monkeypatch.setattr(plans, "PLANS", plans.Plans())
    monkeypatch.setattr(plans, "MAX_SEQUENCES", 3)  # the texts overflow it: the registry starts afresh
    assert all_found() == fresh
    assert len(plans.PLANS.ids) < planned


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


#: Sequences for each rule of the planner: stop words, organisations, titles and demonyms, places, names.
SIMPLE = [
    "The", "A", "Mr", "January", "X", "The Foreign Ministry", "Foreign Ministry", "White House", "The White House",
    "Turkish President Recep Tayyip Erdogan", "President Erdogan", "Syrian", "The Syrian", "Syrian Syrian",
    "Syrian President", "Prime Minister Boris Johnson", "NATO", "IBM", "SANA", "Hama Province", "Idlib Governorate",
    "New York", "But Paris", "Abu Bakr al Baghdadi", "Naji al Mustafa", "John Smith", "Paul Koether", "Damascus",
    "Saraqeb", "Apple", "Zürich", "Hong Kong", "Ahmad Rahhal", "Koether", "General Electric", "Chief Executive",
    "One Two Three Four Five", "Red Crescent Society", "Istanbul", "United States", "Smith Barney", "Ban Ki Moon",
]


#: Sequences with marks: cut tokens, connectors with and without an organisation word, abbreviations, hyphens.
COMPLEX = [
    "Reuters. The", "Smith's", "Smith’s Jones", "Jones'", "Istanbul-based", "New York-based Citibank", "Tony Blair.",
    "Bank of England", "Bank of Japan's", "Governor of Texas", "The Creation of Celebrity", "David Arquette for HBO",
    "Mr. Smith", "U.S.", "U.S. President George Bush", "Scoular Grain Co.", "John W. Johnstone", "Corp.'s",
    "Turkey-EU", "Mid-Continent Oil", "Bashar al-Assad", "Abu Bakr al-Baghdadi", "OATS      OPEN", "Italian\tLira",
    "December. Their", "A.", "EVGH.HK", "O'Neil", "South Korea's Finance Minister Chung", "Wells Fargo Bank.....7.30",
    "Syrian. Turkish President Erdogan's", "Hama Province.",
]


def plan_both(seqs: list[str], planner: Callable = sequence_arrays.plan_simple) -> tuple[list, list]:
    """A column planner's steps for ``seqs`` and the one-by-one planner's, field by field."""
    columns = planner(seqs)
    one_by_one = sequence_arrays.columns([sequences.plan(q) for q in seqs])
    return [f.tolist() for f in columns], [f.tolist() for f in one_by_one]


def test_the_column_planner_agrees_with_the_one_by_one_planner() -> None:
    assert not pc.any(pc.match_substring_regex(pa.array(SIMPLE), sequence_arrays.COMPLEX_RE2)).as_py()
    simple, one_by_one = plan_both(SIMPLE)
    assert simple == one_by_one
    kinds = set(simple[1])  # every kind of step is covered
    assert kinds == {sequences.VOTE, sequences.ORG, sequences.PERSON, sequences.PLACE, sequences.SINGLE,
                     sequences.MAYBE}


def test_the_planner_of_new_sequences_agrees_with_the_one_by_one_planner_on_complex_ones() -> None:
    assert pc.all(pc.match_substring_regex(pa.array(COMPLEX), sequence_arrays.COMPLEX_RE2)).as_py()
    columns, one_by_one = plan_both(COMPLEX, sequence_arrays.plan_new)
    assert columns == one_by_one
    assert plan_both([], sequence_arrays.plan_new) == plan_both([])
    mixed = [q for pair in zip(SIMPLE, COMPLEX, strict=False) for q in pair]  # steps go back to their sequences
    columns, one_by_one = plan_both(mixed, sequence_arrays.plan_new)
    assert columns == one_by_one


@pytest.mark.corpus
def test_the_column_planners_agree_on_every_sequence_of_the_bbc_corpus() -> None:
    texts = [p.read_text("utf-8", errors="replace") for p in sorted(shared_path("corpora", "bbc").glob("*/*.txt"))]
    found = _scan.matches(_scan.as_array(pa.array(texts, pa.large_string())), sequences.CAP_RE2)
    seqs = pc.unique(found.text)
    hard = pc.match_substring_regex(seqs, sequence_arrays.COMPLEX_RE2)
    simple, others = seqs.filter(pc.invert(hard)).to_pylist(), seqs.filter(hard).to_pylist()
    assert len(simple) > 15_000 and len(others) > 5_000
    columns, one_by_one = plan_both(simple)
    assert columns == one_by_one
    columns, one_by_one = plan_both(others, sequence_arrays.plan_new)
    assert columns == one_by_one


def sample_texts() -> list[str]:
    """The texts of the bundled sample's plain-text articles."""
    return [p.read_text("utf-8", errors="replace") for p in sorted(SAMPLE.rglob("*.txt"))]


def test_threads_of_one_process_share_the_registry_safely(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = (sample_texts() + TEXTS) * 3
    monkeypatch.setattr(plans, "PLANS", plans.Plans())
    alone = [find_entities(t) for t in texts]
    for _ in range(5):  # a fresh registry each round, so that the threads plan new sequences at once
        monkeypatch.setattr(plans, "PLANS", plans.Plans())
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(find_entities, texts)) == alone


def _lock_is_free_and_registry_empty() -> None:
    """In a forked child: exit 0 when the registry lock is free and the registry empty."""
    os._exit(0 if not plans.LOCK.locked() and not plans.PLANS.ids else 1)


def test_a_process_forked_while_the_registry_is_in_use_starts_afresh() -> None:
    find_entities(TEXTS[0])  # the registry holds plans
    with plans.LOCK:  # as if a thread were inside find_all
        child = multiprocessing.get_context("fork").Process(target=_lock_is_free_and_registry_empty)
        child.start()
    child.join(30)
    assert child.exitcode == 0


def test_no_blank_stands_inside_a_token_of_the_capitalised_sequence_pattern() -> None:
    blanks = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    tokens = pa.array([f"Ab{b}cd" for b in blanks])
    assert not pc.any(pc.match_substring_regex(tokens, f"^{sequences.CAP_RE2}$")).as_py()


#: Words and separators of which random texts are made for the planners' property test.
WORDS = ["The", "Mr", "Mr.", "President", "Turkish", "Syrian", "Bank", "Ministry", "NATO", "IBM", "Damascus", "Hama",
         "Province", "New", "York", "al", "al-Assad", "bin", "Abu", "Zürich", "İstanbul", "ΣΊΣΥΦΟΣ", "U.S.", "A.",
         "O'Neil", "Smith", "Jones", "January", "Koether", "Paul", "Istanbul-based", "Turkey-EU", "Corp.", "Inc.",
         "Reuters", "AFP", "X", "de", "van", "Al", "Jazeera", "White", "House", "Idlib", "Syria", "Ahmed", "Al-"]
SEPARATORS = [" ", " ", " ", "  ", "\t", " of ", " the ", " for ", ". ", "'s ", "’ ", "-based ", ", ", "\n", "\u1680"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=14))
def test_the_column_planners_agree_with_the_one_by_one_planner_on_random_texts(pieces: list[tuple[str, str]]) -> None:
    text = "".join(w + s for w, s in pieces)
    found = _scan.matches(_scan.as_array(pa.array([text], pa.large_string())), sequences.CAP_RE2)
    seqs = pc.unique(found.text).to_pylist()
    columns, one_by_one = plan_both(seqs, sequence_arrays.plan_new)
    assert columns == one_by_one
