"""The emulator against the references, over TCP with plain aiohttp (not the client).

The emulator is the client's oracle, so it is tested on its own: what the v2 digest and
the v1 reference document, request by request.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
import attrs
import pytest

from seventime_async._endpoints import (
    CUSTOMERS,
    USERS,
    WORK_ORDERS,
    Action,
    Api,
    Endpoint,
    WriteSpec,
    query,
)
from seventime_async._entities import Entity, WorkOrder, entity_fields, wire
from seventime_async.emulator import Emulator, Faults, RequestRecord
from seventime_async.emulator._data import Generator
from seventime_async.emulator._generic import generic_docs

COUNTS = {"customers": 237, "contact_persons": 40, "users": 30, "projects": 20}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(seed=5, **COUNTS) as emulator:
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    emu: Emulator,
    method: str,
    path: str,
    *,
    version: int = 2,
    key: str | None = None,
    params: dict[str, str] | list[tuple[str, str]] | None = None,
    json: Any = None,
    data: Any = None,
) -> tuple[int, Any]:
    """One request; the status and the decoded JSON body."""
    headers = {"Client-Secret": key or emu.api_key}
    async with http.request(
        method, emu.url(version) + path, headers=headers, params=params, json=json, data=data
    ) as response:
        return response.status, await response.json()


def sorted_ids(emu: Emulator, resource: str) -> list[str]:
    return sorted(emu.ids(resource))


# -- v2 lists: the envelope, limit and page --------------------------------------------


async def test_v2_list_envelope_reports_the_true_total_and_defaults_to_100(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, emu, "GET", "/customers")
    assert status == 200
    assert set(body) == {"meta", "data"}
    assert body["meta"] == {"totalResources": 237, "totalPages": 3, "currentPage": 1}
    assert [c["_id"] for c in body["data"]] == sorted_ids(emu, "customers")[:100]


@pytest.mark.parametrize("limit", [1, 7, 100, 236, 237, 500])
async def test_v2_pages_are_offsets_of_the_sorted_list(
    emu: Emulator, http: aiohttp.ClientSession, limit: int
) -> None:
    pages = -(-237 // limit)
    seen: list[str] = []
    for page in range(1, pages + 1):
        status, body = await call(
            http, emu, "GET", "/customers", params={"limit": str(limit), "page": str(page)}
        )
        assert status == 200
        assert body["meta"] == {"totalResources": 237, "totalPages": pages, "currentPage": page}
        assert len(body["data"]) == min(limit, 237 - (page - 1) * limit)
        seen += [c["_id"] for c in body["data"]]
    assert seen == sorted_ids(emu, "customers")


async def test_v2_a_page_past_the_end_is_empty_with_meta(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, emu, "GET", "/customers", params={"limit": "100", "page": "4"})
    assert (status, body) == (
        200,
        {"meta": {"totalResources": 237, "totalPages": 3, "currentPage": 4}, "data": []},
    )


async def test_v2_pages_follow_sort_and_direction(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    params = {"sortBy": "customerNumber", "sortDirection": "descending", "limit": "50"}
    _, first = await call(http, emu, "GET", "/customers", params={**params, "page": "1"})
    _, second = await call(http, emu, "GET", "/customers", params={**params, "page": "2"})
    numbers = [c["customerNumber"] for c in first["data"] + second["data"]]
    everything = sorted((c["customerNumber"] for c in emu.items("customers")), reverse=True)
    assert numbers == everything[:100]


@pytest.mark.parametrize(
    ("name", "value"),
    [("limit", "0"), ("limit", "501"), ("limit", "ten"), ("page", "0"), ("page", "-1")],
)
async def test_v2_limit_and_page_out_of_range_are_400(
    emu: Emulator, http: aiohttp.ClientSession, name: str, value: str
) -> None:
    status, body = await call(http, emu, "GET", "/customers", params={name: value})
    assert status == 400
    assert name in body["errorMessage"]


async def test_v2_filters_apply_before_paging(emu: Emulator, http: aiohttp.ClientSession) -> None:
    city = emu.items("customers")[0]["city"]
    wanted = [c["_id"] for c in emu.items("customers") if c["city"] == city]
    status, body = await call(http, emu, "GET", "/customers", params={"city": city, "limit": "3"})
    assert status == 200
    assert body["meta"]["totalResources"] == len(wanted)
    assert [c["_id"] for c in body["data"]] == wanted[:3]


async def test_v2_lookup_lists_have_no_meta(emu: Emulator, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, emu, "GET", "/projectTags")
    assert status == 200
    assert set(body) == {"data"}
    assert sorted(t["_id"] for t in body["data"]) == sorted_ids(emu, "project_tags")


async def test_v2_get_one_is_wrapped_and_v1_is_bare(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    customer = emu.items("customers")[5]
    assert await call(http, emu, "GET", f"/customers/{customer['_id']}") == (
        200,
        {"data": customer},
    )
    assert await call(http, emu, "GET", f"/customers/{customer['_id']}", version=1) == (
        200,
        customer,
    )
    status, body = await call(http, emu, "GET", f"/customers/{'0' * 24}")
    assert status == 404
    assert "errorMessage" in body


async def test_both_versions_serve_the_same_data_at_once(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    assert emu.base_url == emu.url(1)
    _, v1 = await call(http, emu, "GET", "/customers", version=1)
    _, v2 = await call(http, emu, "GET", "/customers")
    assert v1 == v2["data"]
    emu.delete("customers", v1[0]["_id"])
    _, v1_after = await call(http, emu, "GET", "/customers", version=1)
    _, v2_after = await call(http, emu, "GET", "/customers")
    assert v1_after == v2_after["data"] == v1[1:] + v1_after[-1:]


async def test_api_version_picks_the_base_url() -> None:
    async with Emulator(api_version=2, customers=3) as emu:
        assert emu.base_url == emu.url(2)
        assert emu.base_url.endswith("/api/2")


async def test_v1_keeps_its_cap_and_refuses_limit(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, emu, "GET", "/customers", version=1)
    assert (status, len(body)) == (200, 100)
    status, body = await call(http, emu, "GET", "/customers", version=1, params={"limit": "5"})
    assert status == 400
    assert "limit" in body["errorMessage"]


# -- v2 writes -------------------------------------------------------------------------


async def test_v2_create_takes_json_and_stamps_its_dates(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    user = emu.items("users")[0]["_id"]
    status, made = await call(
        http, emu, "POST", "/customers", json={"name": "Åsa Bygg AB", "createdByUser": user}
    )
    assert status == 200
    assert made["name"] == "Åsa Bygg AB"
    assert made["createdDate"] == made["modifiedDate"]
    assert made["_id"] in emu.ids("customers")
    assert await call(http, emu, "GET", f"/customers/{made['_id']}") == (200, {"data": made})


async def test_v2_refuses_form_bodies(emu: Emulator, http: aiohttp.ClientSession) -> None:
    user = emu.items("users")[0]["_id"]
    before = emu.ids("customers")
    status, body = await call(
        http, emu, "POST", "/customers", data={"name": "Form AB", "createdByUser": user}
    )
    assert status == 400
    assert "application/json" in body["errorMessage"]
    assert emu.ids("customers") == before


async def test_v1_still_takes_form_bodies_cast_to_field_types(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    status, made = await call(
        http, emu, "POST", "/customers", version=1, data={"name": "Form AB", "paymentDays": "30"}
    )
    assert status == 200
    assert made["paymentDays"] == 30


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "Utan skapare AB"}, "createdByUser"),
        ({"createdByUser": "5112826056d961c030000001"}, "name"),
        ({"name": "", "createdByUser": "5112826056d961c030000001"}, "name"),
    ],
)
async def test_v2_required_fields_are_400_naming_the_field(
    emu: Emulator, http: aiohttp.ClientSession, body: dict[str, Any], named: str
) -> None:
    before = emu.ids("customers")
    status, answer = await call(http, emu, "POST", "/customers", json=body)
    assert status == 400
    assert named in answer["errorMessage"]
    assert emu.ids("customers") == before


async def test_required_rules_inside_nested_values(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    user = emu.items("users")[0]["_id"]
    customer = emu.items("customers")[0]["_id"]
    base = {"customer": customer, "createdByUser": user, "language": "SV"}
    status, answer = await call(
        http, emu, "POST", "/invoices", json={**base, "invoiceItems": [{"name": "Arbete"}]}
    )
    assert (status, answer) == (
        400,
        {"errorMessage": "Missing required field(s): invoiceItems[].itemType"},
    )
    status, answer = await call(http, emu, "POST", "/invoices", json={**base, "invoiceType": 1})
    assert status == 400
    assert "houseProperties (required when invoiceType is 1)" in answer["errorMessage"]
    status, _ = await call(
        http, emu, "POST", "/invoices", json={**base, "invoiceItems": [{"itemType": "text"}]}
    )
    assert status == 200


async def test_unknown_body_fields_are_400(emu: Emulator, http: aiohttp.ClientSession) -> None:
    user = emu.items("users")[0]["_id"]
    status, answer = await call(
        http, emu, "POST", "/customers", json={"name": "X", "createdByUser": user, "nmae": "Y"}
    )
    assert status == 400
    assert "nmae" in answer["errorMessage"]


async def test_read_only_key_may_not_write(emu: Emulator, http: aiohttp.ClientSession) -> None:
    emu.read_only_key = "read-only"
    status, _ = await call(http, emu, "GET", "/customers", key="read-only")
    assert status == 200
    user = emu.items("users")[0]["_id"]
    status, _ = await call(
        http, emu, "POST", "/customers", key="read-only", json={"name": "X", "createdByUser": user}
    )
    assert status == 403
    status, _ = await call(http, emu, "GET", "/customers", key="wrong")
    assert status == 401


# -- lastModified ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["2031-05-06 07:08", "2031-05-06 07:08:00", "2031-05-06T07:08", "2031-05-06T07:08:00"],
)
async def test_last_modified_keeps_what_changed_at_or_after_the_time(
    emu: Emulator, http: aiohttp.ClientSession, spelling: str
) -> None:
    first, second, third = sorted_ids(emu, "customers")[:3]
    emu.modify("customers", first, modifiedDate="2031-05-06T07:07:59.999Z")
    emu.modify("customers", second, city="Ändrad")
    second_doc = emu.items("customers")[1]
    emu.modify("customers", second, modifiedDate="2031-05-06T07:08:00.000Z")
    emu.modify("customers", third, modifiedDate="2031-05-07T00:00:00.000Z")
    status, body = await call(http, emu, "GET", "/customers", params={"lastModified": spelling})
    assert status == 200
    assert [c["_id"] for c in body["data"]] == [second, third]
    assert body["data"][0]["city"] == second_doc["city"] == "Ändrad"


async def test_every_write_stamps_modified_date(emu: Emulator, http: aiohttp.ClientSession) -> None:
    target = sorted_ids(emu, "customers")[0]
    stale = emu.items("customers")[0]["modifiedDate"]
    changed = emu.modify("customers", target, city="Lund")
    assert changed["modifiedDate"] > stale
    status, body = await call(
        http, emu, "GET", "/customers", params={"lastModified": changed["modifiedDate"][:19]}
    )
    assert status == 200
    assert target in [c["_id"] for c in body["data"]]


@pytest.mark.parametrize("value", ["2031-05-06", "06/05/2031 07:08", "2031-05-06 07:08+02:00"])
async def test_last_modified_in_another_form_is_400(
    emu: Emulator, http: aiohttp.ClientSession, value: str
) -> None:
    status, body = await call(http, emu, "GET", "/customers", params={"lastModified": value})
    assert status == 400
    assert "YYYY-MM-DD HH:MM" in body["errorMessage"]


async def test_last_modified_only_where_documented(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    params = {"lastModified": "2020-01-01 00:00"}
    assert (await call(http, emu, "GET", "/users", params=params))[0] == 400
    assert (await call(http, emu, "GET", "/customers", version=1, params=params))[0] == 400


# -- the rate limit, per key, on an injected clock -------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_rate_limit_admits_r_per_sliding_second_per_key(
    http: aiohttp.ClientSession,
) -> None:
    clock = Clock()
    accounts = {"acme": {"customers": 3}, "beta": {"customers": 3}}
    async with Emulator(accounts=accounts, rate_limit=4, clock=clock) as emu:
        acme, beta = emu.api_key_for("acme"), emu.api_key_for("beta")

        async def status(key: str) -> int:
            return (await call(http, emu, "GET", "/customers", key=key))[0]

        assert [await status(acme) for _ in range(5)] == [200, 200, 200, 200, 429]
        assert await status(beta) == 200  # another key, another window
        clock.now += 0.999
        assert await status(acme) == 429  # the first four are still within the second
        clock.now += 0.001
        assert [await status(acme) for _ in range(5)] == [200, 200, 200, 200, 429]
        assert emu.rate_limited == 3
        assert emu.busiest_window(account="acme") == 4
        refused = [r for r in emu.requests if r.rate_limited]
        assert {(r.status, r.account) for r in refused} == {(429, "acme")}
        _, body = await call(http, emu, "GET", "/customers", key=acme)
        assert "rate limit" in body["errorMessage"]


async def test_requests_refused_by_the_limit_do_not_count(http: aiohttp.ClientSession) -> None:
    clock = Clock()
    async with Emulator(rate_limit=1, clock=clock, customers=3) as emu:
        statuses = []
        for _ in range(3):
            statuses.append((await call(http, emu, "GET", "/customers"))[0])
            clock.now += 0.6
        assert statuses == [200, 429, 200]  # at 1.2 s only the first counts


def test_busiest_window_reads_the_log() -> None:
    clock = Clock()
    emu = Emulator(customers=1, clock=clock)
    for at in (0.0, 0.1, 0.5, 0.99, 1.0, 1.05, 3.0):
        emu.requests.append(RequestRecord("GET", "/api/2/customers", "", 1000 + at))
    assert emu.busiest_window() == 5  # 0.1 .. 1.05
    assert emu.busiest_window(0.5) == 3  # 0.99, 1.0, 1.05
    assert emu.busiest_window(2.0) == 6
    assert emu.busiest_window(0.005) == 1


# -- several accounts ------------------------------------------------------------------


async def test_accounts_have_separate_data_and_keys(http: aiohttp.ClientSession) -> None:
    accounts = {"acme": {"customers": 12}, "beta": {"customers": 7}}
    async with Emulator(accounts=accounts, users=5) as emu:
        assert emu.accounts == ("acme", "beta")
        assert emu.api_key == emu.api_key_for("acme") != emu.api_key_for("beta")
        acme = await call(http, emu, "GET", "/customers", key=emu.api_key_for("acme"))
        beta = await call(http, emu, "GET", "/customers", key=emu.api_key_for("beta"))
        assert acme[1]["meta"]["totalResources"] == 12
        assert beta[1]["meta"]["totalResources"] == 7
        assert {c["_id"] for c in beta[1]["data"]} == emu.ids("customers", account="beta")
        assert not emu.ids("customers", account="acme") & emu.ids("customers", account="beta")
        assert len(emu.ids("users", account="beta")) == 5  # keyword counts apply to all
        emu.delete("customers", sorted(emu.ids("customers", account="beta"))[0], account="beta")
        assert len(emu.ids("customers")) == 12  # the default account is the first
        beta_after = await call(http, emu, "GET", "/customers", key=emu.api_key_for("beta"))
        assert beta_after[1]["meta"]["totalResources"] == 6
        assert {r.account for r in emu.requests} == {"acme", "beta"}


def test_one_account_keeps_the_data_of_its_seed() -> None:
    plain = Emulator(seed=9, customers=5)
    named = Emulator(seed=9, accounts={"acme": {"customers": 5}, "beta": {"customers": 5}})
    assert named.items("customers") == plain.items("customers")
    assert named.items("customers", account="beta") != plain.items("customers")
    with pytest.raises(KeyError, match="acme"):
        plain.items("customers", account="acme")


# -- switches for the client's tests ---------------------------------------------------


async def test_v2_honours_the_v1_seek_operators_by_default(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    ids = sorted_ids(emu, "customers")
    params = {"_id[$gt]": ids[99], "limit": "500"}
    status, body = await call(http, emu, "GET", "/customers", params=params)
    assert status == 200
    assert [c["_id"] for c in body["data"]] == ids[100:]
    assert body["meta"]["totalResources"] == len(ids) - 100


async def test_v2_seek_false_refuses_bracket_operators(http: aiohttp.ClientSession) -> None:
    async with Emulator(v2_seek=False, customers=20) as emu:
        ids = sorted_ids(emu, "customers")
        status, body = await call(http, emu, "GET", "/customers", params={"_id[$gt]": ids[3]})
        assert status == 400
        assert "_id[$gt]" in body["errorMessage"]
        status, v1 = await call(
            http, emu, "GET", "/customers", version=1, params={"_id[$gt]": ids[3]}
        )
        assert [c["_id"] for c in v1] == ids[4:]


async def test_ignore_seek_drops_the_operators_on_both_versions(
    http: aiohttp.ClientSession,
) -> None:
    async with Emulator(ignore_seek=True, customers=20) as emu:
        ids = sorted_ids(emu, "customers")
        for version in (1, 2):
            status, body = await call(
                http, emu, "GET", "/customers", version=version, params={"_id[$gt]": ids[3]}
            )
            items = body if version == 1 else body["data"]
            assert (status, [c["_id"] for c in items]) == (200, ids)


async def test_ignore_sort_serves_one_unsorted_order_whatever_sort_by_says(
    http: aiohttp.ClientSession,
) -> None:
    async with Emulator(ignore_sort=True, customers=30) as emu:

        async def walk(**sort: str) -> list[str]:
            seen = []
            for page in ("1", "2", "3"):
                params = {**sort, "limit": "10", "page": page}
                status, body = await call(http, emu, "GET", "/customers", params=params)
                assert status == 200
                seen += [c["_id"] for c in body["data"]]
            return seen

        plain = await walk()
        assert sorted(plain) == sorted_ids(emu, "customers")  # each once
        assert plain != sorted(plain)
        assert await walk(sortBy="_id") == plain
        assert await walk(sortBy="customerNumber", sortDirection="descending") == plain


async def test_max_limit_caps_pages_silently_but_not_the_total(
    http: aiohttp.ClientSession,
) -> None:
    async with Emulator(max_limit=100, customers=250) as emu:
        ids = sorted_ids(emu, "customers")
        status, body = await call(
            http, emu, "GET", "/customers", params={"limit": "500", "page": "2"}
        )
        assert status == 200
        assert body["meta"] == {"totalResources": 250, "totalPages": 3, "currentPage": 2}
        assert [c["_id"] for c in body["data"]] == ids[100:200]


async def test_before_request_hook_sees_every_request_and_may_mutate(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    seen: list[tuple[str, str]] = []
    victim = sorted_ids(emu, "customers")[0]

    def hook(emulator: Emulator, method: str, resource: str) -> None:
        seen.append((method, resource))
        if victim in emulator.ids("customers"):
            emulator.delete("customers", victim)

    emu.before_request = hook
    user = emu.items("users")[0]["_id"]
    _, listed = await call(http, emu, "GET", "/customers")
    await call(http, emu, "GET", f"/users/{user}")
    await call(http, emu, "POST", "/customers", json={"name": "Krok AB", "createdByUser": user})
    assert seen == [("GET", "customers"), ("GET", "users"), ("POST", "customers")]
    assert victim not in [c["_id"] for c in listed["data"]]
    assert listed["meta"]["totalResources"] == COUNTS["customers"] - 1


async def test_unknown_paths_and_v2_only_verbs_on_v1_are_404(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    assert (await call(http, emu, "GET", "/nothing"))[0] == 404
    status, body = await call(http, emu, "PUT", "/customers", version=1, json={"_id": "0" * 24})
    assert status == 404
    assert "PUT" in body["errorMessage"]


# -- families without a hand-written builder -------------------------------------------


def test_generic_documents_follow_the_entity_and_point_at_real_documents() -> None:
    generator = Generator(4)
    data = generator.build({"customers": 10, "users": 5, "projects": 4})
    docs = generic_docs(WORK_ORDERS, 25, generator.rng, data, generator.moment)
    wires = set(entity_fields(WorkOrder).values())
    customers = {c["_id"]: c["name"] for c in data["customers"]}
    users = {u["_id"] for u in data["users"]}
    assert len({d["_id"] for d in docs}) == 25
    for doc in docs:
        assert wires <= set(doc)
        assert doc["customerName"] == customers[doc["customer"]]
        assert doc["createdByUser"] in users
        assert doc["project"] in {p["_id"] for p in data["projects"]}
        created = datetime.fromisoformat(doc["createDate"].replace("Z", "+00:00"))
        assert int(doc["_id"][:8], 16) == int(created.timestamp())
        assert isinstance(doc["workOrderNumber"], int)
        assert doc["tags"] == []


# -- v2 updates and deletes: PUT and DELETE to the collection URL ----------------------

#: Customers as a family with an update and a delete, whatever the table says today.
EDITABLE = attrs.evolve(
    CUSTOMERS,
    v2=attrs.evolve(
        CUSTOMERS.api(2),
        update=WriteSpec.of(("modified_by_user",), ("name", "city")),
        delete=WriteSpec.of(("deleted_by_user",)),
    ),
)


@pytest.fixture
async def editable() -> AsyncIterator[Emulator]:
    async with Emulator(seed=6, endpoints=(EDITABLE, USERS), customers=20, users=3) as emulator:
        yield emulator


async def test_put_updates_by_body_id_and_stamps_modified_date(
    editable: Emulator, http: aiohttp.ClientSession
) -> None:
    emu = editable
    user, target = emu.items("users")[0]["_id"], emu.items("customers")[3]
    body = {"_id": target["_id"], "modifiedByUser": user, "city": "Kiruna"}
    status, changed = await call(http, emu, "PUT", "/customers", json=body)
    assert status == 200
    assert {**target, "city": "Kiruna", "modifiedByUser": user} == {
        **changed,
        "modifiedDate": target["modifiedDate"],
    }
    assert changed["modifiedDate"] > target["modifiedDate"]
    assert await call(http, emu, "GET", f"/customers/{target['_id']}") == (200, {"data": changed})


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"modifiedByUser": "5112826056d961c030000001"}, 400, "_id"),
        ({"_id": "123", "modifiedByUser": "5112826056d961c030000001"}, 400, "123"),
        ({"_id": "0" * 24}, 400, "modifiedByUser"),
        ({"_id": "0" * 24, "modifiedByUser": "5112826056d961c030000001"}, 404, "0" * 24),
    ],
)
async def test_put_refuses_a_missing_or_unknown_id_and_missing_audit_fields(
    editable: Emulator,
    http: aiohttp.ClientSession,
    body: dict[str, Any],
    status: int,
    named: str,
) -> None:
    before = editable.items("customers")
    answer = await call(http, editable, "PUT", "/customers", json=body)
    assert answer[0] == status
    assert named in answer[1]["errorMessage"]
    assert editable.items("customers") == before


async def test_delete_removes_by_body_id_and_a_second_delete_is_404(
    editable: Emulator, http: aiohttp.ClientSession
) -> None:
    emu = editable
    user, target = emu.items("users")[0]["_id"], emu.items("customers")[0]
    body = {"_id": target["_id"], "deletedByUser": user}
    status, gone = await call(http, emu, "DELETE", "/customers", json=body)
    assert status == 200
    assert gone == {
        "_id": target["_id"],
        "name": target["name"],
        "customerNumber": target["customerNumber"],
    }
    assert target["_id"] not in emu.ids("customers")
    assert (await call(http, emu, "GET", f"/customers/{target['_id']}"))[0] == 404
    assert (await call(http, emu, "DELETE", "/customers", json=body))[0] == 404
    status, answer = await call(http, emu, "DELETE", "/customers", json={"_id": target["_id"]})
    assert (status, "deletedByUser" in answer["errorMessage"]) == (400, True)


async def test_put_and_delete_take_json_only_and_honour_faults(
    editable: Emulator, http: aiohttp.ClientSession
) -> None:
    emu = editable
    user, target = emu.items("users")[0]["_id"], emu.items("customers")[1]
    form = {"_id": target["_id"], "modifiedByUser": user, "city": "Form"}
    assert (await call(http, emu, "PUT", "/customers", data=form))[0] == 400
    emu.faults = Faults(rate=1.0, kinds=("503",))
    body = {"_id": target["_id"], "deletedByUser": user}
    assert (await call(http, emu, "DELETE", "/customers", json=body))[0] == 503
    assert (await call(http, emu, "PUT", "/customers", json=form))[0] == 503
    assert emu.items("customers")[1] == target
    assert [r.fault for r in emu.requests[-2:]] == ["503", "503"]


# -- actions: timers and document uploads ----------------------------------------------


@attrs.define(kw_only=True, slots=True)
class Timer(Entity):
    id: str | None = wire("_id")
    user: str | None = None
    project: str | None = None
    start_time: datetime | None = None


@attrs.define(kw_only=True, slots=True)
class TimeLog(Entity):
    id: str | None = wire("_id")
    user: str | None = None
    timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    create_date: datetime | None = None


ACTING = (
    Endpoint(
        "timers",
        "/timers",
        Timer,
        v2=Api(
            query("user"),
            actions={
                "start": Action("/startTimer", WriteSpec.of(("user",), ("project",))),
                "stop": Action("/stopTimer", WriteSpec.of((), ("user",)), returns=TimeLog),
            },
        ),
    ),
    Endpoint("time_logs", "/timeLogs", TimeLog, v2=Api(get=True)),
    Endpoint(
        "documents",
        "/documents",
        TimeLog,
        v2=Api(
            listable=False,
            actions={
                "upload": Action(
                    "/documents",
                    WriteSpec.of(("uploaded_by", "file", "folder_id"), ("entity_id",)),
                )
            },
        ),
    ),
    USERS,
)


@pytest.fixture
async def acting() -> AsyncIterator[Emulator]:
    async with Emulator(endpoints=ACTING, users=3, timers=0, time_logs=0) as emulator:
        yield emulator


async def test_start_and_stop_a_timer_makes_a_time_log(
    acting: Emulator, http: aiohttp.ClientSession
) -> None:
    emu = acting
    user = emu.items("users")[0]["_id"]
    status, timer = await call(http, emu, "POST", "/startTimer", json={"user": user})
    assert (status, timer["user"]) == (200, user)
    _, active = await call(http, emu, "GET", "/timers")
    assert active["data"] == [timer]
    status, again = await call(http, emu, "POST", "/startTimer", json={"user": user})
    assert (status, "active timer" in again["errorMessage"]) == (400, True)
    status, log = await call(http, emu, "POST", "/stopTimer", json={"user": user})
    assert status == 200
    assert (log["user"], log["timestamp"]) == (user, timer["startTime"])
    assert log["endTimestamp"] >= log["timestamp"]
    assert emu.ids("timers") == set()
    assert await call(http, emu, "GET", f"/timeLogs/{log['_id']}") == (200, {"data": log})
    assert (await call(http, emu, "POST", "/stopTimer", json={"_id": timer["_id"]}))[0] == 404
    assert (await call(http, emu, "POST", "/stopTimer", json={}))[0] == 400


async def test_stop_by_id_stops_that_timer_only(
    acting: Emulator, http: aiohttp.ClientSession
) -> None:
    first, second = (u["_id"] for u in acting.items("users")[:2])
    _, one = await call(http, acting, "POST", "/startTimer", json={"user": first})
    _, two = await call(http, acting, "POST", "/startTimer", json={"user": second})
    status, log = await call(http, acting, "POST", "/stopTimer", json={"_id": two["_id"]})
    assert (status, log["user"]) == (200, second)
    assert acting.ids("timers") == {one["_id"]}


async def test_document_upload_takes_base64_and_answers_success(
    acting: Emulator, http: aiohttp.ClientSession
) -> None:
    user = acting.items("users")[0]["_id"]
    body = {
        "uploadedBy": user,
        "folderId": "0" * 24,
        "file": {
            "fileContent": base64.b64encode("Kvitto för material".encode()).decode(),
            "options": {"fileName": "kvitto.txt", "contentType": "text/plain"},
        },
    }
    assert await call(http, acting, "POST", "/documents", json=body) == (200, {"success": True})
    (stored,) = acting.items("documents")
    assert (stored["fileName"], stored["size"]) == ("kvitto.txt", 20)
    broken = {**body, "file": {**body["file"], "fileContent": "not base64!"}}
    assert (await call(http, acting, "POST", "/documents", json=broken))[0] == 400
    status, answer = await call(http, acting, "POST", "/documents", json={"file": body["file"]})
    assert status == 400
    assert "uploadedBy" in answer["errorMessage"]
    assert (await call(http, acting, "GET", "/documents"))[0] == 404  # not listable


def test_generated_time_logs_and_expenses_add_up() -> None:
    emu = Emulator(seed=5)
    categories = emu.ids("time_categories")
    for log in emu.items("time_logs"):
        start = datetime.fromisoformat(log["timestamp"])
        end = datetime.fromisoformat(log["endTimestamp"])
        assert (end - start).total_seconds() == log["time"] * 3600
        assert log["price"] == log["invoiceableTime"] * log["pricePerHour"]
        assert log["invoiceableTime"] <= log["time"]
        assert log["timeCategory"] in categories
        assert not (log["isAbsence"] and log["project"])
    for item in emu.items("expenses"):
        count = item["numberOfItems"]
        assert item["totalAmountInclTax"] == pytest.approx(
            (item["unitPriceAfterDiscount"] + item["unitTax"]) * count
        )
        assert item["unitTax"] == pytest.approx(item["unitPriceAfterDiscount"] * 0.25, abs=0.01)
