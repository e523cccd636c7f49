"""Layout hooks: straight-line structure code for one key layout of an entity (pure).

A list page's items share one key layout, so what cattrs' general hook decides per
field and per item (is the key there? which keys are unknown?) is decided here once
per layout, and the answer compiled into a function that only moves values:

    def structure_Customer_layout(o):
      if o.__class__ is not dict or len(o) != 22:
        return None
      self = __new(__cl)
      try:
        self.id = o['_id']                  # a passthrough scalar
        _v = o['createdDate']
        self.created_date = None if _v is None else (... __fromiso(_v) ...)
        self.country = None                 # absent: its default
        self.extra = {}                     # unknown keys, by wire name
        self._unset = __unset               # absent keys, for the round trip
      except (KeyError, TypeError):
        return None
      return self

It returns None for an item of another layout (another length, or a key missing), and
the caller then finds or compiles that item's layout; also for a value an inline form
cannot take (a TypeError), which the general path then structures or rejects.

Every field still goes through the converter's own hook for its type; a hook may offer
an :class:`Inline` form, its common case written as an expression, so that case costs
no call. The class is built with ``object.__new__`` and its slots filled directly,
which is what its attrs ``__init__`` would do: :func:`compilable` checks that nothing
more would happen. Keys are data, so they enter the code only as ``repr()`` literals,
and at most ``_MAX_LAYOUTS`` layouts are compiled per class (see ``_converter``).
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

import attrs

# attrs.Factory is a class at run time, though typed as a function.
_Factory = cast("type[Any]", attrs.Factory)

__all__ = ["Inline", "Layout", "compilable", "compile_layout"]

_serial = itertools.count(1)

Layout = Callable[[Any], Any]
"""A compiled layout: the entity, or None when the item is not of its layout."""


@attrs.frozen
class Inline:
    """How a hook's common case is written out inline, over the local ``_v``.

    In ``template``, ``{call}`` calls ``hook`` with ``tp`` (the full path, with every
    check and error), ``{inner}`` is ``hook``'s own inline form, and ``{fast}`` names
    ``fast``, an object the expression reads.
    """

    template: str
    hook: Callable[..., Any]
    tp: Any
    fast: Any = None


HookFor = Callable[[Any], Callable[..., Any]]


def compilable(cls: type[Any]) -> bool:
    """Whether filling ``cls``'s slots directly is exactly what its ``__init__`` does.

    No validators, converters, init hooks, frozen or custom ``__setattr__``, self-taking
    factories, and no truthiness of its own (callers test a result with ``or``).
    """
    setter: object = cls.__setattr__  # attrs replaces it on frozen or validated classes
    if setter is not object.__setattr__:
        return False
    if any(hasattr(cls, name) for name in ("__attrs_post_init__", "__attrs_pre_init__")):
        return False
    if any(hasattr(cls, name) for name in ("__bool__", "__len__")):
        return False
    return all(
        a.validator is None
        and a.converter is None
        and a.init
        and not (isinstance(a.default, _Factory) and a.default.takes_self)
        for a in attrs.fields(cls)
    )


class _Source:
    """The globals one layout function reads, each under a fresh name."""

    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env

    def bind(self, value: Any) -> str:
        """A fresh global name for ``value``."""
        name = f"__g{len(self.env)}"
        self.env[name] = value
        return name

    def expression(self, hook: Callable[..., Any], tp: Any, forms: Mapping[Any, Inline]) -> str:
        """Source applying ``hook`` (for ``tp``) to ``_v``."""
        form = forms.get(hook) or Inline("{call}", hook, tp)
        parts: dict[str, str] = {}
        if "{call}" in form.template:
            parts["call"] = f"{self.bind(form.hook)}(_v, {self.bind(form.tp)})"
        if "{inner}" in form.template:
            parts["inner"] = self.expression(form.hook, form.tp, forms)
        if "{fast}" in form.template:
            parts["fast"] = self.bind(form.fast)
        return form.template.format(**parts)


def _default(attribute: attrs.Attribute[Any], source: _Source) -> str:
    default = attribute.default
    if isinstance(default, _Factory):
        # The common factories as literals: a fresh object each time, without a call.
        literal = {list: "[]", dict: "{}"}.get(default.factory)
        return literal or f"{source.bind(default.factory)}()"
    if default is None or default.__class__ in (bool, int, str):
        return repr(default)
    return source.bind(default)


def compile_layout(
    cls: type[Any],
    names: Mapping[str, str],
    keys: tuple[str, ...],
    hook_for: HookFor,
    forms: Mapping[Any, Inline],
    passthrough: Callable[..., Any],
) -> Layout:
    """The layout function of ``cls`` for items with exactly ``keys``.

    ``names`` maps each modelled attribute to its wire key; ``hook_for`` gives the
    converter's hook for a type, ``forms`` the inline forms, and a field whose hook is
    ``passthrough`` is stored as decoded.
    """
    present = set(keys)
    source = _Source({"__new": object.__new__, "__cl": cls, "__fromiso": datetime.fromisoformat})
    body: list[str] = []
    # Field types are strings until resolved (the entities use postponed annotations).
    for attribute in attrs.fields(attrs.resolve_types(cls)):
        name = attribute.name
        key = names.get(name)
        if key is None:
            continue
        if key not in present:
            body.append(f"self.{name} = {_default(attribute, source)}")
            continue
        hook = hook_for(attribute.type)
        if hook is passthrough:
            body.append(f"self.{name} = o[{key!r}]")
        else:
            body += [
                f"_v = o[{key!r}]",
                f"self.{name} = {source.expression(hook, attribute.type, forms)}",
            ]
    known = set(names.values())
    # Keys are data, so they enter the code only as repr() literals.
    extra = ", ".join(f"{k!r}: o[{k!r}]" for k in keys if k not in known)
    body.append(f"self.extra = {{{extra}}}")
    body.append(f"self._unset = {source.bind(frozenset(known - present))}")
    function = f"structure_{cls.__name__}_layout"
    code = "\n".join(
        [
            f"def {function}(o):",
            f"  if o.__class__ is not dict or len(o) != {len(present)}:",
            "    return None",
            "  self = __new(__cl)",
            "  try:",
            *(f"    {line}" for line in body),
            # Not this layout (a key missing), or a value an inline form cannot take:
            # the caller goes the general way, where every hook checks and raises.
            "  except (KeyError, TypeError):",
            "    return None",
            "  return self",
        ]
    )
    # In linecache, as cattrs does, so a traceback through a layout shows its code.
    filename = f"<{function} {next(_serial)}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), source.env)
    layout: Layout = source.env[function]
    return layout
