"""Draw the labelled counts sample from Reuters-21578 and BBC: sentences to read and label by hand.

Usage: ``python scripts/counts_sample.py [--seed 1987] [--out FILE]``; needs ``../shared/corpora``.

Every document of the two corpora is parsed and cleaned as the pipeline does, cut into sentences, and
each sentence that holds a count trigger word (:data:`transforms.extract.counts.PREFILTER`) falls in one
of three strata:

- ``found``: the extractor finds at least one count in the sentence;
- ``missed``: no count is found, but a number that could be a count (no unit, not a year) lies in the
  sentence -- where counts the extractor misses are;
- ``no_number``: no count and no such number (the trigger word alone).

With ``random.Random(seed)`` the script draws ``found`` sentences until they hold 200 found counts, then
150 ``missed`` and 40 ``no_number`` sentences, and prints them as JSON lines (stratum, source, doc_id,
start, end, text, and the counts found) for a person to label. The strata depend on the extractor that
draws them; the golden file records the commit the sample was drawn at.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.batch import doc_id_of  # noqa: E402
from transforms.clean.clean import clean_texts  # noqa: E402
from transforms.extract.counts import _TRIGGER_RE, find_counts  # noqa: E402
from transforms.extract.numbers import find_numbers  # noqa: E402
from transforms.load.parse import Record, parse  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
#: A sentence ends at '.', '!' or '?' (and a closing quote) before a space and a capital, a quote or a
#: digit -- unless the word before is an initial or a common abbreviation -- or at a blank line.
_ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Gen|Lt|Col|Co|"
                     r"Corp|Inc|Ltd|No|vs|U\.S|U\.K|Rep|Sen|Gov|Prof|Jr|Sr))\.$")
_END = re.compile(r"[.!?][\"')]?(?=\s+[\"'A-Z0-9])|\n\s*\n|\n[ \t]+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence of ``text``."""
    out, start = [], 0
    for m in _END.finditer(text):
        if m.group().startswith(".") and _ABBREV.search(text, max(0, m.start() - 5), m.start() + 1):
            continue
        end = m.end() if not m.group().startswith("\n") else m.start()
        out.append((start, end))
        start = m.end()
    out.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in out if text[s:e].strip()]


def documents() -> list[tuple[str, str, str]]:
    """(source, doc_id, clean text) of every Reuters-21578 and BBC document, in path order."""
    if not CORPORA.exists():
        sys.exit(f"needs {CORPORA} (the shared corpora beside the repository)")
    recs: list[tuple[str, Record]] = []
    for f in sorted((CORPORA / "reuters21578").glob("*.sgm")):
        recs += [(r.source_uri, r) for r in parse(f.read_bytes(), f.name, "sgm") if isinstance(r, Record)]
    for f in sorted((CORPORA / "bbc").rglob("*.txt")):
        if f.name != "README.TXT":
            rel = str(f.relative_to(CORPORA))
            recs += [(rel, r) for r in parse(f.read_bytes(), rel, "txt") if isinstance(r, Record)]
    sources = [str(r.metadata.get("outlet") or Path(uri.split("#")[0]).parent.name) for uri, r in recs]
    cleaned = clean_texts([r.raw_text for _, r in recs], sources=sources)
    return [(uri, doc_id_of(r.raw_text), text) for (uri, r), text in zip(recs, cleaned.clean_text, strict=True)]


_MONTH = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|"
                    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+$")


def _maybe_count(text: str) -> bool:
    """Whether ``text`` holds a number without a unit that is neither a bare year nor a day of a month."""
    return any(n.unit is None and n.value and not (n.surface.isdigit() and 1800 <= n.value <= 2100)
               and not _MONTH.search(text[max(0, n.start - 12):n.start])
               and not re.match(r"\s+(?:January|February|March|April|May|June|July|August|September|October|"
                                r"November|December)\b", text[n.end:])
               for n in find_numbers(text))


def strata() -> dict[str, list[dict]]:
    """Every sentence with a trigger word, by stratum."""
    out: dict[str, list[dict]] = {"found": [], "missed": [], "no_number": []}
    for uri, doc_id, text in documents():
        for s, e in sentences(text):
            sent = text[s:e]
            if len(sent) > 500 or not _TRIGGER_RE.search(sent):
                continue
            found = [c._asdict() for c in find_counts(sent, find_numbers(sent))]
            row = {"source": uri, "doc_id": doc_id, "start": s, "end": e, "text": sent, "found": found}
            out["found" if found else "missed" if _maybe_count(sent) else "no_number"].append(row)
    return out


def draw(seed: int, pools: dict[str, list[dict]] | None = None) -> list[dict]:
    """The sample: found sentences up to 200 counts, then 150 missed and 40 no-number sentences."""
    rng = random.Random(seed)
    pools = pools or strata()
    sample, n_counts = [], 0
    for row in rng.sample(pools["found"], len(pools["found"])):
        if n_counts >= 200:
            break
        sample.append({"stratum": "found", **row})
        n_counts += len(row["found"])
    sample += [{"stratum": "missed", **r} for r in rng.sample(pools["missed"], 150)]
    sample += [{"stratum": "no_number", **r} for r in rng.sample(pools["no_number"], 40)]
    print({k: len(v) for k, v in pools.items()}, file=sys.stderr)
    return sample


def main() -> None:
    """Print the drawn sentences as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1987)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--pools", type=Path, help="also write every sentence of the three strata here")
    args = ap.parse_args()
    pools = strata()
    if args.pools:
        args.pools.write_text(json.dumps(pools, ensure_ascii=False), encoding="utf-8")
    lines = [json.dumps(r, ensure_ascii=False) for r in draw(args.seed, pools)]
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
