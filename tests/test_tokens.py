"""Resume tokens: the codec's bounds and signatures, and tokens as walks use them."""

from __future__ import annotations

import base64
import random
import re
import zlib
from typing import Any

import orjson
import pytest

import seventime_async as st
from seventime_async import _tokens
from seventime_async._dialect import V1, V2, ListPage
from seventime_async._plan import MAX_CONCURRENCY, Position, WalkSpec
from seventime_async._walk import open_walk
from seventime_async.emulator import Emulator

from .conftest import EmulatorFactory

KEY = b"k" * 32
PAYLOAD = {"api": 1, "walk": "keyset", "q": "abc", "lanes": [[None, None, True, "x", [], False]]}


def _raw(payload: Any, *, prefix: str = "st2", compressed: bytes | None = None) -> str:
    data = compressed if compressed is not None else zlib.compress(orjson.dumps(payload))
    return f"{prefix}.{base64.urlsafe_b64encode(data).rstrip(b'=').decode()}"


def test_a_token_round_trips_and_is_url_safe() -> None:
    for key in (None, KEY):
        token = _tokens.encode(PAYLOAD, key=key)
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", token)
        assert _tokens.decode(token, key=key) == PAYLOAD


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("hello", "not a seventime_async resume token"),
        (42, "not a seventime_async resume token"),
        ("st2." + "A" * (_tokens.MAX_TOKEN_CHARS), "longer than"),
        ("st2.!!!!", "does not decode"),
        (_raw([1, 2]), "does not decode"),
        ("st2." + _raw(PAYLOAD)[4:-3], "does not decode"),  # cut short
    ],
)
def test_a_mangled_token_is_refused(token: Any, message: str) -> None:
    with pytest.raises(st.ValidationError, match=message):
        _tokens.decode(token)


def test_a_zlib_bomb_stops_at_the_payload_bound() -> None:
    bomb = zlib.compress(b"[" + b" " * 5_000_000 + b"]", 9)  # 5 MB in about 5 kB
    token = _raw(None, compressed=bomb)
    assert len(token) < _tokens.MAX_TOKEN_CHARS  # small outside, huge inside
    with pytest.raises(st.ValidationError, match="inflates to more than"):
        _tokens.decode(token)


def test_signatures() -> None:
    signed = _tokens.encode(PAYLOAD, key=KEY)
    unsigned = _tokens.encode(PAYLOAD)
    with pytest.raises(st.ValidationError, match="not signed"):
        _tokens.decode(unsigned, key=KEY)
    with pytest.raises(st.ValidationError, match="same cursor_key"):
        _tokens.decode(signed)
    with pytest.raises(st.ValidationError, match="altered or forged"):
        _tokens.decode(signed, key=b"o" * 32)
    forged = _tokens.encode({**PAYLOAD, "q": "other"}, key=None) + "." + signed.split(".")[2]
    with pytest.raises(st.ValidationError, match="altered or forged"):
        _tokens.decode(forged, key=KEY)
    for bad in (b"short", "not bytes" * 4):
        with pytest.raises(st.ValidationError, match="cursor_key"):
            _tokens.check_cursor_key(bad)


def test_the_first_releases_tokens_still_resume_a_v1_walk() -> None:
    legacy = _raw({"q": "abc", "p": PAYLOAD["lanes"]}, prefix="st1")
    assert _tokens.decode(legacy) == PAYLOAD


async def _nothing(params: Any) -> ListPage:
    raise AssertionError("no request is made for a refused token")


def _open(dialect: Any, token: str, **options: Any) -> Any:
    spec = WalkSpec(path="/customers")
    return open_walk(_nothing, spec, dialect, lambda items, _: items, cursor=token, **options)


def test_a_token_with_too_many_lanes_is_refused_before_any_request() -> None:
    spec = WalkSpec(path="/customers")
    rows = [Position().row()] * (MAX_CONCURRENCY + 1)
    token = _tokens.encode({"api": 1, "walk": "keyset", "q": spec.digest, "lanes": rows})
    with pytest.raises(st.ValidationError, match="more than 64"):
        _open(V1, token)
    with pytest.raises(st.ValidationError, match=r"concurrency must be 1\.\.64"):
        _open(V1, token, concurrency=65)


def test_a_token_of_the_other_strategy_is_refused() -> None:
    spec = WalkSpec(path="/customers")
    token = _tokens.encode({"api": 2, "walk": "keyset", "q": spec.digest, "lanes": [[]]})
    with pytest.raises(st.ValidationError, match="not a windows walk"):
        _open(V2, token)


async def test_a_signing_client_refuses_tampered_and_foreign_tokens(
    running: EmulatorFactory,
) -> None:
    async with running(customers=250, client_options={"cursor_key": KEY}) as (emu, client):
        walk = client.customers.iter_all(max_items=120)
        head = [c.id async for c in walk]
        token = walk.cursor
        rest = [c.id async for c in client.customers.iter_all(cursor=token)]
        assert head + rest == sorted(emu.ids("customers"))
        body, signature = token.rsplit(".", 1)
        tampered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
        with pytest.raises(st.ValidationError, match="altered or forged"):
            client.customers.iter_all(cursor=tampered)
        async with st.SevenTimeClient(emu.api_key, base_url=emu.base_url) as plain:
            unsigned = plain.customers.iter_all(max_items=3)
            _ = [c async for c in unsigned]
            with pytest.raises(st.ValidationError, match="not signed"):
                client.customers.iter_all(cursor=unsigned.cursor)
        assert "kkkk" not in repr(client) and KEY not in orjson.dumps(repr(client.customers))


def test_the_largest_position_a_walk_can_hold_is_a_token_it_can_resume() -> None:
    """64 lanes, each at a tie of a full page of 500 random ids: the codec's bounds are
    derived from what a walk can produce, so its own cursor is never refused."""
    rng = random.Random(7)
    lanes = [
        [None, None, True, 450, [f"{rng.getrandbits(96):024x}" for _ in range(500)], False]
        for _ in range(64)
    ]
    payload = {"api": 2, "walk": "windows", "q": "x", "lanes": lanes}
    token = _tokens.encode(payload, key=KEY)
    assert len(token) <= _tokens.MAX_TOKEN_CHARS
    assert _tokens.decode(token, key=KEY) == payload


async def test_a_cursor_taken_inside_a_large_tie_group_resumes() -> None:
    async with Emulator(seed=1, api_version=2, customers=1400) as emu:
        ids = sorted(emu.ids("customers"))
        for i, item_id in enumerate(ids):  # 490 customers share one rate
            emu.modify("customers", item_id, pricePerHour=450 if i < 490 else 500 + i)
        async with st.SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as c:
            walk = c.customers.iter_raw(sort_by="price_per_hour")
            first: list[str] = []
            async with walk:  # closed on leaving: nothing left in flight; cursor kept
                async for item in walk:
                    first.append(item["_id"])
                    if len(first) == 489:
                        break
            rest = [
                item["_id"]
                async for item in c.customers.iter_raw(sort_by="price_per_hour", cursor=walk.cursor)
            ]
    assert len(first) == 489 and sorted(first + rest) == ids
