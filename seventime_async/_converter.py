"""The one cattrs converter, configured once (pure: no I/O).

- Entities are structured by cattrs' generated hook (``make_dict_structure_fn``, wire
  renames baked in); around it, unknown keys go to ``extra`` and absent ones to
  ``_unset``, so unstructuring gives back exactly what was structured.
- JSON scalars pass through untouched: the decoder already produced the right Python
  types, and converting ``16549`` to ``16549.0`` would break the round trip.
- Timestamps parse with ``datetime.fromisoformat`` and print back in the API's own
  ``2018-10-01T18:12:06.025Z`` form.
- A field typed ``str | SomeEntity`` (a reference) takes an id string or an object.
- A ``null`` list is an empty list.

Speed is not a concern here: the service allows 4 requests a second of at most 500
items, and the generated hook takes a few microseconds an item (``python -m benchmarks``
prints the CPU share).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar, get_args, get_origin

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._entities import BOOKKEEPING, Entity, entity_fields
from ._wire import format_timestamp

__all__ = ["converter", "entity_fields", "structure", "structure_page", "unstructure"]

T = TypeVar("T")
_SCALARS = (str, int, float, bool)

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


def _as_decoded(value: Any, _: Any = None) -> Any:
    return value


for _scalar in _SCALARS:
    converter.register_structure_hook(_scalar, _as_decoded)
converter.register_structure_hook(Any, _as_decoded)


def _parse_timestamp(value: Any, _: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    # The API always sends UTC; a naive value is read as UTC so fields stay aware.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


converter.register_structure_hook(datetime, _parse_timestamp)
converter.register_unstructure_hook(datetime, format_timestamp)


def _union_args(tp: Any) -> tuple[Any, ...]:
    if get_origin(tp) in (typing.Union, types.UnionType):
        return get_args(tp)
    return ()


def _is_scalar_union(tp: Any) -> bool:
    args = _union_args(tp)
    return bool(args) and all(a in _SCALARS or a is type(None) for a in args)


converter.register_structure_hook_func(_is_scalar_union, _as_decoded)


def _is_entity(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Entity)


def _entity_in_union(tp: Any) -> type[Entity] | None:
    found = [a for a in _union_args(tp) if _is_entity(a)]
    return found[0] if len(found) == 1 else None


def _is_reference(tp: Any) -> bool:
    """``str | Entity | None``: an id, or the object it names."""
    return str in _union_args(tp) and _entity_in_union(tp) is not None


def _make_reference_hook(tp: Any) -> Callable[[Any, Any], Any]:
    entity = _entity_in_union(tp)
    assert entity is not None
    entity_hook = converter.get_structure_hook(entity)

    def structure_reference(value: Any, _: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return entity_hook(value, entity)

    return structure_reference


converter.register_structure_hook_factory(_is_reference, _make_reference_hook)


def _list_structurer(item: Any) -> Callable[[Iterable[Any]], list[Any]]:
    """A function structuring every element of a sequence as ``item`` (hook looked up once)."""
    hook = converter.get_structure_hook(item)
    return lambda values: [hook(v, item) for v in values]


def _make_list_hook(tp: Any) -> Callable[[Any, Any], Any]:
    (item,) = get_args(tp) or (Any,)
    # Lists of ids and opaque values are kept as decoded, no per-element work.
    plain = item is Any or item in _SCALARS
    structure_items = _list_structurer(item)

    def structure_list(value: Any, _: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise TypeError(f"expected a JSON array, got {type(value).__name__}")
        return value if plain else structure_items(value)

    return structure_list


def _is_list(tp: Any) -> bool:
    return get_origin(tp) is list


converter.register_structure_hook_factory(_is_list, _make_list_hook)


def _wire_overrides(names: dict[str, str]) -> dict[str, Any]:
    """cattrs overrides: each field under its wire name, the bookkeeping fields left out."""
    overrides = {name: override(rename=key) for name, key in names.items()}
    overrides.update({name: override(omit=True) for name in BOOKKEEPING})
    return overrides


def _make_entity_structure(cls: type[Entity]) -> Callable[[Any, Any], Entity]:
    names = entity_fields(cls)
    known = frozenset(names.values())
    generated = make_dict_structure_fn(cls, converter, **_wire_overrides(names))

    def structure_entity(data: Any, _: Any) -> Entity:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
        obj = generated(data, cls)
        unknown = [k for k in data if k not in known]
        if unknown:
            obj.extra = {k: data[k] for k in unknown}
        obj._unset = known.difference(data)
        return obj

    return structure_entity


def _make_entity_unstructure(cls: type[Entity]) -> Callable[[Entity], dict[str, Any]]:
    generated = make_dict_unstructure_fn(cls, converter, **_wire_overrides(entity_fields(cls)))

    def unstructure_entity(obj: Entity) -> dict[str, Any]:
        data: dict[str, Any] = generated(obj)
        for key in obj._unset:
            data.pop(key, None)
        if obj.extra:
            data.update(obj.extra)
        return data

    return unstructure_entity


converter.register_structure_hook_factory(_is_entity, _make_entity_structure)
converter.register_unstructure_hook_factory(_is_entity, _make_entity_unstructure)


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` (an entity class, or e.g. ``list[Customer]``) from decoded JSON."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """The JSON-ready form of an entity (wire names, original keys, API timestamps)."""
    return converter.unstructure(obj)


def structure_page(items: Iterable[Any], cls: type[T]) -> list[T]:
    """Structure a list page with the hook looked up once, not per item."""
    return _list_structurer(cls)(items)
