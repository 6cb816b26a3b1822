"""The benchmark corpus generator: reproducible, unique articles, every format read by the real parsers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import script_module, shared_path
from transforms.load.parse import Record, format_of, parse


def _make_corpus():  # type: ignore[no-untyped-def]
    return script_module("benchmarks/make_corpus.py")


@pytest.fixture(scope="module")
def remix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    corpora = shared_path("corpora")
    out = tmp_path_factory.mktemp("remix") / "r"
    return out, _make_corpus().make_corpus(out, 0.4, seed=3, corpora=corpora)


def _records(folder: Path) -> list[Record]:
    out = []
    for path in sorted(folder.iterdir()):
        parsed = parse(path.read_bytes(), str(path), format_of(path.name))
        assert all(isinstance(r, Record) for r in parsed), [r for r in parsed if not isinstance(r, Record)][:3]
        out.extend(parsed)
    return out


def test_size_and_unique_articles(remix: tuple[Path, dict]) -> None:
    out, manifest = remix
    files = sorted((out / "txt").glob("*.txt"))
    assert len(files) == manifest["articles"] > 100
    texts = [f.read_bytes() for f in files]
    assert len(set(texts)) == len(texts)
    assert 400_000 <= sum(map(len, texts)) < 420_000
    assert json.loads((out / "MANIFEST.json").read_text()) == manifest


def test_every_format_holds_the_same_articles(remix: tuple[Path, dict]) -> None:
    out, manifest = remix
    txt = _records(out / "txt")
    for fmt in ("jsonl", "csv", "sgm"):
        recs = _records(out / fmt)
        assert len(recs) == manifest["articles"], fmt
        # The first paragraph's words are in the .txt file of the same article.
        for rec, plain in zip(recs[:50], txt[:50], strict=True):
            assert rec.title and rec.date
            first = rec.raw_text.split()[:6] if fmt != "sgm" else rec.raw_text.split()[:3]
            assert " ".join(first).replace("&amp;", "&").replace("&lt;", "<") in " ".join(plain.raw_text.split())


def test_same_seed_same_bytes_other_seed_other_articles(remix: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = remix
    mc = _make_corpus()
    mc.make_corpus(tmp_path / "again", 0.4, seed=3, formats=["txt"], corpora=shared_path("corpora"))
    mc.make_corpus(tmp_path / "other", 0.4, seed=4, formats=["txt"], corpora=shared_path("corpora"))
    names = sorted(p.name for p in (out / "txt").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again" / "txt").iterdir())
    assert all((out / "txt" / n).read_bytes() == (tmp_path / "again" / "txt" / n).read_bytes() for n in names)
    other = {p.read_bytes() for p in (tmp_path / "other" / "txt").iterdir()}
    assert len(other & {(out / "txt" / n).read_bytes() for n in names}) == 0


def test_a_share_are_syndicated_copies_of_another_article(remix: tuple[Path, dict]) -> None:
    out, manifest = remix
    records = _records(out / "jsonl")
    copies = [r for r in records if r.metadata.get("outlet") in _make_corpus().REPUBLISHERS]
    assert 0.02 * len(records) <= len(copies) <= 0.1 * len(records)
    bodies = [" ".join(r.raw_text.split()) for r in records]
    for copy in copies[:20]:
        first = " ".join(copy.raw_text.split("\n\n")[1].split()) if "\n\n" in copy.raw_text else ""
        if first:  # its second paragraph appears in another article (the original), whole
            assert sum(first in b for b in bodies) >= 2
