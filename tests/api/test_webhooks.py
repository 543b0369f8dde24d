"""Webhooks through the API and the delivery worker driven round by round: SSRF refusals when
subscribing and when delivering, the secret shown once and rotated, unknown events, others'
subscriptions invisible, retries, the delivery log and disabling after a day of failures (the
worker's clock injected; the receiver an httpx mock transport)."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks import Webhook

from peakhealth.webhooks.sender import Sender
from peakhealth.webhooks.source import NoChanges
from peakhealth.webhooks.worker import DeliveryWorker
from tests.conformance import checking_client
from tests.support.callers import Caller
from tests.support.problems import assert_problem

HOOKS = "/api/webhooks"
PUBLIC = "93.184.215.14"  # what the fake resolver gives public names
BODY = {"url": "https://hooks.example.com/in", "events": ["webhook.test", "session.updated"]}


class FakeDns:
    """Names to addresses, no real DNS; unknown names resolve to a public address."""

    def __init__(self, **names: str) -> None:
        self.names = {name.replace("_", "."): address for name, address in names.items()}

    async def __call__(self, host: str, port: int) -> list[str]:
        return [self.names.get(host, PUBLIC)]


class Clock:
    """The worker's clock, moved by the test; it starts just after what the service stamps on
    the deliveries it queues (this process's time), so they are due at once."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def dns(app: FastAPI) -> FakeDns:
    fake = FakeDns(internal_example_com="10.1.2.3")
    app.state.resolve = fake
    return fake


@pytest.fixture
async def client(app: FastAPI, dns: FakeDns) -> AsyncIterator[httpx.AsyncClient]:
    async with checking_client(app) as http:
        yield http


async def subscribe(client: httpx.AsyncClient, who: Caller, **body: Any) -> dict[str, Any]:
    response = await client.post(HOOKS, json={**BODY, **body}, headers=who.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def worker_with(
    handler: Callable[[httpx.Request], httpx.Response],
    dns: FakeDns,
    clock: Clock,
    *,
    retry_seconds: list[int] | None = None,
) -> DeliveryWorker:
    sender = Sender(
        timeout_seconds=5,
        allow_private=False,
        resolve=dns,
        transport=httpx.MockTransport(handler),
    )
    return DeliveryWorker(
        sender=sender,
        source=NoChanges(),
        retry_seconds=retry_seconds or [60, 300],
        clock=clock,
    )


# ----- SSRF when subscribing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "https://169.254.169.254/",
        "https://10.0.0.1",
        "https://[::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://100.64.0.7/",
        "https://internal.example.com/hook",  # a name resolving to a private address
        "https://metadata.google.internal/computeMetadata/v1/",
        "http://hooks.example.com/in",  # not https
        "https://user:secret@hooks.example.com/in",
    ],
)
async def test_unsafe_urls_are_refused_when_subscribing(
    client: httpx.AsyncClient, trainer: Caller, url: str
) -> None:
    response = await client.post(HOOKS, json={**BODY, "url": url}, headers=trainer.headers)
    assert_problem(response, "url")
    listed = await client.get(HOOKS, headers=trainer.headers)
    assert listed.json()["data"] == []  # nothing written


async def test_a_public_https_url_is_accepted(client: httpx.AsyncClient, trainer: Caller) -> None:
    created = await subscribe(client, trainer)
    assert created["url"] == BODY["url"] and created["enabled"] is True


