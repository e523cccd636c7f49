"""The client against the emulator over real TCP: every endpoint, errors, secrets."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest

import seventime_async as st
from seventime_async._endpoints import ENDPOINTS, families
from seventime_async._resources import resource_class
from seventime_async.emulator import Emulator, Faults

from .conftest import client_for


def _big_customer(emu: Emulator) -> str:
    counts: dict[str, int] = {}
    for person in emu.items("contact_persons"):
        counts[person["customer"]] = counts.get(person["customer"], 0) + 1
    return max(counts, key=counts.__getitem__)


@pytest.mark.parametrize("endpoint", families(1), ids=lambda e: e.name)
async def test_every_resource_lists_over_tcp(
    endpoint: Any, emulator: Emulator, client: st.SevenTimeClient
) -> None:
    resource = getattr(client, endpoint.name)
    assert isinstance(resource, st.Resource)
    assert resource.endpoint is endpoint
    filters = {"customer_id": _big_customer(emulator)} if endpoint.name == "contact_persons" else {}
    items = await resource.list(**filters)
    stored = emulator.items(endpoint.name)
    if filters:
        stored = [d for d in stored if d["customer"] == filters["customer_id"]]
    assert len(items) == min(100, len(stored)) > 0
    assert all(isinstance(item, endpoint.entity) for item in items)
    # Decoded then unstructured, each item is exactly what the server holds.
    by_key = {d[endpoint.key]: d for d in stored}
    for item in items:
        raw = st.unstructure(item)
        assert raw == by_key[raw[endpoint.key]]


def test_client_attributes_are_typed_by_the_table() -> None:
    for endpoint in ENDPOINTS:
        annotation = st.SevenTimeClient.__annotations__[endpoint.name]
        kind = resource_class(endpoint).__name__
        assert annotation == f"{kind}[{endpoint.entity.__name__}]", endpoint.name


async def test_an_operation_the_version_lacks_is_refused_before_any_request(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    an_id = emulator.items("customers")[0]["_id"]
    with pytest.raises(st.ValidationError, match=r"user_roles.get\(\) is not offered by API v1"):
        await client.user_roles.get(an_id)
    with pytest.raises(st.ValidationError, match=r"customers.update\(\) is not offered"):
        await client.customers.update(an_id, name="x")
    with pytest.raises(st.ValidationError, match=r"customers.delete\(\) is not offered"):
        await client.customers.delete(an_id)
    with pytest.raises(st.ValidationError, match="limit and page are API v2 parameters"):
        await client.customers.list(limit=10)
    assert emulator.request_count == 0


@pytest.mark.parametrize("endpoint", [e for e in families(1) if e.api(1).get], ids=lambda e: e.name)
async def test_get_by_id(endpoint: Any, emulator: Emulator, client: st.SevenTimeClient) -> None:
    doc = emulator.items(endpoint.name)[-1]
    item = await getattr(client, endpoint.name).get(doc["_id"])
    assert isinstance(item, endpoint.entity)
    assert st.unstructure(item) == doc


async def test_list_sorts_and_filters(emulator: Emulator, client: st.SevenTimeClient) -> None:
    page = await client.work_orders.list(sort_by="workOrderNumber", sort_direction="descending")
    numbers = [w.work_order_number for w in page]
    assert numbers == sorted(numbers, reverse=True)
    assert numbers[0] == max(d["workOrderNumber"] for d in emulator.items("work_orders"))
    target = emulator.items("customers")[5]
    found = await client.customers.list(
        organization_number=target["organizationNumber"], name=target["name"]
    )
    assert target["_id"] in {c.id for c in found}
    assert all(c.name == target["name"] for c in found)
    active = await client.users.list(is_active=False)
    assert active and all(u.is_active is False for u in active)
    roles = await client.user_roles.list(sort_by="user_role_id", sort_direction="descending")
    assert [r.user_role_id for r in roles] == [50, 40, 30, 20, 10, 1]


async def test_create_customer_sends_nested_form_fields(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    created = await client.customers.create(
        name="Tommy Hellström",
        city="Västra Karup",
        payment_days=20,
        billing_settings=st.BillingSettings(
            is_rot_customer=True,
            deduction_distribution=[
                st.DeductionItem(
                    user_name="Tommy Hellström",
                    personal_number="555555-5555",
                    distribution_percent=100,
                )
            ],
        ),
    )
    assert created.id in emulator.ids("customers")
    assert created.name == "Tommy Hellström"
    assert created.payment_days == 20  # cast back to a number by the server
    assert created.billing_settings is not None
    assert created.billing_settings.is_rot_customer is True
    assert created.billing_settings.deduction_distribution[0].distribution_percent == 100
    posted = emulator.requests[-1]
    assert posted.method == "POST"
    fetched = await client.customers.get(created.id)  # type: ignore[arg-type]
    assert fetched.billing_settings == created.billing_settings


async def test_create_on_every_creatable_resource(
    emulator: Emulator, client: st.SevenTimeClient
) -> None:
    customer = emulator.items("customers")[0]["_id"]
    user_id = emulator.items("users")[0]["_id"]
    user = await client.users.create(
        first_name="Tommy",
        last_name="Hellström",
        email="tommy@nummer7.se",
        user_name="TommyH",
        user_role_id=1,
        is_active=False,
    )
    assert user.user_role_id == 1 and user.is_active is False
    project = await client.projects.create(
        name="App development", customer=customer, delivery_address={"city": "Lund"}
    )
    assert project.project_number and project.delivery_address
    assert project.delivery_address.city == "Lund"
    order = await client.work_orders.create(
        title="Support", customer=customer, created_by_user=user_id
    )
    assert isinstance(order.created_by_user, st.User)  # expanded, as the reference shows
    assert order.created_by_user_id == user_id
    assert isinstance(order.work_order_number, int)
    invoice = await client.invoices.create(
        customer=customer,
        created_by_user=user_id,
        language="SV",
        invoice_items=[st.InvoiceItem(item_type="expense", name="Skivhantel", unit_price=12345)],
    )
    assert invoice.invoice_items[0].unit_price == 12345
    assert invoice.id in emulator.ids("invoices")


VALIDATION_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str]] = [
    ("customers", "get", ("not-an-id",), {}, "24 hexadecimal"),
    ("customers", "get", ("5bb26376c42fb99275000080x",), {}, "24 hexadecimal"),
    ("customers", "create", (), {"city": "Båstad"}, "missing name"),
    ("customers", "create", (), {"name": "A", "colour": "red"}, "unknown field"),
    ("customers", "list", (), {"colour": "red"}, "no filter colour"),
    ("customers", "list", (), {"sort_direction": "up"}, "sort_direction"),
    ("customers", "list", (), {"sort_by": "nonsense"}, "cannot be sorted"),
    ("contact_persons", "list", (), {}, "requires the filter customer_id"),
    ("contact_persons", "list", (), {"customer_id": "nope"}, "customer_id must be"),
    ("work_orders", "get_many", (["5bae34dca878bd790d02065a", "zzz"],), {}, "24 hexadecimal"),
]


@pytest.mark.parametrize(("resource", "method", "args", "kwargs", "message"), VALIDATION_CASES)
async def test_bad_input_raises_before_any_request(
    emulator: Emulator,
    client: st.SevenTimeClient,
    resource: str,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    message: str,
) -> None:
    emulator.reset_counters()
    with pytest.raises(st.ValidationError, match=message) as caught:
        await getattr(getattr(client, resource), method)(*args, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert emulator.request_count == 0


def test_bad_walk_arguments_raise_before_any_request(client: st.SevenTimeClient) -> None:
    with pytest.raises(st.ValidationError, match="sort_direction"):
        client.customers.iter_all(sort_direction="sideways")
    with pytest.raises(st.ValidationError, match="no filter"):
        client.customers.iter_all(colour="red")
    with pytest.raises(st.ValidationError, match="concurrency"):
        client.customers.iter_all(concurrency=0)
    with pytest.raises(st.ValidationError, match="requires the filter"):
        client.contact_persons.iter_all()


def test_client_construction_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEVENTIME_API_KEY", raising=False)
    with pytest.raises(st.ValidationError, match="no API key"):
        st.SevenTimeClient()
    monkeypatch.setenv("SEVENTIME_API_KEY", "from-the-environment")
    client = st.SevenTimeClient()
    assert "from-the-environment" not in repr(client)
    assert client.base_url == "https://app.seventime.se/api/1"
    with pytest.raises(st.ValidationError, match="clear text"):
        st.SevenTimeClient("k", base_url="http://app.seventime.se/api/1")
    for loopback in (
        "http://127.0.0.1:8080/api/1",
        "http://localhost/api/1",
        "http://[::1]:1/api/1",
    ):
        st.SevenTimeClient("k", base_url=loopback)


async def test_the_key_is_sent_and_never_shown(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="seventime_async")
    secret = emulator.api_key
    async with client_for(emulator) as client:
        await client.customers.list()
        assert secret not in repr(client)
        assert secret not in repr(client.customers)
    async with st.SevenTimeClient("wrong-" + secret, base_url=emulator.base_url) as wrong:
        with pytest.raises(st.AuthenticationError) as caught:
            await wrong.customers.list()
    error = caught.value
    assert error.status == 401
    assert "Client-Secret" in error.error_message
    for text in (str(error), repr(error), error.url, caplog.text):
        assert secret not in text
    assert "GET /customers -> 200" in caplog.text


@pytest.mark.parametrize(
    ("fault", "status", "cls"),
    [
        ("500", 500, st.ServerError),
        ("502", 502, st.ServerError),
        ("503", 503, st.ServiceUnavailableError),
        ("429", 429, st.RateLimitError),
    ],
)
async def test_http_errors_map_to_their_classes(
    emulator: Emulator, fault: str, status: int, cls: type[st.ApiError]
) -> None:
    emulator.faults = Faults(rate=1.0, kinds=(fault,))
    async with client_for(emulator, retry=st.RetryPolicy(max_retries=0)) as client:
        with pytest.raises(cls) as caught:
            await client.customers.list()
    assert caught.value.status == status
    assert caught.value.method == "GET"
    assert caught.value.url.startswith(emulator.base_url + "/customers")
    assert f"Injected fault {fault}" in str(caught.value)
    assert emulator.api_key not in str(caught.value)


async def test_400_404_and_403(emulator: Emulator) -> None:
    async with client_for(emulator) as client:
        with pytest.raises(st.NotFoundError) as missing:
            await client.customers.get("5bb26376c42fb99275000080")
        assert missing.value.status == 404
        assert "5bb26376c42fb99275000080" in str(missing.value)
        taken = emulator.items("customers")[0]["customerNumber"]
        with pytest.raises(st.BadRequestError, match="already in use") as duplicate:
            await client.customers.create(name="Dup", customer_number=taken)
        assert duplicate.value.status == 400
        assert "already in use" in duplicate.value.error_message
    emulator.read_only_key = "read-only-key"
    async with st.SevenTimeClient("read-only-key", base_url=emulator.base_url) as reader:
        assert await reader.departments.list()
        with pytest.raises(st.PermissionDeniedError) as denied:
            await reader.customers.create(name="Nope")
    assert denied.value.status == 403
    assert "read-only-key" not in str(denied.value)


async def test_non_json_and_wrong_shape_bodies_raise_decode_error(emulator: Emulator) -> None:
    emulator.faults = Faults(rate=1.0, kinds=("not-json",))
    async with client_for(emulator, retry=st.RetryPolicy(max_retries=0)) as client:
        with pytest.raises(st.DecodeError) as caught:
            await client.customers.list()
        assert caught.value.status == 200
        assert caught.value.body_start.startswith(b"<html>")
        emulator.faults = Faults()
        # A get that answers a list, where an object is expected: the wrong shape.
        emulator.insert("departments", {"_id": "5bb26376c42fb99275000081", "managerIds": 5})
        with pytest.raises(st.DecodeError, match="shape"):
            await client.departments.get("5bb26376c42fb99275000081")


async def test_a_given_session_is_used_and_never_closed(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with st.SevenTimeClient(
            emulator.api_key, base_url=emulator.base_url, session=session
        ) as client:
            assert await client.price_lists.list()
        assert client.closed
        assert not session.closed


async def test_close_is_idempotent_and_a_closed_client_refuses(emulator: Emulator) -> None:
    client = client_for(emulator)
    assert await client.customers.list()
    await client.close()
    await client.close()
    with pytest.raises(st.ClientClosedError, match="closed"):
        await client.customers.list()


@pytest.mark.parametrize("key", ["k\n", "k\r", "k\x00y", "\tk", "k\x7f", "k\x85"])
def test_a_key_with_a_control_character_is_refused_unshown(key: str) -> None:
    with pytest.raises(st.ValidationError) as caught:
        st.SevenTimeClient(key)
    assert key not in str(caught.value) and "control character" in str(caught.value)


async def test_every_v2_family_lists_and_gets_over_tcp(emulator: Emulator) -> None:
    # One emulator for all of them: building one is the slow part.
    async with client_for(emulator, base_url=emulator.url(2)) as v2:
        for endpoint in [e for e in families(2) if e.api(2).listable]:
            api = endpoint.api(2)
            stored = emulator.items(endpoint.name)
            # Required filters are given from the data, and the stored side filtered alike.
            filters = {n: stored[0][api.filters[n].wire] for n in api.required_filters}
            expected = [
                d for d in stored if all(d[api.filters[n].wire] == v for n, v in filters.items())
            ]
            resource = getattr(v2, endpoint.name)
            page = await resource.list(limit=500, **filters)
            assert len(page) == len(expected) > 0, endpoint.name
            by_key = {d[endpoint.key]: d for d in expected}
            for item in page:
                assert isinstance(item, endpoint.entity)
                raw = st.unstructure(item)
                assert raw == by_key[raw[endpoint.key]], endpoint.name
            if api.get:
                doc = expected[-1]
                assert st.unstructure(await resource.get(doc["_id"])) == doc, endpoint.name
