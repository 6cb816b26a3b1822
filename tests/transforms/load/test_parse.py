"""Parsing: txt, jsonl, csv (header or named columns), Reuters SGML; rejections with reasons."""

from __future__ import annotations

import codecs
import json

from transforms.load.parse import Record, Rejected, format_of, parse

SGM = b"""<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<PLACES><D>el-salvador</D><D>usa</D></PLACES>
<PEOPLE></PEOPLE><ORGS></ORGS><EXCHANGES></EXCHANGES><COMPANIES></COMPANIES>
<UNKNOWN>&#5;&#5;&#5;C T</UNKNOWN>
<TEXT>&#2;
<TITLE>BAHIA COCOA &lt;REVIEW&gt;</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued &lt;in&gt; Bahia.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TOPICS></TOPICS><PLACES><D>usa</D></PLACES><PEOPLE></PEOPLE><ORGS></ORGS><EXCHANGES></EXCHANGES><COMPANIES></COMPANIES>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>ASSETS ROSE 720.4 MLN DLRS
</TITLE>Blah blah blah.
&#3;
</TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5546" NEWID="3">
<DATE>26-FEB-1987 15:03:20.00</DATE>
<TEXT TYPE="UNPROC">&#2;
FEDERAL RESERVE REPORT - M\xfcnchen
 Net free reserves....644 vs....1,337
&#3;
</TEXT>
</REUTERS>
"""


def test_sgm_records_briefs_and_unprocessed() -> None:
    out = parse(SGM, "reut.sgm", "sgm")
    assert [type(r).__name__ for r in out] == ["Record", "Rejected", "Record"]
    body, brief, unproc = out
    assert isinstance(body, Record) and isinstance(brief, Rejected) and isinstance(unproc, Record)
    assert body.source_uri == "reut.sgm#1" and body.raw_text.startswith("Showers continued &lt;in&gt;")
    assert body.title == "BAHIA COCOA <REVIEW>" and body.date == "1987-02-26T15:01:01"
    assert body.metadata["outlet"] == "Reuters" and body.metadata["places"] == ["el-salvador", "usa"]
    assert body.metadata["topics"] == ["cocoa"] and body.metadata["dateline"] == "SALVADOR, Feb 26"
    assert brief.source_uri == "reut.sgm#2" and brief.reason.startswith("no body: title-only brief")
    assert unproc.encoding == "cp1252" and "München" in unproc.raw_text and body.encoding == "utf-8"


def test_jsonl_fields_metadata_and_bad_lines() -> None:
    lines = [
        json.dumps(
            {
                "title": "T &amp; U",
                "text": "Body.",
                "date": "2021-03-04",
                "url": "http://x",
                "source": "Wire",
                "section": "A",
            }
        ),
        "",
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"title": "no text"}),
        json.dumps({"text": "  "}),
    ]
    out = parse("\n".join(lines).encode(), "f.jsonl", "jsonl")
    rec = out[0]
    assert isinstance(rec, Record) and rec.title == "T & U" and rec.raw_text == "Body." and rec.date == "2021-03-04"
    assert rec.metadata == {"url": "http://x", "outlet": "Wire", "section": "A"} and rec.source_uri == "f.jsonl#1"
    rejected = out[1:]
    assert [r.source_uri for r in rejected] == ["f.jsonl#3", "f.jsonl#4", "f.jsonl#5", "f.jsonl#6"]
    assert all(isinstance(r, Rejected) for r in rejected)
    assert (
        rejected[0].reason.startswith("invalid JSON")
        and "no text" in rejected[2].reason
        and "empty" in rejected[3].reason
    )


def test_csv_header_and_named_columns() -> None:
    data = b'title,text,source,region\r\n"A","Body \\\\ one quot;x",W,M\r\n"B","",W,M\r\n"C","x","y","z","extra"\r\n'
    out = parse(data, "f.csv", "csv")
    assert isinstance(out[0], Record) and out[0].raw_text == "Body \\\\ one quot;x"  # as read: repairs are cleaning's
    assert out[0].metadata == {"region": "M", "outlet": "W"} and out[0].source_uri == "f.csv#2"
    assert isinstance(out[1], Rejected) and out[1].source_uri == "f.csv#3" and "empty text" in out[1].reason
    assert isinstance(out[2], Rejected) and "5 fields" in out[2].reason
    headerless = parse(b'"3","Title #39;s","Text\\\\here"\n', "ag.csv", "csv", ["class", "title", "text"])
    assert (
        isinstance(headerless[0], Record)
        and headerless[0].title == "Title's"
        and headerless[0].metadata == {"class": "3"}
    )
    assert headerless[0].source_uri == "ag.csv#1"