async def test_a_patch_to_an_unsafe_url_is_refused(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    response = await client.patch(
        path, json={"url": "https://internal.example.com/"}, headers=trainer.headers
    )
    assert_problem(response, "url")
    assert (await client.get(path, headers=trainer.headers)).json()["url"] == BODY["url"]


async def test_private_urls_are_allowed_with_the_setting(trainer: Caller) -> None:
    from peakhealth.app import create_app
    from peakhealth.config import Settings

    application = create_app(Settings(_env_file=None, webhook_allow_private_urls=True))  # type: ignore[call-arg]
    async with (
        application.router.lifespan_context(application),
        checking_client(application) as http,
    ):
        response = await http.post(
            HOOKS, json={**BODY, "url": "http://127.0.0.1:9/hook"}, headers=trainer.headers
        )
        assert response.status_code == 201, response.text


# ----- events, roles, visibility ---------------------------------------------------------------


async def test_unknown_event_types_are_422_naming_the_field(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    response = await client.post(
        HOOKS,
        json={**BODY, "events": ["session.updated", "session.exploded"]},
        headers=trainer.headers,
    )
    assert_problem(response, "events[1]")


async def test_clients_may_not_subscribe(client: httpx.AsyncClient, client_user: Caller) -> None:
    response = await client.post(HOOKS, json=BODY, headers=client_user.headers)
    assert response.status_code == 403


async def test_others_subscriptions_are_invisible(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, admin: Caller
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"enabled": False}),
        ("DELETE", "", None),
        ("POST", "/rotate-secret", None),
        ("POST", "/test", None),
        ("GET", "/deliveries", None),
    ):
        response = await client.request(
            method, path + suffix, json=body, headers=other_trainer.headers
        )
        assert response.status_code == 404, (method, suffix, response.text)
    assert (await client.get(HOOKS, headers=other_trainer.headers)).json()["data"] == []
    # Admins read every subscription but change only their own.
    assert (await client.get(path, headers=admin.headers)).status_code == 200
    assert (await client.get(HOOKS, headers=admin.headers)).json()["data"] == []
    refused = await client.post(f"{path}/rotate-secret", headers=admin.headers)
    assert refused.status_code == 403
    assert (await client.get(path, headers=trainer.headers)).json()["revision"] == 1


# ----- the secret ------------------------------------------------------------------------------


