"""Settings: the development secret is for the embedded store only; the rate limit and its
storage are checked at start-up."""

import asyncio
import subprocess
import sys

import pytest
from pydantic import ValidationError

from peakhealth.config import DEVELOPMENT_JWT_SECRET, Settings


def test_embedded_store_signs_with_the_development_secret() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.embedded and settings.jwt_secret == DEVELOPMENT_JWT_SECRET


def test_real_database_without_a_token_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="SUPABASE_JWT_SECRET"):
        Settings(mongodb_uri="mongodb://db.example:27017")


def test_real_database_uses_the_configured_secret_only() -> None:
    settings = Settings(
        mongodb_uri="mongodb://db.example:27017",
        supabase_jwt_secret="a-secret-that-is-long-enough-for-hs256",
    )
    assert settings.jwt_secret == "a-secret-that-is-long-enough-for-hs256"
    jwks_only = Settings(mongodb_uri="mongodb://db.example", supabase_url="https://p.supabase.co")
    assert jwks_only.jwt_secret is None


def refused_serve(env: dict[str, str]) -> str:
    """`peakhealth serve` run with only `env` fails to start: what it says on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "peakhealth", "serve", "--port", "1"],
        env={**env, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    return result.stderr


def test_serve_refuses_to_start_and_says_why() -> None:
    assert "SUPABASE_JWT_SECRET" in refused_serve({"MONGODB_URI": "mongodb://127.0.0.1:9"})


def test_token_command_mints_a_verifiable_token() -> None:
    from peakhealth.identity.tokens import TokenVerifier

    sub = "0b7c6d1e-1111-4222-8333-444455556666"
    result = subprocess.run(
        [sys.executable, "-m", "peakhealth", "token", "--sub", sub, "--role", "admin"],
        env={"PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    user = asyncio.run(
        TokenVerifier(secret=DEVELOPMENT_JWT_SECRET, supabase_url=None).verify(
            result.stdout.strip()
        )
    )
    assert (user.id, user.role) == (sub, "admin")


def test_rate_limit_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.rate_limit == "600/minute"
    assert settings.rate_limit_storage_uri == "async+memory://"


@pytest.mark.parametrize(
    ("configured", "used"),
    [
        ("memory://", "async+memory://"),
        ("async+memory://", "async+memory://"),
        ("mongodb://limits.example:27017", "async+mongodb://limits.example:27017"),
    ],
)
def test_rate_limit_storage_uses_the_asyncio_form(configured: str, used: str) -> None:
    settings = Settings(rate_limit_storage_uri=configured)
    assert settings.rate_limit_storage_uri == used


@pytest.mark.parametrize(
    "limit", ["lots", "", "0/minute", "-5/minute", "10/fortnight", "1/second;5/minute"]
)
def test_a_rate_limit_that_does_not_parse_is_refused(limit: str) -> None:
    with pytest.raises(ValidationError, match="RATE_LIMIT="):
        Settings(rate_limit=limit)


@pytest.mark.parametrize("limit", ["600/minute", "20/second", "10 per 5 minutes", "1000/hour"])
def test_rate_limits_in_the_limits_notation_are_accepted(limit: str) -> None:
    assert Settings(rate_limit=limit).rate_limit == limit


def test_an_unknown_rate_limit_storage_is_refused() -> None:
    with pytest.raises(ValidationError, match="RATE_LIMIT_STORAGE_URI="):
        Settings(rate_limit_storage_uri="carrier-pigeon://loft")


def test_serve_refuses_a_bad_rate_limit_and_says_why() -> None:
    stderr = refused_serve({"RATE_LIMIT": "plenty"})
    assert "RATE_LIMIT='plenty' is not one rate limit" in stderr


def test_token_command_signs_for_the_project_issuer() -> None:
    from peakhealth.identity.tokens import TokenVerifier

    secret, url = "a-secret-that-is-long-enough-for-hs256", "https://project-ref.supabase.co/"
    result = subprocess.run(
        [sys.executable, "-m", "peakhealth", "token"],
        env={"SUPABASE_JWT_SECRET": secret, "SUPABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    user = asyncio.run(TokenVerifier(secret=secret, supabase_url=url).verify(result.stdout.strip()))
    assert user.role == "client"


@pytest.mark.parametrize(
    "name",
    ["mongodb_timeout_ms", "mongodb_server_selection_timeout_ms", "mongodb_connect_timeout_ms"],
)
def test_database_timeouts_are_bounded(name: str) -> None:
    for accepted in (100, 600_000):
        assert getattr(Settings(_env_file=None, **{name: accepted}), name) == accepted  # type: ignore[call-arg]
    for refused in (99, 600_001):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **{name: refused})  # type: ignore[call-arg]
