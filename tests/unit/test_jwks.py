"""Asymmetric Supabase tokens verified against a JWKS served over loopback HTTP."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from peakhealth.identity.tokens import InvalidToken, TokenVerifier

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def supabase_url() -> Iterator[str]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "key-1", "alg": "RS256", "use": "sig"}]})

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/auth/v1/.well-known/jwks.json"
            self.send_response(200 if found else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode() if found else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


USER_ID = "6c0b1d2e-0000-4000-8000-0000000000a1"


def claims(**extra: Any) -> dict[str, Any]:
    return {
        "sub": USER_ID,
        "aud": "authenticated",
        "exp": int(time.time()) + 60,
        "app_metadata": {"role": "trainer"},
        **extra,
    }


def test_rs256_token_from_the_project_jwks_is_accepted(supabase_url: str) -> None:
    token = jwt.encode(
        claims(iss=f"{supabase_url}/auth/v1"), KEY, algorithm="RS256", headers={"kid": "key-1"}
    )
    user = TokenVerifier(secret=None, supabase_url=supabase_url).verify(token)
    assert (user.id, user.role) == (USER_ID, "trainer")


def test_token_signed_by_another_key_is_refused(supabase_url: str) -> None:
    token = jwt.encode(claims(), OTHER_KEY, algorithm="RS256", headers={"kid": "key-1"})
    with pytest.raises(InvalidToken):
        TokenVerifier(secret=None, supabase_url=supabase_url).verify(token)


def test_hs256_token_is_refused_when_only_jwks_is_configured(supabase_url: str) -> None:
    token = jwt.encode(claims(), "a-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    with pytest.raises(InvalidToken):
        TokenVerifier(secret=None, supabase_url=supabase_url).verify(token)
