"""Kept link features: linking with what earlier runs kept gives exactly the links of linking from scratch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.transforms.link.test_link import SHARED, documents, empty, golden_inputs
from transforms.link import cache, evidence
from transforms.link.features import Sets, name_hashes, names
from transforms.link.link import link, link_kept

OUTPUTS = ("doc_links", "stories", "facts", "doc_story", "suggestions")


def with_hashes(docs: pa.Table) -> pa.Table:
    """``docs`` with the ``text_hash`` column the warehouse gives (any stable 64-bit hash of the text)."""
    hashes = [
        int.from_bytes(hashlib.blake2b((t or "").encode(), digest_size=8).digest(), "little")
        for t in docs.column("clean_text").to_pylist()
    ]
    return docs.append_column("text_hash", pa.array(hashes, pa.uint64()))


def split_and_compare(
    docs: pa.Table, counts: pa.Table, numbers: pa.Table, shares: list[float], monkeypatch: pytest.MonkeyPatch
) -> list[tuple[int, int]]:
    """Link ``docs`` in growing runs (the first ``shares[k]`` of them in run k), each keeping the
    features and pair evidence of the one before; every run's links equal linking its documents
    from scratch, and each run works out only its new documents' features. Returns, per run, the
    candidate pairs and those worked out again."""
    worked: list[int] = []
    pair_evidence = evidence.pair_evidence

    def counting(pairs, *args, **kwargs):  # type: ignore[no-untyped-def]
        worked.append(len(pairs))
        return pair_evidence(pairs, *args, **kwargs)

    docs = with_hashes(docs)
    kept: cache.Kept | None = None
    seen, tally = 0, []
    for k, share in enumerate(shares):
        upto = docs.slice(0, round(docs.num_rows * share))
        monkeypatch.setattr(evidence, "pair_evidence", counting)
        out, fresh = link_kept(upto, counts, numbers, kept=kept)
        monkeypatch.setattr(evidence, "pair_evidence", pair_evidence)
        scratch = link(upto, counts, numbers)
        for name in OUTPUTS:
            assert out[name].equals(scratch[name]), (k, name)
        assert fresh.whole == (kept is None)
        assert fresh.size <= upto.num_rows - seen  # only the new documents (less exact copies)
        assert fresh.pairs is not None and fresh.prints is not None
        tally.append((fresh.pairs.num_rows, worked.pop()))
        merged = fresh.rows() if kept is None else pa.concat_tables([kept.rows(), fresh.rows()])
        lower = np.union1d(kept.lower if kept else fresh.lower, fresh.lower)
        kept = cache.Kept.of(merged, lower, pairs=fresh.pairs, prints=fresh.prints, template=fresh.template)
        seen = upto.num_rows
    return tally


def test_golden_case_linked_in_steps_equals_one_link(monkeypatch: pytest.MonkeyPatch) -> None:
    docs, counts, numbers = golden_inputs()
    split_and_compare(docs, counts, numbers, [1 / 3, 2 / 3, 1], monkeypatch)


@pytest.mark.corpus
def test_bbc_linked_in_steps_equals_one_link(monkeypatch: pytest.MonkeyPatch) -> None:
    """New documents change what is common across the corpus (templates, names seen in lower case,
    key numbers): the kept features are per text, all of that is worked out again each time, and a
    kept pair's evidence is used only when what it was worked out from is unchanged."""
    folder = SHARED / "corpora" / "bbc"
    if not folder.exists():
        pytest.skip(f"needs the BBC corpus in {folder}, which is absent")
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(folder.glob("*/*.txt"))]
    order = np.random.default_rng(5).permutation(len(texts))  # runs hold documents from all over the id range
    docs = documents([{"doc_id": f"{i:05d}", "clean_text": texts[i]} for i in order.tolist()])
    tally = split_and_compare(docs, empty("counts"), empty("numbers"), [0.25, 0.5, 0.9, 0.95, 0.99, 1], monkeypatch)
    print("pairs, worked out:", tally)
    assert tally[0][0] == tally[0][1] > 10  # the first link works out every pair
    # Runs that add a few documents to many work out few pairs again: those of the new documents, and
    # of the documents whose template wording, key numbers or names the new ones changed.
    for pairs, worked in tally[3:]:
        assert worked < 0.5 * pairs, tally


def test_kept_features_of_a_changed_text_are_not_used() -> None:
    docs, counts, numbers = golden_inputs()
    docs = with_hashes(docs)
    _, fresh = link_kept(docs, counts, numbers)
    rows = fresh.rows()
    stale = rows.set_column(
        1, "text_hash", pa.array([h + 1 for h in rows.column("text_hash").to_pylist()], pa.uint64())
    )
    out, again = link_kept(docs, counts, numbers, kept=cache.Kept.of(stale, fresh.lower))
    assert again.whole and again.size == fresh.size  # worked out again, and to replace what was kept
    scratch = link(docs, counts, numbers)
    assert all(out[name].equals(scratch[name]) for name in OUTPUTS)
    assert not cache.valid(cache.Kept.of(stale, fresh.lower), docs.column("doc_id"), np.zeros(docs.num_rows, np.uint64))
    gone = cache.Kept.of(rows.set_column(0, "doc_id", pa.array(["x"] * rows.num_rows)), fresh.lower)
    assert not cache.valid(gone, docs.column("doc_id"), docs.column("text_hash").to_numpy())


def test_names_rule_out_words_seen_in_lower_case_and_common_words() -> None:
    words = pa.array(["ankara", "said", "saraqeb", "idlib"])
    h = name_hashes(words)
    candidates = Sets(np.array([0, 3, 4]), np.concatenate([np.sort(h[:3]), h[3:]]))
    sets, df, vocab = names(candidates, lower=np.sort(name_hashes(pa.array(["idlib"]))))
    assert sets.sizes().tolist() == [2, 0]  # "said" is common; "idlib" was seen in lower case
    assert set(vocab[sets.values].tolist()) == set(name_hashes(pa.array(["ankara", "saraqeb"])).tolist())
    assert df.tolist() == [1, 1]


def test_signatures_and_sets_round_trip_through_parquet(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    docs, counts, numbers = golden_inputs()
    docs = with_hashes(docs)
    _, fresh = link_kept(docs, counts, numbers)
    pq.write_table(fresh.rows(), tmp_path / "k.parquet")
    back = pq.read_table(tmp_path / "k.parquet")
    assert back.schema == cache.SCHEMA
    assert np.array_equal(cache.signatures_of(back.column("signature")), cache.signatures_of(fresh.read("signature")))
    for name in cache.SET_COLUMNS:
        a, b = cache.sets_of(back.column(name)), cache.sets_of(fresh.read(name))
        assert np.array_equal(a.offsets, b.offsets) and np.array_equal(a.values, b.values)
