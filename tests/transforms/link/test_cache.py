"""Kept link features: linking with what earlier runs kept gives exactly the links of linking from scratch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.transforms.link.test_link import SHARED, documents, empty, golden_inputs
from transforms.link import cache
from transforms.link.link import link, link_kept

OUTPUTS = ("doc_links", "stories", "facts", "doc_story", "suggestions")


def with_hashes(docs: pa.Table) -> pa.Table:
    """``docs`` with the ``text_hash`` column the warehouse gives (any stable 64-bit hash of the text)."""
    hashes = [
        int.from_bytes(hashlib.blake2b((t or "").encode(), digest_size=8).digest(), "little")
        for t in docs.column("clean_text").to_pylist()
    ]
    return docs.append_column("text_hash", pa.array(hashes, pa.uint64()))


def split_and_compare(docs: pa.Table, counts: pa.Table, numbers: pa.Table, parts: int) -> None:
    """Link ``docs`` in ``parts`` growing runs, each keeping the features of the one before; every run's
    links equal linking its documents from scratch, and each run works out only its new documents."""
    docs = with_hashes(docs)
    kept: cache.Kept | None = None
    seen = 0
    for k in range(1, parts + 1):
        upto = docs.slice(0, docs.num_rows * k // parts)
        out, fresh = link_kept(upto, counts, numbers, kept=kept)
        scratch = link(upto, counts, numbers)
        for name in OUTPUTS:
            assert out[name].equals(scratch[name]), (k, name)
        assert fresh.whole == (kept is None)
        assert fresh.size <= upto.num_rows - seen  # only the new documents (less exact copies)
        merged = fresh.rows() if kept is None else pa.concat_tables([kept.rows(), fresh.rows()])
        kept = cache.Kept.of(merged, np.union1d(kept.lower if kept else fresh.lower, fresh.lower))
        seen = upto.num_rows


def test_golden_case_linked_in_steps_equals_one_link() -> None:
    docs, counts, numbers = golden_inputs()
    split_and_compare(docs, counts, numbers, parts=3)


@pytest.mark.corpus
def test_bbc_linked_in_four_steps_equals_one_link() -> None:
    """New documents change what is common across the corpus (templates, names seen in lower case,
    key numbers): the kept features are per text, and all of that is worked out again each time."""
    folder = SHARED / "corpora" / "bbc"
    if not folder.exists():
        pytest.skip(f"needs the BBC corpus in {folder}, which is absent")
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(folder.glob("*/*.txt"))][::2]
    order = np.random.default_rng(5).permutation(len(texts))  # runs hold documents from all over the id range
    docs = documents([{"doc_id": f"{i:05d}", "clean_text": texts[i]} for i in order.tolist()])
    split_and_compare(docs.sort_by("doc_id"), empty("counts"), empty("numbers"), parts=4)


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
    h = cache.name_hashes(words)
    candidates = cache.Sets(np.array([0, 3, 4]), np.concatenate([np.sort(h[:3]), h[3:]]))
    sets, df = cache.names(candidates, lower=np.sort(cache.name_hashes(pa.array(["idlib"]))))
    kept = {int(v) for v in sets.values}
    assert len(kept) == 2 and sets.sizes().tolist() == [2, 0]  # "said" is common; "idlib" was seen in lower case
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
