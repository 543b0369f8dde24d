"""1,000 webhook deliveries to a local receiver (`benchmarks.floor_app` under uvicorn on
127.0.0.1, answering 200): the service's worker (embedded store, WEBHOOK_ALLOW_PRIVATE_URLS) sends
1,000 queued test deliveries round by round until all are delivered, beside the floor: the same
1,000 signed POSTs sent straight with one httpx client at the same concurrency. The target is
under 10 s (issue 12)."""

import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks import plans
from benchmarks.tcp import server
from peakhealth.app import create_app, webhook_worker
from peakhealth.config import Settings
from peakhealth.webhooks import signing

DELIVERIES = 1000


@dataclass(frozen=True)
class WebhookCell:
    deliveries: int
    service_seconds: float
    floor_seconds: float
    rounds: int
    db_calls: int


async def _measure(receiver: str, deliveries: int) -> WebhookCell:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, webhook_allow_private_urls=True, webhook_worker=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            who = plans.caller("trainer")
            created = await http.post(
                "/api/webhooks",
                json={"url": f"{receiver}/hook", "events": ["webhook.test"]},
                headers=who.headers,
            )
            hook, secret = created.json()["id"], created.json()["secret"]
            for _ in range(deliveries):
                await http.post(f"/api/webhooks/{hook}/test", headers=who.headers)
        worker = webhook_worker(app)
        store = app.state.client
        before = store.total_calls()
        began = time.perf_counter()
        rounds = 0
        while await worker.run_once():
            rounds += 1
        service_seconds = time.perf_counter() - began
        calls = store.total_calls() - before
        await worker.sender.aclose()

    body = json.dumps({"id": "msg_1", "type": "webhook.test", "data": {}})
    limit = asyncio.Semaphore(settings.webhook_concurrency)
    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=settings.webhook_concurrency)
    ) as client:

        async def post(index: int) -> None:
            async with limit:
                stamp = int(time.time())
                headers = {
                    "webhook-id": f"msg_{index}",
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": signing.signature([secret], f"msg_{index}", stamp, body),
                    "content-type": "application/json",
                }
                response = await client.post(f"{receiver}/hook", content=body, headers=headers)
                response.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(post(index) for index in range(deliveries)))
        floor_seconds = time.perf_counter() - began
    return WebhookCell(deliveries, service_seconds, floor_seconds, rounds, calls)


def run(deliveries: int = DELIVERIES) -> WebhookCell:
    with tempfile.TemporaryDirectory() as scratch:
        answers = Path(scratch, "answers.json")
        answers.write_text(json.dumps({"/hook": {"status": 200, "answer": {}}}))
        with server(["-m", "benchmarks.floor_app", "--answers", str(answers)], "/hook") as base:
            return asyncio.run(_measure(base, deliveries))
