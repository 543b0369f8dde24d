"""Settings: the development secret is for the embedded store only."""

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


def test_serve_refuses_to_start_and_says_why() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "peakhealth", "serve", "--port", "1"],
        env={"MONGODB_URI": "mongodb://127.0.0.1:9", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SUPABASE_JWT_SECRET" in result.stderr


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
    user = TokenVerifier(secret=DEVELOPMENT_JWT_SECRET, supabase_url=None).verify(
        result.stdout.strip()
    )
    assert (user.id, user.role) == (sub, "admin")
