"""``SqliteStore``: the embedded store, one file, via aiosqlite.

aiosqlite runs each connection in its own thread, so SQLite work never blocks the event
loop. One connection serves the process; an asyncio lock keeps its transactions whole
(families run concurrently). WAL lets readers query while a sync writes, and
``synchronous=FULL`` makes each committed page survive a crash of the machine too.
Accounts are held with record locks on a sidecar ``<file>.lock``: the kernel drops them
when the process dies, so a killed sync frees its accounts at once. On Linux they are
open-file-description locks, each store's own: classic POSIX locks belong to the
process, so two stores on one file in one process would both "hold" an account, and
either one's unlock or close would drop the other's lock. A per-process registry refuses
the second store in any case (and is all that separates stores where OFD locks are
missing: there, closing one store of a file drops the others' locks).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import os
import sqlite3
import struct
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ._schema import SQLITE
from ._store import AccountBusyError, Store, StoreError, Transaction

if TYPE_CHECKING:
    import aiosqlite

__all__ = ["SqliteStore"]

_BUSY_TIMEOUT_MS = 60_000  # another process's write transaction: one page, brief

#: (device, inode of the lock file, account) of every account a store of this process holds.
_HELD_HERE: set[tuple[int, int, str]] = set()
_OFD_SETLK: int | None = getattr(fcntl, "F_OFD_SETLK", None) if sys.platform == "linux" else None


def _lock_offset(account: str) -> int:
    """Where ``account``'s one-byte lock lies in the lock file: a 63-bit hash of its name,
    so two accounts practically never share one (the lock file stays empty: sparse)."""
    digest = hashlib.blake2b(account.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**63 - 1)  # the last byte must fit off_t


def _set_lock(fd: int, offset: int, *, take: bool) -> None:
    """Take (without waiting) or release the one-byte lock at ``offset``; OSError if it
    cannot be taken."""
    if _OFD_SETLK is None:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB if take else fcntl.LOCK_UN, 1, offset)
        return
    kind = fcntl.F_WRLCK if take else fcntl.F_UNLCK
    # struct flock as Linux lays it out: type, whence, start, length, pid (0 for OFD).
    fcntl.fcntl(fd, _OFD_SETLK, struct.pack("hhqqi", kind, os.SEEK_SET, offset, 1, 0))


class _SqliteTransaction:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = await self._db.execute(sql, args)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._db.executemany(sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        async with self._db.execute(sql, args) as cursor:
            return list(await cursor.fetchall())


def _probe(path: Path) -> None:
    if path.is_symlink():
        raise StoreError(f"{path} is a symbolic link; give the database's real path")
    sqlite3.connect(path).close()


class SqliteStore(Store):
    """A sync store in one SQLite file (created if missing; never through a symlink)."""

    dialect = SQLITE

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._one_at_a_time = asyncio.Lock()
        self._lock_file: int | None = None
        self._held: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<SqliteStore {str(self.path)!r}>"

    async def _connect(self) -> None:
        try:
            import aiosqlite
        except ImportError:
            raise StoreError(
                "SqliteStore needs aiosqlite: pip install 'seventime-async[sync]'"
            ) from None
        try:
            # Opened once plainly first: aiosqlite leaves a failed connection's thread to
            # report to an event loop that may be gone by then.
            await asyncio.to_thread(_probe, self.path)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            await self._db.execute("PRAGMA journal_mode = WAL")
            await self._db.execute("PRAGMA synchronous = FULL")
            await self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        except (sqlite3.Error, OSError) as error:
            await self.close()
            raise StoreError(f"cannot open {self.path}: {error}") from None

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()
        fd, self._lock_file = self._lock_file, None
        if fd is not None:
            os.close(fd)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction]:
        db = self._db
        if db is None:
            raise StoreError("the store is not open: use `async with SqliteStore(...)`")
        async with self._one_at_a_time:
            try:
                await db.execute("BEGIN IMMEDIATE")
                try:
                    yield _SqliteTransaction(db)
                except BaseException:
                    await db.execute("ROLLBACK")
                    raise
                await db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreError(f"{self.path}: {error}") from None

    async def _existing_tables(self, tx: Transaction) -> set[str]:
        rows = await tx.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}

    def _time(self, value: datetime | None) -> Any:
        # Fixed-width UTC text, so that text order is time order.
        return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")

    def _read_time(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    def _in_ids(self, column: str) -> str:
        return f"{column} IN (SELECT value FROM json_each(?))"

    def _ids(self, ids: list[str]) -> Any:
        return orjson.dumps(ids).decode()

    # -- accounts -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lock_account(self, account: str) -> AsyncIterator[None]:
        fd = self._open_lock_file()
        file = os.fstat(fd)
        here = (file.st_dev, file.st_ino, account)
        if here in _HELD_HERE:
            raise AccountBusyError(f"account {account!r} is being synced already")
        byte = _lock_offset(account)
        try:
            _set_lock(fd, byte, take=True)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):  # what a held lock answers
                raise AccountBusyError(
                    f"account {account!r} is being synced by another process"
                ) from None
            # Not knowing whether another holds it (no locks on this file system, ...):
            # syncing anyway could write alongside another worker.
            raise StoreError(f"cannot lock account {account!r} in {self.path}: {error}") from None
        _HELD_HERE.add(here)
        self._held[account] = byte
        try:
            yield
        finally:
            _HELD_HERE.discard(here)
            del self._held[account]
            # A lock is the store's (or the process's), not the account's: another account
            # held on the same byte keeps it.
            if byte not in self._held.values() and self._lock_file is not None:
                _set_lock(self._lock_file, byte, take=False)

    def _open_lock_file(self) -> int:
        if self._lock_file is None:
            target = self.path.with_name(self.path.name + ".lock")
            try:
                self._lock_file = os.open(
                    target, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
                )
            except OSError as error:
                raise StoreError(f"cannot open the lock file {target}: {error}") from None
        return self._lock_file
