"""The word tables of counts hold their invariants (checks that ``python -O`` cannot strip)."""

from __future__ import annotations

from contract.vocab import COUNT_TYPES, QUALIFIERS
from transforms.extract import counts


def test_qualifier_words_give_contract_qualifiers() -> None:
    assert set(counts._QUALIFIER_WORDS.values()) <= set(QUALIFIERS)


def test_every_count_table_gives_contract_count_types() -> None:
    """Each entry gives a count type, or "" for a word that marks no count of its own."""
    for table in (counts._PASSIVE, counts._ACTIVE, counts._NOUNS):
        assert set(table.values()) <= {*COUNT_TYPES, ""}


def test_passive_verbs_and_count_nouns_hold_a_trigger_word() -> None:
    """Else the prefilter (the trigger words) would skip documents their patterns match."""
    missing = [
        k
        for table in (counts._PASSIVE, counts._NOUNS)
        for key in table
        for k in key.split("|")
        if not (counts._TRIGGER_RE.search(k) or counts._UNTRIGGERED_RE.search(k))
    ]
    assert missing == []

