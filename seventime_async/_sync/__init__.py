"""Keep a database current with one Seven Time account or many (``seventime-async sync``)."""

from ._accounts import Account, AccountsReport, load_accounts, sync_accounts
from ._driver import (
    DEFAULT_FULL_EVERY,
    DEFAULT_OVERLAP,
    FamilyResult,
    SyncError,
    SyncProgress,
    SyncResult,
    sync,
)
from ._postgres import PostgresStore
from ._schema import SCHEMA_VERSION
from ._sqlite import SqliteStore
from ._store import AccountBusyError, Store, StoreError

__all__ = [
    "DEFAULT_FULL_EVERY",
    "DEFAULT_OVERLAP",
    "SCHEMA_VERSION",
    "Account",
    "AccountBusyError",
    "AccountsReport",
    "FamilyResult",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "StoreError",
    "SyncError",
    "SyncProgress",
    "SyncResult",
    "load_accounts",
    "sync",
    "sync_accounts",
]
