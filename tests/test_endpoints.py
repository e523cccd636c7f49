"""The endpoint table against a hand transcription of the v2 digest (§2), and the rules
it drives (required filters and fields, conditions, versions) refused before any request."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import seventime_async as st
from seventime_async._endpoints import ENDPOINTS, Endpoint, FilterKind, by_name, families
from seventime_async._requests import filter_params, write_payload
from seventime_async.emulator import Emulator

ACTOR = "5bb26376c42fb99275000080"
AN_ID = "5f48eb3e65d7ee4926574851"

V1_FAMILIES = {
    "customers": "/customers",
    "contact_persons": "/contactPersons",
    "users": "/users",
    "user_roles": "/userRoles",
    "salary_types": "/defaultSalaryTypes",
    "user_skills": "/userSkills",
    "departments": "/departments",
    "projects": "/projects",
    "project_statuses": "/projectStatuses",
    "project_types": "/projectTypes",
    "project_tags": "/projectTags",
    "work_orders": "/workOrders",
    "work_order_types": "/workOrderTypes",
    "work_order_tags": "/workOrderTags",
    "work_order_statuses": "/workOrderStatuses",
    "price_lists": "/priceLists",
    "invoices": "/invoices",
    "invoice_tags": "/invoiceTags",
}
# The curl paths where the HTTP-Request lines disagree (digest §4.4), and machineTimeLogs'
# get-one at its collection path (see the table's note).
V2_ONLY_FAMILIES = {
    "time_logs": "/timeLogs",
    "time_categories": "/timeCategories",
    "expenses": "/expenses",
    "expense_items": "/expenseItems",
    "supplier_invoices": "/supplierInvoices",
    "purchase_orders": "/purchaseOrders",
    "quotes": "/quotes",
    "quote_templates": "/quoteTemplates",
    "quote_categories": "/quoteCategories",
    "machines": "/machines",
    "machine_types": "/machineTypes",
    "machine_time_logs": "/machineTimeLogs",
    "driver_journals": "/driverJournals",
    "driver_journal_types": "/driverJournalTypes",
    "distributors": "/distributors",
    "distributor_contact_persons": "/distributorContactPersons",
    "vehicles": "/vehicles",
    "work_schedules": "/workSchedules",
    "result_units": "/resultUnits",
    "supplement_orders": "/supplementOrders",
    "tasks": "/tasks",
    "timers": "/timers",
    "custom_fields": "/customFields",
    "documents": "/documents",
    "user_work_types": "/userWorkTypes",
}
# Digest §2, "Required create fields" (the one-of pairs are conditions, below).
CREATE_REQUIRED = {
    "contact_persons": {"customer", "name"},
    "customers": {"created_by_user", "name"},
    "distributors": {"name"},
    "driver_journals": {
        "created_by_user",
        "user",
        "driver_journal_item_type",
        "start_address",
        "end_address",
        "travel_purpose",
        "start_odometer",
        "end_odometer",
    },
    "expenses": {"created_by_user", "user"},
    "invoices": {"customer", "created_by_user", "language"},
    "projects": {"created_by_user", "name"},
    "purchase_orders": {"created_by_user", "distributor"},
    "supplier_invoices": {
        "supplier_invoice_number",
        "created_by_user",
        "distributor",
        "total_amount_incl_tax",
    },
    "tasks": {"created_by_user", "title"},
    "time_logs": {"created_by_user", "user", "timestamp"},
    "users": {"created_by_user", "first_name", "last_name", "email", "user_name", "user_role_id"},
    "work_orders": {"title", "customer", "created_by_user"},
}
# Digest §2, "Update / delete identify record by", less the ``_id`` sent apart.
UPDATE_REQUIRED = {
    "contact_persons": set(),
    "customers": {"modified_by_user"},
    "distributors": set(),
    "driver_journals": {"modified_by_user", "user"},
    "expenses": {"modified_by_user", "user"},
    "invoices": {"modified_by_user", "multiple_taxes_on_rows", "invoice_items"},
    "projects": {"modified_by_user"},
    "purchase_orders": {"modified_by_user"},
    "supplier_invoices": {"modified_by_user"},
    "tasks": {"modified_by_user"},
    "time_logs": {"modified_by_user", "user"},
    "users": {"modified_by_user"},
    "work_orders": {"modified_by_user"},
}
# The six visible deletes; the five commented out are not offered.
DELETES = {
    "driver_journals",
    "expenses",
    "purchase_orders",
    "supplier_invoices",
    "tasks",
    "time_logs",
}
# Digest §1.5: the 20 list endpoints whose examples have no ``meta``.
UNPAGED = {
    "custom_fields",
    "distributor_contact_persons",
    "driver_journal_types",
    "invoice_tags",
    "machine_types",
    "project_statuses",
    "project_types",
    "project_tags",
    "quote_templates",
    "quote_categories",
    "result_units",
    "time_categories",
    "user_roles",
    "salary_types",
    "user_skills",
    "user_work_types",
    "work_order_types",
    "work_order_tags",
    "work_order_statuses",
    "work_schedules",
}
INCREMENTAL = {"customers", "projects", "time_logs", "work_orders", "expenses", "supplier_invoices"}
DATE_FILTERS = {
    "expenses": {"from_date", "to_date"},
    "driver_journals": {"from_date", "to_date"},
    "machine_time_logs": {"from_date", "to_date"},
    "invoices": {"from_invoice_date", "to_invoice_date", "from_due_date", "to_due_date"},
    "supplier_invoices": {"from_invoice_date", "to_invoice_date"},
    "quotes": {"from_quote_date", "to_quote_date", "from_valid_to_date", "to_valid_to_date"},
}
DATETIME_FILTERS = {"time_logs": {"timestamp", "end_timestamp", "invoiced_date"}}
MINUTE_FILTERS = {"tasks": {"from_start_date", "to_start_date", "from_due_date", "to_due_date"}}
GETS_V2 = {
    "customers",
    "contact_persons",
    "users",
    "departments",
    "projects",
    "work_orders",
    "price_lists",
    "invoices",
    "time_logs",
    "time_categories",
    "expenses",
    "expense_items",
    "supplier_invoices",
    "purchase_orders",
    "quotes",
    "machines",
    "machine_time_logs",
    "driver_journals",
    "distributors",
    "vehicles",
    "work_schedules",
    "result_units",
    "supplement_orders",
    "tasks",
}


def _v2(name: str) -> Any:
    return by_name(name).api(2)


def test_every_family_has_its_attribute_name_and_path() -> None:
    assert {e.name: e.path for e in ENDPOINTS} == {**V1_FAMILIES, **V2_ONLY_FAMILIES}
    assert len(ENDPOINTS) == 43


def test_the_new_families_exist_in_v2_only_and_the_old_in_both() -> None:
    assert {e.name for e in ENDPOINTS if e.v1 is None} == set(V2_ONLY_FAMILIES)
    assert {e.name for e in families(1)} == set(V1_FAMILIES)
    assert {e.name for e in families(2)} == {e.name for e in ENDPOINTS}


def test_required_filters_match_the_digest() -> None:
    required = {
        (e.name, version): e.api(version).required_filters
        for e in ENDPOINTS
        for version in e.versions
        if e.api(version).required_filters
    }
    assert required == {
        ("contact_persons", 1): {"customer_id"},
        ("supplement_orders", 2): {"project"},
        ("distributor_contact_persons", 2): {"distributor"},
    }


def test_modified_since_is_on_exactly_the_six_incremental_families() -> None:
    assert {e.name for e in families(2) if e.api(2).incremental} == INCREMENTAL
    assert not any(e.api(1).incremental for e in families(1))
    for name in INCREMENTAL:
        spec = _v2(name).filters["modified_since"]
        assert (spec.wire, spec.kind) == ("lastModified", FilterKind.DATETIME)


def test_filter_kinds_of_dates_and_times() -> None:
    def named(kind: FilterKind) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for e in families(2):
            for name, spec in e.api(2).filters.items():
                if spec.kind is kind and name != "modified_since":
                    found.setdefault(e.name, set()).add(name)
        return found

    assert named(FilterKind.DATE) == DATE_FILTERS
    assert named(FilterKind.DATETIME) == DATETIME_FILTERS
    assert named(FilterKind.MINUTE) == MINUTE_FILTERS


def test_writes_require_what_the_digest_lists() -> None:
    creates = {e.name: e.api(2).create for e in families(2) if e.api(2).create}
    assert {name: set(spec.required) for name, spec in creates.items()} == CREATE_REQUIRED
    updates = {e.name: e.api(2).update for e in families(2) if e.api(2).update}
    assert {name: set(spec.required) for name, spec in updates.items()} == UPDATE_REQUIRED
    deletes = {e.name: e.api(2).delete for e in families(2) if e.api(2).delete}
    assert set(deletes) == DELETES
    assert all(set(spec.required) == {"deleted_by_user"} for spec in deletes.values())
    # An update may send any field its create takes ("Other available fields can be
    # found in the section 'Create ...'").
    for name, spec in updates.items():
        assert set(creates[name].fields) - {"created_by_user"} <= set(spec.fields), name
        assert "created_by_user" not in spec.fields


def test_lookups_paging_get_and_listing() -> None:
    assert {e.name for e in families(2) if not e.api(2).paged} == UNPAGED
    assert {e.name for e in families(2) if e.api(2).get} == GETS_V2
    assert [e.name for e in ENDPOINTS if not all(e.api(v).listable for v in e.versions)] == [
        "documents"
    ]
    assert set(_v2("timers").actions) == {"start", "stop"}
    assert _v2("timers").actions["stop"].returns is st.TimeLog
    assert set(_v2("documents").actions) == {"upload"}


# -- the rules, pure -----------------------------------------------------------------------


def _payload(family: str, operation: str, **fields: Any) -> dict[str, Any]:
    endpoint: Endpoint[Any] = by_name(family)
    spec = getattr(endpoint.api(2), operation)
    return write_payload(endpoint, spec, operation, fields, acting_user=ACTOR)


def test_one_of_two_fields_is_required_where_the_reference_says_so() -> None:
    stamp = datetime(2020, 10, 7, 7, tzinfo=UTC)
    with pytest.raises(st.ValidationError, match=r"end_timestamp \(required when time is not"):
        _payload("time_logs", "create", user=AN_ID, timestamp=stamp)
    by_time = _payload("time_logs", "create", user=AN_ID, timestamp=stamp, time=5)
    assert by_time == {
        "createdByUser": ACTOR,
        "user": AN_ID,
        "timestamp": "2020-10-07 07:00:00",
        "time": 5,
    }
    until = _payload("time_logs", "create", user=AN_ID, timestamp=stamp, end_timestamp=stamp)
    assert until["endTimestamp"] == "2020-10-07 07:00:00"

    with pytest.raises(
        st.ValidationError, match=r"vehicle \(required when car_registration_number is not"
    ):
        _payload(
            "driver_journals",
            "create",
            user=AN_ID,
            driver_journal_item_type=AN_ID,
            start_address="Lund",
            end_address="Malmö",
            travel_purpose="Service",
            start_odometer=100,
            end_odometer=120,
        )
    # A free-text expense names its article and prices instead of an expense item.
    with pytest.raises(st.ValidationError) as missing:
        _payload("expenses", "create", user=AN_ID, name="Skruv")
    assert "unit_cost (required when expense_item is not given)" in str(missing.value)
    assert "expense_item (required" not in str(missing.value)
    assert _payload("expenses", "create", user=AN_ID, expense_item=AN_ID)["expenseItem"] == AN_ID


def test_the_invoice_put_requires_the_whole_rows_and_the_tax_rule() -> None:
    rows = [{"item_type": "general", "name": "Arbete", "unit_price": 650}]
    with pytest.raises(st.ValidationError, match="invoice_items, multiple_taxes_on_rows"):
        _payload("invoices", "update", invoice_status=3)
    with pytest.raises(
        st.ValidationError, match=r"tax_percent \(required when multiple_taxes_on_rows is False"
    ):
        _payload("invoices", "update", multiple_taxes_on_rows=False, invoice_items=rows)
    body = _payload(
        "invoices", "update", multiple_taxes_on_rows=False, tax_percent=25, invoice_items=rows
    )
    assert body["invoiceItems"] == [{"itemType": "general", "name": "Arbete", "unitPrice": 650}]
    assert body["modifiedByUser"] == ACTOR
    # An update of another family sends only what it is given (and the audit field).
    assert _payload("projects", "update", notes="x") == {"modifiedByUser": ACTOR, "notes": "x"}


def test_v2_work_orders_no_longer_take_a_number() -> None:
    assert "work_order_number" in by_name("work_orders").api(1).create.fields  # type: ignore[union-attr]
    with pytest.raises(st.ValidationError, match="unknown field"):
        _payload("work_orders", "create", title="x", customer=AN_ID, work_order_number=7)


def test_filters_are_spelled_by_kind() -> None:
    moment = datetime(2024, 3, 1, 12, 30, 45, tzinfo=timezone(timedelta(hours=1)))
    assert filter_params(by_name("tasks"), _v2("tasks"), {"from_due_date": moment}) == [
        ("fromDueDate", "2024-03-01 11:30")
    ]
    assert filter_params(
        by_name("time_logs"), _v2("time_logs"), {"timestamp": moment, "is_absence": True}
    ) == [("timestamp", "2024-03-01 11:30:45"), ("isAbsence", "true")]
    assert filter_params(by_name("quotes"), _v2("quotes"), {"to_quote_date": date(2024, 1, 2)}) == [
        ("toQuoteDate", "2024-01-02")
    ]
    with pytest.raises(st.ValidationError, match="aware datetime"):
        filter_params(by_name("tasks"), _v2("tasks"), {"to_start_date": datetime(2024, 1, 1)})
    with pytest.raises(st.ValidationError, match=r"datetime\.date"):
        filter_params(by_name("expenses"), _v2("expenses"), {"from_date": "2024-01-01"})


# -- refused before any request, over TCP ---------------------------------------------------


async def test_v2_only_families_are_refused_on_a_v1_client_before_any_request() -> None:
    async with Emulator(seed=3) as emu:
        async with st.SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as v1:
            for name in V2_ONLY_FAMILIES:
                with pytest.raises(st.ValidationError, match="does not exist in API v1"):
                    await getattr(v1, name).list()
        assert emu.request_count == 0


async def test_required_filters_fields_and_audit_users_are_refused_before_any_request() -> None:
    async with Emulator(seed=3) as emu:
        v2 = st.SevenTimeClient(emu.api_key, base_url=emu.url(2), rate_limit=None)
        async with v2:
            with pytest.raises(st.ValidationError, match="requires the filter project"):
                await v2.supplement_orders.list()
            with pytest.raises(st.ValidationError, match="requires the filter distributor"):
                await v2.distributor_contact_persons.list()
            for name, required in CREATE_REQUIRED.items():
                with pytest.raises(st.ValidationError) as caught:
                    await getattr(v2, name).create()
                text = str(caught.value)
                assert all(field in text for field in required), name
            for name in UPDATE_REQUIRED:
                if UPDATE_REQUIRED[name]:
                    with pytest.raises(st.ValidationError, match="is missing"):
                        await getattr(v2, name).update(AN_ID)
            for name in DELETES:
                with pytest.raises(st.ValidationError, match="deleted_by_user"):
                    await getattr(v2, name).delete(AN_ID)
        assert emu.request_count == 0


def _operations(api: Any) -> str:
    if api is None:
        return "no"
    names = [
        name
        for name, offered in (
            ("list", api.listable),
            ("get", api.get),
            ("create", api.create),
            ("update", api.update),
            ("delete", api.delete),
        )
        if offered
    ]
    return ", ".join([*names, *(f"{action}()" for action in api.actions)])


def test_the_readme_resource_table_covers_both_versions() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `(/\w+)` \| ([^|]+) \| ([^|]+) \|", readme, flags=re.M)
    assert {name: (path, v1.strip(), v2.strip()) for name, path, v1, v2 in rows} == {
        e.name: (e.path, _operations(e.v1), _operations(e.v2)) for e in ENDPOINTS
    }
