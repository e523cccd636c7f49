"""``sync()``: keep a store current with one account; ``sync_accounts()``: with many.

Per family, a walk (see ``_state``): every page is written in one transaction with the
walk's cursor, so the database always holds a consistent prefix and a killed sync resumes
where it stopped. A family's high-water mark moves only when its walk completes, and is
taken from the walk's start (a resumed walk's first start) on our clock, minus
:data:`DEFAULT_OVERLAP`, never from the data's clock. Families run concurrently under the
client's one limiter; accounts run concurrently, each with its own client and limiter
(the service limits each key).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from .._endpoints import ENDPOINTS, INCREMENTAL_OVERLAP
from .._errors import SevenTimeError, ValidationError
from ._state import Walk, WalkKind, plan_walk
from ._store import PageCounts, Store

if TYPE_CHECKING:
    from .._client import SevenTimeClient

__all__ = [
    "DEFAULT_FULL_EVERY",
    "DEFAULT_OVERLAP",
    "FamilyResult",
    "SyncError",
    "SyncProgress",
    "SyncResult",
    "select_families",
    "sync",
]

log = logging.getLogger("seventime_async.sync")

DEFAULT_FULL_EVERY = timedelta(hours=24)
#: How far before the previous run's start an incremental walk looks (see
#: :data:`INCREMENTAL_OVERLAP`); the upsert de-duplicates what it reads again.
DEFAULT_OVERLAP = INCREMENTAL_OVERLAP


@attrs.frozen
class FamilyResult:
    kind: WalkKind
    resumed: bool  # continued a walk an earlier run left unfinished
    fetched: int = 0
    created: int = 0  # new rows, or rows back after being marked deleted
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # rows a full scan marked deleted


@attrs.frozen
class SyncResult:
    account: str
    run: int  # the row of ``sync_runs``
    families: dict[str, FamilyResult]
    #: Families left out, and why (a required filter: they cannot be scanned in full).
    skipped: dict[str, str] = attrs.field(factory=dict)

    @property
    def fetched(self) -> int:
        return sum(f.fetched for f in self.families.values())


@attrs.frozen
class SyncProgress:
    """Sent to ``progress`` after each page and when a family's walk ends."""

    account: str
    family: str
    kind: WalkKind
    items: int  # fetched so far this run
    total: int | None  # ``meta.totalResources`` once known (None in v1)
    done: bool = False


class SyncError(SevenTimeError):
    """Some families failed; the others were synced. ``errors`` maps family -> error;
    ``result`` has what was done."""

    def __init__(
        self, message: str, *, result: SyncResult, errors: Mapping[str, Exception]
    ) -> None:
        super().__init__(message)
        self.result = result
        self.errors = dict(errors)


@attrs.frozen
class _Family:
    name: str
    key: str  # the id field
    incremental: bool


def select_families(
    version: int, names: Sequence[str] | None = None
) -> tuple[list[_Family], dict[str, str]]:
    """The families to sync in API ``version`` (all that can be listed in full, or those
    named), and those left out with the reason. A named family that cannot be synced is a
    :class:`ValidationError`."""
    chosen: list[_Family] = []
    skipped: dict[str, str] = {}
    endpoints = {e.name: e for e in ENDPOINTS}
    unknown = sorted(set(names or ()) - set(endpoints))
    if unknown:
        raise ValidationError(f"unknown families {unknown}; known: {sorted(endpoints)}")
    for name in dict.fromkeys(names) if names else endpoints:
        endpoint = endpoints[name]
        spec = endpoint.spec(version)
        if spec is None:
            reason = f"is not in API v{version}"
        elif not spec.listable:
            reason = "cannot be listed"
        elif spec.required_filters:
            reason = f"needs the filter {', '.join(sorted(spec.required_filters))} to be listed"
        else:
            chosen.append(_Family(name, endpoint.key, spec.incremental))
            continue
        if names:
            raise ValidationError(f"{name} cannot be synced: it {reason}")
        if spec is not None and spec.listable:
            skipped[name] = reason  # said, as they would be missed otherwise
    return chosen, skipped


