"""The pure half of the transport, synchronously: reading a response, the retry rules,
Retry-After and what an error lets through to a terminal."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seventime_async as sta
from seventime_async._errors import MAX_ERROR_MESSAGE, clean_message
from seventime_async._interpret import interpret
from seventime_async._retry import AttemptFailed, Failure, parse_retry_after

URL = "https://app.seventime.se/api/2/customers"


def failure_of(status: int, body: bytes, headers: dict[str, str] | None = None) -> AttemptFailed:
    with pytest.raises(AttemptFailed) as caught:
        interpret(status, headers or {}, body, method="GET", url=URL)
    return caught.value


def test_a_2xx_body_is_decoded_json() -> None:
    assert interpret(200, {}, b'{"data": [1, 2]}', method="GET", url=URL) == {"data": [1, 2]}
    assert interpret(201, {}, b"[]", method="POST", url=URL) == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, sta.BadRequestError),
        (401, sta.AuthenticationError),
        (403, sta.PermissionDeniedError),
        (404, sta.NotFoundError),
        (409, sta.ApiError),
        (429, sta.RateLimitError),
        (500, sta.ServerError),
        (502, sta.ServerError),
        (503, sta.ServiceUnavailableError),
    ],
)
def test_statuses_become_their_classes_with_the_servers_message(
    status: int, cls: type[sta.ApiError]
) -> None:
    failed = failure_of(status, b'{"errorMessage": "No such thing"}')
    assert type(failed.error) is cls
    assert failed.failure is Failure.STATUS and failed.status == status
    assert failed.error.error_message == "No such thing"  # type: ignore[attr-defined]
    assert str(failed.error) == f"No such thing (HTTP {status}, GET {URL})"


def test_an_error_body_without_error_message_shows_its_start() -> None:
    failed = failure_of(502, b"<html>" + b"x" * 5000)
    assert failed.error.error_message == "<html>" + "x" * 194  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"data": [1, 2', b""])
def test_a_2xx_body_that_is_not_json_is_a_decode_error(body: bytes) -> None:
    failed = failure_of(200, body)
    assert failed.failure is Failure.BAD_BODY
    assert isinstance(failed.error, sta.DecodeError)
    assert failed.error.status == 200 and failed.error.body_start == body[:200]


@pytest.mark.parametrize("depth", [300, 1000, 5000])
def test_json_nested_deeper_than_orjson_dumps_never_crashes(depth: int) -> None:
    """orjson parses 1,024 levels but dumps only 255: nothing may re-dump a body."""
    body = b"[" * depth + b"]" * depth
    if depth <= 1000:
        assert interpret(200, {}, body, method="GET", url=URL) is not None
    else:
        assert isinstance(failure_of(200, body).error, sta.DecodeError)
    error = failure_of(500, body).error
    assert isinstance(error, sta.ServerError) and error.error_message.startswith("[[[")
    nested = b'{"errorMessage": ' + b"[" * depth + b"]" * depth + b"}"
    assert isinstance(failure_of(400, nested).error, sta.BadRequestError)


def test_retry_after_in_both_forms() -> None:
    assert failure_of(429, b"", {"Retry-After": "7"}).retry_after == 7.0
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0
    error = failure_of(429, b"", {"Retry-After": "7"}).error
    assert isinstance(error, sta.RateLimitError) and error.retry_after == 7.0


@pytest.mark.parametrize("value", ["٣", "²", "³⁴", "١٢", "-1", "1.5", "", "soon", "9" * 400])
def test_a_retry_after_that_is_not_ascii_delta_seconds_or_a_date_is_ignored(value: str) -> None:
    """str.isdigit() accepts "٣" and "²"; float() refuses them."""
    got = parse_retry_after(value)
    assert got is None or (value == "9" * 400 and got == float("inf"))


@given(
    status=st.integers(min_value=100, max_value=599),
    body=st.binary(max_size=300)
    | st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    ).map(lambda v: orjson.dumps({"errorMessage": v})),
    retry_after=st.none() | st.text(max_size=40),
)
def test_any_response_is_data_or_a_typed_error(
    status: int, body: bytes, retry_after: str | None
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    failed: AttemptFailed | None = None
    try:
        interpret(status, headers, body, method="GET", url=URL)
    except AttemptFailed as exc:
        failed = exc
    if failed is None:  # a 2xx whose body is JSON: data
        assert 200 <= status < 300
        return
    assert isinstance(failed.error, sta.SevenTimeError)
    assert failed.error.__context__ is None and failed.error.__cause__ is None
    assert failed.retry_after is None or failed.retry_after >= 0
    assert str(failed.error) and repr(failed.error)


# -- what an error lets through to a terminal ------------------------------------------


def test_ansi_escapes_and_control_characters_are_shown_escaped() -> None:
    hostile = "\x1b[2J\x1b[31mpwned\x07\r\nline two\u202etxt.exe"
    error = sta.BadRequestError(400, hostile, "GET", URL)
    assert error.error_message == "\\x1b[2J\\x1b[31mpwned\\x07\\x0d\\x0aline two\\u202etxt.exe"
    assert "\x1b" not in str(error) and "\n" not in str(error)


def test_a_huge_error_message_is_cut_and_says_so() -> None:
    error = sta.ServerError(500, "é" * 50_000_000, "GET", URL)
    assert error.error_message.startswith("é" * MAX_ERROR_MESSAGE)
    assert error.error_message.endswith("... [49999500 more characters cut]")
    assert len(str(error)) < MAX_ERROR_MESSAGE + 200


@given(st.text())
def test_a_clean_message_is_printable_and_bounded(text: str) -> None:
    clean = clean_message(text)
    assert all(c.isprintable() or unicodedata.category(c) == "Zs" for c in clean)
    assert len(clean) <= 6 * MAX_ERROR_MESSAGE + 50
    if len(text) <= MAX_ERROR_MESSAGE and text.isprintable():
        assert clean == text


def test_an_api_error_pickles_with_its_attributes() -> None:
    import pickle

    error = sta.RateLimitError(429, "slow down", "DELETE", URL, retry_after=3.0)
    error.after_uncertain_attempt = True
    back: Any = pickle.loads(pickle.dumps(error))
    assert (back.status, back.error_message, back.retry_after) == (429, "slow down", 3.0)
    assert back.after_uncertain_attempt is True


# -- the retry rules ---------------------------------------------------------------------


def _failed(failure: Failure, status: int | None = None) -> AttemptFailed:
    error: sta.SevenTimeError
    if status is None:
        error = sta.TransportError("x", method="GET", url=URL)
    else:
        error = sta.ServerError(status, "", "GET", URL)
    return AttemptFailed(failure, error)


UNCERTAIN = [_failed(Failure.DROPPED), _failed(Failure.TIMEOUT), _failed(Failure.STATUS, 500)]
SURELY_NOT_PROCESSED = [
    _failed(Failure.NOT_SENT),
    _failed(Failure.STATUS, 503),
    _failed(Failure.STATUS, 429),
]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_retried_after_any_transient_failure(method: str) -> None:
    policy = sta.RetryPolicy()
    for failed in [*UNCERTAIN, *SURELY_NOT_PROCESSED, _failed(Failure.BAD_BODY)]:
        assert policy.should_retry(method, failed, 1)


def test_a_post_is_retried_only_where_surely_not_processed() -> None:
    policy = sta.RetryPolicy()
    assert all(policy.should_retry("POST", f, 1) for f in SURELY_NOT_PROCESSED)
    assert not any(policy.should_retry("POST", f, 1) for f in UNCERTAIN)
    assert all(f.surely_not_processed for f in SURELY_NOT_PROCESSED)
    assert not any(f.surely_not_processed for f in UNCERTAIN)


def test_never_retried_whatever_the_method() -> None:
    policy = sta.RetryPolicy(max_retries=3)
    never = [
        _failed(Failure.TOO_LARGE),
        _failed(Failure.UNEXPECTED),
        _failed(Failure.STATUS, 501),
        AttemptFailed(Failure.STATUS, sta.NotFoundError(404, "", "GET", URL)),
        AttemptFailed(
            Failure.STATUS, sta.RateLimitError(429, "", "GET", URL, 3600), retry_after=3600
        ),
    ]
    assert not any(policy.should_retry("GET", f, 1) for f in never)
    assert not policy.should_retry("GET", _failed(Failure.DROPPED), 4)  # retries spent
