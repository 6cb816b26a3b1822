"""Publication dates from the story: undated documents that name a weekday and a day."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from transforms.link.story_dates import story_dates


def _docs(rows: list[tuple[str, str, dt.date | None]]) -> pa.Table:
    return pa.table({"doc_id": [r[0] for r in rows], "clean_text": [r[1] for r in rows],
                     "published_date": pa.array([r[2] for r in rows], pa.date32())})


def test_undated_document_takes_the_day_it_names_in_the_story_year() -> None:
    docs = _docs([
        ("a", "Syrian opposition fighters on Thursday (February 27th) reentered a key town.", None),
        ("b", "Fighting raged on Thursday.", dt.date(2020, 2, 27)),
        ("c", "Turkey said on Wednesday, 26 February, that...", None),  # dated the same way
        ("d", "On Friday (February 27th) nothing happened.", None),  # not a Friday in 2020: left undated
        ("e", "On Thursday (February 27th) it rained.", None),  # in no story with a date
        ("f", "Already dated on Thursday (February 27th).", dt.date(2020, 3, 1)),
    ])
    doc_story = pa.table({"doc_id": list("abcdef"), "story_id": ["s", "s", "s", "s", "t", "s"]})
    out = story_dates(docs, doc_story).to_pylist()
    assert out == [
        {"doc_id": "a", "published_date": dt.date(2020, 2, 27)},
        {"doc_id": "c", "published_date": dt.date(2020, 2, 26)},
    ]


def test_a_day_far_from_the_story_is_not_taken() -> None:
    docs = _docs([("a", "on Thursday (May 7th) the talks began", None), ("b", "x", dt.date(2020, 2, 27))])
    assert story_dates(docs, pa.table({"doc_id": ["a", "b"], "story_id": ["s", "s"]})).num_rows == 0
