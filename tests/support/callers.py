"""Callers: a user id, a role and a bearer token the service under test accepts."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from peakhealth.config import DEVELOPMENT_JWT_SECRET
from peakhealth.identity.tokens import mint_token


@dataclass(frozen=True)
class Caller:
    id: str
    role: str
    headers: dict[str, str]


# The issuer tokens must carry while the app under test has SUPABASE_URL set (the service checks
# `iss` then); set by the `settings` fixture for the test modules run against both catalogs.
_issuer: str | None = None


@contextmanager
def issued_by(issuer: str) -> Iterator[None]:
    """Callers made inside the block carry `issuer` in their tokens."""
    global _issuer
    _issuer = issuer
    try:
        yield
    finally:
        _issuer = None


def make_caller(role: str, *, issuer: str | None = None) -> Caller:
    """A new user of `role`; the token's issuer is `issuer`, else the one `issued_by` set."""
    user_id = str(uuid.uuid4())
    token = mint_token(
        DEVELOPMENT_JWT_SECRET,
        sub=user_id,
        role=role,  # type: ignore[arg-type]
        issuer=issuer or _issuer,
    )
    return Caller(user_id, role, {"Authorization": f"Bearer {token}"})
