"""The one 07:30 digest per account manager (VIS-6): the follow-ups of clients, and the sections
apps above clients add (visits due, key accounts past their cadence).

clients cannot import those apps, so each registers its section from its AppConfig.ready(). A
section reads, set-based, what each account manager has due ``today``; it writes nothing (its own
per-item notifications are its app's business).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DigestSection:
    name: str
    lines: Callable[[date], dict[int, list[str]]]  # today -> {owner id: the lines of the digest}
    heading: Callable[[int], str]  # the number of lines -> a heading ("3 visits are due")
    link: Callable[[], str]  # where the digest leads when this is its only section
    order: int = 50


_sections: list[DigestSection] = []


def register(section: DigestSection) -> None:
    """Add a section; registering the same name again replaces it (a reloaded app)."""
    _sections[:] = [s for s in _sections if s.name != section.name]
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sections() -> list[DigestSection]:
    return list(_sections)


def collect(today: date) -> dict[int, list[tuple[DigestSection, list[str]]]]:
    """Each account manager's non-empty sections, in order: one call (a few queries) per section."""
    found: dict[int, list[tuple[DigestSection, list[str]]]] = defaultdict(list)
    for section in _sections:
        for owner_id, lines in section.lines(today).items():
            if lines:
                found[owner_id].append((section, lines))
    return found
