"""The team's champions: the top of each measure, ties sharing their rank (1, 1, 3), never a bottom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MEASURES = ("visits", "new_customers", "revenue", "satisfaction", "complaints")


@dataclass(frozen=True)
class Place:
    rank: int
    rep: str
    value: float


def ranked(figures: Mapping[str, float]) -> list[Place]:
    """Everyone with something, best first; ties share their rank (1, 1, 3)."""
    ordered = sorted(
        ((value, rep) for rep, value in figures.items() if value > 0), key=lambda pair: (-pair[0], pair[1])
    )
    places: list[Place] = []
    for position, (value, rep) in enumerate(ordered, 1):
        rank = places[-1].rank if places and places[-1].value == value else position
        places.append(Place(rank, rep, value))
    return places


def top(figures: Mapping[str, float], shown: int) -> list[Place]:
    """Those ranked `shown` or better (every one tied at a shown rank too); nobody with nothing."""
    return [place for place in ranked(figures) if place.rank <= shown]
