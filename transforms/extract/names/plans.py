"""The per-process registry of planned sequences: each distinct sequence is planned once, its steps kept as arrays."""

from __future__ import annotations

import os
import threading
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.extract.names.sequence_arrays import objects, plan_new
from transforms.extract.names.sequences import SINGLE

#: The fields of a chosen candidate that a place row gives.
PLACE_FIELDS = ("name", "country_code", "latitude", "longitude")


class Plans:
    """Every distinct sequence seen by this process, its steps, and their attributes as arrays.

    A sequence gets an id and its steps consecutive step ids the first time it is seen; numpy
    arrays indexed by those ids let a batch lay out the steps of all its occurrences at once.
    A sequence is *useful* when one of its steps can name something, or when its single word is
    also the surname of some person (a *known* surname): then that word may stand for the person.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.first = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.static_useful = np.zeros(0, dtype=bool)
        self.useful = np.zeros(0, dtype=bool)
        # per step: its sequence, then the fields of Step
        self.sid = np.zeros(0, dtype=np.int64)
        self.kind = np.zeros(0, dtype=np.int8)
        self.start = np.zeros(0, dtype=np.int64)
        self.end = np.zeros(0, dtype=np.int64)
        self.surface: list[pa.Array] = []
        self.name = np.zeros(0, dtype=object)
        self.candidates = np.zeros(0, dtype=object)
        self.fixed = np.zeros(0, dtype=object)
        self.is_fixed = np.zeros(0, dtype=bool)
        self.fixed_fields = [np.zeros(0, dtype=object) for _ in PLACE_FIELDS]  # of the fixed candidate
        self.particle = np.zeros(0, dtype=bool)
        self.fallback = np.zeros(0, dtype=bool)
        self.hyphen_places = np.zeros(0, dtype=object)
        # per step, derived
        self.has_cands = np.zeros(0, dtype=bool)
        self.has_hyphen = np.zeros(0, dtype=bool)
        self.is_country = np.zeros(0, dtype=bool)
        self.single_known = np.zeros(0, dtype=bool)  # a SINGLE step whose word is a known surname
        self.sur_known = np.zeros(0, dtype=bool)  # a step that registers a known surname
        self.word = np.zeros(0, dtype=np.int64)  # id of a SINGLE step's word or of the surname a step registers
        self.words = pa.array([], pa.string())  # by id
        self.is_surname = np.zeros(0, dtype=bool)  # per word id: a surname some step registers
        self.is_alone = np.zeros(0, dtype=bool)  # per word id: the word of some SINGLE step

    def ids_of(self, seqs: list[str]) -> np.ndarray:
        """Ids of ``seqs``, planning the new ones."""
        ids = np.fromiter(map(self.ids.get, seqs, repeat(-1)), dtype=np.int64, count=len(seqs))
        new = np.flatnonzero(ids < 0)
        if len(new):
            if self.ids and len(self.ids) + len(new) > MAX_SEQUENCES:
                self.__init__()  # type: ignore[misc]  # start afresh, with this batch's sequences only
                new = np.arange(len(seqs))
            ids[new] = self._add([seqs[i] for i in new.tolist()])
        return ids

    def _word_ids(self, words: list[str]) -> np.ndarray:
        """Ids of ``words``, giving new ones the next free ids."""
        arr = pa.array(words, pa.string())
        ids = pc.index_in(arr, value_set=self.words)
        new = pc.is_null(ids)
        if not pc.any(new).as_py():
            return ids.to_numpy(zero_copy_only=False).astype(np.int64)
        fresh = pc.dictionary_encode(arr.filter(new))
        out = ids.to_numpy(zero_copy_only=False).astype(np.float64)
        out[new.to_numpy(zero_copy_only=False)] = len(self.words) + fresh.indices.to_numpy(zero_copy_only=False)
        self.words = pa.concat_arrays([self.words, fresh.dictionary])
        return out.astype(np.int64)

    def _add(self, seqs: list[str]) -> np.ndarray:
        """Plan new sequences, append them and their steps to the arrays, and return their ids."""
        base = len(self.ids)
        self.ids.update(zip(seqs, range(base, base + len(seqs)), strict=True))
        new = plan_new(seqs)
        seq = new.seq
        count = np.bincount(seq, minlength=len(seqs))
        self.first = np.concatenate([self.first, len(self.kind) + np.cumsum(count) - count])
        self.count = np.concatenate([self.count, count])
        sid = seq + base
        kind = new.kind
        has_cands = np.fromiter(map(bool, new.candidates.tolist()), dtype=bool, count=len(kind))
        has_hyphen = np.fromiter(map(bool, new.hyphen_places.tolist()), dtype=bool, count=len(kind))
        is_country = has_cands.copy()
        is_country[has_cands] = [c[0].is_country for c in new.candidates[has_cands].tolist()]
        self.sid = np.concatenate([self.sid, sid])
        self.kind = np.concatenate([self.kind, kind])
        self.start = np.concatenate([self.start, new.start])
        self.end = np.concatenate([self.end, new.end])
        self.surface.append(pa.array(new.surface, pa.string()))
        self.name = np.concatenate([self.name, new.name])
        self.candidates = np.concatenate([self.candidates, new.candidates])
        self.fixed = np.concatenate([self.fixed, new.fixed])
        is_fixed = new.fixed.astype(bool)  # a candidate (a tuple with fields) or None
        self.is_fixed = np.concatenate([self.is_fixed, is_fixed])
        fixed = new.fixed[is_fixed].tolist()
        for i, k in enumerate(PLACE_FIELDS):
            column = np.full(len(kind), None, dtype=object)
            column[is_fixed] = objects((getattr(c, k) for c in fixed), len(fixed))
            self.fixed_fields[i] = np.concatenate([self.fixed_fields[i], column])
        self.particle = np.concatenate([self.particle, new.particle])
        self.fallback = np.concatenate([self.fallback, new.fallback])
        self.hyphen_places = np.concatenate([self.hyphen_places, new.hyphen_places])
        self.has_cands = np.concatenate([self.has_cands, has_cands])
        self.has_hyphen = np.concatenate([self.has_hyphen, has_hyphen])
        self.is_country = np.concatenate([self.is_country, is_country])
        # the word of a SINGLE step, the surname a PERSON or MAYBE step registers, as ids
        single = kind == SINGLE
        word = np.full(len(kind), -1, dtype=np.int64)
        has_word = single | new.surname.astype(bool)  # a surname, not None nor empty
        word[has_word] = self._word_ids(np.where(single, new.surface, new.surname)[has_word].tolist())
        self.word = np.concatenate([self.word, word])
        grow = len(self.words) - len(self.is_surname)
        self.is_surname = np.concatenate([self.is_surname, np.zeros(grow, dtype=bool)])
        self.is_alone = np.concatenate([self.is_alone, np.zeros(grow, dtype=bool)])
        self.is_surname[word[~single & (word >= 0)]] = True
        self.is_alone[word[single]] = True
        # which steps a known surname (a surname that also stands alone) concerns
        known = self.is_surname & self.is_alone
        has_word = self.word >= 0
        at = np.where(has_word, self.word, 0)
        self.single_known = (self.kind == SINGLE) & has_word & known[at]
        self.sur_known = (self.kind != SINGLE) & has_word & known[at]
        static = np.bincount(seq, weights=~single | has_cands | has_hyphen, minlength=len(seqs)) > 0
        self.static_useful = np.concatenate([self.static_useful, static])
        self.useful = self.static_useful | (np.bincount(self.sid[self.single_known], minlength=len(self.ids)) > 0)
        return np.arange(base, base + len(seqs))


#: Sequences a process keeps plans for before starting afresh (about 150 MB; memory stays bounded).
MAX_SEQUENCES = 200_000
PLANS = Plans()
LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """In a process forked while a thread was using the registry, start with a free lock and an empty registry."""
    global PLANS, LOCK
    if LOCK.locked():
        PLANS, LOCK = Plans(), threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