def _modified_at(record: Mapping[str, Any]) -> datetime | None:
    value = record.get("modifiedDate")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def worker_id() -> str:
    """Who ran a sync, for ``sync_runs``: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def sync(
    client: SevenTimeClient,
    store: Store,
    families: Iterable[str] | None = None,
    full: bool = False,
    account: str = "default",
    *,
    full_every: timedelta = DEFAULT_FULL_EVERY,
    overlap: timedelta = DEFAULT_OVERLAP,
    progress: Callable[[SyncProgress], None] | None = None,
) -> SyncResult:
    """Bring ``store``'s copy of ``account`` up to date through ``client``.

    The first run loads every family in full; later runs fetch what changed since the
    last (families with ``lastModified``) or re-scan and diff (the others), and mark rows
    a full scan no longer finds as deleted. Raises :class:`AccountBusyError` if another
    sync holds the account, :class:`SyncError` if some family failed (after the others
    finished), :class:`StoreError` for a database problem.
    """
    version = client.api_version
    chosen, skipped = select_families(version, list(families) if families else None)
    started = datetime.now(UTC)
    async with store.lock_account(account):
        run = await store.start_run(account, worker_id(), started)
        log.info("sync %s: run %d, %d families", account, run, len(chosen))
        job = _Job(client, store, account, started, full, full_every, overlap, progress)
        tasks = {f.name: asyncio.ensure_future(job.family(f)) for f in chosen}
        try:
            await asyncio.wait(tasks.values())
        finally:
            for task in tasks.values():
                task.cancel()
            outcomes = await asyncio.gather(*tasks.values(), return_exceptions=True)
        done = {n: o for n, o in zip(tasks, outcomes, strict=True) if isinstance(o, FamilyResult)}
        errors = {n: o for n, o in zip(tasks, outcomes, strict=True) if isinstance(o, Exception)}
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # cancelled: the run stays open (unfinished) in sync_runs
        result = SyncResult(account, run, done, skipped)
        summary = "; ".join(f"{n}: {type(e).__name__}: {e}" for n, e in errors.items())
        await store.finish_run(run, {n: attrs.asdict(r) for n, r in done.items()}, summary or None)
    if errors:
        log.warning("sync %s: %d families failed: %s", account, len(errors), summary)
        first = next(iter(errors.values()))
        raise SyncError(
            f"{len(errors)} of {len(chosen)} families failed: {summary}",
            result=result,
            errors=errors,
        ) from first
    log.info("sync %s: done, %d records fetched", account, result.fetched)
    return result


@attrs.define
class _Job:
    client: SevenTimeClient
    store: Store
    account: str
    started: datetime
    full: bool
    full_every: timedelta
    overlap: timedelta
    progress: Callable[[SyncProgress], None] | None

    async def family(self, family: _Family) -> FamilyResult:
        store, account, name = self.store, self.account, family.name
        state = await store.state(account, name)
        walk = plan_walk(
            state,
            incremental=family.incremental,
            full=self.full,
            full_every=self.full_every,
            now=self.started,
        )
        await store.begin_walk(account, name, walk)
        paginator = self._walk(family, walk)
        scan = walk.scan if walk.kind == "full" else None
        fetched, counts = 0, PageCounts()
        try:
            async for page in paginator.pages():
                records = {str(r[family.key]): (r, _modified_at(r)) for r in page}
                written = await store.write_page(
                    account, name, records, cursor=paginator.cursor, scan=scan
                )
                fetched += len(page)
                counts = PageCounts(
                    counts.created + written.created,
                    counts.updated + written.updated,
                    counts.unchanged + written.unchanged,
                )
                self._tell(family, walk, fetched, paginator)
        finally:
            await paginator.aclose()
        # From the walk's own start: a resumed walk did not see what changed on the pages
        # it had written before the interruption.
        mark = walk.started_at - self.overlap if family.incremental else None
        deleted = await store.finish_walk(account, name, walk, mark)
        self._tell(family, walk, fetched, paginator, done=True)
        log.info("sync %s/%s: %s walk, %d fetched", account, name, walk.kind, fetched)
        return FamilyResult(
            kind=walk.kind,
            resumed=walk.resumed,
            fetched=fetched,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            deleted=deleted,
        )

    def _walk(self, family: _Family, walk: Walk) -> Any:
        resource = getattr(self.client, family.name)
        options: dict[str, Any] = {}
        if walk.since is not None:
            options["modified_since"] = walk.since
        if walk.cursor is None:
            return resource.iter_raw(**options)
        try:
            return resource.iter_raw(cursor=walk.cursor, **options)
        except ValidationError:
            # A token this client cannot resume (another API version): the same walk,
            # from the start. Rows already stamped with this scan stay stamped.
            log.warning("sync %s/%s: cursor refused, walking again", self.account, family.name)
            return resource.iter_raw(**options)

    def _tell(
        self, family: _Family, walk: Walk, items: int, paginator: Any, done: bool = False
    ) -> None:
        if self.progress is not None:
            total = getattr(paginator, "total", None)
            self.progress(SyncProgress(self.account, family.name, walk.kind, items, total, done))
