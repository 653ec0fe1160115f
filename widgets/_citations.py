"""The sources a page has cited so far, so that its reference list is what the page actually cited.

A lesson runs in one kernel (one per page in Voila), top to bottom. Every in-text citation
(``render.short_cite``) and every widget that shows evidence notes its sources here; the page's
closing ``references(...)`` lists them, with any sources the call names explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

_cited: dict[str, None] = {}  # insertion-ordered set


def note(source_ids: Iterable[str]) -> None:
    """Record that the page cites these sources."""
    for source_id in source_ids:
        _cited[source_id] = None


def cited() -> list[str]:
    """The sources cited so far, in order of first citation."""
    return list(_cited)


def forget() -> None:
    """Start a new page (tests, and a notebook that is run again from the top)."""
    _cited.clear()
