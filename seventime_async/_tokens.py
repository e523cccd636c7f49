"""Resume tokens: a JSON payload as an opaque, URL-safe, bounded, optionally signed string.

The codec knows nothing about walks (botocore's ``PaginationToken`` shape): a walk gives
it a plain payload and gets the same payload back. It guards what a token can make us
do, because tokens travel through places we do not control (job queues, browsers):

- size: a token longer than :data:`MAX_TOKEN_CHARS` is refused before decoding, and the
  payload is inflated at most to :data:`MAX_PAYLOAD_BYTES` (a zlib bomb stops there);
- integrity: with a key, the token carries an HMAC-SHA256 of its text, and a token
  that is unsigned, or signed with another key, is refused. Web services that hand
  tokens to untrusted users should set one (``SevenTimeClient(cursor_key=...)``).

Every refusal is a :class:`ValidationError`; nothing else escapes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import zlib
from typing import Any

import orjson

from ._errors import ValidationError

__all__ = ["MAX_PAYLOAD_BYTES", "MAX_TOKEN_CHARS", "check_cursor_key", "decode", "encode"]

PREFIX = "st2"
#: The format of the first release: unsigned ``st1.<zlib json>`` of a v1 keyset walk.
LEGACY_PREFIX = "st1"
#: The largest payload a walk can need: 64 lanes, each holding the ids passed at its last
#: value of a non-unique key, up to a page's worth (500; a tie group past a page cannot be
#: passed at all) of ids up to 40 characters: about 1.4 MB of JSON. A token is bounded by
#: what its own walk can produce, so a walk's cursor is always resumable.
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024
#: The base64 of an incompressible payload that size, and room for a signature.
MAX_TOKEN_CHARS = MAX_PAYLOAD_BYTES * 4 // 3 + 1024
_SIGNATURE_BYTES = 16  # HMAC-SHA256 cut to 128 bits: ample against forgery, shorter tokens
MIN_KEY_BYTES = 16


def check_cursor_key(key: Any) -> bytes | None:
    """``cursor_key`` as given to the client: None, or bytes of at least 16."""
    if key is None:
        return None
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValidationError(
            f"cursor_key must be bytes of at least {MIN_KEY_BYTES} (e.g. secrets.token_bytes(32))"
        )
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _signature(key: bytes, text: str) -> str:
    return _b64(hmac.new(key, text.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def encode(payload: dict[str, Any], *, key: bytes | None = None) -> str:
    """``st2.<payload>`` or, with a key, ``st2.<payload>.<signature>``."""
    text = f"{PREFIX}.{_b64(zlib.compress(orjson.dumps(payload), 9))}"
    return text if key is None else f"{text}.{_signature(key, text)}"


def _mangled(why: str) -> ValidationError:
    return ValidationError(f"cursor is mangled: {why}")


def decode(token: Any, *, key: bytes | None = None) -> dict[str, Any]:
    """The payload of ``token``; :class:`ValidationError` for anything else."""
    if not isinstance(token, str) or not token.startswith((f"{PREFIX}.", f"{LEGACY_PREFIX}.")):
        raise ValidationError("cursor is not a seventime_async resume token")
    if len(token) > MAX_TOKEN_CHARS:
        raise _mangled(f"it is longer than {MAX_TOKEN_CHARS} characters")
    prefix, _, rest = token.partition(".")
    body, _, signature = rest.partition(".")
    if key is not None:
        if not signature:
            raise ValidationError(
                "cursor is not signed, and this client signs its cursors (cursor_key): "
                "refusing a token it did not issue"
            )
        expected = _signature(key, f"{prefix}.{body}")
        if not hmac.compare_digest(signature, expected):
            raise ValidationError("cursor signature does not match: it was altered or forged")
    elif signature:
        raise ValidationError("cursor is signed: resume it with a client given the same cursor_key")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(_unb64(body), MAX_PAYLOAD_BYTES)
    except (binascii.Error, zlib.error, ValueError):
        raise _mangled("it does not decode as a resume token") from None
    if inflater.unconsumed_tail:
        raise _mangled(f"it inflates to more than {MAX_PAYLOAD_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise _mangled("it does not decode as a resume token")  # cut short, or trailing
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _mangled("it does not decode as a resume token") from None
    if not isinstance(payload, dict):
        raise _mangled("it does not decode as a resume token")
    if prefix == LEGACY_PREFIX:  # {"q": digest, "p": rows} of a v1 keyset walk
        return {"api": 1, "walk": "keyset", "q": payload.get("q"), "lanes": payload.get("p")}
    return payload
