"""The extract() contract: schemas, offsets on random text (Hypothesis), doc_meta rules."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.schema import TABLES
from transforms.extract.extract import DOC_META_SCHEMA, extract
from transforms.extract.meta import agencies_in

SPAN_TABLES = {"numbers": "surface", "entities": "surface", "places": "surface", "date_mentions": "surface",
               "quotes": "quote", "counts": None, "quality_issues": None}


def docs_table(texts: list[str], header: list[str | None] | None = None,
               published: list[dt.date | None] | None = None) -> pa.Table:
    """A docs table as the flow hands it to extract()."""
    n = len(texts)
    cols = {"doc_id": [f"d{i}" for i in range(n)], "clean_text": texts, "title": pa.nulls(n, pa.string()),
            "published_date": pa.array(published or [None] * n, pa.date32()),
            "source_uri": [f"x{i}.txt" for i in range(n)]}
    if header is not None:
        cols["header"] = pa.array(header, pa.string())
    return pa.table(cols)


def test_tables_follow_the_contract() -> None:
    out = extract(docs_table(["Two soldiers were killed in Damascus on Monday, \"he said\", Reuters reported.", ""]))
    for name, table in out.items():
        if name == "doc_meta":
            assert table.schema == DOC_META_SCHEMA
        else:
            assert table.schema == TABLES[name].arrow_schema, name
    assert out["doc_meta"].num_rows == 2


WORDS = ["Two", "two", "soldiers", "were", "killed", "at least", "950,0000", "1.5 mln dlrs", "$1.13bn", "(£600m)",
         "Damascus", "Syria", "Recep Tayyip Erdogan", "said", "\"", "“", "”", ",", ".", "\n", "Thursday",
         "February 27th", "three weeks ago", "last November", "Idlib's", "al-", "U.S.", "é", "’s", "AFP", "-",
         "20%", "M5", "2011", "one", "hundred", "and", "wounded", "displaced", "Mr", "Ministry", "of"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=40)
                .map(lambda ws: " ".join(ws)), min_size=1, max_size=3))
def test_every_span_points_at_its_surface(texts: list[str]) -> None:
    out = extract(docs_table(texts))
    by_id = {f"d{i}": t for i, t in enumerate(texts)}
    for name, column in SPAN_TABLES.items():
        for row in out[name].to_pylist():
            text = by_id[row["doc_id"]]
            assert 0 <= row["start"] <= row["end"] <= len(text), (name, row)
            if column:
                assert text[row["start"] : row["end"]] == row[column], (name, row)


def test_header_column_gives_date_agencies_and_byline() -> None:
    out = extract(docs_table(["Syrian rebels reentered Saraqeb on Thursday."],
                             header=["date 2020-02-27 Fast News\nBy AFP"]))
    [meta] = out["doc_meta"].to_pylist()
    assert meta["published_date"] == dt.date(2020, 2, 27)
    assert meta["published_date_source"] == "header"
    assert meta["agencies"] == ["AFP"] and meta["byline"] == "AFP"
    [thursday] = out["date_mentions"].to_pylist()
    assert thursday["resolved_date"] == dt.date(2020, 2, 27)


def test_metadata_date_wins_and_title_from_first_line() -> None:
    out = extract(docs_table(["Syria rebels reenter key Idlib crossroads town\n\nBody text here."],
                             published=[dt.date(2020, 2, 27)]))
    [meta] = out["doc_meta"].to_pylist()
    assert meta["title"] == "Syria rebels reenter key Idlib crossroads town"
    assert (meta["published_date"], meta["published_date_source"]) == (dt.date(2020, 2, 27), "metadata")


def test_agency_credits() -> None:
    assert agencies_in("By AFP") == ["AFP"]
    assert agencies_in("Syria rebels reenter key town: AFP") == ["AFP"]
    assert agencies_in("LONDON (Reuters) - Shares fell") == ["Reuters"]
    assert agencies_in("AP - A former dormitory") == ["AP"]
    assert agencies_in("on February 26, 2020 (AFP)") == ["AFP"]
    assert agencies_in("An AFP correspondent accompanied the rebels") == []
