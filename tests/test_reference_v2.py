"""The v2 reference's examples: every one round-trips, byte for byte, into typed entities.

The fixture holds every ```json block of ``shared/seventime-api-v2/*.md`` (repaired by
hand where the vendor's text is not JSON, each repair listed), or says why a block is not
an example of an entity. Get-one examples are also served, as the vendor printed them, by
a small server over loopback, and fetched with ``get`` at the path the client uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

import seventime_async as st
from seventime_async._endpoints import ENDPOINTS
from seventime_async._entities import entity_fields

from .conftest import serving

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "reference_examples_v2.json").read_text("utf-8")
)
EXAMPLES: list[dict[str, Any]] = FIXTURE["examples"]
EXCLUDED: list[dict[str, Any]] = FIXTURE["excluded"]
SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents if (p / "shared").is_dir()),
    Path("shared"),
)
REFERENCE = SHARED / "seventime-api-v2"
KEY = "k" * 32


def _items(example: dict[str, Any]) -> list[Any]:
    """The entities of an example: each item of ``data`` (list or get), or the bare object
    (write responses)."""
    body = example["json"]
    inner = body["data"] if isinstance(body, dict) and "data" in body else body
    return inner if isinstance(inner, list) else [inner]


def _unknown_keys(value: Any, path: str = "") -> Iterator[str]:
    """Every key that landed in an ``extra``, anywhere inside ``value``."""
    if isinstance(value, st.Entity):
        yield from (f"{path}{key}" for key in value.extra)
        for name in entity_fields(type(value)):
            yield from _unknown_keys(getattr(value, name), f"{path}{name}.")
    elif isinstance(value, list):
        for item in value:
            yield from _unknown_keys(item, path)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["source"] for e in EXAMPLES])
def test_every_v2_example_round_trips_byte_for_byte(example: dict[str, Any]) -> None:
    cls = getattr(st, example["entity"])
    items = _items(example)
    assert items
    for item in items:
        entity = st.structure(item, cls)
        assert isinstance(entity, cls)
        back = st.unstructure(entity)
        assert orjson.dumps(back, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            item, option=orjson.OPT_SORT_KEYS
        )
        # Typed, not merely kept: every key the reference shows is a modelled field.
        assert list(_unknown_keys(entity)) == []


def _blocks() -> list[tuple[str, str]]:
    """(``File.md:line``, text) of every ```json block of the v2 reference, in order."""
    found = []
    for path in sorted(REFERENCE.glob("*.md")):
        lines = path.read_text("utf-8").split("\n")
        starts = [n for n, line in enumerate(lines) if line.strip().startswith("```json")]
        for start in starts:
            end = next(n for n in range(start + 1, len(lines)) if lines[n].startswith("```"))
            found.append((f"{path.name}:{start + 1}", "\n".join(lines[start + 1 : end])))
    return found


def _shown_keys(block: str) -> set[str]:
    """The keys a block shows, leaving out the console text some print after the object."""
    lines = block.rstrip().split("\n")
    last = max(n for n, line in enumerate(lines) if line.strip() in ("}", "]"))
    text = "\n".join(lines[: last + 1])
    return set(re.findall(r'(?:^|[{,])\s*"?([A-Za-z_]\w*)"?\s*:\s', text, flags=re.M))


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_the_fixture_covers_every_json_block_of_the_reference() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("shared/seventime-api-v2/ is not beside this checkout")
    blocks = _blocks()
    assert len(blocks) == 108  # 103 visible, 5 inside HTML comments (digest §2)
    sources = [source for source, _ in blocks]
    listed = [e["source"] for e in EXAMPLES] + [e["source"] for e in EXCLUDED]
    assert sorted(listed) == sorted(sources)  # each block once, example or excluded
    assert all(e["reason"] for e in EXCLUDED)
    text = dict(blocks)
    for example in EXAMPLES:
        # Every key the reference shows is in the repaired example, and none was invented.
        assert _keys(example["json"]) == _shown_keys(text[example["source"]]), example["source"]


def test_the_non_json_examples_are_the_ones_repaired() -> None:
    """The 46 blocks that are not strict JSON (digest §4.7), placeholders aside, are the
    repaired ones: 45 in the fixture, and the upload's JS-literal acknowledgement."""
    repaired = {
        e["source"] for e in EXAMPLES if any("placeholder" not in repair for repair in e["repairs"])
    }
    assert len(repaired) == 45
    visible_excluded = [e for e in EXCLUDED if "HTML comment" not in e["reason"]]
    assert {e["source"] for e in visible_excluded} == {"Documents.md:82", "index.md:116"}
    if not REFERENCE.is_dir():
        pytest.skip("shared/seventime-api-v2/ is not beside this checkout")
    for source, block in _blocks():
        strict = "\n".join(x for x in block.split("\n") if x.strip() not in ("// ...", "//..."))
        try:
            json.loads(re.sub(r"\{\s*\}", "{}", strict))
        except ValueError:
            assert source in repaired or source in {e["source"] for e in EXCLUDED}, source


# -- get-one examples, served as printed ---------------------------------------------------

GETS = [e for e in EXAMPLES if "get" in e]


