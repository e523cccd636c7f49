"""``PostgresStore``: the store for teams and for many workers, via asyncpg.

asyncpg over psycopg 3: it is asyncio-native (no thread or sync core underneath), well
maintained, the fastest PostgreSQL driver for Python, and its pool and prepared
statements suit a job that writes a page per transaction for hours. Tables live in their
own schema (``seventime`` by default), out of the way of the database's other tables.

``jsonb`` cannot hold U+0000 (NUL), which JSON and the API can: such a record is kept with
each NUL (in keys and values) replaced by U+FFFD, and a warning says which record, rather
than the page being refused on every run.

Accounts are held with session advisory locks, all on one connection kept for that
purpose: PostgreSQL releases them when that session ends, so a worker that dies (even
``kill -9``, even the machine) frees its accounts for the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from .._errors import ValidationError
from ._schema import POSTGRES, numbered
from ._store import AccountBusyError, Store, StoreError, Transaction

__all__ = ["PostgresStore"]

log = logging.getLogger("seventime_async.sync")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MIGRATION_LOCK = "seventime_async:migrate"


def _driver() -> Any:
    try:
        import asyncpg
    except ImportError:
        raise StoreError(
            "PostgresStore needs asyncpg: pip install 'seventime-async[sync]'"
        ) from None
    return asyncpg


def _problem(error: BaseException) -> StoreError:
    # The message only: asyncpg's errors name the server, never the DSN's password.
    return StoreError(f"PostgreSQL: {type(error).__name__}: {error}")


def _without_nul(value: Any) -> tuple[Any, int]:
    """``value`` with every U+0000 in its strings (keys too) replaced by U+FFFD, and how
    many were replaced."""
    if isinstance(value, str):
        count = value.count("\x00")
        return (value.replace("\x00", "\ufffd") if count else value), count
    if isinstance(value, list):
        parts = [_without_nul(v) for v in value]
        return [v for v, _ in parts], sum(n for _, n in parts)
    if isinstance(value, dict):
        total, clean = 0, {}
        for key, item in value.items():
            new_key, in_key = _without_nul(key)
            clean[new_key], in_item = _without_nul(item)
            total += in_key + in_item
        return clean, total
    return value, 0


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        status: str = await self._connection.execute(numbered(sql), *args)
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._connection.executemany(numbered(sql), rows)

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        return list(await self._connection.fetch(numbered(sql), *args))


class PostgresStore(Store):
    """A sync store in a PostgreSQL database, tables in ``schema``."""

    dialect = POSTGRES

    def __init__(self, dsn: str, *, schema: str = "seventime", pool_size: int = 8) -> None:
        if not _IDENTIFIER.match(schema):
            raise ValidationError(f"schema must be a plain identifier, got {schema!r}")
        self._dsn = dsn
        self.schema = schema
        self._pool_size = pool_size
        self._pool: Any = None
        self._locks: Any = None  # the connection holding this process's account locks
        self._locks_guard = asyncio.Lock()
        self._held: set[str] = set()

    def __repr__(self) -> str:
        # The DSN may carry a password: it stays out of reprs, logs and errors.
        return f"<PostgresStore schema={self.schema!r}>"

    async def _connect(self) -> None:
        asyncpg = _driver()
        try:
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=1,
                max_size=self._pool_size,
                server_settings={"search_path": self.schema},
            )
        except (ValueError, OverflowError) as error:  # asyncpg reading a malformed DSN
            raise ValidationError(
                f"the PostgreSQL URL is malformed: {self._without_password(str(error))}"
            ) from None
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise _problem(error) from None

    def _without_password(self, message: str) -> str:
        userinfo = self._dsn.partition("://")[2].rpartition("@")[0]
        password = userinfo.partition(":")[2]
        return message.replace(password, "***") if password else message

    async def close(self) -> None:
        locks, self._locks = self._locks, None
        if locks is not None:
            await locks.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction]:
        if self._pool is None:
            raise StoreError("the store is not open: use `async with PostgresStore(...)`")
        asyncpg = _driver()
        try:
            async with self._pool.acquire() as connection, connection.transaction():
                yield _PostgresTransaction(connection)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise _problem(error) from None

    async def _prepare(self, tx: Transaction) -> None:
        # Two workers starting at once must not both migrate (nor both create the schema).
        await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", _MIGRATION_LOCK)
        await tx.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')

    async def _existing_tables(self, tx: Transaction) -> set[str]:
        rows = await tx.fetch("SELECT tablename FROM pg_tables WHERE schemaname = ?", self.schema)
        return {row[0] for row in rows}

    def _storable(self, where: str, record: dict[str, Any]) -> dict[str, Any]:
        clean, replaced = _without_nul(record)
        if replaced:
            log.warning(
                "sync %s: %d NUL characters (U+0000) stored as U+FFFD: jsonb cannot hold them",
                where,
                replaced,
            )
        return clean  # type: ignore[no-any-return]

    def _in_ids(self, column: str) -> str:
        return f"{column} = ANY(?)"

    def _ids(self, ids: list[str]) -> Any:
        return ids

    # -- accounts -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lock_account(self, account: str) -> AsyncIterator[None]:
        # Session locks are re-entrant within their session: this process's own holds
        # are checked here first.
        if account in self._held:
            raise AccountBusyError(f"account {account!r} is being synced already")
        key = self._lock_key(account)
        if not await self._advisory("pg_try_advisory_lock", key):
            raise AccountBusyError(f"account {account!r} is being synced by another worker")
        self._held.add(account)
        try:
            yield
        finally:
            self._held.discard(account)
            with contextlib.suppress(StoreError):  # a lost session has let go already
                await self._advisory("pg_advisory_unlock", key)

    def _lock_key(self, account: str) -> str:
        return f"seventime_async:{self.schema}:{account}"

    async def _still_held(self, tx: Transaction, account: str) -> None:
        # The locks live in one session: if it was lost (a network cut), so were they,
        # and another worker may have the account now. Each write checks before writing.
        pid = self._locks.get_server_pid() if self._locks is not None else None
        rows = await tx.fetch(
            "SELECT count(*) FROM pg_locks, (SELECT hashtextextended(?, 0) AS k) AS lock "
            "WHERE locktype = 'advisory' AND granted AND pid = ? AND objsubid = 1 "
            "AND classid::bigint = (lock.k >> 32) & 4294967295 "
            "AND objid::bigint = lock.k & 4294967295",
            self._lock_key(account),
            pid,
        )
        if not rows[0][0]:
            raise StoreError(f"the lock on account {account!r} was lost; not writing")

    async def _advisory(self, function: str, key: str) -> bool:
        asyncpg = _driver()
        async with self._locks_guard:
            try:
                if self._locks is None or self._locks.is_closed():
                    self._locks = await asyncpg.connect(self._dsn)
                held: bool = await self._locks.fetchval(
                    f"SELECT {function}(hashtextextended($1, 0))", key
                )
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
                raise _problem(error) from None
        return held
