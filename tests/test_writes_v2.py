"""Every v2 write of every family, over TCP against the emulator: create, update, delete
and the actions, with bodies built from the family's row in the table and the
emulator's own documents; and the write retry rules through the resources."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import seventime_async as st
from seventime_async._endpoints import ENDPOINTS, Endpoint, WriteSpec
from seventime_async.emulator import Emulator, Faults

from .conftest import FAST_RETRY

WRITABLE = [e for e in ENDPOINTS if (api := e.spec(2)) and (api.create or api.update or api.delete)]
#: Unique business numbers: a copy of a document must not reuse them.
_UNIQUE = ("customer_number", "project_number", "work_order_number", "invoice_number")
CHANGED = "Ändrad via API"


def _fields(spec: WriteSpec, doc: dict[str, Any]) -> dict[str, Any]:
    """A body for ``spec`` taken from a served document: every field it has a value for,
    nested objects as the wire-keyed dicts they are served as, an expanded reference as
    its id, and a stand-in for a required text the generated document left empty."""
    out: dict[str, Any] = {}
    for name, wire in spec.fields.items():
        value = doc.get(wire)
        if name in _UNIQUE or name.endswith("_by_user"):
            continue
        if name not in spec.nested and isinstance(value, dict):
            value = value.get("_id") or None  # an expanded reference: its id
        if value in (None, "", {}) and name in spec.required:
            value = "Test"
        if value is None:
            continue
        plain = not isinstance(value, dict) and not (
            isinstance(value, list) and any(isinstance(v, dict) for v in value)
        )
        if name in spec.nested or plain:
            out[name] = value
    return out


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text_field(spec: WriteSpec, doc: dict[str, Any]) -> str | None:
    """An optional field of ``spec`` that holds text in ``doc``: the one an update changes."""
    for name, wire in spec.fields.items():
        value = doc.get(wire)
        optional = name not in spec.required and name not in spec.nested
        text = isinstance(value, str) and value and not _is_time(value) and len(value) != 24
        if optional and text and name not in _UNIQUE and not name.endswith("_by_user"):
            return name
    return None


@pytest.fixture
async def v2() -> Any:
    async with Emulator(seed=11, customers=40, users=12, projects=20, work_orders=30) as emu:
        actor = sorted(emu.ids("users"))[0]
        async with st.SevenTimeClient(
            emu.api_key, base_url=emu.url(2), rate_limit=None, retry=FAST_RETRY, acting_user=actor
        ) as client:
            yield emu, client


@pytest.mark.parametrize("endpoint", WRITABLE, ids=lambda e: e.name)
async def test_every_v2_write_of_every_family(endpoint: Endpoint[Any], v2: Any) -> None:
    emu, client = v2
    api, resource = endpoint.api(2), getattr(client, endpoint.name)
    docs = emu.items(endpoint.name)
    assert docs, f"the emulator serves no {endpoint.name} to copy"
    if api.create is not None:
        body = _fields(api.create, docs[0])
        created = await resource.create(**body)
        assert isinstance(created, endpoint.entity)
        stored = {d["_id"]: d for d in emu.items(endpoint.name)}[created.id]
        assert (
            stored["createdByUser"] == client.acting_user
            if "created_by_user" in (api.create.fields)
            else True
        )
        sent = st.unstructure(created)
        for name in body:  # what was sent is what the server holds and answered
            wire = api.create.fields[name]
            assert stored[wire] == sent[wire], (endpoint.name, wire)
    if api.update is not None:
        target = docs[1]
        body = _fields(api.update, target)
        field = _text_field(api.update, target)
        if field is not None:
            body[field] = CHANGED
        updated = await resource.update(target["_id"], **body)
        assert updated.id == target["_id"]
        stored = {d["_id"]: d for d in emu.items(endpoint.name)}[target["_id"]]
        if field is not None:
            assert stored[api.update.fields[field]] == CHANGED
        assert stored["modifiedDate"] > target.get("modifiedDate", "")
        if "modified_by_user" in api.update.fields:
            assert stored["modifiedByUser"] == client.acting_user
    if api.delete is not None:
        gone = docs[2]["_id"]
        assert await resource.delete(gone) is None
        assert gone not in emu.ids(endpoint.name)
        with pytest.raises(st.NotFoundError):
            await resource.delete(gone)  # a first attempt that finds nothing still says so


async def test_timers_start_and_stop_and_documents_upload(v2: Any) -> None:
    emu, client = v2
    busy = {t["user"] for t in emu.items("timers")}
    user = next(u for u in sorted(emu.ids("users")) if u not in busy)
    timer = await client.timers.start(user=user)
    assert isinstance(timer, st.Timer) and timer.user == user
    assert timer.id in emu.ids("timers")
    with pytest.raises(st.ValidationError, match="exactly one of id= or user="):
        await client.timers.stop()
    with pytest.raises(st.ValidationError, match="exactly one of id= or user="):
        await client.timers.stop(timer.id, user=user)
    log = await client.timers.stop(user=user)
    assert isinstance(log, st.TimeLog) and log.user == user
    assert timer.id not in emu.ids("timers") and log.id in emu.ids("time_logs")

    order = sorted(emu.ids("work_orders"))[0]
    before = emu.request_count
    await client.documents.upload(
        b"%PDF-1.4 ritning",
        file_name="plan.pdf",
        content_type="application/pdf",
        entity_type=200,
        entity_id=order,
    )
    assert emu.request_count == before + 1
    too_big = b"\0" * (st.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(st.ValidationError, match="MAX_UPLOAD_BYTES"):
        await client.documents.upload(
            too_big,
            file_name="x",
            content_type="application/pdf",
            entity_type=200,
            entity_id=order,
        )
    with pytest.raises(st.ValidationError, match="entity_id"):
        await client.documents.upload(
            b"x", file_name="x", content_type="text/plain", entity_type=200
        )
    assert emu.request_count == before + 1


async def test_a_dropped_delete_whose_retry_finds_nothing_counts_as_done(v2: Any) -> None:
    emu, client = v2
    target = sorted(emu.ids("time_logs"))[0]
    emu.faults = Faults(queue=deque(["drop-after"]), methods=frozenset({"DELETE"}))
    assert await client.time_logs.delete(target) is None  # the retry's 404 means done
    assert target not in emu.ids("time_logs")
    methods = [r.method for r in emu.requests[-2:]]
    assert methods == ["DELETE", "DELETE"]


async def test_a_dropped_update_is_retried_and_lands_once(v2: Any) -> None:
    emu, client = v2
    target = emu.items("customers")[5]
    emu.faults = Faults(queue=deque(["drop-after"]), methods=frozenset({"PUT"}))
    updated = await client.customers.update(target["_id"], city="Ängelholm")
    assert updated.city == "Ängelholm"
    assert [r.method for r in emu.requests[-2:]] == ["PUT", "PUT"]
    assert len(emu.items("customers")) == 40  # an update never makes a record


async def test_a_create_that_may_have_landed_is_not_retried(v2: Any) -> None:
    emu, client = v2
    emu.faults = Faults(queue=deque(["drop-after"]), methods=frozenset({"POST"}))
    with pytest.raises(st.TransportError):
        await client.customers.create(name="Bara En Gång AB")
    assert [d["name"] for d in emu.items("customers")].count("Bara En Gång AB") == 1
    assert [r.method for r in emu.requests].count("POST") == 1


async def test_modified_since_yields_what_changed_after_the_mark_and_nothing_before(
    v2: Any,
) -> None:
    emu, client = v2
    ids = sorted(emu.ids("work_orders"))
    emu.modify("work_orders", ids[0], title="Före", modifiedDate="2026-11-01T10:00:00.000Z")
    emu.modify("work_orders", ids[1], title="Efter", modifiedDate="2026-11-01T12:00:00.000Z")
    mark = datetime(2026, 11, 1, 11, 0, tzinfo=UTC)
    found = [w.id async for w in client.work_orders.iter_all(modified_since=mark)]
    assert found == [ids[1]]
    # The same instant in another zone is the same mark (sent as UTC).
    stockholm = mark.astimezone(timezone(timedelta(hours=1)))
    page = await client.work_orders.list(modified_since=stockholm)
    assert [w.id for w in page] == [ids[1]] and page.total == 1
    assert "lastModified=2026-11-01 11:00:00" in emu.requests[-1].query
    with pytest.raises(st.ValidationError, match="aware datetime"):
        await client.work_orders.list(modified_since=datetime(2026, 11, 1))
    with pytest.raises(st.ValidationError, match="no filter modified_since"):
        await client.users.list(modified_since=mark)
