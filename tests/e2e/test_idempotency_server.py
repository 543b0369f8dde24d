"""Idempotency keys against a real `peakhealth serve` (uvicorn over TCP): an offline client's
queue replayed after reconnecting gets the same bytes, with `Idempotency-Replayed: true`, and
one effect; a repeat sent right after the answer arrives always replays (the answer is kept
before it is sent)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.callers import make_caller
from tests.support.plans import strength_day, user_routine_body

pytestmark = pytest.mark.e2e


def test_a_replayed_queue_gets_the_same_bytes_and_one_effect_over_tcp(server: str) -> None:
    client = make_caller("client")
    key = str(uuid.uuid4())
    with httpx.Client(base_url=server, headers=client.headers, timeout=10) as http:
        answers = [
            http.post("/api/routines", json=user_routine_body(), headers={"Idempotency-Key": key})
            for _ in range(3)
        ]
        first = answers[0]
        assert first.status_code == 201, first.text
        assert "idempotency-replayed" not in first.headers
        for repeat in answers[1:]:
            assert repeat.status_code == 201 and repeat.content == first.content
            assert repeat.headers["idempotency-replayed"] == "true"
            assert repeat.headers["location"] == first.headers["location"]
            assert repeat.headers["content-type"] == "application/json"
        listed = http.get("/api/routines", params={"type": "user"}).json()
        assert [item["id"] for item in listed["data"]] == [first.json()["id"]]

        other = http.post(
            "/api/routines",
            json=user_routine_body([strength_day("Other")]),
            headers={"Idempotency-Key": key},
        )
        assert other.status_code == 422
        assert other.json()["type"] == "urn:peakhealth:problem:idempotency-key-reused"


def test_concurrent_repeats_over_tcp_make_one_routine(server: str) -> None:
    client = make_caller("client")
    key = str(uuid.uuid4())

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=server, headers=client.headers, timeout=10) as http:
            return http.post(
                "/api/routines", json=user_routine_body(), headers={"Idempotency-Key": key}
            )

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {answer.status_code for answer in answers} <= {201, 409}
    created = {answer.json()["id"] for answer in answers if answer.status_code == 201}
    assert len(created) == 1
    with httpx.Client(base_url=server, headers=client.headers, timeout=10) as http:
        listed = http.get("/api/routines", params={"type": "user"}).json()
        assert [item["id"] for item in listed["data"]] == list(created)
