"""Webhooks through the API and the delivery worker driven round by round: SSRF refusals when
subscribing and when delivering, the secret shown once and rotated, unknown events, others'
subscriptions invisible, retries, the delivery log and disabling after a day of failures (the
worker's clock injected; the receiver an httpx mock transport)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
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


class Receiver:
    """The subscriber's end, behind the mock transport: it keeps every request and answers
    with the given statuses in turn (the last one again once they run out)."""

    def __init__(self, *statuses: int, **headers: str) -> None:
        self.statuses = list(statuses)
        self.headers = headers
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return httpx.Response(status, headers=self.headers)


@dataclass
class Hook:
    """A trainer's subscription to BODY's url, the receiver there, and the worker that delivers
    to it on the test's clock."""

    client: httpx.AsyncClient
    owner: Caller
    created: dict[str, Any]
    receiver: Receiver
    clock: Clock
    worker: DeliveryWorker

    @property
    def path(self) -> str:
        return f"{HOOKS}/{self.created['id']}"

    async def send_test(self) -> httpx.Response:
        """The owner asks for a test delivery."""
        return await self.client.post(f"{self.path}/test", headers=self.owner.headers)

    async def read(self) -> dict[str, Any]:
        """The subscription as its owner reads it."""
        read: dict[str, Any] = (await self.client.get(self.path, headers=self.owner.headers)).json()
        return read

    async def deliveries(self) -> list[dict[str, Any]]:
        """The delivery log as its owner reads it."""
        response = await self.client.get(f"{self.path}/deliveries", headers=self.owner.headers)
        log: list[dict[str, Any]] = response.json()["data"]
        return log


@pytest.fixture
async def hooked(
    client: httpx.AsyncClient, trainer: Caller, dns: FakeDns
) -> AsyncIterator[Callable[..., Awaitable[Hook]]]:
    """Subscribes the trainer, with a worker delivering to `receiver`; every worker's sender is
    closed when the test ends."""
    hooks: list[Hook] = []

    async def subscribe_with(receiver: Receiver, *, retry_seconds: list[int] | None = None) -> Hook:
        created = await subscribe(client, trainer)
        clock = Clock()
        worker = worker_with(receiver, dns, clock, retry_seconds=retry_seconds)
        hooks.append(Hook(client, trainer, created, receiver, clock, worker))
        return hooks[-1]

    yield subscribe_with
    for hook in hooks:
        await hook.worker.sender.aclose()


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
    client: httpx.AsyncClient, trainer: Caller, hooked: Callable[..., Awaitable[Hook]]
) -> None:
    hook = await hooked(Receiver(204))
    first = hook.created["secret"]
    assert first.startswith("whsec_")
    read = await hook.read()
    assert (
        "secret" not in read
        and first not in (await client.get(HOOKS, headers=trainer.headers)).text
    )

    rotated = await client.post(f"{hook.path}/rotate-secret", headers=trainer.headers)
    assert rotated.status_code == 200
    second = rotated.json()["secret"]
    assert second.startswith("whsec_") and second != first
    assert "secret" not in await hook.read()

    # The worker's clock is now: the library checks the signature's time against its own clock.
    assert (await hook.send_test()).status_code == 202
    assert await hook.worker.run_once() == 1
    seen = hook.receiver.seen
    headers = dict(seen[0].headers)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (first, second):
        Webhook(secret).verify(seen[0].content, headers)

    hook.clock.now += timedelta(hours=25)  # the old secret has stopped signing
    await hook.send_test()
    assert await hook.worker.run_once() == 1
    assert len(seen[1].headers["webhook-signature"].split(" ")) == 1


# ----- deliveries ------------------------------------------------------------------------------


async def test_a_test_delivery_is_signed_retried_and_logged(
    hooked: Callable[..., Awaitable[Hook]],
) -> None:
    hook = await hooked(Receiver(503, 500, 204), retry_seconds=[60, 300])
    worker, clock = hook.worker, hook.clock
    queued = await hook.send_test()
    assert queued.status_code == 202 and queued.json()["status"] == "pending"

    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # the retry is not due yet
    clock.now += timedelta(seconds=60)
    assert await worker.run_once() == 1
    clock.now += timedelta(seconds=299)
    assert await worker.run_once() == 0
    clock.now += timedelta(seconds=1)
    assert await worker.run_once() == 1

    seen = hook.receiver.seen
    assert [request.url.host for request in seen] == [PUBLIC] * 3  # the checked address
    assert {request.headers["host"] for request in seen} == {"hooks.example.com"}
    assert len({request.headers["webhook-id"] for request in seen}) == 1
    body = httpx.Response(200, content=seen[0].content).json()
    assert body["type"] == "webhook.test" and body["id"] == seen[0].headers["webhook-id"]
    log = await hook.deliveries()
    assert len(log) == 1
    assert log[0]["status"] == "delivered" and log[0]["attempt"] == 3
    assert [item["responseStatus"] for item in log[0]["attempts"]] == [503, 500, 204]


