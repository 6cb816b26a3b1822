"""People, organisations and places (stub)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity."""

    start: int
    end: int
    kind: str
    surface: str
    name: str


@dataclass(frozen=True, slots=True)
class Place:
    """A geocoded place mention."""

    start: int
    end: int
    surface: str
    name: str
    country_code: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Found:
    """Entities, places and people of one document."""

    entities: list[Entity] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    people: list[tuple[int, int, str]] = field(default_factory=list)


def find_entities(text: str) -> Found:
    """Entities in ``text``."""
    return Found()
