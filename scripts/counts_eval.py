"""Precision and recall of count extraction on a golden set of labelled sentences, per count type and per field.

Usage: ``python scripts/counts_eval.py [tests/golden/extract/counts.json | tests/golden/extract/counts_sample.json]``.

Per count type, a found count is right when its count type, number and qualifier match an expected one
in the same sentence; object agreement is reported separately. Per field, a found count is present when
its number matches an expected count of the same sentence (paired by type first): presence precision
and recall come from those pairs, and each field (type, number, object, qualifier) is right or not on
each pair; "all fields" is the share of expected counts found with every field right.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contract.vocab import COUNT_TYPES  # noqa: E402
from transforms.extract.counts import find_counts  # noqa: E402
from transforms.extract.numbers import find_numbers  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "extract" / "counts.json"


@dataclass
class Report:
    """True positives, false positives and false negatives per count type, and object agreement."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    objects_right: int = 0
    errors: list[str] = field(default_factory=list)

    def precision(self, t: str | None = None) -> float:
        """Precision for one count type, or overall."""
        tp = self.tp[t] if t else sum(self.tp.values())
        fp = self.fp[t] if t else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, t: str | None = None) -> float:
        """Recall for one count type, or overall."""
        tp = self.tp[t] if t else sum(self.tp.values())
        fn = self.fn[t] if t else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 1.0


def found_counts(text: str) -> list[tuple[str, float, str | None, str]]:
    """(count_type, number, object, qualifier) of every count found in ``text``."""
    return [(c.count_type, c.number, c.object, c.qualifier) for c in find_counts(text, find_numbers(text))]


def evaluate(path: Path = GOLDEN) -> Report:
    """Compare extraction with every case of the golden file."""
    report = Report()
    for case in json.loads(path.read_text())["cases"]:
        want = [(c["count_type"], float(c["number"]), c["object"], c["qualifier"]) for c in case["counts"]]
        got = found_counts(case["text"])
        unmatched = list(want)
        for g in got:
            hit = next((w for w in unmatched if w[0] == g[0] and w[1] == g[1] and w[3] == g[3]), None)
            if hit:
                unmatched.remove(hit)
                report.tp[g[0]] += 1
                report.objects_right += hit[2] == g[2]
            else:
                report.fp[g[0]] += 1
                report.errors.append(f"FP {g} in: {case['text'][:90]}")
        for w in unmatched:
            report.fn[w[0]] += 1
            report.errors.append(f"FN {w} in: {case['text'][:90]}")
    return report


FIELDS = ("count_type", "number", "object", "qualifier")


@dataclass
class FieldReport:
    """Presence of counts (found vs expected, paired by number) and agreement of each field on the pairs."""

    found: int = 0
    expected: int = 0
    present: int = 0
    right: Counter[str] = field(default_factory=Counter)
    all_right: int = 0
    errors: list[str] = field(default_factory=list)

    def precision(self) -> float:
        """Share of found counts that are counts of the sentence."""
        return self.present / self.found if self.found else 1.0

    def recall(self) -> float:
        """Share of expected counts found."""
        return self.present / self.expected if self.expected else 1.0

    def field_rate(self, name: str) -> float:
        """Share of expected counts found with this field right."""
        return self.right[name] / self.expected if self.expected else 1.0

    def all_fields(self) -> float:
        """Share of expected counts found with type, number, object and qualifier all right."""
        return self.all_right / self.expected if self.expected else 1.0


def evaluate_fields(path: Path = GOLDEN) -> FieldReport:
    """Presence and per-field agreement over every case of a golden file (xfail cases included)."""
    report = FieldReport()
    for case in json.loads(path.read_text())["cases"]:
        want = [(c["count_type"], float(c["number"]), c["object"], c["qualifier"]) for c in case["counts"]]
        got = found_counts(case["text"])
        report.found += len(got)
        report.expected += len(want)
        left = list(want)
        for g in sorted(got, key=lambda g: g not in want):  # exact matches pair first
            hit = (
                next((w for w in left if w == g), None)
                or next((w for w in left if w[1] == g[1] and w[0] == g[0]), None)
                or next((w for w in left if w[1] == g[1]), None)
            )
            if hit is None:
                report.errors.append(f"FP {g} in: {case['text'][:100]!r}")
                continue
            left.remove(hit)
            report.present += 1
            same = [a == b for a, b in zip(g, hit, strict=True)]
            for name, ok in zip(FIELDS, same, strict=True):
                report.right[name] += ok
            report.all_right += all(same)
            if not all(same):
                report.errors.append(f"FIELD want {hit} got {g} in: {case['text'][:100]!r}")
        report.errors += [f"FN {w} in: {case['text'][:100]!r}" for w in left]
    return report


def main() -> None:
    """Print precision and recall per count type and overall, then presence and per-field figures."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN
    report = evaluate(path)
    print(f"{'type':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for t in COUNT_TYPES:
        if report.tp[t] + report.fp[t] + report.fn[t]:
            print(f"{t:<10} {report.tp[t]:>4} {report.fp[t]:>4} {report.fn[t]:>4} "
                  f"{report.precision(t):>10.2f} {report.recall(t):>8.2f}")
    tp = sum(report.tp.values())
    print(f"{'overall':<10} {tp:>4} {sum(report.fp.values()):>4} {sum(report.fn.values()):>4} "
          f"{report.precision():>10.2f} {report.recall():>8.2f}")
    print(f"objects agreeing on matched counts: {report.objects_right}/{tp}")
    fields = evaluate_fields(path)
    print(f"presence: {fields.present} of {fields.found} found, {fields.present} of {fields.expected} expected: "
          f"precision {fields.precision():.3f}, recall {fields.recall():.3f}")
    for name in FIELDS:
        print(f"  {name:<10} right in {fields.right[name]}/{fields.expected} = {fields.field_rate(name):.3f}")
    print(f"  all fields right in {fields.all_right}/{fields.expected} = {fields.all_fields():.3f}")
    for e in fields.errors:
        print(e)


if __name__ == "__main__":
    main()
