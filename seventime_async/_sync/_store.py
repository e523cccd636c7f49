"""What a sync store keeps, and the SQL that keeps it, shared by SQLite and PostgreSQL.

A store holds, per account and family, the records (one table per family), the walk in
progress (its cursor, written in the same transaction as the page it follows) and the
high-water mark; and a row per run. Subclasses supply a connection, a transaction and
the value encodings of their database; every statement is written once, here.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs
import orjson

from .._endpoints import ENDPOINTS
from .._errors import SevenTimeError, ValidationError
from ._schema import MIGRATIONS_TABLE, SCHEMA_VERSION, SqlDialect, family_table, migrations
from ._state import FamilyState, Walk

__all__ = [
    "AccountBusyError",
    "PageCounts",
    "Store",
    "StoreError",
    "Transaction",
]


#: Every family of every version has its table, so that a migration reaches them all.
FAMILIES = tuple(e.name for e in ENDPOINTS)


class StoreError(SevenTimeError):
    """The database could not be opened, migrated or written (a local problem, not the API's)."""


class AccountBusyError(SevenTimeError):
    """Another sync holds this account (in this process, or another on the same database)."""


@attrs.frozen
class PageCounts:
    created: int = 0  # new, or back after being marked deleted
    updated: int = 0
    unchanged: int = 0


class Transaction(Protocol):
    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; the number of rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]: ...


