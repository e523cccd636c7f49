"""The converter: lossless round trips, defaults, nulls, and wrong shapes refused.

Entities are structured by cattrs' generated hook with the wire renames, plus the
``extra``/``_unset`` bookkeeping that makes unstructuring give back exactly the input.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import seventime_async as st
from seventime_async._converter import entity_fields, structure_page

STAMP = "2018-10-01T18:12:06.025Z"


# Values of the right JSON type for each Customer key, None included.
_TEXT = hs.text(max_size=8)
_NUMBER = hs.one_of(hs.integers(-(10**6), 10**6), hs.floats(allow_nan=False, width=32))
_STAMPS = hs.sampled_from([STAMP, "2021-03-04T05:06:07.000Z", "2020-01-01T00:00:00+02:00"])
_DEDUCTION = hs.fixed_dictionaries(
    {},
    optional={"_id": _TEXT, "userName": _TEXT, "distributionPercent": _NUMBER},
)
_DOCUMENT = hs.fixed_dictionaries(
    {},
    optional={"_id": _TEXT, "size": hs.integers(0, 10**6), "createDate": _STAMPS, "odd": _TEXT},
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
    "documents": hs.lists(_DOCUMENT, max_size=2),
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


@settings(max_examples=200, deadline=None)
@given(page=hs.lists(customers(), min_size=1, max_size=6))
def test_structure_and_unstructure_round_trip(page: list[dict[str, Any]]) -> None:
    got = structure_page(page, st.Customer)
    for entity, item in zip(got, page, strict=True):
        assert st.unstructure(entity) == item  # lossless, unknown keys included
        # And back: the entity rebuilt from its own wire form is the same entity.
        again = st.structure(st.unstructure(entity), st.Customer)
        assert again == entity
        assert again._unset == entity._unset


def test_structure_stores_defaults_extra_and_unset() -> None:
    item = {"name": "A", "zeta": 1}
    first, second = structure_page([item, dict(item)], st.Customer)
    assert first.extra == {"zeta": 1}
    assert first.extra is not second.extra  # every entity its own mutable defaults
    assert first.documents == [] and first.documents is not second.documents
    assert first.id is None and first.billing_settings is None
    assert first._unset == frozenset(entity_fields(st.Customer).values()) - {"name"}


def test_timestamps_datetimes_and_nulls() -> None:
    moment = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    typed = st.structure({"createdDate": moment}, st.Customer)
    assert typed.created_date is moment
    naive = st.structure({"createdDate": "2020-01-02T03:04:05"}, st.Customer)
    assert naive.created_date == moment  # a naive timestamp is read as UTC
    offset = st.structure({"createdDate": "2020-01-02T05:04:05+02:00"}, st.Customer)
    assert offset.created_date == moment
    assert offset.created_date is not None
    assert offset.created_date.utcoffset() == timedelta(hours=2)
    nulls = st.structure({"documents": None, "createdDate": None}, st.Customer)
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
def test_a_wrong_type_raises(key: str, value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        st.structure({"createdDate": STAMP, key: value}, st.Customer)


def test_nested_lists_of_entities() -> None:
    items = [{"_id": f"i{n}", "unitPrice": n} for n in range(3)] + [{"_id": "odd", "x": 1}]
    invoice = st.structure({"invoiceItems": items, "customFields": []}, st.Invoice)
    assert [i.unit_price for i in invoice.invoice_items] == [0, 1, 2, None]
    assert invoice.invoice_items[3].extra == {"x": 1}
    with pytest.raises(TypeError):
        st.structure({"invoiceItems": [1]}, st.Invoice)


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
    customer = st.structure({"createdDate": "2020-01-01T00:00:00-05:00"}, st.Customer)
    assert customer.created_date == datetime(2020, 1, 1, tzinfo=zone)
    assert st.unstructure(customer) == {"createdDate": "2020-01-01T00:00:00-05:00"}
