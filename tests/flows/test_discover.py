"""Discovery never follows a symlink out of the input, and quarantines every one it refuses."""

from __future__ import annotations

import os
from pathlib import Path

from flows.discover import NOT_REGULAR, SYMLINK_OUTSIDE, SYMLINK_REFUSED, InputFile, discover, read_input


def _tree(tmp: Path) -> Path:
    inbox, outside = tmp / "inbox", tmp / "outside"
    (inbox / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (inbox / "a.txt").write_text("A story.")
    (inbox / "sub" / "b.txt").write_text("Another story.")
    (inbox / "out.txt").symlink_to(outside / "secret.txt")
    (inbox / "in.txt").symlink_to(inbox / "sub" / "b.txt")
    (inbox / "outdir").symlink_to(outside)
    (inbox / "indir").symlink_to(inbox / "sub")
    os.mkfifo(inbox / "pipe.txt")
    return inbox


def test_no_symlink_is_followed_by_default(tmp_path: Path) -> None:
    inbox = _tree(tmp_path)
    found = discover([str(inbox)])
    assert [f.path.name for f in found.files] == ["a.txt", "b.txt"]
    refused = {Path(r.source_uri).name: r.reason for r in found.refused}
    assert refused == {
        "out.txt": SYMLINK_REFUSED,
        "in.txt": SYMLINK_REFUSED,
        "outdir": SYMLINK_REFUSED,
        "indir": SYMLINK_REFUSED,
        "pipe.txt": NOT_REGULAR,
    }


def test_follow_symlinks_stays_inside_the_input(tmp_path: Path) -> None:
    inbox = _tree(tmp_path)
    found = discover([str(inbox)], follow_symlinks=True)
    assert [f.path for f in found.files] == [inbox.resolve() / "a.txt", inbox.resolve() / "sub" / "b.txt"]
    refused = {Path(r.source_uri).name: r.reason for r in found.refused}
    assert refused == {"out.txt": SYMLINK_OUTSIDE, "outdir": SYMLINK_OUTSIDE, "pipe.txt": NOT_REGULAR}


def test_globs_are_held_to_their_folder(tmp_path: Path) -> None:
    inbox = _tree(tmp_path)
    found = discover([str(inbox / "**" / "*.txt")])
    assert sorted(f.path.name for f in found.files) == ["a.txt", "b.txt"]
    assert {Path(r.source_uri).name for r in found.refused} >= {"out.txt", "in.txt"}
    assert all("secret" not in str(f.path) for f in found.files)


def test_a_file_named_explicitly_is_read_even_through_a_link(tmp_path: Path) -> None:
    inbox = _tree(tmp_path)
    found = discover([str(inbox / "in.txt")])
    assert [f.path for f in found.files] == [(inbox / "sub" / "b.txt").resolve()]


def test_reading_refuses_a_symlink_swapped_in_after_discovery(tmp_path: Path) -> None:
    inbox = _tree(tmp_path)
    item = InputFile(inbox / "out.txt", "txt")
    (rejected,) = read_input(item)
    assert rejected.reason.startswith("unreadable")


def test_a_record_above_the_size_limit_is_quarantined_as_too_large() -> None:
    from flows.pipeline import too_large
    from transforms.load.parse import Record

    record = Record("big.txt", "txt", "utf-8", "caf\u00e9 " * 100)  # 600 bytes of UTF-8
    rejected = too_large(record, 500)
    assert rejected is not None and rejected.reason == "too large to be an article: 600 bytes (limit 500)"
    assert too_large(record, 600) is None


def test_a_folder_scan_notes_each_file_size_and_time(tmp_path: Path) -> None:
    """Files met in a folder scan carry their size and modification time (no second stat); a file
    named on the command line does not (the run stats it)."""
    inbox = _tree(tmp_path)
    os.utime(inbox / "a.txt", ns=(1_000, 2_000))
    (inbox / ".hidden.txt").write_text("not an article")
    found = {f.path.name: f for f in discover([str(inbox)]).files}
    assert sorted(found) == ["a.txt", "b.txt"]
    assert (found["a.txt"].size, found["a.txt"].mtime_ns) == (len("A story."), 2_000)
    (named,) = discover([str(inbox / "a.txt")]).files
    assert (named.size, named.mtime_ns) == (-1, -1)