async def test_a_delivery_fails_after_the_last_retry(
    hooked: Callable[..., Awaitable[Hook]],
) -> None:
    hook = await hooked(Receiver(500), retry_seconds=[10])
    await hook.send_test()
    assert await hook.worker.run_once() == 1
    hook.clock.now += timedelta(seconds=10)
    assert await hook.worker.run_once() == 1
    hook.clock.now += timedelta(days=1)
    assert await hook.worker.run_once() == 0
    log = await hook.deliveries()
    assert log[0]["status"] == "failed" and log[0]["attempt"] == 2


async def test_a_redirect_is_a_failed_attempt_never_followed(
    hooked: Callable[..., Awaitable[Hook]],
) -> None:
    hook = await hooked(Receiver(302, Location="http://169.254.169.254/latest/"))
    await hook.send_test()
    assert await hook.worker.run_once() == 1
    assert len(hook.receiver.seen) == 1  # the metadata address never reached
    delivery = (await hook.deliveries())[0]
    assert delivery["status"] == "pending" and delivery["responseStatus"] == 302
    assert "not followed" in delivery["error"]


async def test_a_name_that_turns_private_is_refused_at_delivery(
    hooked: Callable[..., Awaitable[Hook]], dns: FakeDns
) -> None:
    hook = await hooked(Receiver(204))
    dns.names["hooks.example.com"] = "192.168.0.10"  # after subscribing (DNS rebinding)
    await hook.send_test()
    assert await hook.worker.run_once() == 1
    assert hook.receiver.seen == []
    log = await hook.deliveries()
    assert log[0]["status"] == "pending"
    assert "192.168.0.10 is a private address" in log[0]["error"]


async def test_a_subscription_failing_for_24_hours_is_disabled(
    client: httpx.AsyncClient, trainer: Caller, hooked: Callable[..., Awaitable[Hook]]
) -> None:
    hook = await hooked(Receiver(500), retry_seconds=[3600])
    await hook.send_test()
    assert await hook.worker.run_once() == 1
    failing = await hook.read()
    assert failing["enabled"] is True and failing["failingSince"]

    hook.clock.now += timedelta(hours=23)
    await hook.send_test()
    assert await hook.worker.run_once() == 2  # the new one, and the first one's retry
    assert (await hook.read())["enabled"] is True

    hook.clock.now += timedelta(hours=1)
    await hook.send_test()
    assert await hook.worker.run_once() >= 1
    disabled = await hook.read()
    assert disabled["enabled"] is False and disabled["disabledReason"]

    # Enabled again by its subscriber: the count of failures starts afresh.
    enabled = await client.patch(hook.path, json={"enabled": True}, headers=trainer.headers)
    assert enabled.json()["enabled"] is True and "failingSince" not in enabled.json()


async def test_a_success_ends_a_run_of_failures(
    hooked: Callable[..., Awaitable[Hook]],
) -> None:
    hook = await hooked(Receiver(500, 204))
    await hook.send_test()
    await hook.worker.run_once()
    assert (await hook.read()).get("failingSince")
    hook.clock.now += timedelta(seconds=60)
    await hook.worker.run_once()
    assert "failingSince" not in await hook.read()


async def test_deleting_a_subscription_removes_its_deliveries(
    client: httpx.AsyncClient, trainer: Caller, hooked: Callable[..., Awaitable[Hook]]
) -> None:
    hook = await hooked(Receiver(204))
    await hook.send_test()
    assert (await client.delete(hook.path, headers=trainer.headers)).status_code == 204
    assert (await client.get(hook.path, headers=trainer.headers)).status_code == 404
    assert await hook.worker.run_once() == 0 and hook.receiver.seen == []


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
