"""The emulator's data: one account's collections, with sorted views cached per field.

The sort order is the emulator's own reading of MongoDB's (null < numbers < strings <
booleans < objects), written here rather than imported from the client: the emulator is
the client's oracle, and a shared comparison would hide a mistake on both sides.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson

from .._endpoints import Endpoint
from .._wire import format_timestamp

__all__ = ["Account", "Collection", "Doc", "mongo_order", "now_stamp"]

Doc = dict[str, Any]
#: The families whose documents name their creation time ``createdDate``; the others
#: say ``createDate`` (digest §1.9).
_CREATED_DATE = frozenset({"customers", "contact_persons", "distributors", "projects", "users"})


def mongo_order(value: Any) -> tuple[int, Any]:
    """A sort key that orders JSON values across types as MongoDB does."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (4, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))


def now_stamp() -> str:
    return format_timestamp(datetime.now(UTC))


class Collection:
    """One family's documents in insertion order, with sorted views cached until the
    next mutation (so a v2 page is a slice of a cached list, not a sort)."""

    def __init__(self, endpoint: Endpoint[Any], docs: Iterable[Doc]) -> None:
        self.endpoint = endpoint
        self.id_field = endpoint.key
        self.created_field = "createdDate" if endpoint.name in _CREATED_DATE else "createDate"
        self.docs: dict[Any, Doc] = {d[self.id_field]: d for d in docs}
        self.version = 0
        self._encoded: dict[Any, bytes] = {}
        self._views: dict[str, tuple[int, list[Doc], list[Any], int | None]] = {}

    def touch(self) -> None:
        self.version += 1
        self._encoded.clear()

    def encode(self, docs: list[Doc]) -> bytes:
        """A JSON array of ``docs``, each serialised once until the next mutation: the
        emulator should not be the bottleneck of a client benchmark."""
        cache, idf = self._encoded, self.id_field
        parts = []
        for doc in docs:
            key = doc[idf]
            if key not in cache:
                cache[key] = orjson.dumps(doc)
            parts.append(cache[key])
        return b"[" + b",".join(parts) + b"]"

    def view(self, field: str) -> tuple[list[Doc], list[Any], int | None]:
        """Documents sorted by ``field`` (ties by id), their sort keys, and the one JSON
        type rank all values share (None when mixed)."""
        cached = self._views.get(field)
        if cached is None or cached[0] != self.version:
            idf = self.id_field
            keyed = sorted(
                (((mongo_order(d.get(field)), mongo_order(d[idf])), d) for d in self.docs.values()),
                key=itemgetter(0),
            )
            rows = [d for _, d in keyed]
            keys = [k for k, _ in keyed]
            ranks = {key[0][0] for key in keys}
            rank = ranks.pop() if len(ranks) == 1 else None
            cached = self._views[field] = (self.version, rows, keys, rank)
        return cached[1], cached[2], cached[3]

    def modified_at(self, doc: Doc) -> str:
        """When ``doc`` last changed: ``modifiedDate``, else its creation stamp (the
        field ``lastModified`` compares with; ISO ``...Z`` strings sort as times)."""
        found = doc.get("modifiedDate") or doc.get(self.created_field) or ""
        return str(found)


class Account:
    """One customer of the service: its key (and optional read-only key) and its data."""

    def __init__(
        self,
        name: str,
        key: str,
        data: dict[str, list[Doc]],
        endpoints: Sequence[Endpoint[Any]],
        rng: random.Random,
        read_only_key: str | None = None,
    ) -> None:
        self.name = name
        self.key = key
        self.read_only_key = read_only_key
        self.rng = rng
        self.collections = {e.name: Collection(e, data.get(e.name, ())) for e in endpoints}
