"""The whole flow against a real uvicorn server over TCP, started as `peakhealth serve`."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_caller, strength_section, template_body, warmup_section

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "SUPABASE_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "peakhealth", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_library_to_routine_flow_over_tcp(server: str) -> None:
    trainer = make_caller("trainer")
    with httpx.Client(base_url=server, headers=trainer.headers, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        warmup = http.post("/api/library/sections", json=warmup_section()).json()
        main = http.post("/api/library/sections", json=strength_section()).json()
        workout = http.post(
            "/api/library/workouts",
            json={"name": "Day A", "type": "strength", "sections": [warmup["id"], main["id"]]},
        ).json()
        created = http.post("/api/templates/routines", json=template_body([workout["id"]]))
        assert created.status_code == 201, created.text
        routine = created.json()
        assert routine["workouts"][0]["sections"][1]["name"] == "Main lifts"

        changed = http.put(f"/api/library/sections/{main['id']}", json=strength_section("Other"))
        assert changed.status_code == 200 and changed.json()["version"] == 2
        rewired = http.put(
            f"/api/library/workouts/{workout['id']}",
            json={"name": "Day A2", "type": "strength", "sections": [changed.json()["id"]]},
        )
        assert rewired.json()["sections"][0]["name"] == "Other"
        assert http.put(f"/api/library/sections/{main['id']}/archive").status_code == 200

        again = http.get(f"/api/templates/routines/{routine['id']}")
        assert again.status_code == 200
        assert again.json() == routine
        assert again.headers["content-type"] == "application/json"

        problem = http.get("/api/library/sections/nope")
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"


def test_openapi_and_docs_are_served_without_a_token(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    assert "/api/library/sections" in spec["paths"]
    assert "/api/templates/routines/{id}/versions" in spec["paths"]
    page = httpx.get(f"{server}/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    script = httpx.get(f"{server}/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
