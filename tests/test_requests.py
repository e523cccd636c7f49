"""Pure request building: form encoding, filters, sort keys, create validation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as hs

import seventime_async as st
from seventime_async._endpoints import CUSTOMERS, INVOICES, PROJECTS, USERS, WORK_ORDERS, Endpoint
from seventime_async._qs import decode_pairs, encode_pairs
from seventime_async._requests import list_params, sort_key, write_payload


def _create(endpoint: Endpoint[Any], fields: dict[str, Any]) -> dict[str, Any]:
    spec = endpoint.api(1).create
    assert spec is not None
    return write_payload(endpoint, spec, "create", fields)


def test_nested_create_fields_use_the_qs_bracket_form() -> None:
    payload = _create(
        CUSTOMERS,
        {
            "name": "Tommy Hellström",
            "city": "Västra Karup",
            "payment_days": 20,
            "billing_settings": st.BillingSettings(
                is_rot_customer=True,
                deduction_distribution=[
                    st.DeductionItem(
                        user_name="Tommy", personal_number="555555-5555", distribution_percent=100
                    )
                ],
            ),
        },
    )
    pairs = encode_pairs(payload)
    assert ("name", "Tommy Hellström") in pairs
    assert ("paymentDays", "20") in pairs
    assert ("billingSettings[isROTCustomer]", "true") in pairs
    assert ("billingSettings[deductionDistribution][0][userName]", "Tommy") in pairs
    assert ("billingSettings[deductionDistribution][0][distributionPercent]", "100") in pairs
    # Unset (None) fields of a user-built entity are not sent.
    assert not any(k.startswith("billingSettings[city]") for k, _ in pairs)
    body = urlencode(pairs)
    assert "billingSettings%5BisROTCustomer%5D=true" in body


def test_plain_dicts_take_snake_or_wire_keys() -> None:
    payload = _create(
        WORK_ORDERS,
        {
            "title": "Support",
            "customer": "571f61330c7f498a2d0001a4",
            "created_by_user": "5912626016d971c030916402",
            "project": "5b20cce1d59a902e28000079",
            "users": ["5112826056d961c030000002", "5112826056d961c030000003"],
            "work_address": {"use_other_address": True, "zipCode": "269 74"},
            "start_date": datetime(2024, 5, 2, 7, 30),
        },
    )
    pairs = encode_pairs(payload)
    assert ("Project", "5b20cce1d59a902e28000079") in pairs  # the reference's capital P
    assert ("users[1]", "5112826056d961c030000003") in pairs
    assert ("workAddress[useOtherAddress]", "true") in pairs
    assert ("workAddress[zipCode]", "269 74") in pairs
    assert ("startDate", "2024-05-02 07:30") in pairs


def test_entities_given_for_reference_fields_send_their_id() -> None:
    customer = st.Customer(id="571f61330c7f498a2d0001a4")
    payload = _create(
        INVOICES,
        {
            "customer": customer,
            "created_by_user": "5912626016d971c030916402",
            "language": "SV",
            "invoice_date": date(2024, 1, 31),
        },
    )
    assert payload["customer"] == "571f61330c7f498a2d0001a4"
    assert payload["invoiceDate"] == "2024-01-31"


@pytest.mark.parametrize(
    ("endpoint", "fields", "message"),
    [
        (CUSTOMERS, {"city": "Båstad"}, "missing name"),
        (CUSTOMERS, {"name": "X", "colour": "red"}, "unknown field(s) colour"),
        (USERS, {"first_name": "A", "last_name": "B", "email": "e"}, "user_name, user_role_id"),
        (PROJECTS, {"name": "P", "billing_method": "HOURLY"}, "price_per_hour"),
        (PROJECTS, {"name": "P", "contact_person": "5af95e6b1e56d1623800027d"}, "customer"),
        (
            WORK_ORDERS,
            {
                "title": "T",
                "customer": "c",
                "created_by_user": "u",
                "work_address": {"city": "Lund"},
            },
            "workAddress.useOtherAddress",
        ),
        (
            INVOICES,
            {
                "customer": "c",
                "created_by_user": "u",
                "language": "SV",
                "invoice_items": [{"name": "x"}],
            },
            "invoiceItems[].itemType",
        ),
        (
            INVOICES,
            {"customer": "c", "created_by_user": "u", "language": "SV", "invoice_type": 1},
            "house_properties",
        ),
        (CUSTOMERS, {"name": "X", "billing_settings": {"nope": 1}}, "no field 'nope'"),
        (CUSTOMERS, {"name": "X", "billing_settings": 3}, "BillingSettings or a dict"),
        (CUSTOMERS, {"name": "X", "city": object()}, "string, number or boolean"),
        # A dict for a scalar inside a nested object would go out as bracket keys, an
        # operator object on the server (billingSettings[isROTCustomer][$ne]=...).
        (
            CUSTOMERS,
            {"name": "X", "billing_settings": {"is_rot_customer": {"$ne": 1}}},
            "billing_settings.is_rot_customer takes a string, number or boolean",
        ),
        (
            CUSTOMERS,
            {
                "name": "X",
                "billing_settings": {"deduction_distribution": [{"user_name": {"$where": "1"}}]},
            },
            "deduction_distribution[0].user_name takes a string",
        ),
    ],
)
def test_create_validation(endpoint: object, fields: dict[str, object], message: str) -> None:
    with pytest.raises(st.ValidationError) as caught:
        _create(endpoint, fields)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_list_params_translate_names() -> None:
    params = list_params(
        INVOICES, INVOICES.api(1), "ocr_number", "descending", {"ocr_number": "2448173"}
    )
    assert params == [
        ("OCRNumber", "2448173"),
        ("sortBy", "OCRNumber"),
        ("sortDirection", "descending"),
    ]
    assert sort_key(CUSTOMERS, "createdDate") == "createdDate"
    assert sort_key(CUSTOMERS, "created_date") == "createdDate"
    assert list_params(USERS, USERS.api(1), None, None, {"is_active": True}) == [
        ("isActive", "true")
    ]
    with pytest.raises(st.ValidationError, match="cannot be sorted by 'colour'"):
        sort_key(CUSTOMERS, "colour")


json_scalars = hs.one_of(hs.text(min_size=1, max_size=8), hs.integers(-1000, 1000), hs.booleans())
json_keys = hs.text(alphabet="abcdefghXYZ_", min_size=1, max_size=6)
nested = hs.recursive(
    json_scalars,
    lambda inner: hs.one_of(
        hs.lists(inner, min_size=1, max_size=4),
        hs.dictionaries(json_keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=12,
)


@given(hs.dictionaries(json_keys, nested, min_size=1, max_size=5))
def test_form_encoding_round_trips_through_a_url_encoded_body(data: dict[str, object]) -> None:
    def as_text(value: object) -> object:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return {k: as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [as_text(v) for v in value]
        return str(value)

    body = urlencode(encode_pairs(data))
    assert decode_pairs(parse_qsl(body, keep_blank_values=True)) == as_text(data)
