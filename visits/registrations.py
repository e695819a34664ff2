"""What the visits app adds to the pages and tasks of the apps below it (panels, digest)."""

from __future__ import annotations


def register() -> None:
    pass
