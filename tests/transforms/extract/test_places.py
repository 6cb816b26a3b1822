"""Place resolution: the precomputed per-pool answer equals the plain rule; the GC pause restores state."""

from __future__ import annotations

import gc
from collections import Counter

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from transforms.extract.extract import extract
from transforms.extract.places import Candidate, gazetteer, resolve
from transforms.gcpause import gc_paused

candidates = st.builds(
    Candidate, name=st.sampled_from(["Hama", "Homs", "Idlib"]), country_code=st.sampled_from(["SY", "LB", "TR"]),
    latitude=st.just(1.0), longitude=st.just(2.0), population=st.integers(0, 3), is_country=st.just(False),
    primary=st.booleans(),
)


def plain_resolve(cands: tuple[Candidate, ...], votes: Counter[str]) -> Candidate:
    """The rule as written before precomputation: first candidate with the largest (votes, population)."""
    if cands[0].is_country:
        return cands[0]
    pool = tuple(c for c in cands if c.primary) or cands
    if len({c.country_code for c in pool}) == 1:
        return max(pool, key=lambda c: c.population)
    return max(pool, key=lambda c: (votes.get(c.country_code, 0), c.population))


@given(st.lists(candidates, min_size=1, max_size=6).map(tuple),
       st.dictionaries(st.sampled_from(["SY", "LB", "TR", "US"]), st.integers(1, 3)).map(Counter))
def test_resolve_matches_the_plain_rule(cands: tuple[Candidate, ...], votes: Counter[str]) -> None:
    assert resolve(cands, votes) is plain_resolve(cands, votes)


def test_saraqeb_is_in_the_gazetteer() -> None:
    assert {c.country_code for c in gazetteer().names["saraqib"]} == {"SY"}


def test_gc_state_is_restored() -> None:
    docs = {"doc_id": ["d0"], "clean_text": ["Two soldiers were killed in Damascus."]}
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            extract(pa.table(docs))
            with gc_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_the_built_gazetteer_is_kept_in_the_cache_and_read_back(tmp_path, monkeypatch) -> None:
    """The first process builds the gazetteer and saves it; later ones load it; a damaged file is rebuilt."""
    from transforms.extract import places

    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path))
    built = places._cached_gazetteer()
    (saved,) = tmp_path.glob("gazetteer-*.pickle")
    loaded = places._cached_gazetteer()
    assert loaded is not built and loaded == built and loaded.names["saraqeb"] == built.names["saraqeb"]
    saved.write_bytes(b"not a pickle")
    assert places._cached_gazetteer() == built
    assert saved.read_bytes() != b"not a pickle"  # rebuilt and saved again
    monkeypatch.setenv("COPYDESK_CACHE_DIR", "")
    assert places._cache_file() is None and places._cached_gazetteer() == built
