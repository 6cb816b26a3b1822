"""Publication dates from the story: an undated document that names a weekday and a day takes its year there.

"Syrian opposition fighters on Thursday (February 27th) reentered..." gives a day and a month but no
year. When other documents of the same story are dated, the year is the one that puts that day within
a week of them and on the weekday the text names; the document is then dated that day, with
``published_date_source = 'story'``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Month number of the first three letters of a month name.
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}

#: How far (days) the dated day may lie from the nearest dated document of the story.
MAX_DAYS_FROM_STORY = 7
#: Only the top of a text is read: the lede names the day of the news.
HEAD_CHARS = 1500

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
#: A weekday, then (in brackets or after a comma) a day and a month in either order, and no year after.
WEEKDAY_DAY_RE = re.compile(
    rf"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s*\(?\s*(?:the\s+)?"
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})|(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTH}))\b\)?"
    rf"(?!,?\s*\d{{4}})"
)


def weekday_days(text: str) -> list[tuple[int, int, int]]:
    """(weekday index, month, day) of each weekday-and-day mention without a year near the top of ``text``.

    >>> weekday_days("Syrian opposition fighters on Thursday (February 27th) reentered a key town")
    [(3, 2, 27)]
    >>> weekday_days("on Thursday, 27 February 2020"), weekday_days("on Thursday")
    ([], [])
    """
    out = []
    for m in WEEKDAY_DAY_RE.finditer(text, 0, HEAD_CHARS):
        month = MONTHS[(m["m1"] or m["m2"]).lower().rstrip(".")[:3]]
        day = int(re.match(r"\d+", m["d1"] or m["d2"])[0])  # type: ignore[index]
        out.append((WEEKDAYS.index(m["wd"].lower()), month, day))
    return out


def date_in_story(text: str, story_days: list[dt.date]) -> dt.date | None:
    """The first weekday-and-day of ``text`` that, in a year of the story, is that weekday near its dates.

    >>> date_in_story("on Thursday (February 27th)", [dt.date(2020, 2, 26), dt.date(2020, 2, 27)])
    datetime.date(2020, 2, 27)
    >>> date_in_story("on Friday (February 27th)", [dt.date(2020, 2, 26)]) is None  # 27/2/2020 was a Thursday
    True
    """
    if not story_days:
        return None
    years = sorted({y for d in story_days for y in (d.year - 1, d.year, d.year + 1)})
    for weekday, month, day in weekday_days(text):
        for year in years:
            try:
                cand = dt.date(year, month, day)
            except ValueError:
                continue
            near = min(abs((cand - d).days) for d in story_days)
            if cand.weekday() == weekday and near <= MAX_DAYS_FROM_STORY:
                return cand
    return None


def story_dates(
    documents: pa.Table, doc_story: pa.Table, texts_of: Callable[[list[str]], dict[str, str | None]] | None = None
) -> pa.Table:
    """Publication dates taken from the story for undated documents: ``doc_id``, ``published_date``.

    ``documents`` holds ``doc_id``, ``published_date`` and (without ``texts_of``, which gives the texts
    of some documents by id) ``clean_text``; ``doc_story`` holds ``doc_id`` and ``story_id``. Only
    documents without a date, in a story with at least one dated document, whose text names a weekday
    and a day that fits the story (see :func:`date_in_story`) get a row.
    """
    # Arrow first, Python only for the undated documents and the stories they are in.
    docs = documents.select(["doc_id", "published_date"]).join(doc_story.select(["doc_id", "story_id"]), "doc_id")
    undated = docs.filter(pc.and_(pc.is_null(docs.column("published_date")), pc.is_valid(docs.column("story_id"))))
    stories = pc.unique(undated.column("story_id"))
    dated_rows = docs.filter(
        pc.and_(pc.is_valid(docs.column("published_date")), pc.is_in(docs.column("story_id"), value_set=stories))
    )
    dated: dict[str, list[dt.date]] = defaultdict(list)
    for story, day in zip(*dated_rows.select(["story_id", "published_date"]).to_pydict().values(), strict=True):
        dated[story].append(day)
    wanted = undated.filter(pc.is_in(undated.column("story_id"), value_set=pa.array(list(dated), pa.string())))
    story_of = dict(zip(wanted.column("doc_id").to_pylist(), wanted.column("story_id").to_pylist(), strict=True))
    if texts_of is not None:
        found_texts = texts_of(wanted.column("doc_id").to_pylist())
        pairs = sorted(found_texts.items())
    else:
        texts = documents.filter(pc.is_in(documents.column("doc_id"), value_set=wanted.column("doc_id")))
        pairs = list(zip(*texts.select(["doc_id", "clean_text"]).to_pydict().values(), strict=True))
    rows = []
    for doc_id, text in pairs:
        if text:
            found = date_in_story(text, dated[story_of[doc_id]])
            if found:
                rows.append((doc_id, found))
    rows.sort()
    return pa.table(
        {
            "doc_id": pa.array([r[0] for r in rows], pa.string()),
            "published_date": pa.array([r[1] for r in rows], pa.date32()),
        }
    )
