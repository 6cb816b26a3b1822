"""Cleaning over the shared corpora: seeds, AG News, Reuters-21578, BBC (skipped when absent)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from transforms.clean.clean import Cleaned, clean_texts
from transforms.clean.edits import replay
from transforms.load.parse import Record, Rejected, parse

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "clean"
pytestmark = pytest.mark.corpus


def shared(*parts: str) -> Path:
    """A path under ../shared, or skip with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared corpora beside the repository), which is absent")
    return path


@cache
def corpus(name: str) -> tuple[list[Record | Rejected], Cleaned]:
    """Parsed records of one corpus and the cleaning of its documents (cached per session)."""
    if name == "reuters":
        files = sorted(shared("corpora", "reuters21578").glob("*.sgm"))
        parsed = [r for f in files for r in parse(f.read_bytes(), str(f), "sgm")]
    elif name == "bbc":
        files = sorted(shared("corpora", "bbc").rglob("*.txt"))
        parsed = [r for f in files if f.name != "README.TXT" for r in parse(f.read_bytes(), str(f), "txt")]
    else:
        path = shared("corpora", "ag_news", "train_subset581.csv")
        parsed = parse(path.read_bytes(), str(path), "csv", ["class", "title", "text"])
    docs = [r for r in parsed if isinstance(r, Record)]
    sources = [str(r.metadata.get("outlet") or Path(r.source_uri.split("#")[0]).parent.name) for r in docs]
    breaks = [r.backslash_breaks for r in docs]
    return parsed, clean_texts([r.raw_text for r in docs], sources=sources, backslash_breaks=breaks)


def _docs(name: str) -> list[Record]:
    return [r for r in corpus(name)[0] if isinstance(r, Record)]


@pytest.mark.parametrize("golden", sorted((GOLDEN / "seeds").glob("*.json")), ids=lambda p: p.stem)
def test_seed_golden(golden: Path) -> None:
    spec = json.loads(golden.read_text(encoding="utf-8"))
    raw = shared("seeds", spec["seed"]).read_bytes().decode("utf-8")
    cleaned = clean_texts([raw])
    text = cleaned.clean_text[0]
    assert replay(raw, cleaned.edits[0]) == text
    for defect in spec["absent"]:
        assert defect not in text, defect
    for line in spec["once"]:
        assert text.count(line) == 1, line
    for sentence in spec["present"]:
        assert sentence in text, sentence
    assert cleaned.header[0] == spec["header"]
    assert clean_texts([text]).clean_text == [text]


AMPERSANDLESS = re.compile(r"(?<![&\w])(?:quot|amp|lt|gt|apos|nbsp|#\d{2,5});")


def test_ag_news_no_ampersandless_entities() -> None:
    docs = _docs("ag")
    assert len(docs) == 581
    for rec, text in zip(docs, corpus("ag")[1].clean_text, strict=True):
        assert not AMPERSANDLESS.search(text), (rec.source_uri, text)
        assert not AMPERSANDLESS.search(rec.title or ""), (rec.source_uri, rec.title)
        assert "\\" not in text and "\\" not in (rec.title or "")


def test_ag_news_golden_rows() -> None:
    spec = json.loads((GOLDEN / "ag_news.json").read_text(encoding="utf-8"))
    assert len(spec["rows"]) >= 30
    by_row = {
        int(r.source_uri.rsplit("#", 1)[1]): (r, t)
        for r, t in zip(_docs("ag"), corpus("ag")[1].clean_text, strict=True)
    }
    for row in spec["rows"]:
        rec, text = by_row[row["row"]]
        assert (rec.title, text) == (row["title"], row["text"]), row["row"]


def test_reuters_every_record_accounted_for() -> None:
    parsed, cleaned = corpus("reuters")
    assert len(parsed) == 21578
    rejected = [r for r in parsed if isinstance(r, Rejected)]
    assert all(r.reason for r in rejected)
    assert len({r.source_uri for r in parsed}) == 21578
    assert len(parsed) - len(rejected) == len(cleaned.clean_text) >= 19043
    odd = [r for r in _docs("reuters") if r.encoding != "utf-8"]
    assert [r.source_uri.rsplit("/", 1)[1].split("#")[0] for r in odd] == ["reut2-017.sgm"]


def test_reuters_clean_text_has_no_escapes_or_controls() -> None:
    bad = re.compile(r"&lt;|&gt;|&amp;|&#\d+;|[\x00-\x08\x0b-\x1f\x7f]")
    for rec, text in zip(_docs("reuters"), corpus("reuters")[1].clean_text, strict=True):
        assert not bad.search(text), rec.source_uri


def test_bbc_pound_signs_and_survival() -> None:
    docs, cleaned = _docs("bbc"), corpus("bbc")[1]
    assert len(docs) == 2225
    latin = [r for r in docs if r.source_uri.endswith("sport/199.txt")]
    assert latin[0].encoding == "cp1252"
    texts = cleaned.clean_text
    assert "£" in texts[docs.index(latin[0])]
    assert not any("Â£" in t or "\ufffd" in t for t in texts)
    assert sum(t.count("£") for t in texts) == sum(len(re.findall("£|&pound;|&#163;", r.raw_text)) for r in docs)
    survival = sum(len(t) / len(r.raw_text) for r, t in zip(docs, texts, strict=True)) / len(docs)
    assert survival >= 0.99


@pytest.mark.parametrize("name", ["reuters", "bbc", "ag"])
def test_corpus_replay_and_idempotence(name: str) -> None:
    docs, cleaned = _docs(name), corpus(name)[1]
    for rec, edits, text in zip(docs, cleaned.edits, cleaned.clean_text, strict=True):
        assert replay(rec.raw_text, edits) == text, rec.source_uri
    sources = [str(r.metadata.get("outlet") or Path(r.source_uri.split("#")[0]).parent.name) for r in docs]
    breaks = [r.backslash_breaks for r in docs]
    assert clean_texts(cleaned.clean_text, sources=sources, backslash_breaks=breaks).clean_text == cleaned.clean_text
