"""Two app instances share one embedded store (interleaving, as a server does): the worker
holding the delivery lease stops in the middle of a round, its lease runs out, and the second
instance's worker takes over. Nothing is lost, and nothing is sent twice but the one delivery
the stalled holder had in hand (at least once); the stalled holder, once it wakes, writes
nothing over the new holder's results and sends nothing more."""

import asyncio
from collections import Counter
from datetime import UTC, datetime

import httpx

from peakhealth.app import create_app, webhook_worker
from peakhealth.config import Settings
from peakhealth.embedded import EmbeddedClient
from peakhealth.webhooks.sender import Sender
from peakhealth.webhooks.worker import LEASE_NAME, DeliveryWorker
from tests.conformance import checking_client
from tests.support.callers import make_caller
from tests.support.webhooks import public_dns

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


async def test_a_second_instance_takes_the_lease_over_and_nothing_is_lost() -> None:
    settings = Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]
    first, second = create_app(settings), create_app(settings)
    received: Counter[str] = Counter()

    def receiver(request: httpx.Request) -> httpx.Response:
        received[request.headers["webhook-id"]] += 1
        return httpx.Response(204)

    def worker_of(app: object) -> DeliveryWorker:
        worker = webhook_worker(app)  # type: ignore[arg-type]
        worker.sender = Sender(
            timeout_seconds=5,
            allow_private=False,
            resolve=public_dns,
            transport=httpx.MockTransport(receiver),
        )
        worker.concurrency = 1  # one at a time, so "the middle of a round" is one place
        return worker

    trainer = make_caller("trainer")
    async with first.router.lifespan_context(first), checking_client(first) as http:
        first.state.resolve = public_dns
        # The second instance: the same store (Beanie is bound once per process anyway).
        second.state.client = first.state.client
        store: EmbeddedClient = first.state.client
        created = await http.post(
            "/api/webhooks",
            json={"url": "https://hooks.example.com/in", "events": ["webhook.test"]},
            headers=trainer.headers,
        )
        hook = created.json()["id"]
        for _ in range(5):
            queued = await http.post(f"/api/webhooks/{hook}/test", headers=trainer.headers)
            assert queued.status_code == 202
        holder, successor = worker_of(first), worker_of(second)

        # The holder sends the third delivery, then stalls before logging it.
        stall = store.hold_call(3, collection="webhook_deliveries", name="update_one")
        stalled = asyncio.create_task(holder.run_once())
        await stall.reached.wait()
        assert sum(received.values()) == 3
        assert await successor.run_once() == 0  # the lease is still the holder's

        # Its lease runs out (as 30 s going by would); the second instance takes over.
        await store[settings.mongodb_db]["webhook_leases"].update_one(
            {"_id": LEASE_NAME}, {"$set": {"leaseUntil": LONG_AGO}}
        )
        assert await successor.run_once() == 3  # the stalled one's third, fourth and fifth
        stall.release()
        assert await stalled == 3  # it woke, found the lease gone, and sent nothing more

        log = (await http.get(f"/api/webhooks/{hook}/deliveries", headers=trainer.headers)).json()[
            "data"
        ]
        assert len(log) == 5 and {item["status"] for item in log} == {"delivered"}
        # One attempt each: the stalled holder's late result did not land over the other's.
        assert [(item["attempt"], len(item["attempts"])) for item in log] == [(1, 1)] * 5
        assert set(received) == {item["eventId"] for item in log}
        assert sorted(received.values()) == [1, 1, 1, 1, 2]  # at least once, no more
        assert await successor.run_once() == 0 and await holder.run_once() == 0
        await holder.sender.aclose()
        await successor.sender.aclose()
