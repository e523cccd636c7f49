"""Documents for any family, read from its entity class (the table-driven fallback).

A family with no hand-written builder in ``_data`` is still served: each field of its
entity gets a plausible value of its type, references (``customer``, ``workOrder``,
``createdByUser``...) point at real documents of the family they name, with the
``...Name`` beside them filled in, and timestamps follow the ``_id``'s creation time.
"""

from __future__ import annotations

import functools
import random
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .._endpoints import ENDPOINTS, Endpoint
from .._entities import Entity, cached_per_class, entity_fields
from .._wire import format_timestamp

__all__ = ["generic_docs", "referred_first"]

Data = Mapping[str, list[dict[str, Any]]]
_WORDS = ["Service", "Montage", "Besiktning", "Reparation", "Leverans", "Takbyte", "Målning"]
_PLACES = ["Båstad", "Malmö", "Göteborg", "Umeå", "Östersund", "Växjö", "Lund", "Ängelholm"]
_TEXT_NAMES = ("name", "title", "description", "notes")
_DAY = 86400


def _singular(root: str) -> str:
    """``timeCategories`` -> ``timeCategory``, ``workOrders`` -> ``workOrder``."""
    return root[:-3] + "y" if root.endswith("ies") else root.removesuffix("s")


@functools.cache
def _references() -> dict[str, str]:
    """Wire field name -> the family it points at: ``workOrder`` -> ``work_orders``."""
    found = {_singular(e.path.strip("/")): e.name for e in ENDPOINTS}
    found.update(customerId="customers", projectId="projects", vehicle="vehicles")
    return found


def _target(wire: str) -> str | None:
    if wire.endswith("ByUser") or wire in ("user", "projectLeader", "workLeader"):
        return "users"
    return _references().get(wire)


def _label(doc: Mapping[str, Any]) -> str:
    if doc.get("firstName"):
        return f"{doc['firstName']} {doc.get('lastName', '')}".strip()
    for key in ("name", "title", "tagName", "statusName"):
        if isinstance(doc.get(key), str):
            return str(doc[key])
    return ""


def _kinds(tp: Any) -> set[Any]:
    """Every type an annotation allows, unions and list items flattened."""
    out: set[Any] = set()
    stack = [tp]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(current))
        else:
            out.add(current)
    return out


@cached_per_class
def _fields(entity: type[Entity]) -> list[tuple[str, frozenset[Any]]]:
    """Each field's wire name and the types it allows, worked out once per class (type
    hints are costly to evaluate, and every generated document needs them)."""
    hints = typing.get_type_hints(entity)
    return [(wire, frozenset(_kinds(hints[attr]))) for attr, wire in entity_fields(entity).items()]


def referred_first(endpoints: list[Endpoint[Any]]) -> list[Endpoint[Any]]:
    """``endpoints`` ordered so that a family comes after those its fields refer to
    (table order otherwise; a cycle is broken where it closes)."""
    names = {e.name: e for e in endpoints}
    ordered: dict[str, Endpoint[Any]] = {}

    def visit(endpoint: Endpoint[Any], path: frozenset[str]) -> None:
        if endpoint.name in ordered or endpoint.name in path:
            return
        for wire, _ in _fields(endpoint.entity):
            target = _target(wire)
            if target in names and target != endpoint.name:
                visit(names[target], path | {endpoint.name})
        ordered[endpoint.name] = endpoint

    for endpoint in endpoints:
        visit(endpoint, frozenset())
    return list(ordered.values())


class _Builder:
    def __init__(self, rng: random.Random, data: Data) -> None:
        self.rng = rng
        self.data = data
        self.created = datetime.now(UTC)
        self._by_id: dict[str, dict[str, Any]] = {}

    def referred(self, target: str, item_id: str) -> dict[str, Any] | None:
        if target not in self._by_id:
            self._by_id[target] = {d["_id"]: d for d in self.data.get(target, ()) if "_id" in d}
        return self._by_id[target].get(item_id)

    def stamp(self, days: int = 0) -> str:
        moment = self.created.timestamp() + days * _DAY + self.rng.randrange(_DAY)
        return format_timestamp(datetime.fromtimestamp(moment, UTC).replace(microsecond=0))

    def entity(self, entity: type[Entity], index: int, top: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for wire, kinds in _fields(entity):
            if top and wire == "_id":
                continue
            out[wire] = self.value(wire, kinds, index)
        for wire, value in list(out.items()):
            name = wire + "Name"
            target = _target(wire)
            if name in out and target and isinstance(value, str):
                referred = self.referred(target, value)
                out[name] = _label(referred) if referred else ""
        return out

    def value(self, wire: str, kinds: frozenset[Any], index: int) -> Any:
        rng = self.rng
        target = _target(wire)
        if target and str in kinds:
            rows = self.data.get(target) or []
            return rng.choice(rows)["_id"] if rows else None
        nested = next((k for k in kinds if isinstance(k, type) and issubclass(k, Entity)), None)
        if any(k is list or typing.get_origin(k) is list for k in kinds):
            return []
        if nested is not None:
            return self.entity(nested, index, top=False)
        if datetime in kinds or date in kinds:
            return self.stamp(days=rng.randint(0, 30))
        if bool in kinds:
            return rng.random() < 0.5
        if int in kinds:
            return index + 1 if wire.endswith("Number") else rng.randint(0, 100)
        if float in kinds:
            return float(rng.choice([0, 1.5, 8, 120, 450, 1250]))
        if str in kinds:
            if wire.endswith("Number"):
                return str(1000 + index)
            if wire in _TEXT_NAMES or wire.endswith("Name"):
                return f"{rng.choice(_WORDS)} {rng.choice(_PLACES)}"
            return ""
        return None


def generic_docs(
    endpoint: Endpoint[Any],
    count: int,
    rng: random.Random,
    data: Data,
    moment: Callable[[], tuple[str, str]],
) -> list[dict[str, Any]]:
    """``count`` documents shaped like ``endpoint``'s entity; ``moment`` gives an id and
    its creation timestamp, so ids and dates agree as in the hand-written builders."""
    builder = _Builder(rng, data)
    docs = []
    for index in range(count):
        oid, created = moment()
        builder.created = datetime.fromisoformat(created.replace("Z", "+00:00"))
        doc = {"_id": oid, **builder.entity(endpoint.entity, index, top=True)}
        stamps = [s for s in ("createdDate", "createDate", "modifiedDate") if s in doc]
        for stamp in stamps or ["createDate"]:  # lastModified needs a time to compare
            doc[stamp] = created
        doc.setdefault("__v", 0)
        docs.append(doc)
    return docs
