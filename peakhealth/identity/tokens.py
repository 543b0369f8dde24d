"""Supabase access tokens: verified locally (HS256 secret or the project's JWKS), and minted for
development with the same secret."""

import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from cachetools import TLRUCache

from peakhealth import caching
from peakhealth.errors import DomainError
from peakhealth.identity.jwks import ASYMMETRIC, JwksCache, UnknownKey, jwks_url
from peakhealth.identity.users import ROLES, CurrentUser, Role

AUDIENCE = "authenticated"
REMEMBER_SECONDS = 60  # how long a verified token is taken on trust (never past its `exp`)
REMEMBERED_TOKENS = 4096


class InvalidToken(DomainError):
    """The bearer token is missing, malformed, expired, or signed by someone else."""


def issuer_for(supabase_url: str) -> str:
    """The `iss` claim of the access tokens a Supabase project issues."""
    return f"{supabase_url.rstrip('/')}/auth/v1"


class TokenVerifier:
    """Checks signature, `exp`, `aud`, `sub` (a UUID) and, with a Supabase URL, `iss`; reads the
    role from `app_metadata.role` only (`user_metadata` is editable by the user). HS256 tokens are
    checked with the secret; RS256 and ES256 tokens with the key their `kid` names in the
    project's JWKS (see `JwksCache`).

    A client sends the same token with every request until it refreshes it, so a verified token
    is remembered for `REMEMBER_SECONDS` at most, and never past its `exp`: a repeated request
    skips the signature check (about 0.15 ms for HS256, more for RS256 and ES256). Refused tokens
    are not remembered."""

    def __init__(
        self,
        *,
        secret: str | None,
        supabase_url: str | None,
        jwks: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._issuer = issuer_for(supabase_url) if supabase_url else None
        self.jwks = jwks or (JwksCache(jwks_url(supabase_url)) if supabase_url else None)
        # By the token itself; each ends REMEMBER_SECONDS after its check or at its `exp`,
        # whichever is first (`exp` is wall-clock time, so is `clock`).
        self._verified: TLRUCache[str, tuple[CurrentUser, float]] = caching.until_expiry(
            REMEMBERED_TOKENS,
            lambda _token, value, now: min(now + REMEMBER_SECONDS, value[1]),
            clock=clock,
        )

    async def verify(self, token: str) -> CurrentUser:
        """The caller the token names; raises InvalidToken (401), or ServiceUnavailable (503)
        when the token needs the JWKS and none could ever be fetched."""
        remembered = self._verified.get(token)
        if remembered is not None:
            return remembered[0]
        user, expires = await self._check(token)
        self._verified[token] = (user, expires)
        return user

    async def _check(self, token: str) -> tuple[CurrentUser, float]:
        """Signature and claims: the caller and the token's `exp`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken("the bearer token is not a JWT") from error
        algorithm = header.get("alg")
        key: Any
        if algorithm == "HS256" and self._secret:
            key = self._secret
        elif algorithm in ASYMMETRIC and self.jwks is not None:
            key = await self._signing_key(self.jwks, header.get("kid"))
        else:
            raise InvalidToken(f"tokens signed with {algorithm!r} are not accepted here")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],  # a JWKS key also refuses any algorithm but its own
                audience=AUDIENCE,
                issuer=self._issuer,  # when set, a token without `iss` is refused too
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken(f"the token was not issued by {self._issuer}") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(f"the token is not valid: {error}") from error
        return user_from_claims(claims), float(claims["exp"])

    @staticmethod
    async def _signing_key(jwks: JwksCache, kid: Any) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token does not name its signing key ('kid')")
        try:
            return await jwks.key(kid)
        except UnknownKey as error:
            raise InvalidToken("the token's signing key is not in the project's JWKS") from error


def user_from_claims(claims: dict[str, Any]) -> CurrentUser:
    """The caller named by verified claims; `sub` must be a Supabase user id (a UUID)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token has no subject")
    try:
        user_id = str(uuid.UUID(subject))
    except ValueError as error:
        raise InvalidToken("the token's subject ('sub') is not a user id (a UUID)") from error
    metadata = claims.get("app_metadata")
    role = metadata.get("role") if isinstance(metadata, dict) else None
    role_name: Role = role if role in ROLES else "client"
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    return CurrentUser(id=user_id, role=role_name, email=email)


def mint_token(
    secret: str,
    *,
    sub: str | None = None,
    role: Role = "client",
    email: str | None = None,
    ttl_seconds: int = 24 * 3600,
    issuer: str | None = None,
) -> str:
    """An HS256 token shaped like a Supabase access token, for development and tests; pass
    `issuer` (see `issuer_for`) when the verifier knows the Supabase URL."""
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
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")