async def test_the_secret_is_shown_once_and_rotation_signs_with_both_for_a_day(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    first = created["secret"]
    assert first.startswith("whsec_")
    path = f"{HOOKS}/{created['id']}"
    read = (await client.get(path, headers=trainer.headers)).json()
    assert (
        "secret" not in read
        and first not in (await client.get(HOOKS, headers=trainer.headers)).text
    )

    rotated = await client.post(f"{path}/rotate-secret", headers=trainer.headers)
    assert rotated.status_code == 200
    second = rotated.json()["secret"]
    assert second.startswith("whsec_") and second != first
    assert "secret" not in (await client.get(path, headers=trainer.headers)).json()

    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    assert (await client.post(f"{path}/test", headers=trainer.headers)).status_code == 202
    clock = Clock()  # now: the library checks the signature's time against its own clock
    worker = worker_with(receiver, dns, clock)
    assert await worker.run_once() == 1
    headers = dict(seen[0].headers)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (first, second):
        Webhook(secret).verify(seen[0].content, headers)

    clock.now += timedelta(hours=25)  # the old secret has stopped signing
    await client.post(f"{path}/test", headers=trainer.headers)
    assert await worker.run_once() == 1
    assert len(seen[1].headers["webhook-signature"].split(" ")) == 1
    await worker.sender.aclose()


# ----- deliveries ------------------------------------------------------------------------------


async def test_a_test_delivery_is_signed_retried_and_logged(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    answers = iter([503, 500, 204])
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(next(answers))

    clock = Clock()
    worker = worker_with(receiver, dns, clock, retry_seconds=[60, 300])
    queued = await client.post(f"{path}/test", headers=trainer.headers)
    assert queued.status_code == 202 and queued.json()["status"] == "pending"

    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # the retry is not due yet
    clock.now += timedelta(seconds=60)
    assert await worker.run_once() == 1
    clock.now += timedelta(seconds=299)
    assert await worker.run_once() == 0
    clock.now += timedelta(seconds=1)
    assert await worker.run_once() == 1

    assert [request.url.host for request in seen] == [PUBLIC] * 3  # the checked address
    assert {request.headers["host"] for request in seen} == {"hooks.example.com"}
    assert len({request.headers["webhook-id"] for request in seen}) == 1
    body = httpx.Response(200, content=seen[0].content).json()
    assert body["type"] == "webhook.test" and body["id"] == seen[0].headers["webhook-id"]
    log = (await client.get(f"{path}/deliveries", headers=trainer.headers)).json()["data"]
    assert len(log) == 1
    assert log[0]["status"] == "delivered" and log[0]["attempt"] == 3
    assert [item["responseStatus"] for item in log[0]["attempts"]] == [503, 500, 204]
    await worker.sender.aclose()


async def test_a_delivery_fails_after_the_last_retry(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    clock = Clock()
    worker = worker_with(lambda request: httpx.Response(500), dns, clock, retry_seconds=[10])
    await client.post(f"{path}/test", headers=trainer.headers)
    assert await worker.run_once() == 1
    clock.now += timedelta(seconds=10)
    assert await worker.run_once() == 1
    clock.now += timedelta(days=1)
    assert await worker.run_once() == 0
    log = (await client.get(f"{path}/deliveries", headers=trainer.headers)).json()["data"]
    assert log[0]["status"] == "failed" and log[0]["attempt"] == 2
    await worker.sender.aclose()


async def test_a_redirect_is_a_failed_attempt_never_followed(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    seen: list[str] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    worker = worker_with(receiver, dns, Clock())
    await client.post(f"{HOOKS}/{created['id']}/test", headers=trainer.headers)
    assert await worker.run_once() == 1
    assert len(seen) == 1  # the metadata address never reached
    log = (await client.get(f"{HOOKS}/{created['id']}/deliveries", headers=trainer.headers)).json()
    delivery = log["data"][0]
    assert delivery["status"] == "pending" and delivery["responseStatus"] == 302
    assert "not followed" in delivery["error"]
    await worker.sender.aclose()


async def test_a_name_that_turns_private_is_refused_at_delivery(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    dns.names["hooks.example.com"] = "192.168.0.10"  # after subscribing (DNS rebinding)
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    worker = worker_with(receiver, dns, Clock())
    await client.post(f"{HOOKS}/{created['id']}/test", headers=trainer.headers)
    assert await worker.run_once() == 1
    assert seen == []
    log = (await client.get(f"{HOOKS}/{created['id']}/deliveries", headers=trainer.headers)).json()
    assert log["data"][0]["status"] == "pending"
    assert "192.168.0.10 is a private address" in log["data"][0]["error"]
    await worker.sender.aclose()


async def test_a_subscription_failing_for_24_hours_is_disabled(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    clock = Clock()
    worker = worker_with(lambda request: httpx.Response(500), dns, clock, retry_seconds=[3600])
    await client.post(f"{path}/test", headers=trainer.headers)
    assert await worker.run_once() == 1
    failing = (await client.get(path, headers=trainer.headers)).json()
    assert failing["enabled"] is True and failing["failingSince"]

    clock.now += timedelta(hours=23)
    await client.post(f"{path}/test", headers=trainer.headers)
    assert await worker.run_once() == 2  # the new one, and the first one's retry
    assert (await client.get(path, headers=trainer.headers)).json()["enabled"] is True

    clock.now += timedelta(hours=1)
    await client.post(f"{path}/test", headers=trainer.headers)
    assert await worker.run_once() >= 1
    disabled = (await client.get(path, headers=trainer.headers)).json()
    assert disabled["enabled"] is False and disabled["disabledReason"]

    # Enabled again by its subscriber: the count of failures starts afresh.
    enabled = await client.patch(path, json={"enabled": True}, headers=trainer.headers)
    assert enabled.json()["enabled"] is True and "failingSince" not in enabled.json()
    await worker.sender.aclose()


async def test_a_success_ends_a_run_of_failures(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    answers = iter([500, 204])
    clock = Clock()
    worker = worker_with(lambda request: httpx.Response(next(answers)), dns, clock)
    await client.post(f"{path}/test", headers=trainer.headers)
    await worker.run_once()
    assert (await client.get(path, headers=trainer.headers)).json().get("failingSince")
    clock.now += timedelta(seconds=60)
    await worker.run_once()
    assert "failingSince" not in (await client.get(path, headers=trainer.headers)).json()
    await worker.sender.aclose()


async def test_deleting_a_subscription_removes_its_deliveries(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> None:
    created = await subscribe(client, trainer)
    path = f"{HOOKS}/{created['id']}"
    await client.post(f"{path}/test", headers=trainer.headers)
    assert (await client.delete(path, headers=trainer.headers)).status_code == 204
    assert (await client.get(path, headers=trainer.headers)).status_code == 404
    seen: list[httpx.Request] = []
    worker = worker_with(lambda request: seen.append(request) or httpx.Response(204), dns, Clock())
    assert await worker.run_once() == 0 and seen == []
    await worker.sender.aclose()


def test_the_connection_goes_to_the_checked_address_with_path_and_query() -> None:
    from peakhealth.webhooks.targets import Target

    target = Target("https://hooks.example.com:8443/in/x?key=1", "hooks.example.com", 8443, "::2")
    assert target.connect_url == "https://[::2]:8443/in/x?key=1"
    assert target.host_header == "hooks.example.com:8443"
    bare = Target("https://hooks.example.com?key=1", "hooks.example.com", 443, PUBLIC)
    assert (bare.connect_url, bare.host_header) == (
        f"https://{PUBLIC}:443/?key=1",
        "hooks.example.com",
    )
