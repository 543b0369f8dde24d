"""Webhooks end to end: a real `peakhealth serve` (uvicorn over TCP, its delivery worker running
in the background) and a plain-HTTP receiver on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_URLS=true) that
fails the first two attempts and then accepts: every event arrives, signed with the secret."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from standardwebhooks import Webhook

from tests.support.callers import make_caller
from tests.support.servers import peakhealth_serve

pytestmark = pytest.mark.e2e

EVENTS = 3


class Receiver(ThreadingHTTPServer):
    """Answers 500 to the first two requests, 204 after; keeps every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        self.accepted_all = threading.Event()

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = 500 if len(self.requests) < 2 else 204
            self.requests.append((headers, body, status))
            accepted = {h["webhook-id"] for h, _, s in self.requests if s == 204}
            if len(accepted) >= EVENTS:
                self.accepted_all.set()
            return status


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {key.lower(): value for key, value in self.headers.items()}
        self.send_response(self.server.answer(headers, body))
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def service() -> Iterator[str]:
    settings = {
        "WEBHOOK_WORKER": "true",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "WEBHOOK_RETRY_SECONDS": "0,0,0",
    }
    with peakhealth_serve(env=settings) as base:
        yield base


def test_every_event_arrives_signed_after_two_failed_attempts(
    service: str, receiver: Receiver
) -> None:
    trainer = make_caller("trainer")
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    with httpx.Client(base_url=service, headers=trainer.headers, timeout=10) as http:
        created = http.post("/api/webhooks", json={"url": url, "events": ["webhook.test"]})
        assert created.status_code == 201, created.text
        hook, secret = created.json()["id"], created.json()["secret"]
        queued = [http.post(f"/api/webhooks/{hook}/test") for _ in range(EVENTS)]
        assert [answer.status_code for answer in queued] == [202] * EVENTS

        assert receiver.accepted_all.wait(timeout=60), receiver.requests
        verifier = Webhook(secret)
        for headers, body, _ in receiver.requests:
            assert verifier.verify(body, headers)["type"] == "webhook.test"
        sent = {answer.json()["eventId"] for answer in queued}
        accepted = {h["webhook-id"] for h, _, status in receiver.requests if status == 204}
        assert accepted == sent
        assert [status for _, _, status in receiver.requests[:2]] == [500, 500]

        # The log records each attempt once its answer is in: wait for the last one.
        deadline = time.monotonic() + 30
        while True:
            log = http.get(f"/api/webhooks/{hook}/deliveries").json()["data"]
            if {item["status"] for item in log} == {"delivered"} or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert {item["status"] for item in log} == {"delivered"}
        assert sum(item["attempt"] for item in log) == len(receiver.requests)
