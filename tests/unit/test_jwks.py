"""Asymmetric Supabase tokens verified against a JWKS served over loopback HTTP: the cache, its
refetch rules (unknown kid, at most once a minute, one fetch for concurrent requests), and what
happens when the JWKS cannot be fetched."""

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from peakhealth.errors import ServiceUnavailable
from peakhealth.identity.jwks import JwksCache, UnknownKey, jwks_url, parse_jwks
from peakhealth.identity.tokens import InvalidToken, TokenVerifier
from tests.support.jwks import (
    EC_KEY,
    KEY,
    OTHER_EC_KEY,
    OTHER_KEY,
    ROTATED_KEY,
    JwksServer,
    closed_port_url,
    public_jwk,
)


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer([public_jwk(KEY, "key-1"), public_jwk(EC_KEY, "ec-1")])
    yield server
    server.stop()


USER_ID = "6c0b1d2e-0000-4000-8000-0000000000a1"


def claims(**extra: Any) -> dict[str, Any]:
    return {
        "sub": USER_ID,
        "aud": "authenticated",
        "exp": int(time.time()) + 60,
        "app_metadata": {"role": "trainer"},
        **extra,
    }


def rs256(kid: str = "key-1", key: Any = KEY, **extra: Any) -> str:
    return jwt.encode(claims(**extra), key, algorithm="RS256", headers={"kid": kid})


def es256(kid: str = "ec-1", key: Any = EC_KEY, **extra: Any) -> str:
    return jwt.encode(claims(**extra), key, algorithm="ES256", headers={"kid": kid})


class Clock:
    """A monotonic clock the test moves forward."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_for(server: JwksServer, **options: Any) -> JwksCache:
    return JwksCache(jwks_url(server.url), **options)


async def loaded_cache(server: JwksServer, **options: Any) -> tuple[JwksCache, Clock]:
    """A cache on a clock the test moves forward, which has loaded the server's keys (one
    request)."""
    clock = Clock()
    cache = cache_for(server, clock=clock, **options)
    await cache.key("key-1")
    return cache, clock


# --- verification ------------------------------------------------------------------------------


async def test_rs256_token_from_the_project_jwks_is_accepted(jwks: JwksServer) -> None:
    token = rs256(iss=f"{jwks.url}/auth/v1")
    user = await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)
    assert (user.id, user.role) == (USER_ID, "trainer")


async def test_es256_token_from_the_project_jwks_is_accepted(jwks: JwksServer) -> None:
    token = es256(iss=f"{jwks.url}/auth/v1")
    user = await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)
    assert (user.id, user.role) == (USER_ID, "trainer")


@pytest.mark.parametrize(
    "token",
    [rs256(key=OTHER_KEY), es256(key=OTHER_EC_KEY)],
    ids=["RS256", "ES256"],
)
async def test_token_signed_by_another_key_is_refused(jwks: JwksServer, token: str) -> None:
    with pytest.raises(InvalidToken, match="not valid"):
        await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)


async def test_hs256_token_is_refused_when_only_jwks_is_configured(jwks: JwksServer) -> None:
    token = jwt.encode(claims(), "a-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    with pytest.raises(InvalidToken, match="HS256"):
        await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)
    assert jwks.requests == 0


async def test_token_without_kid_is_refused_without_a_fetch(jwks: JwksServer) -> None:
    token = jwt.encode(claims(iss=f"{jwks.url}/auth/v1"), KEY, algorithm="RS256")
    with pytest.raises(InvalidToken, match="kid"):
        await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)
    assert jwks.requests == 0


async def test_token_whose_alg_differs_from_its_key_is_refused(jwks: JwksServer) -> None:
    """An RS256 header naming the ES256 key: the key's own algorithm decides."""
    token = rs256(kid="ec-1", iss=f"{jwks.url}/auth/v1")
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=None, supabase_url=jwks.url).verify(token)


# --- the JWKS document -------------------------------------------------------------------------


