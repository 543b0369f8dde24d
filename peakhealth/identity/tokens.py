"""Supabase access tokens: verified locally (HS256 secret or the project's JWKS), and minted for
development with the same secret."""

import time
import uuid
from typing import Any

import jwt

from peakhealth.errors import DomainError
from peakhealth.identity.users import ROLES, CurrentUser, Role

AUDIENCE = "authenticated"
ASYMMETRIC = ("RS256", "ES256")


class InvalidToken(DomainError):
    """The bearer token is missing, malformed, expired, or signed by someone else."""


class TokenVerifier:
    """Checks signature, `exp`, `aud` and `sub`; reads the role from `app_metadata.role` only
    (`user_metadata` is editable by the user)."""

    def __init__(self, *, secret: str | None, supabase_url: str | None) -> None:
        self._secret = secret
        self._jwks = (
            jwt.PyJWKClient(
                f"{supabase_url.rstrip('/')}/auth/v1/.well-known/jwks.json",
                cache_keys=True,
                lifespan=600,
            )
            if supabase_url
            else None
        )

    def verify(self, token: str) -> CurrentUser:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as error:
            raise InvalidToken("the bearer token is not a JWT") from error
        key: Any
        if algorithm == "HS256" and self._secret:
            key = self._secret
        elif algorithm in ASYMMETRIC and self._jwks is not None:
            try:
                key = self._jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as error:
                raise InvalidToken(
                    "the token's signing key is not in the project's JWKS"
                ) from error
        else:
            raise InvalidToken(f"tokens signed with {algorithm!r} are not accepted here")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=AUDIENCE,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(f"the token is not valid: {error}") from error
        return user_from_claims(claims)


def user_from_claims(claims: dict[str, Any]) -> CurrentUser:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token has no subject")
    metadata = claims.get("app_metadata")
    role = metadata.get("role") if isinstance(metadata, dict) else None
    role_name: Role = role if role in ROLES else "client"
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    return CurrentUser(id=subject, role=role_name, email=email)


def mint_token(
    secret: str,
    *,
    sub: str | None = None,
    role: Role = "client",
    email: str | None = None,
    ttl_seconds: int = 24 * 3600,
) -> str:
    """An HS256 token shaped like a Supabase access token, for development and tests."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub or str(uuid.uuid4()),
        "aud": AUDIENCE,
        "role": "authenticated",
        "iat": now,
        "exp": now + ttl_seconds,
        "app_metadata": {"role": role} if role != "client" else {},
        "user_metadata": {},
    }
    if email:
        claims["email"] = email
    return jwt.encode(claims, secret, algorithm="HS256")