def test_csv_row_with_fewer_fields_than_the_header_is_rejected() -> None:
    data = b"title,text,date\r\nA,Full row,2020-01-02\r\nB,Short row\r\n"
    out = parse(data, "f.csv", "csv")
    assert isinstance(out[0], Record) and out[0].date == "2020-01-02"
    assert isinstance(out[1], Rejected) and out[1].source_uri == "f.csv#3"
    assert out[1].reason == "invalid row: 2 fields, 3 columns"
    short = parse(b"1,Title only\n", "ag.csv", "csv", ["class", "title", "text"])
    assert isinstance(short[0], Rejected) and short[0].reason == "invalid row: 2 fields, 3 columns"


def test_txt_encodings_and_empty() -> None:
    assert parse(codecs.BOM_UTF16_LE + "Caf\u00e9".encode("utf-16-le"), "a.txt", "txt")[0].encoding == "utf-16"
    assert parse(b"\xa3600m", "b.txt", "txt")[0].raw_text == "\u00a3600m"
    empty = parse(b"  \n", "c.txt", "txt")[0]
    assert isinstance(empty, Rejected) and empty.reason.startswith("empty")


def test_format_of() -> None:
    assert [format_of(n) for n in ("a.txt", "b.JSONL", "c.csv.gz", "reut2-000.sgm", "d.pdf", "README")] == [
        "txt",
        "jsonl",
        "csv",
        "sgm",
        None,
        None,
    ]


def test_sample_corpus_parses() -> None:
    from pathlib import Path

    from flows.discover import discover, read_input

    found = discover([str(Path(__file__).resolve().parents[3] / "flows" / "sample")])
    files, skipped = found.files, found.skipped
    assert found.refused == []
    parsed = [r for f in files for r in read_input(f)]
    assert all(isinstance(r, Record) for r in parsed) and len(parsed) >= 12
    encodings = {Path(r.source_uri.split("#")[0]).name: r.encoding for r in parsed if isinstance(r, Record)}
    assert encodings["leeds_bakery.txt"] == "cp1252" and encodings["rades_cup_final.txt"] == "utf-16"
    assert {Path(p).name for p in skipped} == {"README.md"}
    assert sum(f.stat().st_size for f in Path(files[0].path).parent.rglob("*") if f.is_file()) < 60_000


def test_jsonl_strings_with_unicode_line_separators_load_every_record() -> None:
    texts = ["one\u2028two", "three\u2029four", "five\x85six", "seven\x1cbeight\x1d\x1e", "plain"]
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in texts]
    out = parse(("\r\n".join(lines[:2]) + "\n" + "\n".join(lines[2:]) + "\n").encode(), "u.jsonl", "jsonl")
    assert all(isinstance(r, Record) for r in out)
    assert [r.raw_text for r in out] == texts  # type: ignore[union-attr]
    assert [r.source_uri for r in out] == [f"u.jsonl#{n}" for n in range(1, 6)]


BACKSLASHES = r"saved to C:\Users\reports\2020 and the regex \d+ matched 40\% of rows"


def test_backslash_convention_is_a_property_of_the_input() -> None:
    from transforms.clean.clean import clean_texts

    txt = parse(BACKSLASHES.encode(), "a.txt", "txt")
    jsonl = parse(json.dumps({"title": "A \\ B", "text": BACKSLASHES}).encode(), "a.jsonl", "jsonl")
    plain_csv = parse(f'title,text\n"A \\ B","{BACKSLASHES}"\n'.encode(), "a.csv", "csv")
    ag_csv = b'"3","Oil \\$46 #39;s","Stocks rose.\\Oil hit \\$46 a barrel."\n'
    ag = parse(ag_csv, "ag.csv", "csv", ["class", "title", "text"])
    forced_off = parse(ag_csv, "ag.csv", "csv", ["class", "title", "text"], backslash_breaks=False)
    records = [r for r in txt + jsonl + plain_csv + ag + forced_off if isinstance(r, Record)]
    assert [r.backslash_breaks for r in records] == [False, False, False, True, False]
    assert [r.title for r in records[1:]] == ["A \\ B", "A \\ B", "Oil $46's", "Oil \\$46's"]
    clean = clean_texts([r.raw_text for r in records], backslash_breaks=[r.backslash_breaks for r in records])
    assert clean.clean_text[:3] == [BACKSLASHES] * 3
    assert clean.clean_text[3:] == ["Stocks rose. Oil hit $46 a barrel.", "Stocks rose.\\Oil hit \\$46 a barrel."]
