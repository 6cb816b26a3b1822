"""Remix the shared corpora into N MB of unique, realistic articles, for benchmarks.

    .venv/bin/python benchmarks/make_corpus.py OUT --mb 100 [--seed 7] [--formats txt,jsonl,csv,sgm]

The sources are the BBC articles, the Reuters-21578 bodies and the AG News rows in
``../shared/corpora/``. Each source is split into sentences, kept in families (the five
BBC topics, Reuters, AG News) so that an article's sentences share a subject and a style.
Each family's sentences are dealt out in shuffled passes; an article is a run of
sentences from that stream, grouped in paragraphs, as long as a source article of the
family, titled and dated after the source of its first sentence. A sentence is used once
per pass, so two articles share a sentence only by chance, and from the second pass on
its figures are redrawn (same number of digits, years kept), so a copy never repeats
another word for word. A share of the articles (``--syndicated``, 5% by default) are
copies of a recent article as another outlet re-publishes it: one sentence dropped, the
last paragraph cut at times, the outlet's name in the title at times, the same day or
the next; these are what the link step finds as syndicated copies and stories. Every
article is unique (checked by its text's hash).

Output under OUT (same articles in every format; ``--formats`` picks which):

    txt/NNNNNN_<hash>.txt   one article per file, the shape of a scraper's drop folder:
                            title, blank line, paragraphs (Reuters ones open with their dateline)
    jsonl/remix-NNN.jsonl   title, text, date, source; 10,000 articles per file
    csv/remix-NNN.csv       the same fields, with a header row; 10,000 per file
    sgm/remix-NNN.sgm       Reuters-21578 SGML, entity-escaped, 1,000 records per file
    MANIFEST.json           seed, size asked, articles and bytes per format

The same seed and size give byte-identical output. Reuters' defects (wire idioms,
``&lt;`` in bodies) and AG News's (entities without their ampersand) are kept, since the
pipeline exists to repair them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import hashlib
import html
import io
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
FORMATS = ("txt", "jsonl", "csv", "sgm")
PER_FILE = {"jsonl": 10_000, "csv": 10_000, "sgm": 1_000}
MIN_SENTENCES = 4

_SENTENCE = re.compile(r"(?<=[.!?])[\"')]?\s+(?=[\"'(]?[A-Z0-9])")
#: A figure; not the code of an entity, even one that lost its ampersand (``#39;``, ``&#8217;``):
#: redrawn, it would become an entity no source writes (``#105;``).
_NUMBER = re.compile(r"(?<![#\d])\d+(?![\d;])|(?<=#)\d+(?![\d;])")
_REUTERS = re.compile(r"<REUTERS\b.*?</REUTERS>", re.S)
_FIELD = {k: re.compile(rf"<{k}>(.*?)</{k}>", re.S) for k in ("DATE", "TITLE", "DATELINE", "BODY")}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Source:
    """One source article: its title, date, dateline, and sentences per paragraph."""

    family: str
    title: str
    date: dt.date
    dateline: str
    paragraphs: list[list[str]]


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(paragraph.split())) if s.strip()]


def _day(start: dt.date, span: int, key: str) -> dt.date:
    """A date in ``span`` days from ``start``, fixed by ``key`` (for sources that carry none)."""
    return start + dt.timedelta(days=int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % span)


def _bbc(root: Path) -> Iterator[Source]:
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.strip().partition("\n")
        paras = [_sentences(p) for p in re.split(r"\n\s*\n", body) if p.strip()]
        day = _day(dt.date(2004, 1, 1), 730, path.relative_to(root).as_posix())
        yield Source(f"bbc-{path.parent.name}", title.strip(), day, "", [p for p in paras if p])


def _reuters(root: Path) -> Iterator[Source]:
    for path in sorted(root.glob("reut2-*.sgm")):
        text = path.read_bytes().decode("utf-8", "replace")
        for rec in _REUTERS.findall(text):
            body = _FIELD["BODY"].search(rec)
            title = _FIELD["TITLE"].search(rec)
            date = _FIELD["DATE"].search(rec)
            if not (body and title and date):
                continue
            m = re.search(r"(\d{1,2})-([A-Z]{3})-(\d{4})", date.group(1))
            if not m or m[2] not in _MONTHS:
                continue
            day = dt.date(int(m[3]), _MONTHS.index(m[2]) + 1, int(m[1]))
            body_text = html.unescape(body.group(1)).replace("\x03", "")
            body_text = re.sub(r"\s*Reuter\s*$", "", body_text.strip())
            paras = [_sentences(p) for p in re.split(r"\n\s{2,}|\n\s*\n", body_text) if p.strip()]
            dateline = html.unescape(_FIELD["DATELINE"].search(rec).group(1)).strip() if "<DATELINE>" in rec else ""
            yield Source("reuters", html.unescape(title.group(1)).strip(), day, dateline, [p for p in paras if p])


def _ag(path: Path) -> Iterator[Source]:
    with open(path, newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh)):
            if len(row) < 3:
                continue
            day = _day(dt.date(2004, 7, 1), 180, f"ag-{n}")
            sents = _sentences(row[2].replace("\\", " "))
            if sents:
                yield Source("ag-news", row[1].strip(), day, "", [sents])


@functools.cache
def load_sources(corpora: Path) -> list[Source]:
    """Every usable source article of the shared corpora, in a fixed order."""
    out = list(_bbc(corpora / "bbc"))
    out += list(_reuters(corpora / "reuters21578"))
    out += list(_ag(corpora / "ag_news" / "train_subset581.csv"))
    return [s for s in out if s.title and s.paragraphs]


def _redraw(text: str, rng: random.Random) -> str:
    """Every figure redrawn with as many digits (a four-digit year kept as it is)."""

    def repl(m: re.Match[str]) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return digits
        first = str(rng.randint(1, 9)) if len(digits) > 1 or digits != "0" else "0"
        return first + "".join(str(rng.randrange(10)) for _ in range(len(digits) - 1))

    return _NUMBER.sub(repl, text)


@dataclass(frozen=True)
class Article:
    family: str
    title: str
    date: dt.date
    dateline: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        first = (self.dateline + " " if self.dateline else "") + self.paragraphs[0]
        return "\n\n".join([first, *self.paragraphs[1:]])

    outlet: str | None = None

    @property
    def source(self) -> str:
        if self.outlet:
            return self.outlet
        return "Reuters" if self.family == "reuters" else "AG News" if self.family == "ag-news" else "BBC News"


class Family:
    """A family's sentence stream: shuffled passes over its sentences, figures redrawn after the first."""

    def __init__(self, sources: list[Source], rng: random.Random) -> None:
        self.sources = sources
        self.sentences = [(i, s) for i, src in enumerate(sources) for p in src.paragraphs for s in p]
        self.lengths = [max(MIN_SENTENCES, sum(map(len, s.paragraphs))) for s in sources]
        self.para_sizes = [len(p) for s in sources for p in s.paragraphs]
        self.rng = rng
        self.order: list[int] = []
        self.pass_no = -1
        self.pos = 0

    def _next(self) -> tuple[int, str]:
        if self.pos >= len(self.order):
            self.order = list(range(len(self.sentences)))
            self.rng.shuffle(self.order)
            self.pass_no += 1
            self.pos = 0
        src, sent = self.sentences[self.order[self.pos]]
        self.pos += 1
        return src, _redraw(sent, self.rng) if self.pass_no else sent

    def article(self) -> Article:
        n = self.rng.choice(self.lengths)
        picked = [self._next() for _ in range(n)]
        lead = self.sources[picked[0][0]]
        paragraphs: list[str] = []
        while picked:
            k = min(len(picked), self.rng.choice(self.para_sizes))
            paragraphs.append(" ".join(s for _, s in picked[:k]))
            picked = picked[k:]
        title = _redraw(lead.title, self.rng) if self.pass_no else lead.title
        return Article(lead.family, title, lead.date, lead.dateline, paragraphs)


