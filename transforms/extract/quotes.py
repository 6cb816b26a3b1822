"""Quotations with speaker and reporting verb (stub)."""

from __future__ import annotations

from dataclasses import dataclass

PREFILTER = "[\"\u201c\u201d]"


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation."""

    start: int
    end: int
    quote: str
    speaker: str | None
    verb: str | None


def find_quotes(text: str, people: list[tuple[int, int, str]]) -> list[Quote]:
    """Quotations in ``text``."""
    return []
