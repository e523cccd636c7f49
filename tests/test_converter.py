"""Layout hooks: the compiled path gives exactly what cattrs' general hook gives.

Entities are structured by code compiled per key layout (``_layout.py``); any item
whose layout is not compiled goes through cattrs' generated hook. These tests hold the
two paths to the same result over random layouts, values, key orders and unknown keys,
and walk every way out of the fast path: another layout, a value an inline form cannot
take, a class whose ``__init__`` does more than store, the cap on compiled layouts.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import seventime_async as st
from seventime_async import _converter
from seventime_async._converter import entity_fields, structure_page

STAMP = "2018-10-01T18:12:06.025Z"


def general_hook(cls: type[st.Entity], monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], Any]:
    """A fresh hook for ``cls`` that may compile no layout: cattrs' general path only."""
    monkeypatch.setattr(_converter, "_MAX_LAYOUTS", 0)
    hook = _converter._make_entity_structure(cls)
    return lambda data: hook(data, cls)


def same(a: st.Entity, b: st.Entity) -> None:
    assert a == b
    assert a._unset == b._unset
    assert st.unstructure(a) == st.unstructure(b)


# Values of the right JSON type for each Customer key, None included.
_TEXT = hs.text(max_size=8)
_NUMBER = hs.one_of(hs.integers(-(10**6), 10**6), hs.floats(allow_nan=False, width=32))
_STAMPS = hs.sampled_from([STAMP, "2021-03-04T05:06:07.000Z", "2020-01-01T00:00:00+02:00"])
_DEDUCTION = hs.fixed_dictionaries(
    {},
    optional={"_id": _TEXT, "userName": _TEXT, "distributionPercent": _NUMBER},
)
_BILLING = hs.fixed_dictionaries(
    {},
    optional={
        "address": _TEXT,
        "isROTCustomer": hs.booleans(),
        "typeOfProperty": hs.none() | hs.integers(0, 3),
        "deductionDistribution": hs.lists(_DEDUCTION, max_size=3),
        "priceList": hs.none() | _TEXT | hs.fixed_dictionaries({"_id": _TEXT}),
        "brandNewSetting": hs.integers(),
    },
)
_CUSTOMER_VALUES: dict[str, hs.SearchStrategy[Any]] = {
    "_id": _TEXT,
    "name": hs.none() | _TEXT,
    "customerNumber": _TEXT,
    "pricePerHour": hs.none() | _NUMBER,
    "isActive": hs.none() | hs.booleans(),
    "documents": hs.lists(hs.integers(), max_size=2),
    "billingSettings": hs.none() | _BILLING,
    "createdDate": hs.none() | _STAMPS,
    "modifiedDate": _STAMPS,
    "__v": hs.integers(0, 9),
    # Keys the library does not model, one of them unkind to generated code.
    "brandNew": hs.dictionaries(_TEXT, hs.integers(), max_size=2),
    "we'ird\n\"key": _TEXT,
}


@hs.composite
def customers(draw: hs.DrawFn) -> dict[str, Any]:
    keys = draw(hs.permutations(list(_CUSTOMER_VALUES)))
    keys = keys[: draw(hs.integers(0, len(keys)))]
    return {key: draw(_CUSTOMER_VALUES[key]) for key in keys}


