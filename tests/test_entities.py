"""Entities and the converter: every reference example round-trips, byte for byte."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

import seventime_async as st

FIXTURES = Path(__file__).parent / "fixtures" / "reference_examples.json"
# The references live in ``shared/`` beside the checkout (or beside its worktrees' folder).
SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents if (p / "shared").is_dir()),
    Path("shared"),
)
REFERENCE = SHARED / "seventime-api-v1.md"
EXAMPLES: list[dict[str, Any]] = json.loads(FIXTURES.read_text("utf-8"))


def _items(example: dict[str, Any]) -> list[dict[str, Any]]:
    return example["json"] if example["list"] else [example["json"]]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["section"] for e in EXAMPLES])
def test_reference_example_round_trips(example: dict[str, Any]) -> None:
    cls = getattr(st, example["entity"])
    for item in _items(example):
        entity = st.structure(item, cls)
        assert isinstance(entity, cls)
        back = st.unstructure(entity)
        assert back == item
        # Byte for byte, timestamps and number types included.
        assert orjson.dumps(back, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            item, option=orjson.OPT_SORT_KEYS
        )


def test_fixture_covers_every_json_example_of_the_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip("../shared/seventime-api-v1.md is not beside this checkout")
    text = REFERENCE.read_text("utf-8")
    blocks = re.findall(r"```json\s*\n(.*?)```", text, flags=re.S)
    assert len(blocks) == len(EXAMPLES) == 30
    for block, example in zip(blocks, EXAMPLES, strict=True):
        # Every key the reference shows is in the repaired fixture, and no key was invented.
        shown = set(re.findall(r'(?:^|[{,])\s*"?([A-Za-z_]\w*)"?\s*:\s', block, flags=re.M))
        fixture_keys: set[str] = set()

        def collect(value: Any, into: set[str] = fixture_keys) -> None:
            if isinstance(value, dict):
                into.update(value)
                for v in value.values():
                    collect(v)
            elif isinstance(value, list):
                for v in value:
                    collect(v)

        collect(example["json"])
        assert fixture_keys == shown, example["section"]


def _example(section: str) -> Any:
    return next(e["json"] for e in EXAMPLES if e["section"] == section)


def test_typed_access_to_nested_fields() -> None:
    customer = st.structure(_example("Get a Specific Customer"), st.Customer)
    assert customer.id == "5bb26376c42fb99275000080"
    assert customer.version == 0
    assert customer.billing_settings is not None
    assert customer.billing_settings.is_rot_customer is True
    assert customer.billing_settings.deduction_distribution[0].distribution_percent == 100
    assert customer.billing_settings.price_list is None
    assert customer.created_date == datetime(2018, 10, 1, 18, 12, 6, 25000, tzinfo=UTC)

    invoice = st.structure(_example("Get a Specific Invoice"), st.Invoice)
    assert invoice.invoice_items[0].unit_price == 12345
    assert invoice.ocr_number == "2448173"
    assert invoice.customer_vat == ""
    assert invoice.total_tax_amount == 327.24
    assert invoice.custom_fields[0].value == {"distributorId": None, "distributorName": ""}
    assert invoice.contact_person_name == "Björn Romansoff"
    assert invoice.invoice_log_entries[0].log_date is not None
    assert invoice.invoice_log_entries[0].log_date.tzinfo is not None

    project = st.structure(_example("Get a Specific project"), st.Project)
    assert project.staff_ledger is not None
    assert project.staff_ledger.work_place_id_number == ""
    assert project.custom_fields[0].value == "5c0e7342ce9a647150000085"


def test_reference_fields_accept_an_id_or_an_object() -> None:
    listed = st.structure(_example("Get a Specific Work order"), st.WorkOrder)
    assert listed.created_by_user == "5112826056d961c030000002"
    assert listed.created_by_user_id == "5112826056d961c030000002"
    created = st.structure(_example("Create a Work order"), st.WorkOrder)
    assert isinstance(created.created_by_user, st.User)
    assert created.created_by_user_id == "5912626016d971c030916402"
    assert st.ref_id(created.created_by_user) == "5912626016d971c030916402"


def test_unknown_keys_are_kept_in_extra_and_given_back() -> None:
    data = {"_id": "5bb26376c42fb99275000080", "name": "X", "brandNew": {"a": [1]}, "zeta": None}
    customer = st.structure(data, st.Customer)
    assert customer.extra == {"brandNew": {"a": [1]}, "zeta": None}
    assert st.unstructure(customer) == data


def test_missing_keys_take_defaults_and_null_is_accepted() -> None:
    customer = st.structure({"name": None, "documents": None}, st.Customer)
    assert customer.id is None
    assert customer.name is None
    assert customer.documents == []
    assert customer.billing_settings is None
    assert st.unstructure(st.structure({}, st.Customer)) == {}


def test_a_user_built_entity_unstructures_with_wire_names() -> None:
    settings = st.BillingSettings(is_rot_customer=True)
    data = st.unstructure(settings)
    assert data["isROTCustomer"] is True
    assert data["deductionDistribution"] == []


def test_timestamps_print_back_in_the_api_form() -> None:
    stamp = "2020-11-13T14:35:28.797Z"
    entry = st.structure({"logDate": stamp}, st.LogEntry)
    assert entry.log_date == datetime(2020, 11, 13, 14, 35, 28, 797000, tzinfo=UTC)
    assert st.unstructure(entry) == {"logDate": stamp}


def test_structure_of_a_wrong_shape_raises() -> None:
    with pytest.raises(TypeError):
        st.structure(["not", "an", "object"], st.Customer)


def test_list_structure() -> None:
    items = _example("Get Project tags")
    tags = st.structure(items, list[st.Tag])
    assert [t.tag_name for t in tags] == ["Viktigt"]
