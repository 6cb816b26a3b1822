"""Whole-path properties over hostile bytes: every record becomes a document or a quarantine row.

From files on disk (random bytes, random Unicode in several encodings, and random
mixtures of the input formats, plain or gzipped) through discovery, loading and the
batch transforms (clean, extract), as the flow's tasks run them: no exception escapes,
and every record read is either processed into a document or rejected with a reason.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.discover import discover
from flows.pipeline import Batch, load_batch, transform_batch
from transforms.batch import doc_id_of
from transforms.load.parse import Record, Rejected

WORDS = st.sampled_from(
    ["killed", "12", "1,000", "950,0000", "said", "\u201cWe", "&quot;", "quot;", "#39;", "Kabul", "caf\u00c3\u00a9",
     "\n\n", "\t", "<BODY>", "</REUTERS>", ",", '"', "\\", "\x00", "\ufeff", "\ud7ff", "\U0001f600", "Read also:"]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-8-sig"])


def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")


@st.composite
def input_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """One input file: a name with a supported extension and hostile contents."""
    kind = draw(st.sampled_from(["bytes", "txt", "jsonl", "csv", "sgm", "mixed"]))
    text = draw(TEXT)
    if kind == "bytes":
        ext, data = draw(st.sampled_from(["txt", "jsonl", "csv", "sgm"])), draw(st.binary(max_size=400))
    elif kind == "txt":
        ext, data = "txt", _encoded(text, draw(ENCODINGS))
    elif kind == "jsonl":
        fields = st.dictionaries(st.sampled_from(["text", "title", "date", "body", "x"]), TEXT | st.integers())
        lines = draw(st.lists(fields.map(json.dumps) | TEXT, max_size=6))
        ext, data = "jsonl", "\n".join(lines).encode("utf-8", "surrogatepass")
    elif kind == "csv":
        rows = draw(st.lists(st.lists(TEXT, max_size=4).map(lambda r: ",".join(json.dumps(c) for c in r)), max_size=5))
        ext, data = "csv", ("title,text,date\n" + "\n".join(rows)).encode("utf-8", "surrogatepass")
    elif kind == "sgm":
        bodies = draw(st.lists(TEXT, max_size=4))
        records = [f'<REUTERS NEWID="{i}"><TEXT><TITLE>{b[:20]}</TITLE><BODY>{b}</BODY></TEXT></REUTERS>'
                   for i, b in enumerate(bodies)]
        cut = draw(st.integers(0, 40))
        ext, data = "sgm", "\n".join(records).encode("utf-8", "surrogatepass")[: -cut or None]
    else:
        ext = draw(st.sampled_from(["txt", "jsonl", "csv", "sgm"]))
        data = b"".join(draw(st.lists(st.binary(max_size=60) | TEXT.map(lambda t: t.encode("utf-8", "replace")),
                                      max_size=6)))
    if draw(st.booleans()):
        data = gzip.compress(data) if draw(st.booleans()) else data[:3]
        ext += ".gz"
    return ext, data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(input_file(), min_size=1, max_size=5))
def test_every_record_is_a_document_or_a_quarantine_row(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp, "inbox")
        inbox.mkdir()
        for i, (ext, data) in enumerate(files):
            Path(inbox, f"f{i}.{ext}").write_bytes(data)
        found = discover([str(inbox)])
        assert len(found.files) == len(files) and not found.refused
        items, per_file, _ = load_batch.fn(found.files)
        assert sum(per_file) == len(items) and all(n >= 1 for n in per_file)
        records = [r for r in items if isinstance(r, Record)]
        assert all(isinstance(r, Rejected) and r.reason for r in items if not isinstance(r, Record))
        unique = list({doc_id_of(r.raw_text): r for r in records}.values())
        tables, rejected = transform_batch.fn("run-1", Batch(unique), dt.datetime.now(dt.UTC))
        assert all(r.reason.startswith("processing failed") for r in rejected)
        documents = tables["documents"].num_rows if "documents" in tables else 0
        assert documents + len(rejected) == len(unique)
