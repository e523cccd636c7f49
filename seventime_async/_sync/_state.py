"""Which walk a family's sync does next (pure): resume, incremental or full.

- A walk that was interrupted is resumed from its saved cursor, as the same walk (same
  kind, ``since``, start time and scan number), so a crash costs at most one page.
- Otherwise a full scan when one is asked for, when the family has no ``lastModified``
  (nothing else finds its changes), when it never had one, or when the last is older
  than ``full_every`` (incremental walks cannot see deletions).
- Otherwise an incremental walk from the high-water mark.

``--full`` abandons an interrupted *incremental* walk for a full scan (which covers it);
an interrupted full scan is finished first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import attrs

__all__ = ["FamilyState", "Walk", "WalkKind", "plan_walk"]

WalkKind = Literal["full", "incremental"]


@attrs.frozen
class FamilyState:
    """One family's row of ``sync_state``: the walk in progress, if any, and the marks."""

    walk: WalkKind | None = None
    cursor: str | None = None
    walk_since: datetime | None = None
    walk_started_at: datetime | None = None
    scan: int = 0
    high_water: datetime | None = None
    last_full_scan: datetime | None = None


@attrs.frozen
class Walk:
    """The walk a family's sync does: its kind, the scan number a full walk stamps on the
    rows it sees, ``since`` for an incremental one, and when it began (the next mark)."""

    kind: WalkKind
    scan: int
    started_at: datetime
    since: datetime | None = None
    cursor: str | None = None  # where an interrupted walk resumes
    resumed: bool = False


def plan_walk(
    state: FamilyState,
    *,
    incremental: bool,
    full: bool,
    full_every: timedelta,
    now: datetime,
) -> Walk:
    """The next walk for a family in ``state`` (see the module's rules)."""
    kind, started = state.walk, state.walk_started_at
    if kind is not None and started is not None and not (full and kind == "incremental"):
        return Walk(
            kind=kind,
            scan=state.scan,
            started_at=started,
            since=state.walk_since,
            cursor=state.cursor,
            resumed=True,
        )
    due = (
        full
        or not incremental
        or state.high_water is None
        or state.last_full_scan is None
        or now - state.last_full_scan >= full_every
    )
    if due:
        return Walk(kind="full", scan=state.scan + 1, started_at=now)
    return Walk(kind="incremental", scan=state.scan, started_at=now, since=state.high_water)
