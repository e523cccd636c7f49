"""The one cattrs converter, configured once (pure: no I/O).

Choices, each for speed or fidelity:
- JSON scalars pass through untouched: the decoder already produced the right Python
  types, and converting ``16549`` to ``16549.0`` would break the round trip.
- Entities are structured by layout hooks (:mod:`._layout`): straight-line code per key
  layout, compiled on first sight, that stores fields through the converter's own
  hooks, records unknown keys in ``extra`` and absent ones in ``_unset``, and runs no
  per-field test or loop. cattrs' generated hook (``make_dict_structure_fn``, wire
  renames baked in) takes any item whose layout is not compiled.
- Timestamps parse with ``datetime.fromisoformat`` (inline, for the usual aware string)
  and print back in the API's own ``2018-10-01T18:12:06.025Z`` form.
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
from ._layout import Inline, Layout, compilable, compile_layout
from ._wire import format_timestamp

__all__ = ["converter", "entity_fields", "structure", "structure_page", "unstructure"]

T = TypeVar("T")
_SCALARS = (str, int, float, bool)
_BOOKKEEPING = ("extra", "_unset")
_MAX_LAYOUTS = 64  # compiled key layouts per entity class; past that, the general hook

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)

# Hooks whose common case layout hooks write out inline (see ``_layout.Inline``).
_INLINE_FORMS: dict[Callable[..., Any], Inline] = {}


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


def _parse_timestamp(value: Any, _: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    # The API always sends UTC; a naive value is read as UTC so fields stay aware.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


converter.register_structure_hook(datetime, _parse_timestamp)
# The fast path for timestamps: the C parser straight away. A value it cannot take
# raises TypeError, which sends the item down the general path to this hook.
_INLINE_FORMS[_parse_timestamp] = Inline(
    "_d if (_d := __fromiso(_v)).tzinfo is not None else {call}",
    _parse_timestamp,
    datetime,
)
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

    _INLINE_FORMS[structure_reference] = Inline(
        "_v if _v is None or _v.__class__ is str else ({inner})", entity_hook, entity
    )
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

    _INLINE_FORMS[structure_optional] = Inline(
        "None if _v is None else ({inner})", inner_hook, inner
    )
    return structure_optional


converter.register_structure_hook_factory(
    lambda tp: _optional_of(tp) is not None, _make_optional_hook
)


def _is_list(tp: Any) -> bool:
    return get_origin(tp) is list


def _each(item: Any) -> Callable[[Iterable[Any]], list[Any]]:
    """Structure every element of a sequence as ``item``, the hook looked up once; for
    entities, their current layout is tried first, as layout hooks do for nested ones."""
    hook = converter.get_structure_hook(item)
    form = _INLINE_FORMS.get(hook)
    if form is not None and form.fast is not None:
        current = form.fast
        return lambda values: [current[0](v) or hook(v, item) for v in values]
    return lambda values: [hook(v, item) for v in values]


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

        _INLINE_FORMS[structure_plain_list] = Inline(
            "_v if _v.__class__ is list else {call}", structure_plain_list, tp
        )
        return structure_plain_list
    each = _each(item)

    def structure_list(value: Any, _: Any) -> Any:
        if value.__class__ is not list:
            if value is None:
                return []
            raise TypeError(f"expected a JSON array, got {type(value).__name__}")
        return each(value)

    # Most such lists are empty: the decoded one is kept, with no call.
    _INLINE_FORMS[structure_list] = Inline(
        "_v if _v.__class__ is list and not _v else {call}", structure_list, tp
    )
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
    known = frozenset(names.values())
    general = make_dict_structure_fn(cls, converter, **_wire_overrides(names))
    may_compile = compilable(cls)
    layouts: dict[tuple[str, ...], Layout] = {}
    # The layout tried first: the last one seen, since a page's items share theirs.
    # A one-item list, so layout hooks of other classes read the current one too.
    current: list[Layout] = [lambda _: None]

    def structure_general(data: dict[str, Any]) -> Entity:
        # cattrs' generated hook: any layout, at the cost of an ``in`` test per field.
        obj = general(data, cls)
        unknown = [k for k in data if k not in known]
        if unknown:
            obj.extra = {k: data[k] for k in unknown}
        obj._unset = known.difference(data)
        return obj

    def structure_entity(data: Any, _: Any) -> Entity:
        obj: Entity | None = current[0](data)
        if obj is not None:
            return obj
        if data.__class__ is not dict:
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
        keys = tuple(data)
        layout = layouts.get(keys)
        if layout is None:
            if not may_compile or len(layouts) >= _MAX_LAYOUTS:
                return structure_general(data)
            layout = layouts[keys] = compile_layout(
                cls, names, keys, converter.get_structure_hook, _INLINE_FORMS, _identity
            )
        current[0] = layout
        # None from the item's own layout means a value the inline forms could not take
        # (a datetime object, a wrong type): the general hook structures or rejects it.
        return layout(data) or structure_general(data)

    _INLINE_FORMS[structure_entity] = Inline(
        "{fast}[0](_v) or {call}", structure_entity, cls, current
    )
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
    return _each(cls)(items)