@pytest.fixture
async def reference_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A server answering each get-one example's request with the example's body."""
    bodies = {f"/api/2{e['get']['path']}/{e['get']['id']}": e["json"] for e in GETS}
    asked: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        asked.append(request.path)
        body = bodies.get(request.path)
        if body is None:
            return web.json_response({"errorMessage": "Not found"}, status=404)
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    async with serving(app) as root:
        yield f"{root}/api/2", asked


@pytest.mark.parametrize("example", GETS, ids=[e["source"] for e in GETS])
async def test_get_fetches_each_get_example(
    example: dict[str, Any], reference_server: tuple[str, list[str]]
) -> None:
    base_url, asked = reference_server
    request = example["get"]
    (endpoint,) = [e for e in ENDPOINTS if e.path == request["path"]]
    async with st.SevenTimeClient(KEY, base_url=base_url, rate_limit=None) as client:
        entity = await getattr(client, endpoint.name).get(request["id"])
    assert asked == [f"/api/2{request['path']}/{request['id']}"]
    assert isinstance(entity, getattr(st, example["entity"]))
    assert st.unstructure(entity) == example["json"]["data"]


async def test_a_scrambled_example_id_is_refused_before_any_request(
    reference_server: tuple[str, list[str]],
) -> None:
    base_url, asked = reference_server
    scrambled = [e["get"]["asked"].rsplit("/", 1)[1] for e in GETS if e["get"]["repairs"]]
    assert len(scrambled) >= 20
    async with st.SevenTimeClient(KEY, base_url=base_url, rate_limit=None) as client:
        for item_id in scrambled:
            with pytest.raises(st.ValidationError, match="24 hexadecimal digits"):
                await client.tasks.get(item_id)
    assert asked == []


# -- typed access --------------------------------------------------------------------------


def _one(source: str, index: int = 0) -> Any:
    example = next(e for e in EXAMPLES if e["source"] == source)
    return st.structure(_items(example)[index], getattr(st, example["entity"]))


def test_typed_access_to_nested_fields_of_the_new_families() -> None:
    log = _one("TimeLogs.md:36")
    assert isinstance(log, st.TimeLog)
    assert log.unsocial_hours_costs[1].time == 10.5261325
    assert log.unsocial_hours_costs[0].salary_type_name == "OB kväll"
    assert log.start_location is not None and log.start_location.type == "Point"
    assert log.timestamp == datetime(2013, 3, 14, 18, 28, 26, 193000, tzinfo=UTC)
    assert log.user == "51203146506d961c030798526587"

    stopped = _one("Timer.md:188")  # stopping a timer answers the time log it made
    assert isinstance(stopped, st.TimeLog) and stopped.real_end_timestamp is not None

    supplier = _one("SupplierInvoices.md:339")
    assert supplier.supplier_invoice_log_entries[0].log_date == datetime(
        2020, 12, 9, 12, 43, 51, 516000, tzinfo=UTC
    )
    listed = _one("SupplierInvoices.md:35")
    assert listed.invoice_items[0].item_type == "time"
    assert listed.ocr == "" and listed.work_order_number == 4737

    quote = _one("Quotes.md:308")
    assert quote.house_properties is not None and quote.house_properties.type_of_property == 1
    rows = [el for el in quote.quote_elements if el.content and el.content.invoice_items]
    assert rows and rows[0].content is not None
    assert rows[0].content.invoice_items[0].item_type is not None

    schedule = _one("WorkSchedules.md:171")
    day = schedule.work_schedule_weeks[0].work_schedule_days[0]
    assert (day.start_hour, day.breaks[0].break_start_hour) == (7, 12)

    user = _one("Users.md:139")
    assert user.work_schedules[0].start_date == datetime(2020, 3, 1, tzinfo=UTC)
    assert isinstance(user.can_have_dynamic_schedule, bool)

    distributor = _one("Distributors.md:281")
    assert distributor.self_billing_settings is not None
    assert distributor.self_billing_settings.invoice_counter == 12
    assert distributor.version == 0

    order = _one("PurchaseOrders.md:191")
    assert order.invoice_address is not None and order.delivery_address is not None
    assert order.purchase_order_log_entries[0].log_type is not None

    updated = _one("WorkOrders.md:615")
    assert updated.running_invoice_settings is not None
    assert updated.running_invoice_settings.format_type == "detailedFormat"
    assert updated.modified_by_user_name == "Anna Andersson"

    with_documents = _one("Documents.md:8")
    assert with_documents.documents[0].content_type == "application/pdf"
    assert with_documents.documents[0].size == 20548


def test_created_date_and_create_date_stay_distinct_wire_fields() -> None:
    """Customers (and contact persons, distributors, projects, users) send ``createdDate``;
    the other families ``createDate`` (digest §1.9): each class models its own."""
    stamp = "2020-11-17T12:06:24.281Z"
    assert "createdDate" in entity_fields(st.Customer).values()
    assert "createDate" not in entity_fields(st.Customer).values()
    assert "createDate" in entity_fields(st.TimeLog).values()
    assert "createdDate" not in entity_fields(st.TimeLog).values()
    # The other family's spelling is not read as this one's: it is kept, untouched.
    customer = st.structure({"createDate": stamp}, st.Customer)
    assert customer.created_date is None and customer.extra == {"createDate": stamp}
    assert st.unstructure(customer) == {"createDate": stamp}
