"""Precision and recall of count extraction on the counts golden set, per count type.

Usage: ``python scripts/counts_eval.py [tests/golden/extract/counts.json]``.
A found count is right when its count type, number and qualifier match an expected one in the
same sentence; object agreement is reported separately.
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


def main() -> None:
    """Print precision and recall per count type and overall."""
    report = evaluate(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
    print(f"{'type':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for t in COUNT_TYPES:
        if report.tp[t] + report.fp[t] + report.fn[t]:
            print(f"{t:<10} {report.tp[t]:>4} {report.fp[t]:>4} {report.fn[t]:>4} "
                  f"{report.precision(t):>10.2f} {report.recall(t):>8.2f}")
    tp = sum(report.tp.values())
    print(f"{'overall':<10} {tp:>4} {sum(report.fp.values()):>4} {sum(report.fn.values()):>4} "
          f"{report.precision():>10.2f} {report.recall():>8.2f}")
    print(f"objects agreeing on matched counts: {report.objects_right}/{tp}")
    for e in report.errors:
        print(e)


if __name__ == "__main__":
    main()
