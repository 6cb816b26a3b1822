"""Draw malformed figures from Reuters-21578 and BBC for a person to label.

Usage: ``python scripts/malformed_sample.py [--seed 1987] [--n 40]``; needs ``../shared/corpora``.

Every number of every document (cleaned as the pipeline does) that extraction flags ``is_malformed`` is
listed; ``random.Random(seed)`` draws ``n`` of them (all when there are fewer), printed as JSON lines with
the source, doc_id, offsets of the figure, its surface, value and suggestion, and the sentence around it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counts_sample import documents, sentences  # noqa: E402

from transforms.extract.numbers import find_numbers  # noqa: E402


def malformed() -> list[dict]:
    """Every malformed figure of the two corpora, in document order."""
    out = []
    for uri, doc_id, text in documents():
        bad = [n for n in find_numbers(text) if n.is_malformed]
        for n in bad:
            s, e = next(((s, e) for s, e in sentences(text) if s <= n.start < e), (n.start, n.end))
            out.append({"source": uri, "doc_id": doc_id, "start": n.start, "end": n.end, "surface": n.surface,
                        "value": n.value, "suggested_value": n.suggested_value, "sentence": text[s:e]})
    return out


def main() -> None:
    """Print the drawn figures as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1987)
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    rows = malformed()
    print(f"{len(rows)} malformed figures", file=sys.stderr)
    drawn = random.Random(args.seed).sample(rows, min(args.n, len(rows)))
    print("\n".join(json.dumps(r, ensure_ascii=False) for r in drawn))


if __name__ == "__main__":
    main()
