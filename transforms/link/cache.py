"""What the link step keeps of each document between runs: its features.

Linking compares every new document with every document already stored, and the rules
need, of each text, its MinHash signature, its shingles, its wording (number-masked
shingles, for the templates of its source), its numbers and number slots, and its name
candidates. Tokenising a whole warehouse again for each run would cost what the
warehouse holds, not what the run adds; so the features of each text are worked out
once, kept (one row per document, keyed by ``doc_id`` and a hash of its clean text),
and a later run reads them back and works out only the new documents'.

Every feature of a text depends on that text only, so linking with kept features gives
exactly the links of linking from scratch. What depends on all documents (template
wording, how many documents use a name or a number, which words are seen in lower case)
is worked out again on each run from the kept features, never kept.

Words seen in lower case rule out name candidates (:func:`names`); they are kept as one
sorted array of hashes per kept group of rows, not per document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.link import evidence as _ev
from transforms.link import minhash as _mh
from transforms.link.features import (
    NAME_BITS,
    Sets,
    _csr,
    mix64,
    name_candidates,
    name_hashes,
    shingles,
    sorted_unique,
    tokenize,
)

#: The features' format and rules: kept rows of another version are worked out again.
VERSION = 2
#: The per-document sets kept, as ``large_list<int64>`` columns.
SET_COLUMNS = ("shingles", "wording", "names", "numbers", "slots", "values", "lead_slots", "lead_values")
SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("text_hash", pa.uint64()),
        ("version", pa.int16()),
        ("signature", pa.binary(4 * _mh.NUM_PERM)),
        *((c, pa.large_list(pa.int64())) for c in SET_COLUMNS),
    ]
)
LOWER_SCHEMA = pa.schema([("word_hash", pa.int64())])
KEY_COLUMNS = ("doc_id", "text_hash", "version")
#: The evidence of a candidate pair (:class:`transforms.link.evidence.Evidence`), with whether
#: the pair shares enough rare names (the evidence worked out depends on it).
EVIDENCE_FIELDS = (
    ("jaccard", pa.float64()),
    ("own_shared", pa.int64()),
    ("own_containment", pa.float64()),
    ("slots", pa.float64()),
    ("leads", pa.bool_()),
    ("key_facts", pa.int64()),
    ("counts", pa.int64()),
    ("names", pa.int64()),
)
PAIRS_SCHEMA = pa.schema(
    [
        ("doc_id_a", pa.string()),
        ("doc_id_b", pa.string()),
        ("version", pa.int16()),
        ("named", pa.bool_()),
        *EVIDENCE_FIELDS,
    ]
)
PRINTS_SCHEMA = pa.schema([("doc_id", pa.string()), ("print", pa.uint64())])
TEMPLATE_SCHEMA = pa.schema([("source_key", pa.int64())])
FEATURE_COLUMNS = ("signature", *SET_COLUMNS)


@dataclass(frozen=True)
class Kept:
    """Features of some documents: ``keys`` (``doc_id``, ``text_hash``, ``version``), the other columns
    of :data:`SCHEMA` one at a time through ``read`` (in the rows' order: a caller holds one feature
    column at a time, not all), and the sorted hashes of the words their texts use in lower case."""

    keys: pa.Table
    lower: np.ndarray
    read: Callable[[str], pa.Array | pa.ChunkedArray]
    #: These are the features of every document linked (nothing kept was used): they replace what was kept.
    whole: bool = False
    #: The evidence of every candidate pair of the last link (:data:`PAIRS_SCHEMA`), and each document's
    #: print of what that evidence was worked out from (:data:`PRINTS_SCHEMA`); None when not kept.
    pairs: pa.Table | None = None
    prints: pa.Table | None = None
    #: The template wording of the last link (sorted source keys); None when not kept.
    template: np.ndarray | None = None
    #: Hands back the memory of the feature columns read so far (they stay readable): set when the
    #: features are memory-mapped files.
    release: Callable[[], None] = lambda: None
    #: Where the rows already are, when they were written to a file as they were worked out (a
    #: spill's handle, given back by :meth:`staged` in place of the rows).
    spilled: object = None

    @staticmethod
    def of(
        rows: pa.Table,
        lower: np.ndarray,
        whole: bool = False,
        pairs: pa.Table | None = None,
        prints: pa.Table | None = None,
        template: np.ndarray | None = None,
    ) -> Kept:
        """Kept features held in memory: ``rows`` of :data:`SCHEMA`."""
        return Kept(rows.select(list(KEY_COLUMNS)), lower, rows.column, whole, pairs, prints, template)

    @staticmethod
    def empty() -> Kept:
        return Kept.of(SCHEMA.empty_table(), np.empty(0, np.int64))

    @property
    def size(self) -> int:
        return self.keys.num_rows

    @staticmethod
    def from_files(
        features: pa.Table,
        lower: np.ndarray,
        pairs: pa.Table | None = None,
        prints: pa.Table | None = None,
        template: np.ndarray | None = None,
        release: Callable[[], None] | None = None,
    ) -> Kept | None:
        """Kept features as read back from the warehouse's cache (``release`` hands back the memory of
        the columns read); None when they are not of this format (pair evidence of another format is
        dropped: it is worked out again)."""
        if features.schema != SCHEMA:
            return None
        if (
            pairs is None
            or prints is None
            or template is None
            or pairs.schema != PAIRS_SCHEMA
            or prints.schema != PRINTS_SCHEMA
        ):
            pairs = prints = template = None
        return Kept(
            features.select(list(KEY_COLUMNS)),
            lower,
            features.column,
            False,
            pairs,
            prints,
            template,
            release or (lambda: None),
        )

    def staged(self) -> tuple[pa.Table | Any, np.ndarray, bool, dict[str, pa.Table] | None]:
        """What to keep of it: rows (or the handle of the spill that holds them), lower-case word
        hashes, whether whole, the pair evidence."""
        evidence = None
        if self.pairs is not None and self.prints is not None and self.template is not None:
            template = pa.table({"source_key": pa.array(self.template, pa.int64())}, schema=TEMPLATE_SCHEMA)
            evidence = {"pairs": self.pairs, "prints": self.prints, "template": template}
        rows = self.spilled if self.spilled is not None else self.rows()
        return rows, self.lower, self.whole, evidence

    def rows(self) -> pa.Table:
        """Every column (:data:`SCHEMA`), in memory."""
        cols = {name: self.keys.column(name) for name in KEY_COLUMNS}
        cols.update({name: self.read(name) for name in FEATURE_COLUMNS})
        return pa.table(cols, schema=SCHEMA)


def _list_column(sets: Sets) -> pa.Array:
    return pa.LargeListArray.from_arrays(pa.array(sets.offsets, pa.int64()), pa.array(sets.values, pa.int64()))


def compute(texts: pa.Array) -> tuple[pa.Table, np.ndarray]:
    """The features of each text (every column of :data:`SCHEMA` but the first three), and the
    sorted hashes of the words the texts use in lower case."""
    n = len(texts)
    tok = tokenize(texts)
    sh = shingles(tok, n)
    sig = _mh.signatures(sh)
    wording, facts = _ev.wording_and_facts(tok, n)
    cands = name_candidates(tok)
    names = _csr(cands.doc, name_hashes(cands.lower), n, NAME_BITS)
    lower = sorted_unique(name_hashes(cands.seen_lower.cast(pa.string())))
    sets = {
        "shingles": sh,
        "wording": wording,
        "names": names,
        "numbers": facts.numbers,
        "slots": facts.slots,
        "values": facts.values,
        "lead_slots": facts.lead_slots,
        "lead_values": facts.lead_values,
    }
    signature = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 * _mh.NUM_PERM), n, [None, pa.py_buffer(np.ascontiguousarray(sig).tobytes())]
    )
    cols = {"signature": signature, **{c: _list_column(sets[c]) for c in SET_COLUMNS}}
    return pa.table(cols), lower


def keyed(doc_ids: list[str], text_hashes: np.ndarray, features: pa.Table) -> pa.Table:
    """``features`` (from :func:`compute`) as kept rows of :data:`SCHEMA`."""
    n = features.num_rows
    head = pa.table(
        {
            "doc_id": pa.array(doc_ids, pa.string()),
            "text_hash": pa.array(text_hashes, pa.uint64()),
            "version": pa.array(np.full(n, VERSION, np.int16)),
        }
    )
    for name in features.column_names:
        head = head.append_column(SCHEMA.field(name), features.column(name))
    return head


#: Writes tables of one schema as they come and gives them back memory-mapped: the table, a function
#: that hands back the memory of what was read of it, and a handle to stage it by.
Spill = Callable[[Iterable[pa.Table]], tuple[pa.Table, Callable[[], None], Any]]


def chunk_sets(column: pa.Array | pa.ChunkedArray) -> list[Sets]:
    """The sets of each chunk of a set column (:data:`SET_COLUMNS`), as views of its buffers (no copy:
    a chunk's offsets index its values as they are stored)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            raise ValueError("a kept set column holds nulls")
        out.append(Sets(chunk.offsets.to_numpy(), chunk.values.to_numpy()))
    return out


def sets_of(column: pa.Array | pa.ChunkedArray) -> Sets:
    """The sets of a set column (:data:`SET_COLUMNS`), as :class:`Sets`."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    views = chunk_sets(arr)
    if not views:
        return Sets(np.zeros(1, np.int64), np.empty(0, np.int64))
    offsets, values = views[0].offsets, views[0].values
    return Sets((offsets - offsets[0]).astype(np.int64), values[offsets[0] : offsets[-1]])


def signatures_of(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The MinHash signatures of a ``signature`` column, shape (rows, NUM_PERM), uint32."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(arr) == 0:
        return np.empty((0, _mh.NUM_PERM), np.uint32)
    width = 4 * _mh.NUM_PERM
    raw = np.frombuffer(arr.buffers()[1], np.uint8, count=len(arr) * width, offset=arr.offset * width)
    return raw.view(np.uint32).reshape(len(arr), _mh.NUM_PERM).copy()


def set_prints(sets: Sets, values: np.ndarray | None = None) -> np.ndarray:
    """A 64-bit print of each document's set (of ``values[v]`` for each value v when given): equal
    sets give equal prints, and different ones different prints but by a 2**-64 chance."""
    v = sets.values if values is None else values[sets.values]
    h = mix64(v.astype(np.uint64) ^ np.uint64(0x9E3779B97F4A7C15))
    sizes = sets.sizes()
    out = mix64(sizes.astype(np.uint64))
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty):
        with np.errstate(over="ignore"):
            out[nonempty] ^= mix64(np.add.reduceat(h, sets.offsets[nonempty]))
    return out


def combine_prints(*prints: np.ndarray) -> np.ndarray:
    """One print of several, in order."""
    out = np.zeros(len(prints[0]), np.uint64)
    for p in prints:
        out = mix64(out ^ p.astype(np.uint64))
    return out


def valid(kept: Kept, doc_ids: pa.Array, text_hashes: np.ndarray) -> bool:
    """Whether every kept row is of a document of ``doc_ids`` with the same text (and of this
    version): kept rows of a document whose text changed, or that is gone, would leave its
    lower-case words in :attr:`Kept.lower`, so such a cache is not used at all."""
    rows = kept.keys
    if rows.num_rows == 0:
        return True
    if not pc.all(pc.equal(rows.column("version"), VERSION)).as_py():
        return False
    at = pc.index_in(rows.column("doc_id"), value_set=doc_ids)
    if at.null_count:
        return False
    return bool(np.array_equal(text_hashes[at.to_numpy()], rows.column("text_hash").to_numpy()))
