"""The idempotency lease's times are the database's on a real MongoDB (`$$NOW` in the claim's
pipeline upsert, the takeover and the expiry filter); the embedded store uses this process's
clock (mongomock knows neither `$$NOW` nor pipeline updates). Caller values are `$literal` in
a pipeline, so a key or fingerprint starting with `$` is never read as a field path."""

import pytest
from bson import ObjectId

from peakhealth.http.idempotency import fingerprint, is_kept, key_error
from peakhealth.storage import idempotency


def test_on_a_server_the_claim_is_a_pipeline_on_the_server_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(idempotency, "_server_clock", lambda: True)
    token = ObjectId()
    [stage] = idempotency.claim_update("$fingerprint", token)
    fields = stage["$set"]
    # Every field keeps a stored value: a repeat changes nothing.
    assert all(set(value) == {"$ifNull"} for value in fields.values())
    assert fields["fingerprint"] == {"$ifNull": ["$fingerprint", {"$literal": "$fingerprint"}]}
    assert fields["token"] == {"$ifNull": ["$token", {"$literal": token}]}
    lease_ms = int(idempotency.LEASE.total_seconds() * 1000)
    assert fields["leaseUntil"] == {"$ifNull": ["$leaseUntil", {"$add": ["$$NOW", lease_ms]}]}
    assert idempotency.lease_ended() == {"$expr": {"$lt": ["$leaseUntil", "$$NOW"]}}
    [takeover] = idempotency.takeover_update(token)
    assert takeover["$set"]["leaseUntil"] == {"$add": ["$$NOW", lease_ms]}


def test_on_the_embedded_store_the_claim_sets_on_insert_by_this_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(idempotency, "_server_clock", lambda: False)
    update = idempotency.claim_update("f", ObjectId())
    assert set(update) == {"$setOnInsert"}
    assert "$lt" in idempotency.lease_ended()["leaseUntil"]


def test_kept_answers_are_successes_and_final_refusals() -> None:
    assert [status for status in (200, 201, 400, 403, 404, 412, 422) if is_kept(status)] == [
        200,
        201,
        400,
        403,
        404,
        412,
        422,
    ]
    assert not any(is_kept(status) for status in (408, 409, 425, 429, 500, 503))


def test_a_key_is_one_value_of_1_to_255_visible_ascii_characters() -> None:
    assert key_error([b"a" * 255]) is None
    assert key_error([b"!~"]) is None
    for wrong in ([b""], [b"a" * 256], ["é".encode()], [b"a b"], [b"a\x00"], [b"a", b"b"]):
        assert key_error(wrong) is not None, wrong


def test_the_fingerprint_is_of_the_canonical_request() -> None:
    scope = {"method": "POST", "path": "/api/routines", "query_string": b"b=2&a=1"}
    same = fingerprint(scope, b'{"a": 1, "b": [1, 2]}')
    assert fingerprint({**scope, "query_string": b"a=1&b=2"}, b'{"b":[1,2],"a":1}') == same
    assert fingerprint(scope, b'{"a": 1, "b": [2, 1]}') != same
    assert fingerprint({**scope, "path": "/api/routines/x"}, b'{"a": 1, "b": [1, 2]}') != same
    assert fingerprint(scope, b"not json") != fingerprint(scope, b"not  json")
