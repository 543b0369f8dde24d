"""The webhook worker's source is the change feed, read as each subscriber: a session
completion is delivered to a subscriber who may read the session, and to no one else."""

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from fastapi import FastAPI

from peakhealth.app import webhook_worker
from peakhealth.changes.service import ChangeFeed
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.timestamps import utc_now
from peakhealth.webhooks.sender import Sender
from peakhealth.webhooks.worker import DeliveryWorker
from tests.support.actions import linked_assignment, move
from tests.support.callers import Caller, make_caller
from tests.support.paths import SESSIONS
from tests.support.plans import short_routine
from tests.support.stored import raw_session
from tests.support.webhooks import public_dns

HOOKS = "/api/webhooks"
EVENTS = ["session.created", "session.updated"]


async def deliver_everything(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """Run a worker fed by the change feed, at `now`, until it has nothing left to send; what
    reached which receiving host."""
    received: list[tuple[str, dict[str, Any]]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append((request.headers["host"], json.loads(request.content)))
        return httpx.Response(204)

    worker = DeliveryWorker(
        sender=Sender(
            timeout_seconds=5,
            allow_private=False,
            resolve=public_dns,
            transport=httpx.MockTransport(receiver),
        ),
        source=ChangeFeed(timedelta(seconds=2), clock=lambda: now),
        retry_seconds=[60],
        clock=lambda: now,
    )
    while await worker.run_once():
        pass
    return received


async def test_the_application_worker_reads_the_change_feed(app: FastAPI) -> None:
    assert isinstance(webhook_worker(app).source, ChangeFeed)


async def test_a_completed_session_reaches_only_subscribers_who_may_read_it(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
) -> None:

    app.state.resolve = public_dns
    for who, url in (
        (trainer, "https://a.example.com/in"),
        (other_trainer, "https://b.example.com/in"),
    ):
        made = await client.post(HOOKS, json={"url": url, "events": EVENTS}, headers=who.headers)
        assert made.status_code == 201, made.text
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    listed = await client.get(
        SESSIONS,
        params={"routineAssignmentId": assignment["id"], "view": "summary"},
        headers=client_user.headers,
    )
    session_id = listed.json()["data"][0]["id"]
    assert await move(client, client_user, session_id, "completed") == 200

    later = utc_now() + timedelta(minutes=1)  # past the settle window of every change above
    received = await deliver_everything(later)

    assert received and {host for host, _ in received} == {"a.example.com"}
    completed = [
        event
        for _, event in received
        if event["data"]["id"] == session_id and event["data"]["status"] == "completed"
    ]
    assert len(completed) == 1
    assert completed[0]["type"] == "session.updated"
    assert (await raw_session(session_id))["revision"] > 1


async def test_a_new_subscription_receives_changes_from_now_on_not_the_history(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    client_user: Caller,
) -> None:

    app.state.resolve = public_dns
    _, before = await linked_assignment(client, admin, trainer, client_user, short_routine())
    # Made well before subscribing (not within the settle window the subscription starts at).
    await RoutineAssignment.get_motor_collection().update_one(
        {"_id": ObjectId(before["id"])}, {"$set": {"changedAt": utc_now() - timedelta(hours=1)}}
    )
    hook = {"url": "https://a.example.com/in", "events": ["assignment.created"]}
    made = await client.post(HOOKS, json=hook, headers=trainer.headers)
    assert made.status_code == 201, made.text
    later = utc_now() + timedelta(minutes=1)  # the settle window behind every change
    _, after = await linked_assignment(
        client, admin, trainer, make_caller("client"), short_routine()
    )

    received = await deliver_everything(later)
    assert [event["data"]["id"] for _, event in received] == [after["id"]]
    assert before["id"] != after["id"]