class Store(abc.ABC):
    """Base of :class:`SqliteStore` and :class:`PostgresStore`. Use as ``async with``."""

    dialect: SqlDialect

    # -- what subclasses supply ---------------------------------------------------------

    @abc.abstractmethod
    async def _connect(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connections. Idempotent."""

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractAsyncContextManager[Transaction]:
        """One transaction; committed when the block ends, rolled back if it raises."""

    async def _still_held(self, tx: Transaction, account: str) -> None:  # noqa: B027
        """Within ``tx``: refuse it if this process no longer holds ``account`` (a lock
        that can be lost without the holder dying)."""

    async def _prepare(self, tx: Transaction) -> None:  # noqa: B027 (most need nothing)
        """Before migrating, within ``tx``: whatever serialises migrations between
        processes and makes a place for the tables."""

    @abc.abstractmethod
    async def _existing_tables(self, tx: Transaction) -> set[str]: ...

    @abc.abstractmethod
    def lock_account(self, account: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold ``account`` for one sync; :class:`AccountBusyError` if another holds it.
        A holder that dies (even ``kill -9``) lets go at once."""

    def _time(self, value: datetime | None) -> Any:
        """A timestamp as the database takes it."""
        return value

    def _read_time(self, value: Any) -> datetime | None:
        return value  # type: ignore[no-any-return]

    def _json(self, value: Any) -> Any:
        return orjson.dumps(value).decode()

    def _storable(self, where: str, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` (``where``: account/family/id, for a log line) as this database
        can keep it."""
        return record

    @abc.abstractmethod
    def _in_ids(self, column: str) -> str:
        """SQL testing ``column`` against one parameter holding a list of ids."""

    @abc.abstractmethod
    def _ids(self, ids: list[str]) -> Any:
        """The parameter :meth:`_in_ids` reads."""

    # -- lifecycle ------------------------------------------------------------------------

    async def open(self) -> Store:
        """Connect, migrate to the current schema, and create the family tables."""
        await self._connect()
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aenter__(self) -> Store:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def _writing(self, account: str) -> AsyncIterator[Transaction]:
        """A transaction that writes ``account``'s rows: every one checks first that the
        account is still held, so a worker that lost its lock cannot undo another's work."""
        async with self._transaction() as tx:
            await self._still_held(tx, account)
            yield tx

    async def _migrate(self) -> None:
        async with self._transaction() as tx:
            await self._prepare(tx)
            await tx.execute(MIGRATIONS_TABLE)
            rows = await tx.fetch("SELECT MAX(version) FROM schema_migrations")
            current = rows[0][0] or 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the database's schema is version {current}, newer than this library's "
                    f"{SCHEMA_VERSION}: upgrade seventime-async to use it"
                )
            existing = await self._existing_tables(tx)
            tables = [f for f in FAMILIES if f in existing]
            for version, statements in migrations(self.dialect, current, tables):
                for statement in statements:
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    version,
                    _now().isoformat(),
                )
            for family in FAMILIES:
                await tx.execute(family_table(self.dialect, family))

    async def schema_version(self) -> int:
        async with self._transaction() as tx:
            rows = await tx.fetch("SELECT MAX(version) FROM schema_migrations")
        return int(rows[0][0])

    # -- runs -----------------------------------------------------------------------------

    async def start_run(self, account: str, worker: str, started_at: datetime) -> int:
        async with self._writing(account) as tx:
            rows = await tx.fetch(
                "INSERT INTO sync_runs (account, started_at, worker) VALUES (?, ?, ?) RETURNING id",
                account,
                self._time(started_at),
                worker,
            )
        return int(rows[0][0])

    async def finish_run(self, run: int, counts: Any, error: str | None) -> None:
        async with self._transaction() as tx:
            await tx.execute(
                "UPDATE sync_runs SET finished_at = ?, counts = ?, error = ? WHERE id = ?",
                self._time(_now()),
                self._json(counts),
                error,
                run,
            )

    # -- one family -----------------------------------------------------------------------

    async def state(self, account: str, family: str) -> FamilyState:
        async with self._transaction() as tx:
            rows = await tx.fetch(
                "SELECT walk, cursor, walk_since, walk_started_at, scan, high_water, "
                "last_full_scan FROM sync_state WHERE account = ? AND family = ?",
                account,
                family,
            )
        if not rows:
            return FamilyState()
        walk, cursor, since, started, scan, high_water, full = rows[0]
        return FamilyState(
            walk=walk,
            cursor=cursor,
            walk_since=self._read_time(since),
            walk_started_at=self._read_time(started),
            scan=int(scan),
            high_water=self._read_time(high_water),
            last_full_scan=self._read_time(full),
        )

    async def begin_walk(self, account: str, family: str, walk: Walk) -> None:
        """Record the walk about to start, so a crash mid-walk resumes this same walk."""
        async with self._writing(account) as tx:
            await tx.execute(
                "INSERT INTO sync_state (account, family, walk, cursor, walk_since, "
                "walk_started_at, scan) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (account, family) DO UPDATE SET walk = excluded.walk, "
                "cursor = excluded.cursor, walk_since = excluded.walk_since, "
                "walk_started_at = excluded.walk_started_at, scan = excluded.scan",
                account,
                family,
                walk.kind,
                walk.cursor,
                self._time(walk.since),
                self._time(walk.started_at),
                walk.scan,
            )

    async def write_page(
        self,
        account: str,
        family: str,
        records: Mapping[str, tuple[dict[str, Any], datetime | None]],
        *,
        cursor: str,
        scan: int | None,
    ) -> PageCounts:
        """Upsert one page (id -> record and its modification time) and save the walk's
        cursor after it, in one transaction. A full scan passes its ``scan`` number,
        stamped on every row it sees; a row whose data did not change is not rewritten."""
        table = _table(family)
        now = self._time(_now())
        async with self._writing(account) as tx:
            stored = {
                row[0]: (row[1], row[2])
                for row in await tx.fetch(
                    f"SELECT id, data, deleted_at FROM {table} "
                    f"WHERE account = ? AND {self._in_ids('id')}",
                    account,
                    self._ids(list(records)),
                )
            }
            changed: list[tuple[Any, ...]] = []
            same: list[str] = []
            created = 0
            for item_id, (served, modified_at) in records.items():
                record = self._storable(f"{account}/{family}/{item_id}", served)
                old = stored.get(item_id)
                if old is None or old[1] is not None:
                    created += 1
                elif orjson.loads(old[0]) == record:
                    same.append(item_id)
                    continue
                changed.append(
                    (
                        account,
                        item_id,
                        self._json(record),
                        self._time(modified_at),
                        now,
                        scan,
                    )
                )
            if changed:
                await tx.executemany(
                    f"INSERT INTO {table} (account, id, data, modified_at, synced_at, "
                    "seen_scan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, id) DO UPDATE "
                    "SET data = excluded.data, modified_at = excluded.modified_at, "
                    "synced_at = excluded.synced_at, deleted_at = NULL, "
                    f"seen_scan = COALESCE(excluded.seen_scan, {table}.seen_scan)",
                    changed,
                )
            if same and scan is not None:
                await tx.execute(
                    f"UPDATE {table} SET seen_scan = ? WHERE account = ? AND {self._in_ids('id')}",
                    scan,
                    account,
                    self._ids(same),
                )
            await tx.execute(
                "UPDATE sync_state SET cursor = ? WHERE account = ? AND family = ?",
                cursor,
                account,
                family,
            )
        return PageCounts(created, len(changed) - created, len(same))

    async def finish_walk(
        self, account: str, family: str, walk: Walk, high_water: datetime | None
    ) -> int:
        """End the walk: a full scan marks the rows it did not see as deleted; the marks
        move. One transaction. Returns how many rows were marked deleted."""
        async with self._writing(account) as tx:
            deleted = 0
            if walk.kind == "full":
                deleted = await tx.execute(
                    f"UPDATE {_table(family)} SET deleted_at = ? WHERE account = ? "
                    "AND deleted_at IS NULL AND (seen_scan IS NULL OR seen_scan <> ?)",
                    self._time(_now()),
                    account,
                    walk.scan,
                )
            full_scan = "last_full_scan = ?, " if walk.kind == "full" else ""
            await tx.execute(
                "UPDATE sync_state SET walk = NULL, cursor = NULL, walk_since = NULL, "
                f"walk_started_at = NULL, {full_scan}high_water = ? "
                "WHERE account = ? AND family = ?",
                *([self._time(walk.started_at)] if walk.kind == "full" else []),
                self._time(high_water),
                account,
                family,
            )
        return deleted

    # -- reading back (tests, tools) --------------------------------------------------------

    async def records(
        self, account: str, family: str, *, deleted: bool = False
    ) -> dict[str, dict[str, Any]]:
        """The family's rows for ``account``, by id: the live ones, or the deleted ones."""
        condition = "IS NOT NULL" if deleted else "IS NULL"
        async with self._transaction() as tx:
            rows = await tx.fetch(
                f"SELECT id, data FROM {_table(family)} WHERE account = ? "
                f"AND deleted_at {condition}",
                account,
            )
        return {row[0]: orjson.loads(row[1]) for row in rows}


def _table(family: str) -> str:
    """``family``'s table, quoted for SQL; only a known family names one."""
    if family not in FAMILIES:
        raise ValidationError(f"unknown family {family!r}; known: {sorted(FAMILIES)}")
    return f'"{family}"'


def _now() -> datetime:
    return datetime.now(UTC)
