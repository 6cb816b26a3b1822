"""Bad input becomes quarantine rows with reasons, end to end through the real flow.

The inbox also holds symlinks to a file and a folder outside it (never followed: their
contents must not reach the warehouse) and one 10 MB article, generated here rather
than committed, which must load (every stage is linear in a document's length).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "flows" / "bad_inputs.json").read_text())


def write_inbox(root: Path) -> Path:
    """The bad-input folder of the golden file under ``root``, with an outside target for its links."""
    inbox, outside = root / "inbox", root / "outside"
    inbox.mkdir()
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(GOLDEN["secret"] + "\n")
    (outside / "folder" / "story.txt").write_text(GOLDEN["secret"] + "\n")
    for f in GOLDEN["files"]:
        data = bytes.fromhex(f["bytes_hex"]) if "bytes_hex" in f else f["text"].encode()
        (inbox / f["name"]).write_bytes(data)
    for link in GOLDEN["links"]:
        target = outside / ("secret.txt" if link["target"] == "file" else "folder")
        (inbox / link["name"]).symlink_to(target)
    big = GOLDEN["big"]
    paragraphs, size, n = ["A long report\n\n"], 0, 0
    while size < big["bytes"]:
        n += 1
        paragraphs.append(big["paragraph"].format(n=n))
        size += len(paragraphs[-1].encode())
    (inbox / big["name"]).write_text("".join(paragraphs))
    return inbox


def test_every_bad_record_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    inbox = write_inbox(tmp_path)
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["run", str(inbox), "--home", str(home)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        reasons = dict(con.execute("SELECT source_uri, reason FROM quarantine").fetchall())
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        leaked = con.execute(
            "SELECT count(*) FROM documents WHERE contains(raw_text, ?) OR source_uri LIKE ?",
            [GOLDEN["secret"], f"{tmp_path / 'outside'}%"],
        ).fetchone()[0]
        big = con.execute(
            "SELECT strlen(raw_text), strlen(clean_text) FROM documents WHERE source_uri = ?",
            [str((inbox / GOLDEN["big"]["name"]).resolve())],
        ).fetchone()
        failed = con.execute(
            "SELECT expectation, column_name FROM check_results WHERE NOT success AND severity = 'error'"
        ).fetchall()
    finally:
        con.close()
    assert documents == GOLDEN["documents"]
    assert leaked == 0
    assert big is not None and big[0] >= GOLDEN["big"]["bytes"] and big[1] > 0
    assert failed == []
    for f in GOLDEN["files"]:
        uri = str((inbox / f["name"]).resolve()) + f.get("uri_suffix", "")
        assert reasons.get(uri, "").startswith(f["reason_starts"]), (uri, reasons)
    for link in GOLDEN["links"]:
        uri = str(inbox.resolve() / link["name"])
        assert reasons.get(uri, "").startswith(link["reason_starts"]), (uri, reasons)
    assert len(reasons) == len(GOLDEN["files"]) + len(GOLDEN["links"])
