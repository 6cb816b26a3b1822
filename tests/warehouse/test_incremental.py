"""Incremental runs: input fingerprints, and a re-run with nothing new writes no Parquet file."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from tests.warehouse.hand_warehouse import T0, extra_tables, publish_tables
from warehouse import store
from warehouse.inputs import Fingerprint, fingerprint, inputs_table, is_unchanged, known_inputs


def parquet_files(home: Path) -> set[Path]:
    return set((home / "parquet").rglob("*"))


def test_publishing_a_run_with_no_parts_adds_no_parquet_file(hand_home: Path) -> None:
    before = parquet_files(hand_home)
    publish_tables(hand_home, "r2", {})
    assert parquet_files(hand_home) == before


def test_empty_tables_write_nothing(hand_home: Path) -> None:
    before = parquet_files(hand_home)
    publish_tables(hand_home, "r2", {name: t.slice(0, 0) for name, t in extra_tables("r2").items()})
    assert parquet_files(hand_home) == before


def test_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * (3 << 20) + b"tail")
    os.utime(path, ns=(1_000, 2_000))
    fp = fingerprint(path)
    assert fp == Fingerprint(str(path), (3 << 20) + 4, 2_000, hashlib.sha256(path.read_bytes()).hexdigest())


def test_known_inputs_gives_the_latest_fingerprint_per_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert known_inputs(home) == {}
    a, b = Fingerprint("/in/a.txt", 10, 1, "a" * 64), Fingerprint("/in/b.txt", 20, 1, "b" * 64)
    publish_tables(home, "r1", {"inputs": inputs_table([(a, 3), (b, 1)], "r1", T0)})
    a2 = Fingerprint("/in/a.txt", 11, 5, "c" * 64)
    publish_tables(home, "r2", {"inputs": inputs_table([(a2, 4)], "r2", T0 + dt.timedelta(minutes=1))})
    known = known_inputs(home)
    assert known == {"/in/a.txt": (11, 5, "c" * 64, 4), "/in/b.txt": (20, 1, "b" * 64, 1)}
    assert is_unchanged(b, known) and is_unchanged(Fingerprint("/in/a.txt", 99, 99, "c" * 64), known)
    assert not is_unchanged(a, known) and not is_unchanged(Fingerprint("/in/new.txt", 1, 1, "d" * 64), known)


def test_rerun_on_unchanged_files_skips_them_and_writes_nothing(tmp_path: Path) -> None:
    """The flow's loop, at store level: fingerprint, skip the known, stage only what changed."""
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.txt", "b.txt"):
        (inbox / name).write_text(f"article {name}")

    def run(run_id: str) -> list[str]:
        known = known_inputs(home)
        fresh = [fp for fp in map(fingerprint, sorted(inbox.iterdir())) if not is_unchanged(fp, known)]
        table = inputs_table([(fp, 1) for fp in fresh], run_id, dt.datetime.now(dt.UTC))
        publish_tables(home, run_id, {"inputs": table})
        return [Path(fp.source_uri).name for fp in fresh]

    assert run("r1") == ["a.txt", "b.txt"]
    files = parquet_files(home)
    assert run("r2") == []
    assert parquet_files(home) == files
    (inbox / "b.txt").write_text("article b, corrected")
    assert run("r3") == ["b.txt"]
    assert len(parquet_files(home) - files) == 1
    assert store.dataset_parts(home)["inputs"][-1].name.startswith("r3-")
