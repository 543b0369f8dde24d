"""Every way a bearer token is refused, through the HTTP API of an app whose `SUPABASE_URL` points
at a JWKS served on 127.0.0.1 (RS256 and ES256 keys), with an HS256 secret as well unless a test
says otherwise."""

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from peakhealth.config import Settings
from tests.support import serving
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
from tests.support.paths import SECTIONS
from tests.support.plans import strength_section

SECRET = "api-test-secret-that-is-long-enough-for-hs256"
SIGNERS = ["RS256", "ES256", "HS256"]
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer([public_jwk(KEY, "rsa-1"), public_jwk(EC_KEY, "ec-1")])
    yield server
    server.stop()


@pytest.fixture
def settings(jwks: JwksServer) -> Settings:
    """Overrides the shared fixture: the `app` and `client` fixtures use this project."""
    return Settings(_env_file=None, supabase_url=jwks.url, supabase_jwt_secret=SECRET)  # type: ignore[call-arg]


def payload(url: str, **overrides: Any) -> dict[str, Any]:
    """The claims of a Supabase access token of the project at `url` (a client)."""
    now = int(time.time())
    return {
        "iss": f"{url}/auth/v1",
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 3600,
        "app_metadata": {},
        "user_metadata": {},
        **overrides,
    }


def sign(claims: dict[str, Any], signer: str, *, kid: str | None = None, key: Any = None) -> str:
    if signer == "RS256":
        return jwt.encode(claims, key or KEY, algorithm="RS256", headers={"kid": kid or "rsa-1"})
    if signer == "ES256":
        return jwt.encode(claims, key or EC_KEY, algorithm="ES256", headers={"kid": kid or "ec-1"})
    return jwt.encode(claims, key or SECRET, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["type"] == "urn:peakhealth:problem:unauthorized"
    assert body["status"] == 401
    assert detail in body["detail"]


@pytest.mark.parametrize("signer", SIGNERS)
async def test_a_valid_token_is_accepted(
    client: httpx.AsyncClient, jwks: JwksServer, signer: str
) -> None:
    response = await client.get(SECTIONS, headers=bearer(sign(payload(jwks.url), signer)))
    assert response.status_code == 200, response.text


async def test_algorithm_none_is_refused(client: httpx.AsyncClient, jwks: JwksServer) -> None:
    claims = payload(jwks.url, app_metadata={"role": "admin"})
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    response = await client.get(SECTIONS, headers=bearer(unsigned))
    assert_unauthorized(response, "'none' are not accepted")


async def test_hs256_is_refused_when_only_jwks_is_configured(jwks: JwksServer) -> None:
    jwks_only = Settings(_env_file=None, supabase_url=jwks.url)  # type: ignore[call-arg]
    async with serving(jwks_only) as http:
        token = sign(payload(jwks.url), "HS256")
        assert_unauthorized(
            await http.get(SECTIONS, headers=bearer(token)), "'HS256' are not accepted"
        )
        token = sign(payload(jwks.url), "RS256")
        assert (await http.get(SECTIONS, headers=bearer(token))).status_code == 200


def expired(claims: dict[str, Any]) -> None:
    claims["exp"] = int(time.time()) - 60


def without_subject(claims: dict[str, Any]) -> None:
    del claims["sub"]


REJECTIONS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("expired", expired, "expired"),
    ("wrong audience", lambda claims: claims.update(aud="anon"), "Audience"),
    (
        "wrong issuer",
        lambda claims: claims.update(iss="https://another-project.supabase.co/auth/v1"),
        "not issued by",
    ),
    ("no subject", without_subject, "sub"),
    ("subject not a UUID", lambda claims: claims.update(sub="user-1"), "UUID"),
]


@pytest.mark.parametrize("signer", SIGNERS)
@pytest.mark.parametrize(
    ("change", "detail"),
    [(change, detail) for _, change, detail in REJECTIONS],
    ids=[name for name, _, _ in REJECTIONS],
)
async def test_a_token_with_a_bad_claim_is_refused(
    client: httpx.AsyncClient,
    jwks: JwksServer,
    signer: str,
    change: Callable[[dict[str, Any]], None],
    detail: str,
) -> None:
    claims = payload(jwks.url)
    change(claims)
    response = await client.get(SECTIONS, headers=bearer(sign(claims, signer)))
    assert_unauthorized(response, detail)


