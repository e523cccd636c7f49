"""Choosing the API version, and what each dialect does with envelopes and bodies (pure)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp import web

import seventime_async as st
from seventime_async._client import infer_api_version
from seventime_async._dialect import V1, V2, dialect_for
from seventime_async._endpoints import CUSTOMERS, ENDPOINTS, INVOICES
from seventime_async._http import Response
from seventime_async._requests import write_payload

from .conftest import serving

KEY = "k" * 32
ACTOR = "5bb26376c42fb99275000080"


def _response(data: Any) -> Response:
    return Response(200, data, "GET", "http://127.0.0.1/api/2/customers", b"{...}")


@pytest.mark.parametrize(
    ("base_url", "given", "expected"),
    [
        ("https://app.seventime.se/api/1", None, 1),
        ("https://app.seventime.se/api/2", None, 2),
        ("https://app.seventime.se/api/2/", None, 2),
        ("https://proxy.example/seventime", None, 1),
        ("https://proxy.example/seventime", 2, 2),
        ("https://app.seventime.se/api/2", 2, 2),
    ],
)
def test_the_version_comes_from_the_argument_or_the_url(
    base_url: str, given: int | None, expected: int
) -> None:
    assert infer_api_version(base_url, given) == expected
    client = st.SevenTimeClient(KEY, base_url=base_url, api_version=given)
    assert client.api_version == expected
    assert f"api_version={expected}" in repr(client)


def test_without_a_base_url_the_version_picks_the_services_root() -> None:
    assert st.SevenTimeClient(KEY).base_url == "https://app.seventime.se/api/1"
    v2 = st.SevenTimeClient(KEY, api_version=2)
    assert v2.base_url == "https://app.seventime.se/api/2" and v2.api_version == 2


def test_a_conflict_or_an_unknown_version_is_refused() -> None:
    with pytest.raises(st.ValidationError, match="conflicts with base_url"):
        st.SevenTimeClient(KEY, base_url="https://app.seventime.se/api/1", api_version=2)
    with pytest.raises(st.ValidationError, match="api_version must be 1 or 2"):
        st.SevenTimeClient(KEY, base_url="https://proxy.example/x", api_version=3)
    with pytest.raises(st.ValidationError, match="api_version must be 1 or 2"):
        infer_api_version("https://app.seventime.se/api/7", None)


def test_the_default_rate_is_the_services_documented_limit() -> None:
    for version in (1, 2):
        limiter = st.SevenTimeClient(KEY, api_version=version).rate_limiter
        assert limiter is not None and limiter.target == 4.0


def test_v2_limit_and_page_are_checked_and_v1_refuses_them() -> None:
    assert V2.page_params(500, 3) == [("limit", "500"), ("page", "3")]
    assert V2.page_params(None, None) == []
    for limit in (0, 501, True, 2.5):
        with pytest.raises(st.ValidationError, match="limit"):
            V2.page_params(limit, None)  # type: ignore[arg-type]
    for page in (0, -1, False):
        with pytest.raises(st.ValidationError, match="page"):
            V2.page_params(None, page)
    with pytest.raises(st.ValidationError, match="API v2 parameters"):
        V1.page_params(None, 2)


def test_v2_envelopes_unwrap_and_a_wrong_one_is_a_decode_error() -> None:
    page = V2.list_page(
        _response(
            {"meta": {"totalResources": 3, "totalPages": 1, "currentPage": 1}, "data": [{}, {}]}
        )
    )
    assert (len(page.items), page.total, page.total_pages, page.page) == (2, 3, 1, 1)
    lookup = V2.list_page(_response({"data": [{"_id": "a"}]}))
    assert lookup.items == [{"_id": "a"}] and lookup.total is None
    # meta values that are not counts are not trusted as counts
    odd = V2.list_page(_response({"meta": {"totalResources": "3", "totalPages": True}, "data": []}))
    assert odd.total is None and odd.total_pages is None
    assert V2.one(_response({"data": {"_id": "x"}})) == {"_id": "x"}
    for bad in ([{}], {"data": {}}, {"data": [1]}, {"meta": [], "data": []}, None):
        with pytest.raises(st.DecodeError) as caught:
            V2.list_page(_response(bad))
        assert caught.value.status == 200 and caught.value.url.endswith("/customers")
    for bad in ({"_id": "x"}, {"data": []}, []):
        with pytest.raises(st.DecodeError, match="v2 get envelope"):
            V2.one(_response(bad))
    assert V1.one(_response({"_id": "x"})) == {"_id": "x"}
    with pytest.raises(st.DecodeError, match="array of objects"):
        V1.list_page(_response({"data": []}))


def test_bodies_are_form_in_v1_and_json_in_v2() -> None:
    payload = {"name": "Åsa", "billingSettings": {"isROTCustomer": True}, "users": ["a", "b"]}
    form = V1.body(payload)
    assert form.content_type == "application/x-www-form-urlencoded"
    assert b"billingSettings%5BisROTCustomer%5D=true" in form.data
    body = V2.body(payload)
    assert body.content_type == "application/json"
    assert orjson.loads(body.data) == payload
    assert V2.headers["Content-Type"] == "application/json"
    assert V2.headers["Accept"] == "application/json"


def test_a_v1_form_over_a_thousand_parameters_is_refused_before_sending() -> None:
    items = [{"itemType": "general", "name": f"row {i}"} for i in range(501)]
    with pytest.raises(st.ValidationError, match=r"1002 form parameters.*HTTP 413"):
        V1.body({"invoiceItems": items})
    assert orjson.loads(V2.body({"invoiceItems": items}).data)["invoiceItems"] == items


def test_acting_user_fills_the_audit_field_and_a_call_overrides_it() -> None:
    spec = CUSTOMERS.api(2).create
    assert spec is not None
    with pytest.raises(
        st.ValidationError, match=r"created_by_user \(or pass SevenTimeClient\(acting_user"
    ):
        write_payload(CUSTOMERS, spec, "create", {"name": "Åsa"})
    assert write_payload(CUSTOMERS, spec, "create", {"name": "Åsa"}, ACTOR) == {
        "name": "Åsa",
        "createdByUser": ACTOR,
    }
    other = "5bb26376c42fb99275000081"
    overridden = write_payload(
        CUSTOMERS, spec, "create", {"name": "Å", "created_by_user": other}, ACTOR
    )
    assert overridden["createdByUser"] == other
    # v1 customers have no audit field: acting_user adds nothing there
    v1 = CUSTOMERS.api(1).create
    assert v1 is not None
    assert write_payload(CUSTOMERS, v1, "create", {"name": "Åsa"}, ACTOR) == {"name": "Åsa"}


def test_acting_user_must_be_an_id() -> None:
    with pytest.raises(st.ValidationError, match="acting_user"):
        st.SevenTimeClient(KEY, acting_user="admin")


def test_every_family_exists_in_some_version_and_dialects_cover_both() -> None:
    assert dialect_for(1) is V1 and dialect_for(2) is V2
    for endpoint in ENDPOINTS:
        assert endpoint.versions, endpoint.name
    assert INVOICES.api(2).filters["from_invoice_date"].wire == "fromInvoiceDate"


async def test_a_wrong_shape_names_the_request_that_got_it() -> None:
    """A decode error names the method, status and URL of the very response, not those
    of the family's list (as it once did for every create and get)."""

    async def created(_: web.Request) -> web.Response:
        return web.json_response([1], status=201)

    async def bare(_: web.Request) -> web.Response:
        return web.json_response({"_id": ACTOR})  # v2 wraps a get in {"data": ...}

    app = web.Application()
    app.router.add_post("/api/2/customers", created)
    app.router.add_get("/api/2/customers/{id}", bare)
    async with serving(app) as root:
        base = f"{root}/api/2"
        async with st.SevenTimeClient(KEY, base_url=base, acting_user=ACTOR) as client:
            with pytest.raises(st.DecodeError) as made:
                await client.customers.create(name="Åsa")
            assert (made.value.method, made.value.status) == ("POST", 201)
            assert made.value.url == f"{base}/customers" and made.value.body_start == b"[1]"
            with pytest.raises(st.DecodeError, match="v2 get envelope") as got:
                await client.customers.get(ACTOR)
            assert (got.value.method, got.value.status) == ("GET", 200)
            assert got.value.url == f"{base}/customers/{ACTOR}"
