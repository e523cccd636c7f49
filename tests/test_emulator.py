"""The emulator against the references, over TCP with plain aiohttp (not the client).

The emulator is the client's oracle, so it is tested on its own: what the v2 digest and
the v1 reference document, request by request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from seventime_async.emulator import Emulator

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
