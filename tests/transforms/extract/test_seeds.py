"""The five seed articles against tests/golden/extract/seeds.json (counts, quotes, places, dates, meta)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.extract.extract import extract

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / ".." / "shared" / "seeds"
GOLDEN = json.loads((ROOT / "tests" / "golden" / "extract" / "seeds.json").read_text())


def stand_in_clean(text: str) -> str:
    """The minimal cleaning the seeds need: the replacements listed in the golden file."""
    for before, after in GOLDEN["stand_in_cleaner"].items():
        text = text.replace(before, after)
    return text


@pytest.fixture(scope="module")
def seeds() -> tuple[dict[str, str], dict[str, pa.Table]]:
    """Seed texts by doc id, and what extraction returns for them."""
    if not SEEDS.is_dir():
        pytest.skip(f"needs the seed articles in {SEEDS.resolve()} (../shared beside the repository), absent here")
    texts = {p.stem: stand_in_clean(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    n = len(texts)
    docs = pa.table({"doc_id": list(texts), "clean_text": list(texts.values()), "title": pa.nulls(n, pa.string()),
                     "published_date": pa.nulls(n, pa.date32()), "source_uri": [f"seeds/{k}.txt" for k in texts]})
    return texts, extract(docs)


def rows(out: dict[str, pa.Table], table: str, doc_id: str) -> list[dict]:
    """Rows of one table for one document."""
    return [r for r in out[table].to_pylist() if r["doc_id"] == doc_id]


SEED_IDS = list(GOLDEN["seeds"])


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_counts(seeds, doc_id: str) -> None:
    texts, out = seeds
    got = Counter((r["count_type"], r["number"], r["object"], r["qualifier"]) for r in rows(out, "counts", doc_id))
    want = Counter((c["count_type"], float(c["number"]), c["object"], c["qualifier"])
                   for c in GOLDEN["seeds"][doc_id]["counts"])
    assert got == want


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_malformed_numbers(seeds, doc_id: str) -> None:
    texts, out = seeds
    got = [(r["surface"], r["value"], r["suggested_value"]) for r in rows(out, "numbers", doc_id) if r["is_malformed"]]
    want = [(m["surface"], m["value"], m["suggested_value"]) for m in GOLDEN["seeds"][doc_id]["malformed_numbers"]]
    assert got == want
    issues = [(r["start"], r["end"], r["severity"]) for r in rows(out, "quality_issues", doc_id)
              if r["check_name"] == "malformed_number"]
    assert [texts[doc_id][s:e] for s, e, _ in issues] == [m[0] for m in want]
    assert {sev for *_, sev in issues} <= {"warning"}


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_quotes(seeds, doc_id: str) -> None:
    texts, out = seeds
    got = rows(out, "quotes", doc_id)
    for r in got:
        assert texts[doc_id][r["start"] : r["end"]] == r["quote"]
    for want in GOLDEN["seeds"][doc_id]["quotes"]:
        prefix = want.get("quote_startswith", "\0")
        match = [r for r in got if r["quote"] == want.get("quote") or r["quote"].startswith(prefix)]
        assert match, want
        assert (match[0]["speaker"], match[0]["verb"]) == (want["speaker"], want["verb"])


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_persons_and_places(seeds, doc_id: str) -> None:
    texts, out = seeds
    golden = GOLDEN["seeds"][doc_id]
    people = {r["name"] for r in rows(out, "entities", doc_id) if r["kind"] == "PERSON"}
    assert set(golden["persons"]) <= people
    mentions = {(r["surface"], r["name"]) for r in rows(out, "entities", doc_id) if r["kind"] == "PERSON"}
    for m in golden.get("person_mentions", []):
        assert (m["surface"], m["name"]) in mentions
    places = {(r["surface"], r["name"], r["country_code"]) for r in rows(out, "places", doc_id)}
    for p in golden["places"]:
        assert (p["surface"], p["name"], p["country_code"]) in places


def test_saraqeb_is_in_syria_in_every_seed(seeds) -> None:
    texts, out = seeds
    for doc_id in texts:
        assert ("Saraqeb", "SY") in {(r["surface"], r["country_code"]) for r in rows(out, "places", doc_id)}, doc_id


def test_place_mentions_geocoded_to_the_right_country(seeds) -> None:
    """At least 95% of place rows carry the story's country for that name, and every known name is found."""
    texts, out = seeds
    expected = GOLDEN["place_countries"]
    places = out["places"].to_pylist()
    right = sum(expected.get(r["surface"]) == r["country_code"] for r in places)
    wrong = [r for r in places if expected.get(r["surface"]) != r["country_code"]]
    assert places and right / len(places) >= 0.95, wrong
    for doc_id, text in texts.items():
        found = {r["surface"] for r in rows(out, "places", doc_id)}
        for name in expected:
            if f" {name} " in text or f" {name}," in text or f" {name}." in text:
                assert name in found, (doc_id, name)


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_dates(seeds, doc_id: str) -> None:
    texts, out = seeds
    got = rows(out, "date_mentions", doc_id)
    for r in got:
        assert texts[doc_id][r["start"] : r["end"]] == r["surface"]
    for want in GOLDEN["seeds"][doc_id]["dates"]:
        match = [r for r in got if r["surface"] == want["surface"]]
        assert match, want
        for r in match:
            want_date = dt.date.fromisoformat(want["resolved_date"])
            assert (r["resolved_date"], r["resolution"]) == (want_date, want["resolution"])


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_doc_meta(seeds, doc_id: str) -> None:
    texts, out = seeds
    [meta] = [r for r in out["doc_meta"].to_pylist() if r["doc_id"] == doc_id]
    for key, want in GOLDEN["seeds"][doc_id]["doc_meta"].items():
        got = meta[key].isoformat() if key == "published_date" and meta[key] else meta[key]
        assert got == want, key
