"""Supabase access tokens: signature, expiry, audience, subject (a UUID), issuer (with a Supabase
URL); role from app_metadata only."""

import time
from typing import Any

import jwt
import pytest

from peakhealth.identity.tokens import (
    REMEMBER_SECONDS,
    InvalidToken,
    TokenVerifier,
    issuer_for,
    mint_token,
)

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"
USER_ID = "33333333-3333-3333-3333-333333333333"


def verifier() -> TokenVerifier:
    return TokenVerifier(secret=SECRET, supabase_url=None)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": USER_ID,
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 3600,
        **overrides,
    }


def encode(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


async def test_minted_token_is_accepted() -> None:
    user = await verifier().verify(mint_token(SECRET, sub=USER_ID, role="trainer", email="t@x.io"))
    assert user.id == USER_ID
    assert user.role == "trainer"
    assert user.email == "t@x.io"


@pytest.mark.parametrize("role", ["client", "trainer", "admin"])
async def test_role_is_read_from_app_metadata(role: str) -> None:
    token = encode(claims(app_metadata={"role": role}))
    assert (await verifier().verify(token)).role == role


async def test_role_in_user_metadata_is_ignored() -> None:
    token = encode(claims(user_metadata={"role": "admin"}))
    assert (await verifier().verify(token)).role == "client"
    token = encode(claims(app_metadata={"role": "trainer"}, user_metadata={"role": "admin"}))
    assert (await verifier().verify(token)).role == "trainer"


async def test_unknown_role_falls_back_to_client() -> None:
    token = encode(claims(app_metadata={"role": "superuser"}))
    assert (await verifier().verify(token)).role == "client"


async def test_expired_token_is_rejected() -> None:
    token = mint_token(SECRET, sub=USER_ID, ttl_seconds=-60)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier().verify(token)


def without(claim: str) -> dict[str, Any]:
    payload = claims()
    del payload[claim]
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        claims(aud="anon"),
        without("aud"),
        without("sub"),
        claims(sub=""),
        without("exp"),
    ],
    ids=["wrong audience", "missing audience", "missing subject", "empty subject", "no expiry"],
)
async def test_tokens_missing_a_required_claim_are_rejected(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        await verifier().verify(encode(payload))


async def test_wrong_secret_is_rejected() -> None:
    token = mint_token("another-secret-that-is-also-long-enough-for-hs256", sub=USER_ID)
    with pytest.raises(InvalidToken):
        await verifier().verify(token)


async def test_alg_none_is_rejected() -> None:
    token = jwt.encode(claims(app_metadata={"role": "admin"}), None, algorithm="none")
    with pytest.raises(InvalidToken):
        await verifier().verify(token)


async def test_unsigned_token_with_hs256_header_is_rejected() -> None:
    header, payload, _ = encode(claims()).split(".")
    with pytest.raises(InvalidToken):
        await verifier().verify(f"{header}.{payload}.")


async def test_tampered_payload_is_rejected() -> None:
    header, _, signature = encode(claims()).split(".")
    _, forged_payload, _ = encode(claims(app_metadata={"role": "admin"}), "x" * 40).split(".")
    with pytest.raises(InvalidToken):
        await verifier().verify(f"{header}.{forged_payload}.{signature}")


async def test_garbage_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        await verifier().verify("not-a-jwt")


async def test_hs256_is_refused_without_a_secret() -> None:
    token = mint_token(SECRET, sub=USER_ID)
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=None, supabase_url=None).verify(token)


SUPABASE_URL = "https://project-ref.supabase.co"
ISSUER = f"{SUPABASE_URL}/auth/v1"


def project_verifier(url: str = SUPABASE_URL) -> TokenVerifier:
    """HS256 secret and a Supabase URL: the URL makes `iss` required (no JWKS fetch for HS256)."""
    return TokenVerifier(secret=SECRET, supabase_url=url)


@pytest.mark.parametrize("subject", ["user-1", "admin", "33333333-3333-3333-3333", "12345"])
async def test_subject_that_is_not_a_uuid_is_rejected(subject: str) -> None:
    with pytest.raises(InvalidToken, match="UUID"):
        await verifier().verify(encode(claims(sub=subject)))


async def test_missing_subject_is_rejected() -> None:
    with pytest.raises(InvalidToken, match="sub"):
        await verifier().verify(encode(without("sub")))


async def test_subject_is_the_canonical_uuid() -> None:
    user = await verifier().verify(encode(claims(sub=USER_ID.upper())))
    assert user.id == USER_ID


@pytest.mark.parametrize(
    "issuer",
    [
        "https://another-project.supabase.co/auth/v1",
        SUPABASE_URL,
        f"{ISSUER}/",
        "https://evil.example/auth/v1",
    ],
)
async def test_token_from_another_issuer_is_rejected(issuer: str) -> None:
    with pytest.raises(InvalidToken, match="issued by"):
        await project_verifier().verify(encode(claims(iss=issuer)))


async def test_token_without_issuer_is_rejected_when_supabase_url_is_set() -> None:
    with pytest.raises(InvalidToken, match="iss"):
        await project_verifier().verify(encode(claims()))


@pytest.mark.parametrize("url", [SUPABASE_URL, f"{SUPABASE_URL}/"])
async def test_token_from_the_project_issuer_is_accepted(url: str) -> None:
    user = await project_verifier(url).verify(encode(claims(iss=ISSUER)))
    assert user.id == USER_ID


async def test_issuer_is_not_required_without_supabase_url() -> None:
    assert (await verifier().verify(encode(claims()))).id == USER_ID


async def test_minted_token_with_issuer_verifies_against_the_project() -> None:
    token = mint_token(SECRET, sub=USER_ID, role="admin", issuer=issuer_for(SUPABASE_URL))
    assert (await project_verifier().verify(token)).role == "admin"
    with pytest.raises(InvalidToken):
        await project_verifier().verify(mint_token(SECRET, sub=USER_ID))


# A verified token is taken on trust for a minute at most, never past its `exp`.


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_a_verified_token_is_remembered() -> None:
    clock = Clock()
    checking = TokenVerifier(secret=SECRET, supabase_url=None, clock=clock)
    token = encode(claims())
    first = await checking.verify(token)
    clock.now += REMEMBER_SECONDS - 1
    assert await checking.verify(token) is first  # not checked again: the same answer
    clock.now += 2
    again = await checking.verify(token)
    assert again == first and again is not first  # checked again after a minute


async def test_a_token_is_not_remembered_past_its_expiry() -> None:
    clock = Clock()
    checking = TokenVerifier(secret=SECRET, supabase_url=None, clock=clock)
    token = encode(claims(exp=int(clock.now) + 10))
    first = await checking.verify(token)
    clock.now += 11
    assert await checking.verify(token) is not first


async def test_a_refused_token_is_not_remembered() -> None:
    checking = verifier()
    token = encode(claims(), "another-secret-that-is-long-enough-for-hs256")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await checking.verify(token)
