"""Precision and recall of the link step on the labelled BBC + Reuters pairs (tests/golden/link/precision).

Usage: ``python scripts/link_eval.py [--show-errors] [--drawn-from before|after|after_final|reading]``.
Loads the corpora the way ``benchmarks/bench_link.py`` does (no counts: facts from the counts table play no part), runs
the link step, and prints for each relation the share of labelled pairs it links that are
labelled right (copies for exact_duplicate, near_duplicate and syndicated; copies or one story
for same_story and for story membership), and the share of the pairs found by reading that it
puts in one story (recall, on pairs drawn at random from those with one title within three
days, whatever the linker did with them). See the README beside the labels for how they were drawn.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "golden" / "link" / "precision" / "pairs.jsonl"
#: Labels that make a link of each kind right.
RIGHT = {
    "exact_duplicate": {"copy"},
    "near_duplicate": {"copy"},
    "syndicated": {"copy"},
    "same_story": {"copy", "story"},
    "story membership": {"copy", "story"},
}
#: Acceptance bars (precision) where the project sets one.
BARS = {"syndicated": 0.95, "near_duplicate": 0.97, "story membership": 0.90}


def doc_id(uri: str) -> str:
    """The document id the benchmark loader gives a source uri."""
    return hashlib.sha256(uri.encode()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true", help="list the labelled pairs linked wrongly")
    parser.add_argument(
        "--drawn-from",
        choices=["before", "after", "after_final", "reading"],
        help="measure precision only on the pairs drawn from this source (default: all labelled pairs)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_link import CORPORA, load_corpus

    from contract.schema import TABLES
    from transforms.link.link import link

    if not (CORPORA / "bbc").exists():
        print(f"skipped: {CORPORA} is absent")
        return 0
    labelled: dict[tuple[str, str], dict] = {}
    random_sample: dict[tuple[str, str], dict] = {}  # pairs with one title in the same days, drawn at random
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if args.drawn_from in (None, row["drawn_from"]):
            labelled.setdefault((row["a"], row["b"]), row)  # a pair drawn twice counts once
        if row["drawn_as"] == "same_title_random":
            random_sample[(row["a"], row["b"])] = row
    docs = load_corpus()
    out = link(docs, TABLES["counts"].arrow_schema.empty_table(), TABLES["numbers"].arrow_schema.empty_table())
    relation = {(r["doc_id_a"], r["doc_id_b"]): r["relation"] for r in out["doc_links"].to_pylist()}
    story = {r["doc_id"]: r["story_id"] for r in out["doc_story"].to_pylist()}

    linked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    errors = []
    found: Counter[str] = Counter()
    for (a, b), row in random_sample.items():
        ia, ib = sorted((doc_id(a), doc_id(b)))
        if row["label"] != "unrelated":
            found[row["label"]] += 1
            found[row["label"] + " in one story"] += story[ia] == story[ib]
            found[row["label"] + " linked"] += (ia, ib) in relation
    for (a, b), row in labelled.items():
        ia, ib = sorted((doc_id(a), doc_id(b)))
        kinds = [k for k in (relation.get((ia, ib)),) if k] + (["story membership"] if story[ia] == story[ib] else [])
        for kind in kinds:
            linked[kind] += 1
            ok = row["label"] in RIGHT[kind]
            right[kind] += ok
            if not ok:
                errors.append((kind, row))
    print(f"labelled pairs: {len(labelled)} ({Counter(r['label'] for r in labelled.values())})")
    print(f"{'relation':<18} {'linked':>7} {'right':>6} {'precision':>9}  bar")
    for kind in ("exact_duplicate", "near_duplicate", "syndicated", "same_story", "story membership"):
        n = linked[kind]
        precision = right[kind] / n if n else float("nan")
        bar = BARS.get(kind)
        verdict = "" if bar is None else f">= {bar:.2f} {'met' if precision >= bar else 'NOT met'}"
        print(f"{kind:<18} {n:>7} {right[kind]:>6} {precision:>9.3f}  {verdict}")
    for truth in ("copy", "story"):
        n = found[truth]
        if not n:
            continue
        print(
            f"recall on the {n} pairs found by reading (one title, within days) labelled {truth}: "
            f"{found[truth + ' in one story'] / n:.3f} in one story, {found[truth + ' linked'] / n:.3f} linked directly"
        )
    if args.show_errors:
        for kind, row in errors:
            print(f"  {kind}: {row['a']} ~ {row['b']} labelled {row['label']}: {row['title_a']} | {row['title_b']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
