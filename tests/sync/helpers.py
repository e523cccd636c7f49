"""What the sync tests share: stores by URL, and the database compared with the emulator."""

from __future__ import annotations

from typing import Any

from seventime_async._endpoints import by_name
from seventime_async._sync import Store
from seventime_async.emulator import Emulator

# Small, but several pages in the families that page (v1: 100 a page).
COUNTS = {"customers": 420, "projects": 230, "work_orders": 310, "invoices": 120, "users": 60}
FAMILIES = ["customers", "projects", "work_orders", "invoices", "users", "departments"]


def served(emu: Emulator, family: str) -> dict[str, dict[str, Any]]:
    key = by_name(family).key
    return {str(doc[key]): doc for doc in emu.items(family)}


async def assert_mirrors(
    store: Store,
    emu: Emulator,
    families: list[str],
    account: str = "default",
    gone: dict[str, set[str]] | None = None,
) -> None:
    """The store's live rows are exactly what the emulator serves, and the rows marked
    deleted exactly ``gone``."""
    for family in families:
        live = await store.records(account, family)
        assert live == served(emu, family), family
        deleted = await store.records(account, family, deleted=True)
        assert set(deleted) == (gone or {}).get(family, set()), family
