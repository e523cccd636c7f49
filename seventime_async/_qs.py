"""The bracket form that Express's ``qs`` parser reads (pure).

``{"billingSettings": {"isROTCustomer": True}, "users": ["a", "b"]}`` encodes as
``billingSettings[isROTCustomer]=true&users[0]=a&users[1]=b``. The emulator decodes
with :func:`decode_pairs`, so the two stay each other's inverse.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._wire import scalar_text

__all__ = ["decode_pairs", "encode_pairs"]


def encode_pairs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten nested mappings and lists into ``qs`` bracket pairs; ``None`` is left out."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}[{key}]", item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        else:
            pairs.append((prefix, scalar_text(value)))

    for key, value in data.items():
        walk(key, value)
    return pairs


_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def decode_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested objects from bracket pairs; numeric segments make lists."""
    root: dict[str, Any] = {}
    for raw_key, value in pairs:
        head = raw_key.split("[", 1)[0]
        path: list[str] = [head, *_SEGMENT.findall(raw_key[len(head) :])]
        node: Any = root
        for segment, following in itertools.pairwise(path):
            container: Any = [] if following.isdigit() or following == "" else {}
            node = _child(node, segment, container)
        _assign(node, path[-1], value)
    compacted: dict[str, Any] = _compact(root)
    return compacted


def _child(node: Any, segment: str, container: Any) -> Any:
    if isinstance(node, dict):
        return node.setdefault(segment, container)
    index = int(segment) if segment else len(node)
    while len(node) <= index:
        node.append(None)
    if node[index] is None:
        node[index] = container
    return node[index]


def _assign(node: Any, segment: str, value: str) -> None:
    if isinstance(node, dict):
        node[segment] = value
        return
    index = int(segment) if segment else len(node)
    while len(node) <= index:
        node.append(None)
    node[index] = value


def _compact(value: Any) -> Any:
    """Drop the holes a sparse index (`users[3]=x` alone) leaves, as qs does."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not None]
    return value
