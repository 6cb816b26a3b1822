"""How a run cuts its input into batches and how many worker processes it starts."""

from __future__ import annotations

from flows.pipeline import SMALL_INPUT_BYTES, _by_bytes, cores, worker_count


def test_batches_are_cut_by_bytes_and_by_count_in_order() -> None:
    items = list("abcdefg")
    sizes = [3, 3, 3, 10, 1, 1, 1]
    assert _by_bytes(items, sizes, max_bytes=6, max_items=10) == [["a", "b"], ["c"], ["d"], ["e", "f", "g"]]
    assert _by_bytes(items, sizes, max_bytes=100, max_items=3) == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    assert _by_bytes([], [], max_bytes=6, max_items=3) == []


def test_the_run_chooses_workers_unless_told() -> None:
    assert worker_count(3, 0) == 3 and worker_count(1, 10**9) == 1  # told
    assert worker_count(0, SMALL_INPUT_BYTES - 1) == 1  # a small run stays in its own process
    assert worker_count(0, SMALL_INPUT_BYTES) == cores() >= 1
