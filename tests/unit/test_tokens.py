"""Supabase access tokens: signature, expiry, audience, subject; role from app_metadata only."""

import time
from typing import Any

import jwt
import pytest

from peakhealth.identity.tokens import InvalidToken, TokenVerifier, mint_token

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


def test_minted_token_is_accepted() -> None:
    user = verifier().verify(mint_token(SECRET, sub=USER_ID, role="trainer", email="t@x.io"))
    assert user.id == USER_ID
    assert user.role == "trainer"
    assert user.email == "t@x.io"


@pytest.mark.parametrize("role", ["client", "trainer", "admin"])
def test_role_is_read_from_app_metadata(role: str) -> None:
    token = encode(claims(app_metadata={"role": role}))
    assert verifier().verify(token).role == role


def test_role_in_user_metadata_is_ignored() -> None:
    token = encode(claims(user_metadata={"role": "admin"}))
    assert verifier().verify(token).role == "client"
    token = encode(claims(app_metadata={"role": "trainer"}, user_metadata={"role": "admin"}))
    assert verifier().verify(token).role == "trainer"


def test_unknown_role_falls_back_to_client() -> None:
    token = encode(claims(app_metadata={"role": "superuser"}))
    assert verifier().verify(token).role == "client"


def test_expired_token_is_rejected() -> None:
    token = mint_token(SECRET, sub=USER_ID, ttl_seconds=-60)
    with pytest.raises(InvalidToken, match="expired"):
        verifier().verify(token)


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
def test_tokens_missing_a_required_claim_are_rejected(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        verifier().verify(encode(payload))


def test_wrong_secret_is_rejected() -> None:
    token = mint_token("another-secret-that-is-also-long-enough-for-hs256", sub=USER_ID)
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_alg_none_is_rejected() -> None:
    token = jwt.encode(claims(app_metadata={"role": "admin"}), None, algorithm="none")
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_unsigned_token_with_hs256_header_is_rejected() -> None:
    header, payload, _ = encode(claims()).split(".")
    with pytest.raises(InvalidToken):
        verifier().verify(f"{header}.{payload}.")


def test_tampered_payload_is_rejected() -> None:
    header, _, signature = encode(claims()).split(".")
    _, forged_payload, _ = encode(claims(app_metadata={"role": "admin"}), "x" * 40).split(".")
    with pytest.raises(InvalidToken):
        verifier().verify(f"{header}.{forged_payload}.{signature}")


def test_garbage_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        verifier().verify("not-a-jwt")


def test_hs256_is_refused_without_a_secret() -> None:
    token = mint_token(SECRET, sub=USER_ID)
    with pytest.raises(InvalidToken):
        TokenVerifier(secret=None, supabase_url=None).verify(token)
