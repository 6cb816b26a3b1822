"""Bad input becomes quarantine rows with reasons, end to end through the real flow."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "flows" / "bad_inputs.json").read_text())


def test_every_bad_record_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in GOLDEN["files"]:
        data = bytes.fromhex(f["bytes_hex"]) if "bytes_hex" in f else f["text"].encode()
        (inbox / f["name"]).write_bytes(data)
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["run", str(inbox), "--home", str(home), "--no-check"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        reasons = dict(con.execute("SELECT source_uri, reason FROM quarantine").fetchall())
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert documents == GOLDEN["documents"]
    for f in GOLDEN["files"]:
        uri = str((inbox / f["name"]).resolve()) + f.get("uri_suffix", "")
        assert reasons.get(uri, "").startswith(f["reason_starts"]), (uri, reasons)
    assert len(reasons) == len(GOLDEN["files"])