@pytest.mark.parametrize(
    ("signer", "key"),
    [
        ("RS256", OTHER_KEY),
        ("ES256", OTHER_EC_KEY),
        ("HS256", "another-secret-that-is-long-enough-for-hs256"),
    ],
)
async def test_a_signature_by_another_key_with_the_same_kid_is_refused(
    client: httpx.AsyncClient, jwks: JwksServer, signer: str, key: Any
) -> None:
    token = sign(payload(jwks.url), signer, key=key)
    assert_unauthorized(await client.get(SECTIONS, headers=bearer(token)), "Signature")


@pytest.mark.parametrize("signer", SIGNERS)
async def test_a_role_in_user_metadata_only_is_a_client(
    client: httpx.AsyncClient, jwks: JwksServer, signer: str
) -> None:
    claimed = sign(payload(jwks.url, user_metadata={"role": "trainer"}), signer)
    assert (await client.get(SECTIONS, headers=bearer(claimed))).status_code == 200
    refused = await client.post(SECTIONS, json=strength_section(), headers=bearer(claimed))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    granted = sign(payload(jwks.url, app_metadata={"role": "trainer"}), signer)
    created = await client.post(SECTIONS, json=strength_section(), headers=bearer(granted))
    assert created.status_code == 201, created.text


async def test_an_unknown_kid_with_the_jwks_down_after_a_load_is_refused(
    client: httpx.AsyncClient, jwks: JwksServer
) -> None:
    assert (await client.get(SECTIONS, headers=bearer(sign(payload(jwks.url), "RS256")))).is_success
    jwks.stop()
    unknown = sign(payload(jwks.url), "RS256", kid="rsa-2", key=ROTATED_KEY)
    response = await client.get(SECTIONS, headers=bearer(unknown))
    assert_unauthorized(response, "not in the project's JWKS")
    known = sign(payload(jwks.url), "ES256")
    assert (await client.get(SECTIONS, headers=bearer(known))).status_code == 200


async def test_an_unknown_kid_with_the_jwks_never_loaded_is_service_unavailable() -> None:
    url = closed_port_url()
    async with serving(Settings(_env_file=None, supabase_url=url)) as http:  # type: ignore[call-arg]
        for signer in ("RS256", "ES256"):
            response = await http.get(SECTIONS, headers=bearer(sign(payload(url), signer)))
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM_JSON
            assert response.headers["retry-after"] == "5"
            body = response.json()
            assert body["type"] == "urn:peakhealth:problem:service-unavailable"
            assert "JWKS" in body["detail"]


async def test_a_rotated_in_key_is_accepted_after_one_refetch(
    client: httpx.AsyncClient, jwks: JwksServer
) -> None:
    assert (await client.get(SECTIONS, headers=bearer(sign(payload(jwks.url), "RS256")))).is_success
    assert jwks.requests == 1
    jwks.keys = [*jwks.keys, public_jwk(ROTATED_KEY, "rsa-2")]
    rotated = sign(payload(jwks.url), "RS256", kid="rsa-2", key=ROTATED_KEY)
    for _ in range(3):
        assert (await client.get(SECTIONS, headers=bearer(rotated))).status_code == 200
    assert jwks.requests == 2


async def test_a_burst_of_unknown_kids_refetches_at_most_once_a_minute(
    app: FastAPI, client: httpx.AsyncClient, jwks: JwksServer
) -> None:
    assert (await client.get(SECTIONS, headers=bearer(sign(payload(jwks.url), "ES256")))).is_success

    async def burst() -> None:
        tokens = [
            sign(payload(jwks.url), "RS256", kid=str(uuid.uuid4()), key=ROTATED_KEY)
            for _ in range(20)
        ]
        answers = await asyncio.gather(*(client.get(SECTIONS, headers=bearer(t)) for t in tokens))
        for answer in answers:
            assert_unauthorized(answer, "not in the project's JWKS")

    await burst()
    await burst()
    assert jwks.requests == 2
    cache = app.state.verifier.jwks
    cache.clock = lambda: time.monotonic() + 60  # a minute later
    await burst()
    assert jwks.requests == 3
