"""The sync database's schema and its migrations, for SQLite and PostgreSQL (pure).

Version history (one migration per step; a fresh database runs them all, so the upgrade
path is the path every database takes):

1. ``sync_state`` (cursor, high-water mark, last full scan), ``sync_runs``, and one table
   per family keyed by ``(account, id)``.
2. Crash-safe deletions: a full scan stamps every row it sees with its scan number
   (``seen_scan``), so the rows it did not see can be marked deleted even when the scan
   was interrupted and resumed in another process. ``sync_state`` records the walk in
   progress (its kind, ``since``, start time and scan); ``sync_runs`` which worker ran.
   A cursor saved by version 1 cannot say which scan it belonged to: its walk restarts.

Statements use ``?`` placeholders; the PostgreSQL store numbers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

__all__ = [
    "POSTGRES",
    "SCHEMA_VERSION",
    "SQLITE",
    "SqlDialect",
    "family_table",
    "migrations",
    "numbered",
]


@attrs.frozen
class SqlDialect:
    """Where SQLite and PostgreSQL differ, as far as this schema is concerned."""

    name: str
    json: str
    time: str
    serial: str


SQLITE = SqlDialect(name="sqlite", json="TEXT", time="TEXT", serial="INTEGER PRIMARY KEY")
POSTGRES = SqlDialect(
    name="postgresql",
    json="JSONB",
    time="TIMESTAMPTZ",
    serial="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
)


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (no statement here has a literal ?)."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def family_table(d: SqlDialect, family: str) -> str:
    """A family's table as the current version shapes it. ``data`` is the record exactly
    as the API sent it; ``deleted_at`` is set, never a row dropped, when a full scan no
    longer finds it; ``seen_scan`` is the last full scan that found it."""
    return (
        f'CREATE TABLE IF NOT EXISTS "{family}" ('
        "account TEXT NOT NULL, id TEXT NOT NULL, "
        f"data {d.json} NOT NULL, modified_at {d.time}, synced_at {d.time} NOT NULL, "
        f"deleted_at {d.time}, seen_scan BIGINT, "
        "PRIMARY KEY (account, id))"
    )


def _version_1(d: SqlDialect, _families: Iterable[str]) -> list[str]:
    return [
        "CREATE TABLE sync_state (account TEXT NOT NULL, family TEXT NOT NULL, cursor TEXT, "
        f"high_water {d.time}, last_full_scan {d.time}, PRIMARY KEY (account, family))",
        f"CREATE TABLE sync_runs (id {d.serial}, account TEXT NOT NULL, "
        f"started_at {d.time} NOT NULL, finished_at {d.time}, counts {d.json}, error TEXT)",
    ]


def _version_2(d: SqlDialect, families: Iterable[str]) -> list[str]:
    return [
        "ALTER TABLE sync_state ADD COLUMN walk TEXT",
        f"ALTER TABLE sync_state ADD COLUMN walk_since {d.time}",
        f"ALTER TABLE sync_state ADD COLUMN walk_started_at {d.time}",
        "ALTER TABLE sync_state ADD COLUMN scan BIGINT NOT NULL DEFAULT 0",
        "UPDATE sync_state SET cursor = NULL",
        "ALTER TABLE sync_runs ADD COLUMN worker TEXT",
        *(f'ALTER TABLE "{family}" ADD COLUMN seen_scan BIGINT' for family in families),
    ]


#: Version -> the statements that bring version - 1 up to it, given the family tables
#: that exist before it runs.
_MIGRATIONS: dict[int, Callable[[SqlDialect, Iterable[str]], list[str]]] = {
    1: _version_1,
    2: _version_2,
}
SCHEMA_VERSION = max(_MIGRATIONS)

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
)


def migrations(d: SqlDialect, current: int, families: Iterable[str]) -> list[tuple[int, list[str]]]:
    """The steps from version ``current`` to :data:`SCHEMA_VERSION`, each with its
    statements. ``families`` are the family tables that exist now."""
    existing = list(families)
    return [(v, _MIGRATIONS[v](d, existing)) for v in range(current + 1, SCHEMA_VERSION + 1)]