#: Outlets that re-publish another's article (a syndicated copy).
REPUBLISHERS = ("The Daily Courier", "Evening Herald", "Metro Wire", "The Valley Post")


def _copy(art: Article, rng: random.Random) -> Article:
    """A syndicated copy: another outlet's title, one sentence dropped, the last paragraph cut at times."""
    paragraphs = list(art.paragraphs)
    sentences = [(i, sent) for i, p in enumerate(paragraphs) for sent in _sentences(p)]
    drop = rng.randrange(len(sentences))
    kept: dict[int, list[str]] = {}
    for n, (i, sent) in enumerate(sentences):
        if n != drop:
            kept.setdefault(i, []).append(sent)
    paragraphs = [" ".join(kept[i]) for i in sorted(kept)]
    if len(paragraphs) > 2 and rng.random() < 0.5:
        paragraphs = paragraphs[:-1]
    outlet = rng.choice(REPUBLISHERS)
    title = art.title if rng.random() < 0.5 else f"{art.title} | {outlet}"
    day = art.date + dt.timedelta(days=rng.choice((0, 0, 1)))
    return Article(art.family, title, day, art.dateline, paragraphs, outlet)


def remix(corpora: Path, megabytes: float, seed: int, syndicated: float = 0.05) -> Iterator[Article]:
    """Unique articles until their text totals ``megabytes`` MB (10**6 bytes), deterministically.

    A share ``syndicated`` of them are copies of another article of the remix, as
    re-published by another outlet (see :func:`_copy`).
    """
    rng = random.Random(seed)
    sources = load_sources(corpora)
    by_family: dict[str, list[Source]] = {}
    for s in sources:
        by_family.setdefault(s.family, []).append(s)
    names = sorted(by_family)
    families = [Family(by_family[f], random.Random(f"{seed}-{f}")) for f in names]
    weights = [sum(len(x) for s in by_family[f] for p in s.paragraphs for x in p) for f in names]
    target, total, seen = megabytes * 1_000_000, 0, set()
    recent: list[Article] = []
    while total < target:
        if recent and rng.random() < syndicated:
            art = _copy(rng.choice(recent), rng)
        else:
            art = rng.choices(families, weights)[0].article()
            recent = [*recent[-199:], art]
        text = art.title + "\n\n" + art.body + "\n"
        key = hashlib.sha256(text.encode()).digest()
        if key in seen:
            continue
        seen.add(key)
        total += len(text.encode())
        yield art