def test_only_rs256_and_es256_signing_keys_are_kept() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    p384_jwk = {
        **jwt.algorithms.ECAlgorithm.to_jwk(p384.public_key(), as_dict=True),
        "kid": "p384",
    }
    document = {
        "keys": [
            public_jwk(KEY, "rsa"),
            public_jwk(EC_KEY, "ec"),
            {"kty": "oct", "k": "c2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2g", "kid": "hmac"},
            {**public_jwk(OTHER_KEY, "encryption"), "use": "enc"},
            {k: v for k, v in public_jwk(OTHER_KEY, "x").items() if k != "kid"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            p384_jwk,
            "not-a-key",
        ]
    }
    keys = parse_jwks(document)
    assert sorted(keys) == ["ec", "rsa"]
    assert (keys["rsa"].algorithm_name, keys["ec"].algorithm_name) == ("RS256", "ES256")


@pytest.mark.parametrize("document", [[], {}, {"keys": "none"}, "jwks"])
def test_an_answer_that_is_not_a_jwks_is_refused(document: Any) -> None:
    with pytest.raises(ValueError, match="not a JWKS"):
        parse_jwks(document)


async def test_an_empty_jwks_is_loaded_and_unknown_kids_are_401_not_503(
    jwks: JwksServer,
) -> None:
    jwks.keys = []
    verifier = TokenVerifier(secret=None, supabase_url=jwks.url)
    with pytest.raises(InvalidToken, match="not in the project's JWKS"):
        await verifier.verify(rs256())
    assert verifier.jwks is not None and verifier.jwks.loaded


async def test_a_non_jwks_answer_counts_as_a_failed_fetch(jwks: JwksServer) -> None:
    jwks.body = b"<html>maintenance</html>"
    with pytest.raises(ServiceUnavailable):
        await cache_for(jwks).key("key-1")


# --- caching and refetching --------------------------------------------------------------------


async def test_keys_are_cached(jwks: JwksServer) -> None:
    verifier = TokenVerifier(secret=None, supabase_url=jwks.url)
    for _ in range(3):
        await verifier.verify(rs256(iss=f"{jwks.url}/auth/v1"))
        await verifier.verify(es256(iss=f"{jwks.url}/auth/v1"))
    assert jwks.requests == 1


async def test_a_rotated_in_key_is_accepted_after_one_refetch(jwks: JwksServer) -> None:
    verifier = TokenVerifier(secret=None, supabase_url=jwks.url)
    await verifier.verify(rs256(iss=f"{jwks.url}/auth/v1"))
    jwks.keys = [*jwks.keys, public_jwk(ROTATED_KEY, "key-2")]
    rotated = rs256(kid="key-2", key=ROTATED_KEY, iss=f"{jwks.url}/auth/v1")
    assert (await verifier.verify(rotated)).id == USER_ID
    assert (await verifier.verify(rotated)).id == USER_ID
    assert jwks.requests == 2


async def test_unknown_kids_refetch_at_most_once_a_minute(jwks: JwksServer) -> None:
    cache, clock = await loaded_cache(jwks)
    for _ in range(5):
        with pytest.raises(UnknownKey):
            await cache.key(str(uuid.uuid4()))
    assert jwks.requests == 2
    clock.now += 59
    with pytest.raises(UnknownKey):
        await cache.key(str(uuid.uuid4()))
    assert jwks.requests == 2
    clock.now += 1
    with pytest.raises(UnknownKey):
        await cache.key(str(uuid.uuid4()))
    assert jwks.requests == 3


async def test_a_key_rotated_in_within_the_minute_waits_for_the_next_refetch(
    jwks: JwksServer,
) -> None:
    cache, clock = await loaded_cache(jwks)
    with pytest.raises(UnknownKey):
        await cache.key("key-2")  # refetched: no such key yet
    jwks.keys = [*jwks.keys, public_jwk(ROTATED_KEY, "key-2")]
    clock.now += 59
    with pytest.raises(UnknownKey):
        await cache.key("key-2")
    assert jwks.requests == 2
    clock.now += 1
    assert (await cache.key("key-2")).key_id == "key-2"
    assert jwks.requests == 3


async def test_concurrent_requests_for_an_unknown_kid_share_one_fetch(jwks: JwksServer) -> None:
    cache = cache_for(jwks)
    await cache.key("key-1")
    jwks.keys = [*jwks.keys, public_jwk(ROTATED_KEY, "key-2")]
    jwks.hold()
    asking = asyncio.gather(*(cache.key("key-2") for _ in range(10)))
    await jwks.arrival()  # all ten are waiting now: the first at the server, nine behind it
    jwks.release()
    found = await asking
    assert {key.key_id for key in found} == {"key-2"}
    assert jwks.requests == 2


async def test_concurrent_first_requests_share_one_fetch(jwks: JwksServer) -> None:
    jwks.hold()
    cache = cache_for(jwks)
    asking = asyncio.gather(*(cache.key(kid) for kid in ["key-1", "ec-1"] * 5))
    await jwks.arrival()
    jwks.release()
    found = await asking
    assert [key.key_id for key in found] == ["key-1", "ec-1"] * 5
    assert jwks.requests == 1


async def test_the_fetch_does_not_block_the_event_loop(jwks: JwksServer) -> None:
    """While the server holds the answer back, the event loop still runs other work: here,
    noticing that the request arrived (a blocking fetch would leave that unseen until the hold
    ends, and the fetch would be done by then)."""
    jwks.hold()
    fetch = asyncio.create_task(cache_for(jwks).key("key-1"))
    await jwks.arrival()
    assert not fetch.done()
    jwks.release()
    assert (await fetch).key_id == "key-1"


async def test_keys_older_than_max_age_are_refetched(jwks: JwksServer) -> None:
    """A key the project revoked (dropped from its JWKS) stops working within `max_age`."""
    cache, clock = await loaded_cache(jwks, max_age=600)
    jwks.keys = [public_jwk(EC_KEY, "ec-1")]
    clock.now += 599
    await cache.key("key-1")
    assert jwks.requests == 1
    clock.now += 1
    with pytest.raises(UnknownKey):
        await cache.key("key-1")
    assert jwks.requests == 2


async def test_stale_keys_are_kept_when_the_refetch_fails(jwks: JwksServer) -> None:
    cache, clock = await loaded_cache(jwks, max_age=600)
    clock.now += 601
    jwks.stop()
    assert (await cache.key("key-1")).key_id == "key-1"
    assert (await cache.key("ec-1")).key_id == "ec-1"


# --- the JWKS cannot be fetched ----------------------------------------------------------------


async def test_jwks_never_loaded_is_service_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    url = closed_port_url()
    verifier = TokenVerifier(secret=None, supabase_url=url)
    with (
        caplog.at_level(logging.WARNING, logger="peakhealth"),
        pytest.raises(ServiceUnavailable, match="JWKS"),
    ):
        await verifier.verify(rs256())
    assert f"JWKS fetch from {jwks_url(url)} failed (ConnectError" in caplog.text
    assert "asymmetric tokens answer 503" in caplog.text


async def test_jwks_down_after_a_load_refuses_unknown_kids_and_keeps_known_ones(
    jwks: JwksServer,
) -> None:
    verifier = TokenVerifier(secret=None, supabase_url=jwks.url)
    issuer = f"{jwks.url}/auth/v1"
    await verifier.verify(rs256(iss=issuer))
    jwks.stop()
    with pytest.raises(InvalidToken, match="not in the project's JWKS"):
        await verifier.verify(rs256(kid="key-2", key=ROTATED_KEY, iss=issuer))
    assert (await verifier.verify(es256(iss=issuer))).id == USER_ID


async def test_failed_first_fetches_are_retried_after_the_retry_interval(
    jwks: JwksServer,
) -> None:
    clock = Clock()
    cache = cache_for(jwks, clock=clock, retry_interval=5)
    jwks.status = 500
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            await cache.key("key-1")
    assert jwks.requests == 1
    jwks.status = 200
    clock.now += 5
    assert (await cache.key("key-1")).key_id == "key-1"
    assert jwks.requests == 2


async def test_the_fetch_times_out(jwks: JwksServer, caplog: pytest.LogCaptureFixture) -> None:
    """The server never answers while held: only the client's timeout can end the fetch."""
    jwks.hold()
    cache = cache_for(jwks, timeout=0.2)
    try:
        with (
            caplog.at_level(logging.WARNING, logger="peakhealth"),
            pytest.raises(ServiceUnavailable),
        ):
            await cache.key("key-1")
    finally:
        jwks.release()
    assert "ReadTimeout" in caplog.text


def test_the_default_timeout_is_short() -> None:
    assert JwksCache("http://127.0.0.1:1/jwks.json").timeout <= 5


async def test_a_successful_fetch_is_logged(
    jwks: JwksServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="peakhealth"):
        await cache_for(jwks).key("key-1")
    assert f"JWKS loaded from {jwks_url(jwks.url)}: 2 signing keys (ec-1, key-1)" in caplog.text


def test_one_cache_serves_several_event_loops(jwks: JwksServer) -> None:
    """The lock is per event loop (an asyncio.Lock binds to the first loop it waits in)."""
    cache = cache_for(jwks, clock=Clock())

    async def contend(kid: str) -> None:
        """Three lookups wait on the lock while the first is held at the server."""
        jwks.hold()
        asking = asyncio.gather(*(cache.key(kid) for _ in range(3)))
        await jwks.arrival()
        jwks.release()
        await asking

    asyncio.run(contend("key-1"))
    cache.clock.now += 60  # type: ignore[attr-defined]
    jwks.keys = [*jwks.keys, public_jwk(ROTATED_KEY, "key-2")]
    asyncio.run(contend("key-2"))
    assert jwks.requests == 2


async def test_known_keys_do_not_wait_for_a_refresh_under_way(jwks: JwksServer) -> None:
    cache, clock = await loaded_cache(jwks, max_age=600)
    clock.now += 600
    jwks.hold()
    refresh = asyncio.create_task(cache.key("ec-1"))  # stale: refetches, held at the server
    await jwks.arrival()
    try:
        # Answered while the refresh is still held: it did not wait for it.
        assert (await cache.key("key-1")).key_id == "key-1"
        assert not refresh.done()
    finally:
        jwks.release()
    await refresh
    assert jwks.requests == 2
