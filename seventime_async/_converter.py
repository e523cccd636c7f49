"""The one cattrs converter, configured once (pure: no I/O).

Choices, each for speed or fidelity:
- JSON scalars pass through untouched: the decoder already produced the right Python
  types, and converting ``16549`` to ``16549.0`` would break the round trip.
- Entity hooks are cattrs-generated (``make_dict_structure_fn``) with the wire renames
  baked in; a thin wrapper records unknown keys in ``extra`` and absent ones in
  ``_unset`` using two C-level set operations, no per-field Python loop.
- Timestamps parse with ``datetime.fromisoformat`` and print back in the API's own
  ``2018-10-01T18:12:06.025Z`` form.
- A field typed ``str | SomeEntity`` (a reference) takes an id string or an object.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._entities import Entity, wire_name

__all__ = ["converter", "entity_fields", "structure", "structure_page", "unstructure"]

T = TypeVar("T")
_SCALARS = (str, int, float, bool)
_BOOKKEEPING = ("extra", "_unset")
_MAX_SHAPES = 512  # key layouts remembered per entity class

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


class _Passthrough:
    """The structure hook of JSON scalars: the value, untouched.

    It is falsy on purpose: cattrs' generated code tests ``if handler:`` and, for a
    falsy one, inlines ``o['key']`` instead of calling it, which removes one Python call
    per field from the hot path. Were that ever to change, the hook is still called and
    still right: only the speed-up would go.
    """

    __slots__ = ()

    def __call__(self, value: Any, _: Any = None) -> Any:
        return value

    def __bool__(self) -> bool:
        return False


_identity = _Passthrough()


for _scalar in _SCALARS:
    converter.register_structure_hook(_scalar, _identity)
converter.register_structure_hook(Any, _identity)


def format_timestamp(value: datetime) -> str:
    """The API's timestamp form (JavaScript's ``toISOString``) for UTC values."""
    if value.utcoffset() is None or value.utcoffset():
        return value.isoformat()
    micro = value.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return f"{value:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


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


converter.register_structure_hook_func(_is_scalar_union, _identity)


def _entity_in_union(tp: Any) -> type[Entity] | None:
    found = [a for a in _union_args(tp) if isinstance(a, type) and issubclass(a, Entity)]
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


def _optional_of(tp: Any) -> Any:
    """T for ``T | None`` (T not a scalar), else None."""
    args = _union_args(tp)
    if len(args) == 2 and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        if inner not in _SCALARS:
            return inner
    return None


def _make_optional_hook(tp: Any) -> Callable[[Any, Any], Any]:
    # cattrs' generic Optional handler dispatches on every call; binding the inner
    # hook once keeps nested objects and timestamps off that slower path.
    inner = _optional_of(tp)
    inner_hook = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


converter.register_structure_hook_factory(
    lambda tp: _optional_of(tp) is not None, _make_optional_hook
)


def _is_list(tp: Any) -> bool:
    return get_origin(tp) is list


def _make_list_hook(tp: Any) -> Callable[[Any, Any], Any]:
    (item,) = get_args(tp) or (Any,)
    if item is Any or item in _SCALARS:
        # Lists of ids and opaque values are taken as decoded, no per-element work.
        def structure_plain_list(value: Any, _: Any) -> Any:
            if value.__class__ is list:
                return value
            if value is None:
                return []
            raise TypeError(f"expected a JSON array, got {type(value).__name__}")

        return structure_plain_list
    item_hook = converter.get_structure_hook(item)

    def structure_list(value: Any, _: Any) -> Any:
        if value is None:
            return []
        return [item_hook(v, item) for v in value]

    return structure_list


converter.register_structure_hook_factory(_is_list, _make_list_hook)


def entity_fields(cls: type[Entity]) -> dict[str, str]:
    """Attribute name -> wire name, for the modelled fields of an entity class."""
    return {f.name: wire_name(f) for f in attrs.fields(cls) if f.name not in _BOOKKEEPING}


def _is_entity(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Entity)


def _wire_overrides(names: dict[str, str]) -> dict[str, Any]:
    """cattrs overrides: each field under its wire name, the bookkeeping fields left out."""
    overrides = {name: override(rename=key) for name, key in names.items()}
    overrides.update({name: override(omit=True) for name in _BOOKKEEPING})
    return overrides


def _make_entity_structure(cls: type[Entity]) -> Callable[[Any, Any], Entity]:
    names = entity_fields(cls)
    generated = make_dict_structure_fn(cls, converter, **_wire_overrides(names))
    known = frozenset(names.values())
    # A page's items share one key layout, so what is unknown and what is missing is
    # worked out once per layout (keyed by the tuple of keys), not once per item.
    shapes: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = {}

    def shape(keys: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
        found = shapes.get(keys)
        if found is None:
            found = (tuple(k for k in keys if k not in known), known.difference(keys))
            if len(shapes) < _MAX_SHAPES:
                shapes[keys] = found
        return found

    def structure_entity(data: Any, _: Any) -> Entity:
        if data.__class__ is not dict:
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
        obj = generated(data, cls)
        unknown, missing = shape(tuple(data))
        if unknown:
            obj.extra = {k: data[k] for k in unknown}
        if missing:
            obj._unset = missing
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
    hook = converter.get_structure_hook(cls)
    return [hook(item, cls) for item in items]
