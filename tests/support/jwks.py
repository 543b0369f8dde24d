"""A Supabase project's JWKS endpoint on 127.0.0.1, and the keys it serves (tests of token
verification: tests/unit/test_jwks.py, tests/api/test_token_rejections.py)."""

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

JWKS_PATH = "/auth/v1/.well-known/jwks.json"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROTATED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_jwk(private_key: Any, kid: str) -> dict[str, Any]:
    """The public half of `private_key` as a JWKS member, the way Supabase publishes it."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "ES256", "use": "sig"}


class JwksServer:
    """A Supabase project's JWKS endpoint on 127.0.0.1: serves `keys` (or `body`) with `status`,
    counts the requests; `hold()` keeps every answer back until `release()` (so a test orders
    events without sleeping), `arrival()` waits for the next request; `stop()` closes the port."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = list(keys)
        self.status = 200
        self.body: bytes | None = None
        self.requests = 0
        self._gate = threading.Event()
        self._gate.set()
        self._arrivals = threading.Semaphore(0)
        self._count = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != JWKS_PATH:
                    self.send_response(404)
                    self.end_headers()
                    return
                with owner._count:
                    owner.requests += 1
                owner._arrivals.release()
                owner._gate.wait(timeout=10)  # bounded: a failing test ends instead of hanging
                body = owner.body or json.dumps({"keys": owner.keys}).encode()
                try:
                    self.send_response(owner.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self._running = True

    def hold(self) -> None:
        self._arrivals = threading.Semaphore(0)  # count the requests from now on
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    async def arrival(self) -> None:
        """Returns once the next request reached the server (it waits there while held)."""
        arrived = await asyncio.to_thread(self._arrivals.acquire, timeout=10)
        assert arrived, "no request reached the JWKS server"

    def stop(self) -> None:
        """Shut down: the port refuses connections from now on."""
        self._gate.set()
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()


def closed_port_url() -> str:
    """A Supabase URL on 127.0.0.1 where nothing listens."""
    server = JwksServer([])
    server.stop()
    return server.url