def _sgm_record(art: Article, newid: int) -> str:
    wrapped = []
    for para in art.paragraphs:
        lines, line = [], ""
        for word in para.split():
            if line and len(line) + 1 + len(word) > 65:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        wrapped.append("\n".join(lines))
    body = html.escape("\n    ".join(wrapped), quote=False)
    date = f"{art.date.day:2d}-{_MONTHS[art.date.month - 1]}-{art.date.year} 12:00:00.00".strip()
    return (
        f'<REUTERS TOPICS="NO" NEWID="{newid}">\n<DATE>{date}</DATE>\n<TEXT>&#2;\n'
        f"<TITLE>{html.escape(art.title, quote=False)}</TITLE>\n"
        f"<DATELINE>    {html.escape(art.dateline or 'LONDON, ' + art.date.strftime('%b %d') + ' -', quote=False)} "
        f"</DATELINE><BODY>{body}\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
    )


class Writer:
    """Writes each article in the chosen formats, splitting the multi-record files."""

    def __init__(self, out: Path, formats: list[str]) -> None:
        self.out, self.formats, self.n = out, formats, 0
        self.bytes = dict.fromkeys(formats, 0)
        self.buffers: dict[str, io.StringIO] = {f: io.StringIO() for f in formats if f != "txt"}
        for f in formats:
            (out / f).mkdir(parents=True, exist_ok=True)
        if "csv" in self.buffers:
            self._csv_header()

    def _csv_header(self) -> None:
        csv.writer(self.buffers["csv"], lineterminator="\n").writerow(["title", "text", "date", "source"])

    def add(self, art: Article) -> None:
        text = art.title + "\n\n" + art.body + "\n"
        if "txt" in self.formats:
            data = text.encode()
            name = f"{self.n:06d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
            (self.out / "txt" / name).write_bytes(data)
            self.bytes["txt"] += len(data)
        row = {"title": art.title, "text": art.body, "date": art.date.isoformat(), "source": art.source}
        if "jsonl" in self.buffers:
            self.buffers["jsonl"].write(json.dumps(row, ensure_ascii=False) + "\n")
        if "csv" in self.buffers:
            csv.writer(self.buffers["csv"], lineterminator="\n").writerow(row.values())
        if "sgm" in self.buffers:
            if self.n % PER_FILE["sgm"] == 0:
                self.buffers["sgm"].write('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n')
            self.buffers["sgm"].write(_sgm_record(art, self.n + 1))
        self.n += 1
        for fmt in self.buffers:
            if self.n % PER_FILE[fmt] == 0:
                self._flush(fmt)

    def _flush(self, fmt: str) -> None:
        buf = self.buffers[fmt]
        if not buf.tell():
            return
        data = buf.getvalue().encode()
        (self.out / fmt / f"remix-{(self.n - 1) // PER_FILE[fmt]:03d}.{fmt}").write_bytes(data)
        self.bytes[fmt] += len(data)
        self.buffers[fmt] = io.StringIO()
        if fmt == "csv":
            self._csv_header()

    def close(self) -> None:
        for fmt in list(self.buffers):
            if self.n % PER_FILE[fmt]:
                self._flush(fmt)


def make_corpus(
    out: Path,
    megabytes: float,
    seed: int = 7,
    formats: list[str] | None = None,
    corpora: Path = CORPORA,
    syndicated: float = 0.05,
) -> dict[str, object]:
    """Write the remix under ``out`` (which must be empty or absent); its manifest."""
    formats = list(formats or FORMATS)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    writer = Writer(out, formats)
    for art in remix(corpora, megabytes, seed, syndicated):
        writer.add(art)
    writer.close()
    manifest = {
        "seed": seed,
        "megabytes": megabytes,
        "syndicated": syndicated,
        "articles": writer.n,
        "bytes": writer.bytes,
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=20.0, help="article text to write, in MB (10**6 bytes)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ",".join(FORMATS))
    ap.add_argument("--syndicated", type=float, default=0.05, help="share of articles that are syndicated copies")
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    args = ap.parse_args(argv)
    if not args.corpora.exists():
        print(f"skipped: the shared corpora are not at {args.corpora}")
        return 0
    formats = [f for f in args.formats.split(",") if f]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        ap.error(f"unknown format(s): {', '.join(sorted(unknown))}")
    print(json.dumps(make_corpus(args.out, args.mb, args.seed, formats, args.corpora, args.syndicated)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