@settings(max_examples=150, deadline=None)
@given(pages=hs.lists(hs.lists(customers(), min_size=1, max_size=6), min_size=1, max_size=4))
def test_layout_hooks_match_the_general_hook(pages: list[list[dict[str, Any]]]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        general = general_hook(st.Customer, monkeypatch)
        expected = [[general(item) for item in page] for page in pages]
    # Pages of mixed layouts, so the hook keeps switching between compiled layouts.
    for page, want in zip(pages, expected, strict=True):
        got = structure_page(page, st.Customer)
        for a, b, item in zip(got, want, page, strict=True):
            same(a, b)
            assert st.unstructure(a) == item  # lossless, unknown keys included


def test_a_layout_stores_defaults_extra_and_unset() -> None:
    item = {"name": "A", "zeta": 1}
    first, second = structure_page([item, dict(item)], st.Customer)
    assert first.extra == {"zeta": 1}
    assert first.extra is not second.extra  # every entity its own mutable defaults
    assert first.documents == [] and first.documents is not second.documents
    assert first.id is None and first.billing_settings is None
    assert first._unset == frozenset(entity_fields(st.Customer).values()) - {"name"}


def test_a_key_missing_or_added_is_another_layout() -> None:
    # Same length as the warm layout but one key swapped: a KeyError inside it.
    a, b = structure_page([{"name": "A", "email": "a@x"}, {"name": "B", "phone": "1"}], st.Customer)
    assert (a.email, a.phone, b.email, b.phone) == ("a@x", None, None, "1")
    (c,) = structure_page([{"name": "C", "email": "c@x", "phone": "2"}], st.Customer)
    assert (c.email, c.phone) == ("c@x", "2")


def test_values_an_inline_form_cannot_take_go_the_general_way() -> None:
    warm = {"createdDate": STAMP, "billingSettings": {}, "documents": []}
    structure_page([warm], st.Customer)
    moment = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    (typed,) = structure_page([{**warm, "createdDate": moment}], st.Customer)
    assert typed.created_date is moment
    (naive,) = structure_page([{**warm, "createdDate": "2020-01-02T03:04:05"}], st.Customer)
    assert naive.created_date == moment  # a naive timestamp is read as UTC
    (offset,) = structure_page([{**warm, "createdDate": "2020-01-02T05:04:05+02:00"}], st.Customer)
    assert offset.created_date == moment
    assert offset.created_date.utcoffset() == timedelta(hours=2)
    (nulls,) = structure_page([{**warm, "documents": None, "createdDate": None}], st.Customer)
    assert nulls.documents == [] and nulls.created_date is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("createdDate", 17),
        ("createdDate", "yesterday"),
        ("billingSettings", "not an object"),
        ("documents", {"not": "an array"}),
    ],
)
def test_a_wrong_type_raises_from_a_warm_layout(key: str, value: Any) -> None:
    warm = {"createdDate": STAMP, "billingSettings": {}, "documents": []}
    structure_page([warm], st.Customer)
    with pytest.raises((TypeError, ValueError)):
        structure_page([{**warm, key: value}], st.Customer)


def test_nested_lists_of_entities_use_their_layouts() -> None:
    items = [{"_id": f"i{n}", "unitPrice": n} for n in range(3)] + [{"_id": "odd", "x": 1}]
    invoice = st.structure({"invoiceItems": items, "customFields": []}, st.Invoice)
    assert [i.unit_price for i in invoice.invoice_items] == [0, 1, 2, None]
    assert invoice.invoice_items[3].extra == {"x": 1}
    with pytest.raises(TypeError):
        st.structure({"invoiceItems": [1]}, st.Invoice)


def test_past_the_cap_on_layouts_the_general_hook_takes_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_converter, "_MAX_LAYOUTS", 0)
    # Each item a layout never seen before, so none can be compiled any more.
    items = [{"tagName": f"n{i}", f"unknown{i}": i} for i in range(5)]
    for item, tag in zip(items, structure_page(items, st.Tag), strict=True):
        assert tag.extra == {k: v for k, v in item.items() if k != "tagName"}
        assert st.unstructure(tag) == item


@attrs.define(kw_only=True, slots=True)
class _Checked(st.Entity):
    """An entity whose __init__ does more than store: validators and a post-init."""

    count: int | None = attrs.field(default=None, validator=attrs.validators.ge(0))
    seen: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        self.seen = True


def test_a_class_whose_init_does_more_is_built_through_it() -> None:
    assert st.structure({"count": 2}, _Checked).seen
    with pytest.raises(ValueError, match="count"):
        st.structure({"count": -1}, _Checked)


def test_timestamps_in_other_zones_keep_their_offset() -> None:
    zone = timezone(timedelta(hours=-5))
    (customer,) = structure_page([{"createdDate": "2020-01-01T00:00:00-05:00"}], st.Customer)
    assert customer.created_date == datetime(2020, 1, 1, tzinfo=zone)


def test_a_traceback_through_a_layout_shows_its_code() -> None:
    # A class the random layouts above leave alone, so this layout is surely compiled.
    structure_page([{"logDate": STAMP}], st.InvoiceLogEntry)
    with pytest.raises(ValueError, match="isoformat") as caught:
        structure_page([{"logDate": "garbage"}], st.InvoiceLogEntry)
    frames = traceback.format_tb(caught.value.__traceback__)
    assert any("structure_InvoiceLogEntry_layout" in f and "self.log_date = " in f for f in frames)
