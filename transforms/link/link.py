"""Link stage: duplicates, syndicated copies, stories, and story-level facts.

Runs over the whole warehouse. Exact duplicates are grouped by their text; the distinct
texts are shingled (word 5-grams), MinHash-signed and LSH-banded for candidate pairs,
which are joined by pairs sharing several rare capitalised names; every candidate is then
verified on the exact sets: its own (non-template) shingles, its numbers and its key facts
(:mod:`transforms.link.evidence`, which also says why each link was made). See the docs of
each submodule for the thresholds.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contract.schema import conform
from contract.vocab import LINK_REASONS, LINK_RELATIONS
from transforms.link import cache as _cache
from transforms.link import evidence as _ev
from transforms.link import facts as _facts
from transforms.link import minhash as _mh
from transforms.link import stories as _st
from transforms.link.features import Sets, _hash_strings, names, sorted_unique

__all__ = ["link", "link_kept"]

#: LSH candidates whose MinHash estimate is below this are not verified (name candidates always are).
MIN_ESTIMATE = 0.05

EXACT, NEAR, SYNDICATED, SAME_STORY = LINK_RELATIONS


class Texts(Protocol):
    """The clean texts of the documents, by row (the documents' ``doc_id`` order), read when asked for."""

    def __len__(self) -> int: ...

    def take(self, rows: np.ndarray) -> pa.Array:
        """The texts at ``rows``, in that order."""
        ...

    def chunks(self, rows: np.ndarray, size: int) -> Iterator[pa.Array]:
        """The texts at ``rows``, in that order, ``size`` at a time."""
        ...

    def maybe_blank(self) -> tuple[np.ndarray, pa.Array]:
        """Rows whose text may be blank (a superset of those that are: any may be given) and their texts."""
        ...


def blank_texts(texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Whether each of ``texts`` is null, empty or only white space (Unicode)."""
    blank = pc.fill_null(pc.or_(pc.equal(pc.utf8_length(texts), 0), pc.utf8_is_space(texts)), True)
    return blank.to_numpy(zero_copy_only=False)


class ArrayTexts:
    """:class:`Texts` held in memory, as one Arrow array."""

    def __init__(self, texts: pa.Array | pa.ChunkedArray) -> None:
        self.texts = texts.chunk(0) if isinstance(texts, pa.ChunkedArray) and texts.num_chunks == 1 else texts
        if isinstance(self.texts, pa.ChunkedArray):
            self.texts = self.texts.combine_chunks()

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, rows: np.ndarray) -> pa.Array:
        return self.texts.take(pa.array(np.asarray(rows, np.int64), pa.int64()))

    def chunks(self, rows: np.ndarray, size: int) -> Iterator[pa.Array]:
        for lo in range(0, len(rows), size):
            yield self.take(rows[lo : lo + size])

    def maybe_blank(self) -> tuple[np.ndarray, pa.Array]:
        return np.arange(len(self.texts)), self.texts


def _dates_as_days(col: pa.ChunkedArray) -> np.ndarray:
    """date32 as float days since the epoch, NaN when null."""
    days = pc.cast(col, pa.int32()).to_numpy(zero_copy_only=False)
    return np.asarray(days, dtype=np.float64)


def _exact_groups(texts: Texts, order: np.ndarray, hashes: np.ndarray | None = None) -> np.ndarray:
    """Representative of each document: the first, in ``order``, with identical non-blank text.

    With ``hashes`` (a 64-bit hash of each text, as the warehouse computes it), texts are
    grouped by hash and only texts whose hash is shared are compared, so no copy of the
    texts is made; without, they are grouped by value.
    """
    n = len(texts)
    blank = np.zeros(n, bool)
    maybe, maybe_texts = texts.maybe_blank()
    blank[maybe] = blank_texts(maybe_texts)
    rep = np.arange(n, dtype=np.int64)
    if hashes is None:
        every = pc.fill_null(texts.take(np.arange(n)), "")
        group = pc.dictionary_encode(every).indices.to_numpy(zero_copy_only=False).astype(np.int64)
        first: dict[int, int] = {}
        for i in order.tolist():
            if not blank[i]:
                rep[i] = first.setdefault(int(group[i]), i)
        return rep
    keep = order[~blank[order]]
    h = hashes[keep]
    by_hash = np.argsort(h, kind="stable")  # stable: each hash's documents stay in ``order``
    hs = h[by_hash]
    shared = np.zeros(len(hs), bool)
    shared[1:] |= hs[1:] == hs[:-1]
    shared[:-1] |= hs[1:] == hs[:-1]
    candidates = keep[by_hash[shared]]  # documents whose hash another shares, in hash then ``order`` order
    if len(candidates) == 0:
        return rep
    text = texts.take(candidates).to_pylist()
    firsts: dict[tuple[int, str], int] = {}
    for i, t, hv in zip(candidates.tolist(), text, hashes[candidates].tolist(), strict=True):
        rep[i] = firsts.setdefault((hv, t), i)
    return rep


#: Texts tokenised at a time (all of a warehouse's words would take hundreds of MB).
FEATURE_CHUNK = 2000

#: The features are worked out in worker processes when there are at least this many chunks
#: (a worker costs about a second to start: not worth it for a few thousand texts).
PARALLEL_MIN_CHUNKS = 4


def _first_pass(texts: Texts, rows: np.ndarray, workers: int) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """:func:`transforms.link.cache.compute` of each chunk of the texts at ``rows``, in order; in
    ``workers`` processes when there are enough chunks (the results do not depend on where a chunk ran)."""
    starts = range(0, len(rows), FEATURE_CHUNK)
    jobs = texts.chunks(rows, FEATURE_CHUNK) if len(rows) else iter(())
    if workers < 2 or len(starts) < PARALLEL_MIN_CHUNKS:
        yield from (_cache.compute(job) for job in jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: the flow's process has threads (Prefect's, DuckDB's) that a fork would copy mid-flight.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = []
        for job in jobs:
            pending.append(pool.submit(_cache.compute, job))
            while len(pending) > 2 * workers:  # a few chunks in flight: their texts are not all copied at once
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _gather(chunks: list[Sets], index: np.ndarray, needed: np.ndarray | None = None) -> Sets:
    """The sets at ``index`` of the documents held by ``chunks`` (one list of documents, in that
    order), in ``index`` order; with ``needed``, the sets of the others are left empty. Only the
    values gathered are read (a chunk may be a memory-mapped file's)."""
    starts_of = np.cumsum([0] + [len(c.offsets) - 1 for c in chunks])
    lengths = np.zeros(len(index), np.int64)
    src = np.zeros(len(index), np.int64)  # where each set starts in its chunk's values
    which = np.searchsorted(starts_of, index, side="right") - 1
    rows = np.arange(len(index)) if needed is None else np.flatnonzero(needed)
    for c, chunk in enumerate(chunks):
        mine = rows[which[rows] == c]
        local = index[mine] - starts_of[c]
        src[mine] = chunk.offsets[local]
        lengths[mine] = chunk.offsets[local + 1] - src[mine]
    out = np.zeros(len(index) + 1, np.int64)
    np.cumsum(lengths, out=out[1:])
    values = np.empty(out[-1], np.int64)
    for c, chunk in enumerate(chunks):
        mine = rows[which[rows] == c]
        mine = mine[lengths[mine] > 0]
        if not len(mine):
            continue
        n = lengths[mine]
        total = int(n.sum())
        firsts = np.zeros(len(mine), np.int64)
        np.cumsum(n[:-1], out=firsts[1:])
        step = np.arange(total, dtype=np.int64) - np.repeat(firsts, n)  # place within its set
        values[np.repeat(out[mine], n) + step] = chunk.values[np.repeat(src[mine], n) + step]
    return Sets(out, values)


def _features(
    texts: Texts,
    rows: np.ndarray,
    ids: list[str],
    hashes: np.ndarray | None,
    kept: _cache.Kept,
    workers: int,
    spill: _cache.Spill | None = None,
) -> tuple[Callable[..., pa.Array | Sets], np.ndarray, _cache.Kept, np.ndarray]:
    """The features of the texts at ``rows``, one column at a time (a function of the column's name,
    in ``rows`` order), and the words used in lower case in them: kept ones where ``kept`` has them,
    the others worked out (``workers`` processes share a large first pass; with ``spill``, they are
    written out as they come instead of held). Also what was worked out, to keep
    (:class:`transforms.link.cache.Kept`), and where those texts are in ``rows``."""
    wanted = pa.array([ids[i] for i in rows.tolist()], pa.string())
    at = pc.index_in(wanted, value_set=kept.keys.column("doc_id")) if kept.size else None
    found = np.full(len(rows), -1, np.int64) if at is None else pc.fill_null(at, -1).to_numpy().astype(np.int64)
    missing = np.flatnonzero(found < 0)
    new_ids = [ids[i] for i in rows[missing].tolist()]
    new_hashes = hashes[rows[missing]] if hashes is not None else np.zeros(len(missing), np.uint64)
    lowers: list[np.ndarray] = []

    def keyed_chunks() -> Iterator[pa.Table]:
        at = 0
        for table, lower in _first_pass(texts, rows[missing], workers):
            lowers.append(lower)
            yield _cache.keyed(new_ids[at : at + table.num_rows], new_hashes[at : at + table.num_rows], table)
            at += table.num_rows

    release_new: Callable[[], None] = lambda: None  # noqa: E731
    handle = None
    if spill is not None and len(missing):
        new, release_new, handle = spill(keyed_chunks())
    else:
        parts = list(keyed_chunks())
        new = pa.concat_tables(parts) if parts else _cache.SCHEMA.empty_table()
        del parts
    new_lower = sorted_unique(np.concatenate(lowers)) if lowers else np.empty(0, np.int64)
    fresh = _cache.Kept.of(new, new_lower, whole=kept.size == 0)
    fresh = dataclasses.replace(fresh, release=release_new, spilled=handle)
    index = found.copy()
    index[missing] = kept.size + np.arange(len(missing))
    take = None if len(missing) == len(rows) else pa.array(index)

    def column(name: str, needed: np.ndarray | None = None) -> pa.Array | Sets:
        """The signatures (an Arrow array), or the sets of a set column, in ``rows`` order (with
        ``needed``, only those of the documents marked in it)."""
        try:
            if name == "signature":
                fresh_col = new.column(name).combine_chunks()
                return (
                    fresh_col
                    if take is None
                    else pa.concat_arrays([kept.read(name).combine_chunks(), fresh_col]).take(take)
                )
            if take is None and needed is None:
                return _cache.sets_of(new.column(name))
            return _gather(_cache.chunk_sets(kept.read(name)) + _cache.chunk_sets(new.column(name)), index, needed)
        finally:  # what was read of the files is held by the caller now, or no longer needed
            kept.release()
            release_new()

    return column, sorted_unique(np.concatenate([kept.lower, new_lower])), fresh, missing


def _count_contexts(ids: list[str], texts: Texts, counts: pa.Table) -> dict[tuple[str, int], str]:
    """The sentence of each count, by (doc_id, start): what tells one event from another."""
    cols = counts.select(["doc_id", "start", "end"]).to_pydict()
    row = {d: i for i, d in enumerate(ids)}
    need = sorted({row[d] for d in cols["doc_id"] if d in row})
    text_of = dict(zip((ids[i] for i in need), texts.take(np.array(need, np.int64)).to_pylist(), strict=True))
    return {
        (d, s): _facts.count_context(text_of[d] or "", s, e)
        for d, s, e in zip(cols["doc_id"], cols["start"], cols["end"], strict=True)
        if d in text_of
    }


#: Bits of a source code (:func:`_source_codes`), above the 40 bits of a wording key.
SOURCE_BITS = 23


def _source_codes(docs: pa.Table, rows: np.ndarray) -> np.ndarray:
    """A code per document at ``rows`` for its source: a hash of its outlet, so that the codes (and
    the template wording keyed by them) are the same from one link to the next; unknown outlets
    share the code 0."""
    if "outlet" not in docs.column_names:
        return np.zeros(len(rows), np.int64)
    outlets = pc.fill_null(docs.column("outlet").combine_chunks().take(pa.array(rows)), "")
    encoded = pc.dictionary_encode(outlets)
    codes = (_hash_strings(encoded.dictionary) % np.uint64((1 << SOURCE_BITS) - 1)).astype(np.int64) + 1
    codes[pc.equal(encoded.dictionary, "").to_numpy(zero_copy_only=False)] = 0  # unknown
    return codes[encoded.indices.to_numpy(zero_copy_only=False)]


#: Wording values whose template keys are looked up at once (a lookup holds a key per value).
OWN_CHUNK = 4_000_000


def _own_wording(
    column: Callable[..., pa.Array | Sets], sources: np.ndarray, template: np.ndarray, needed: np.ndarray
) -> Sets:
    """The own wording (less the source's template wording) of the documents marked in ``needed``;
    every other document's set is empty."""
    wording: Sets = column("wording", needed)  # type: ignore[assignment]
    drop = np.empty(len(wording.values), bool)
    offsets = wording.offsets
    lo = 0
    while lo < len(offsets) - 1:  # documents holding about OWN_CHUNK values at a time (at least one)
        hi = max(lo + 1, int(np.searchsorted(offsets, offsets[lo] + OWN_CHUNK, side="right")) - 1)
        hi = min(hi, len(offsets) - 1)
        a, b = offsets[lo], offsets[hi]
        if b > a:
            keys = _ev.source_keys(Sets(offsets[lo : hi + 1] - a, wording.values[a:b]), sources[lo:hi])
            drop[a:b] = _ev.is_template(keys, template)
        lo = hi
    return _ev.without(wording, drop)


def _pair_inputs(
    column: Callable[..., pa.Array | Sets], own_of: Callable[[np.ndarray], Sets], numbers: Sets, needed: np.ndarray
) -> tuple[Sets, Sets, _ev.Facts]:
    """Shingles, own wording and facts of the documents marked in ``needed`` (others' sets empty;
    the numbers of every document, which are read whole)."""
    slots = [column(c, needed) for c in ("slots", "values", "lead_slots", "lead_values")]
    return column("shingles", needed), own_of(needed), _ev.Facts(numbers, *slots)  # type: ignore[arg-type,return-value]


def _templates(
    keys: np.ndarray,
    sizes: np.ndarray,
    new_at: np.ndarray,
    kept: np.ndarray | None,
    prior: np.ndarray | None,
    prior_count: int,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The template wording (sorted :func:`transforms.link.evidence.source_keys`), and the keys
    that became (or stopped being) template wording since the last link (None when not known: then
    ``keys`` are left sorted).

    When the last link's templates are kept and its documents (``prior_count`` of them; ``prior``:
    where each document is among them, -1 if not) are exactly the documents here but the new ones
    (at ``new_at``), so they count the same, a key becomes template wording only through the new
    documents: only their keys are counted again. Otherwise every key is.
    """
    if kept is None:  # the keys are not read again: sorted where they are
        return _ev.template_values(keys, in_place=True), None
    is_new = np.zeros(len(sizes), bool)
    is_new[new_at] = True
    # The last link's documents are these, less the new ones (a document linked before is gone when an
    # earlier copy of its text came; one not linked before may have kept features from a link whose
    # evidence was not kept): else every key is counted.
    same_docs = prior is not None and bool((prior[~is_new] >= 0).all()) and prior_count == len(prior) - len(new_at)
    if not same_docs:
        template = _ev.template_values(keys)
        return template, np.setxor1d(kept, template)
    theirs = sorted_unique(keys[np.repeat(is_new, sizes)])
    theirs = theirs[~_ev.is_template(theirs, kept)]  # already template wording: nothing to count
    values, counts = sorted_unique(keys[_ev.is_template(keys, theirs)], return_counts=True)
    flipped = values[counts >= _ev.TEMPLATE_MIN_DOCS]
    return np.union1d(kept, flipped), flipped


def _evidence(
    cand: np.ndarray,
    named: np.ndarray,
    ids: pa.Array,
    prints: np.ndarray,
    dirty: np.ndarray | None,
    prior: np.ndarray | None,
    kept_pairs: pa.Table | None,
    kept_prints: pa.Table | None,
    inputs: Callable[[np.ndarray], tuple[Sets, Sets, _ev.Facts]],
    counted: Sets,
    name_sets: Sets,
    key_facts: Sets,
) -> tuple[_ev.Evidence, pa.Table]:
    """The evidence of each candidate pair, and it as a table to keep (:data:`transforms.link.cache.PAIRS_SCHEMA`).

    ``prior`` says where each document is among ``kept_prints`` (-1: not there).
    A pair kept from the last link is not worked out again when neither document's print changed
    nor is ``dirty`` (its own wording changed: None when that is not known, and then no pair is
    kept), and it still shares (or not) enough rare names: its evidence is then the same.
    ``inputs`` gives the shingles, own wording and facts of the documents marked in a mask (the
    others' sets empty): only the documents of the pairs worked out are read.
    """
    reuse = np.zeros(len(cand), bool)
    source = np.full(len(cand), -1, np.int64)
    table = pa.table(
        {
            "doc_id_a": ids.take(pa.array(cand[:, 0], pa.int64())),
            "doc_id_b": ids.take(pa.array(cand[:, 1], pa.int64())),
            "at": pa.array(np.arange(len(cand)), pa.int64()),
        }
    )
    if dirty is not None and prior is not None and kept_pairs is not None and kept_prints is not None and len(cand):
        old = kept_prints.column("print").combine_chunks().to_numpy(zero_copy_only=False)
        same = (prior >= 0) & (old[np.maximum(prior, 0)] == prints) & ~dirty if len(old) else np.zeros(len(ids), bool)
        both = same[cand[:, 0]] & same[cand[:, 1]]
        kp = kept_pairs.filter(pc.equal(kept_pairs.column("version"), _cache.VERSION))
        kp = kp.append_column("kept_at", pa.array(np.arange(kp.num_rows), pa.int64()))
        joined = table.filter(pa.array(both)).join(
            kp.select(["doc_id_a", "doc_id_b", "kept_at", "named"]), ["doc_id_a", "doc_id_b"], join_type="inner"
        )
        at = joined.column("at").to_numpy()
        ok = joined.column("named").to_numpy(zero_copy_only=False) == named[at]
        reuse[at[ok]] = True
        source[at[ok]] = joined.column("kept_at").to_numpy()[ok]
        kept_ev = {name: kp.column(name).combine_chunks() for name, _ in _cache.EVIDENCE_FIELDS}
    work = np.flatnonzero(~reuse)
    part = cand[work]
    needed = np.zeros(len(ids), bool)
    needed[part.ravel()] = True
    sh, own, facts = inputs(needed)
    new = _ev.pair_evidence(
        part,
        sh,
        own,
        facts,
        counted,
        name_sets,
        _mh.intersections(sh, part),
        named[work],
        key_fact_sets=key_facts,
    )
    cols = {}
    for name, typ in _cache.EVIDENCE_FIELDS:
        dtype = np.bool_ if typ == pa.bool_() else np.int64 if typ == pa.int64() else np.float64
        col = np.zeros(len(cand), dtype)
        col[work] = getattr(new, name)
        if reuse.any():
            col[reuse] = kept_ev[name].take(pa.array(source[reuse])).to_numpy(zero_copy_only=False)
        cols[name] = col
    ev = _ev.Evidence(**cols)
    pairs = pa.table(
        {
            "doc_id_a": table.column("doc_id_a"),
            "doc_id_b": table.column("doc_id_b"),
            "version": pa.array(np.full(len(cand), _cache.VERSION, np.int16)),
            "named": pa.array(named, pa.bool_()),
            **{name: pa.array(cols[name], typ, from_pandas=True) for name, typ in _cache.EVIDENCE_FIELDS},
        },
        schema=_cache.PAIRS_SCHEMA,
    )
    return ev, pairs


def link(documents: pa.Table, counts: pa.Table, numbers: pa.Table, workers: int = 1) -> dict[str, pa.Table]:
    """doc_links, stories, facts, doc_story (doc_id, story_id, duplicate_of) and corroborated suggestions.

    ``workers`` processes share the working out of many documents' features (the result is the same).
    """
    return link_kept(documents, counts, numbers, workers)[0]


def link_kept(
    documents: pa.Table,
    counts: pa.Table,
    numbers: pa.Table,
    workers: int = 1,
    kept: _cache.Kept | None = None,
    spill: _cache.Spill | None = None,
    texts: Texts | None = None,
) -> tuple[dict[str, pa.Table], _cache.Kept]:
    """:func:`link`, with the features kept from earlier runs; also the features worked out here, to keep.

    ``kept`` holds the features kept from earlier runs: used when every kept row is of one of
    ``documents`` with the same ``text_hash`` (:func:`transforms.link.cache.valid`), and they give the
    same result as working them out again. ``workers`` processes share the working out of many
    documents' features (the result is the same); with ``spill``, those features are written out as
    they are worked out, not held in memory (:data:`transforms.link.cache.Spill`). ``texts`` reads the
    texts when they are needed (``documents`` then need no ``clean_text``, but must be in ``doc_id``
    order); without it, they are ``documents``' ``clean_text``.
    """
    ids: list[str] = documents.column("doc_id").to_pylist()
    # The warehouse reads documents in doc_id order: no copy of their texts is then made.
    if any(a > b for a, b in zip(ids, ids[1:])):  # noqa: B905 - one shorter by design
        if texts is not None:
            raise ValueError("documents read with their texts apart must be in doc_id order")
        documents = documents.take(pc.sort_indices(documents, [("doc_id", "ascending")]))
        ids = documents.column("doc_id").to_pylist()
    docs = documents
    n = docs.num_rows
    if texts is None:
        texts = ArrayTexts(docs.column("clean_text"))
    elif len(texts) != n:
        raise ValueError(f"{len(texts)} texts for {n} documents")
    days = _dates_as_days(docs.column("published_date"))
    # Earliest first: published date (unknown last), then doc_id.
    chrono = np.lexsort((np.arange(n), np.nan_to_num(days, nan=np.inf)))

    hashes = docs.column("text_hash").to_numpy().astype(np.uint64) if "text_hash" in docs.column_names else None
    rep = _exact_groups(texts, chrono, hashes)
    exact = np.flatnonzero(rep != np.arange(n))
    exact_pairs = np.stack([rep[exact], exact], axis=1)

    uniq = np.flatnonzero(rep == np.arange(n))
    sources = _source_codes(docs, uniq)
    if kept is None or hashes is None or not _cache.valid(kept, docs.column("doc_id"), hashes):
        kept = _cache.Kept.empty()  # work every text's features out (again)
    column, lower, fresh, new_at = _features(texts, uniq, ids, hashes, kept, workers, spill)
    kept_pairs, kept_prints, kept_template = kept.pairs, kept.prints, kept.template
    del kept
    sig = _cache.signatures_of(column("signature"))  # type: ignore[arg-type]
    name_sets, df, name_hashes = names(column("names"), lower)  # type: ignore[arg-type]

    lsh = _mh.candidate_pairs(sig, np.arange(len(uniq)))
    lsh = lsh[_mh.estimated_jaccard(sig, lsh) >= MIN_ESTIMATE]
    npairs, _ = _st.same_story(name_sets, df, days[uniq])
    cand = _mh.unique_pairs(np.concatenate([lsh, npairs]))

    del sig
    wording: Sets = column("wording")  # type: ignore[assignment]
    keys = _ev.source_keys(wording, sources)
    sizes = wording.sizes()
    del wording  # read again, for the documents of the pairs worked out only
    ids_u = pa.array([ids[i] for i in uniq.tolist()], pa.string())
    prior = None  # where each document is among the last link's (-1: not there)
    if kept_prints is not None:
        prior = pc.fill_null(pc.index_in(ids_u, value_set=kept_prints.column("doc_id")), -1).to_numpy().astype(np.int64)
    prior_count = kept_prints.num_rows if kept_prints is not None else 0
    template, flipped = _templates(keys, sizes, new_at, kept_template, prior, prior_count)
    dirty = None
    if flipped is not None:  # the documents whose own wording the new templates changed
        dirty = np.zeros(len(uniq), bool)
        offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)])
        nonempty = np.flatnonzero(sizes > 0)
        if len(nonempty):  # any of its keys flipped (no per-key document index)
            dirty[nonempty] = np.logical_or.reduceat(_ev.is_template(keys, flipped), offsets[nonempty])
    del keys

    own_of = functools.partial(_own_wording, column, sources, template)
    number_sets: Sets = column("numbers")  # type: ignore[assignment]
    inputs = functools.partial(_pair_inputs, column, own_of, number_sets)

    agencies = docs.column("agencies").to_pylist() if "agencies" in docs.column_names else [None] * n
    agency_sets = [frozenset(a or ()) for a in agencies]
    gi, gj = uniq[cand[:, 0]], uniq[cand[:, 1]]
    outlets = docs.column("outlet").to_pylist() if "outlet" in docs.column_names else [None] * n
    # A shared agency credit means syndication only between different (or unknown) outlets.
    shares_agency = np.array(
        [
            bool(agency_sets[i] & agency_sets[j]) and (outlets[i] != outlets[j] or outlets[i] is None)
            for i, j in zip(gi.tolist(), gj.tolist(), strict=True)
        ],
        bool,
    )
    named_keys = set((npairs[:, 0] * len(uniq) + npairs[:, 1]).tolist())
    named = np.isin(cand[:, 0] * len(uniq) + cand[:, 1], list(named_keys)) if len(cand) else np.empty(0, bool)
    counted = _ev.count_facts(counts, [ids[i] for i in uniq])
    key_facts = _ev.key_facts(number_sets)
    # What a pair's evidence is worked out from, per document: its text, and its sets that depend on
    # the other documents (template wording, key numbers, names); the counts table may change too.
    prints = _cache.combine_prints(
        hashes[uniq] if hashes is not None else np.zeros(len(uniq), np.uint64),
        _cache.set_prints(key_facts),
        _cache.set_prints(counted),
        _cache.set_prints(name_sets, name_hashes),
    )
    ev, pairs = _evidence(
        cand, named, ids_u, prints, dirty, prior, kept_pairs, kept_prints, inputs, counted, name_sets, key_facts
    )
    del own_of, inputs
    fresh = dataclasses.replace(
        fresh,
        pairs=pairs,
        prints=pa.table({"doc_id": ids_u, "print": prints}, schema=_cache.PRINTS_SCHEMA),
        template=template,
    )
    rel, reason = _ev.classify(ev, shares_agency, named)
    # One report, one story, one event: text links only within the date window (a form rerun a month
    # later with the same figures is a new report; identical texts stay exact duplicates).
    rel[~_st.close_in_time(days, np.stack([gi, gj], axis=1))] = ""
    linked = rel != ""
    text_pairs = np.stack([gi[linked], gj[linked]], axis=1)
    rel, reason, jac = rel[linked], reason[linked], ev.jaccard[linked]
    timely = _st.close_in_time(days, text_pairs)
    # Story edges: duplicates always; syndicated copies and same-story pairs only within the date window.
    story_edges = np.concatenate([exact_pairs, text_pairs[(rel == NEAR) | timely]])
    label = _st.components(n, story_edges)
    dup_label = _st.components(n, np.concatenate([exact_pairs, text_pairs[rel == NEAR]]))

    # Earliest member of each duplicate group; every other member is a duplicate of it.
    earliest = np.full(n, -1, np.int64)
    groups, first_at = np.unique(dup_label[chrono], return_index=True)
    earliest[groups] = chrono[first_at]
    dup_of = earliest[dup_label]
    duplicate_of = [ids[d] if d != i else None for i, d in enumerate(dup_of.tolist())]
    labels, of_label, sizes = np.unique(label, return_inverse=True, return_counts=True)
    label_keys = np.array([_st.story_key(ids[lab]) for lab in labels.tolist()], dtype=object)
    story_of_idx = label_keys[of_label].tolist()
    story_of = dict(zip(ids, story_of_idx, strict=True))

    a_idx = np.concatenate([exact_pairs[:, 0], text_pairs[:, 0]])
    b_idx = np.concatenate([exact_pairs[:, 1], text_pairs[:, 1]])
    lo, hi = np.minimum(a_idx, b_idx), np.maximum(a_idx, b_idx)  # indices follow doc_id order
    order = np.lexsort((hi, lo))
    rels = np.concatenate([np.full(len(exact_pairs), EXACT), rel]).astype(object)
    reasons = np.concatenate([np.full(len(exact_pairs), LINK_REASONS[0]), reason]).astype(object)
    sims = np.concatenate([np.ones(len(exact_pairs)), jac])
    evidence = {  # exact duplicates: the text itself is the evidence (null)
        col: pa.array(
            np.concatenate([np.full(len(exact_pairs), np.nan), np.asarray(vals, np.float64)[linked]])[order],
            pa.float64(),
            from_pandas=True,
        )
        for col, vals in (
            ("shared_shingles", ev.own_shared),
            ("number_agreement", ev.slots),
            ("shared_key_facts", ev.key_facts),
            ("shared_counts", ev.counts),
            ("shared_names", ev.names),
        )
    }
    ids_arr = np.array(ids, dtype=object)
    doc_links = conform(
        "doc_links",
        pa.table(
            {
                "doc_id_a": pa.array(ids_arr[lo[order]].tolist(), pa.string()),
                "doc_id_b": pa.array(ids_arr[hi[order]].tolist(), pa.string()),
                "relation": pa.array(rels[order].tolist(), pa.string()),
                "similarity": pa.array(np.clip(sims[order], 0.0, 1.0), pa.float64()),
                "reason": pa.array(reasons[order].tolist(), pa.string()),
                **evidence,
            }
        ),
    )

    # Per story: the title of its earliest member that has one, its earliest date, its size.
    titles = docs.column("title").to_pylist()
    titled = chrono[np.array([bool(titles[i]) for i in chrono.tolist()], bool)]
    title_of = np.full(len(labels), -1, np.int64)
    with_title, first_titled = np.unique(of_label[titled], return_index=True)
    title_of[with_title] = titled[first_titled]
    first_day = np.full(len(labels), np.nan)
    np.fmin.at(first_day, of_label, days)
    by_key = np.argsort(label_keys, kind="stable")
    stories = conform(
        "stories",
        pa.table(
            {
                "story_id": pa.array(label_keys[by_key].tolist(), pa.string()),
                "title": pa.array([titles[t] if t >= 0 else None for t in title_of[by_key].tolist()], pa.string()),
                "first_published": pa.array(first_day[by_key], pa.float64(), from_pandas=True)
                .cast(pa.int32())
                .cast(pa.date32()),
                "doc_count": pa.array(sizes[by_key], pa.int32()),
            }
        ),
    )
    doc_story = pa.table(
        {
            "doc_id": pa.array(ids, pa.string()),
            "story_id": pa.array(story_of_idx, pa.string()),
            "duplicate_of": pa.array(duplicate_of, pa.string()),
        }
    )
    out = {
        "doc_links": doc_links,
        "stories": stories,
        "facts": _facts.facts(
            counts,
            story_of,
            dict(zip(ids, outlets, strict=True)),  # type: ignore[arg-type]
            _count_contexts(ids, texts, counts),
        ),
        "doc_story": doc_story,
        "suggestions": _facts.suggestions(numbers, story_of),
    }
    return out, fresh
