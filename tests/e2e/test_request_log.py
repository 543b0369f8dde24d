"""The request id and the JSON request line of a real `peakhealth serve` (uvicorn over TCP)."""

import json
import tempfile

import httpx
import pytest

from tests.support.callers import make_caller
from tests.support.servers import peakhealth_serve

pytestmark = pytest.mark.e2e


def test_the_server_echoes_the_id_and_logs_json_lines_without_the_token() -> None:
    trainer = make_caller("trainer")
    with tempfile.TemporaryFile() as log:
        with peakhealth_serve(log=log) as base:
            answer = httpx.get(
                f"{base}/api/library/sections/{'0' * 24}",
                headers={**trainer.headers, "X-Request-ID": "e2e-request-7"},
                timeout=10,
            )
        log.seek(0)
        lines = log.read().decode().splitlines()
    assert answer.status_code == 404
    assert answer.headers["X-Request-ID"] == "e2e-request-7"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    [request] = [r for r in records if r.get("requestId") == "e2e-request-7"]
    assert request["logger"] == "peakhealth.request"
    assert request["method"] == "GET"
    assert request["route"] == "/api/library/sections/{id}"
    assert request["status"] == 404
    assert request["userId"] == trainer.id
    assert "uvicorn.access" not in {r["logger"] for r in records}  # the service's line only
    token = trainer.headers["Authorization"].removeprefix("Bearer ")
    assert all(token not in line and "0" * 24 not in line for line in lines)
