"""Many accounts: the accounts file, and syncing each account with its own client.

The file is TOML, one ``[[accounts]]`` entry per account::

    [[accounts]]
    name = "acme"                      # the account's name in the database
    key_env = "SEVENTIME_KEY_ACME"     # the environment variable holding its API key
    api_version = 2
    # base_url = "https://..."         # optional: another server than the version's

Keys never live in the file: one that does is refused without being repeated.
"""

from __future__ import annotations

import asyncio
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._client import DEFAULT_BASE_URL, infer_api_version
from .._errors import SevenTimeError, ValidationError
from ._driver import (
    DEFAULT_FULL_EVERY,
    DEFAULT_OVERLAP,
    SyncProgress,
    SyncResult,
    select_families,
    sync,
)
from ._store import AccountBusyError, Store

if TYPE_CHECKING:
    from .._client import SevenTimeClient

__all__ = ["Account", "AccountsReport", "load_accounts", "sync_accounts"]

_FIELDS = {"name", "key_env", "api_version", "base_url"}
_SECRET_LOOKING = {"key", "api_key", "secret", "client_secret", "token", "password"}


@attrs.frozen
class Account:
    name: str
    key_env: str
    api_version: int | None = None  # None: as the client infers it (from base_url)
    base_url: str | None = None  # None: the service's, for the version

    @property
    def url(self) -> str:
        if self.base_url is not None:
            return self.base_url
        return f"{DEFAULT_BASE_URL.rsplit('/', 1)[0]}/{self.api_version or 1}"

    @property
    def version(self) -> int:
        return infer_api_version(self.url, self.api_version)

    def api_key(self, environ: Mapping[str, str] | None = None) -> str:
        key = (os.environ if environ is None else environ).get(self.key_env)
        if not key:
            raise ValidationError(f"account {self.name!r}: ${self.key_env} is not set")
        return key


def _account(entry: Any, index: int) -> Account:
    where = f"accounts[{index}]"
    if not isinstance(entry, dict):
        raise ValidationError(f"{where} must be a table")
    secrets = sorted(_SECRET_LOOKING & set(entry))
    if secrets:
        raise ValidationError(
            f"{where} holds {', '.join(secrets)}: keys never go in the accounts file; "
            "put the key in an environment variable and name it in key_env"
        )
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ValidationError(f"{where} has unknown fields {unknown}; known: {sorted(_FIELDS)}")
    name, key_env = entry.get("name"), entry.get("key_env")
    version, base_url = entry.get("api_version"), entry.get("base_url")
    if not isinstance(name, str) or not name.strip() or not name.isprintable():
        raise ValidationError(f"{where}.name must be a non-empty printable string")
    if not isinstance(key_env, str) or not key_env.isidentifier():
        raise ValidationError(f"{where}.key_env must name an environment variable")
    if version not in (1, 2):
        raise ValidationError(f"{where}.api_version must be 1 or 2")
    assert isinstance(version, int)
    if base_url is not None and not isinstance(base_url, str):
        raise ValidationError(f"{where}.base_url must be a string")
    return Account(name, key_env, version, base_url)


def load_accounts(path: Path) -> list[Account]:
    """The accounts of a TOML accounts file, checked (names unique)."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ValidationError(f"cannot read {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path} is not valid TOML: {error}") from None
    entries = data.get("accounts")
    if not isinstance(entries, list) or not entries or set(data) != {"accounts"}:
        raise ValidationError(f"{path} must hold one or more [[accounts]] entries and no more")
    accounts = [_account(entry, i) for i, entry in enumerate(entries)]
    names = [a.name for a in accounts]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError(f"{path} names accounts more than once: {repeated}")
    return accounts


@attrs.frozen
class AccountsReport:
    synced: dict[str, SyncResult]
    busy: list[str]  # held by another worker: synced there, not here
    failed: dict[str, SevenTimeError]


async def sync_accounts(
    accounts: Sequence[Account],
    store: Store,
    families: Sequence[str] | None = None,
    full: bool = False,
    *,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    parallel: int | None = None,
    full_every: timedelta = DEFAULT_FULL_EVERY,
    overlap: timedelta = DEFAULT_OVERLAP,
    progress: Callable[[SyncProgress], None] | None = None,
) -> AccountsReport:
    """Sync every account concurrently (at most ``parallel`` at once), each with its own
    :class:`SevenTimeClient` (``client_options`` for all, the key from the account's
    variable in ``environ``, default ``os.environ``). An account another worker holds is
    left to it; one account's failure does not stop the others."""
    keys = {a.name: a.api_key(environ) for a in accounts}  # every key checked before any work
    for account in accounts:  # and every family named
        select_families(account.version, families)
    gate = asyncio.Semaphore(parallel or len(accounts) or 1)
    synced: dict[str, SyncResult] = {}
    busy: list[str] = []
    failed: dict[str, SevenTimeError] = {}

    async def one(account: Account) -> None:
        async with gate:
            try:
                async with _client(account, keys[account.name], client_options or {}) as api:
                    synced[account.name] = await sync(
                        api,
                        store,
                        families,
                        full,
                        account.name,
                        full_every=full_every,
                        overlap=overlap,
                        progress=progress,
                    )
            except AccountBusyError:
                busy.append(account.name)
            except SevenTimeError as error:
                failed[account.name] = error

    async with asyncio.TaskGroup() as group:
        for account in accounts:
            group.create_task(one(account))
    return AccountsReport(synced, sorted(busy), failed)


def _client(account: Account, key: str, options: Mapping[str, Any]) -> SevenTimeClient:
    from .._client import SevenTimeClient

    return SevenTimeClient(key, base_url=account.url, api_version=account.version, **options)
