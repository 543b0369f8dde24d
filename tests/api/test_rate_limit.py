"""Rate limiting under /api: headers on every answer, 429 with Retry-After past the limit, counters
per verified user or per client address, operations never limited, 503 when the store is down."""

import math
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from peakhealth.app import create_app
from peakhealth.config import DEVELOPMENT_JWT_SECRET, Settings
from peakhealth.http.dependencies import current_user
from peakhealth.http.problems import install_problem_handlers
from peakhealth.identity.tokens import TokenVerifier, mint_token
from peakhealth.identity.users import CurrentUser
from tests.support import asgi_client, serving
from tests.support.callers import Caller, make_caller
from tests.support.paths import SECTIONS
from tests.support.plans import strength_section

LIMIT = 3
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

Connect = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def limited_app() -> AsyncIterator[FastAPI]:
    application = create_app(Settings(_env_file=None, rate_limit=f"{LIMIT}/minute"))  # type: ignore[call-arg]
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def connect(limited_app: FastAPI) -> Connect:
    """An HTTP client on the limited app, as seen from `address`."""

    @asynccontextmanager
    async def open_client(address: str = "203.0.113.1") -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=limited_app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return open_client


@pytest.fixture
async def http(connect: Connect) -> AsyncIterator[httpx.AsyncClient]:
    async with connect() as client:
        yield client


def assert_rate_headers(response: httpx.Response, remaining: int) -> None:
    assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
    assert response.headers["X-RateLimit-Remaining"] == str(remaining)
    reset = response.headers["X-RateLimit-Reset"]
    assert reset.isdigit()
    assert time.time() <= int(reset) <= math.ceil(time.time()) + 60


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:rate-limit-exceeded"
    assert response.json()["status"] == 429
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    assert_rate_headers(response, remaining=0)


async def test_every_api_answer_carries_the_rate_limit_headers(
    http: httpx.AsyncClient, trainer: Caller
) -> None:
    ok = await http.get(SECTIONS, headers=trainer.headers)
    missing = await http.get(f"{SECTIONS}/{'a' * 24}", headers=trainer.headers)
    invalid = await http.get(f"{SECTIONS}/not-an-id", headers=trainer.headers)
    assert [ok.status_code, missing.status_code, invalid.status_code] == [200, 404, 422]
    assert_rate_headers(ok, remaining=2)
    assert_rate_headers(missing, remaining=1)
    assert_rate_headers(invalid, remaining=0)


async def test_unauthorized_answers_carry_the_rate_limit_headers(http: httpx.AsyncClient) -> None:
    anonymous = await http.get(SECTIONS)
    bad_token = await http.get(SECTIONS, headers={"Authorization": "Bearer not-a-jwt"})
    assert [anonymous.status_code, bad_token.status_code] == [401, 401]
    assert_rate_headers(anonymous, remaining=2)
    assert_rate_headers(bad_token, remaining=1)


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({"Content-Type": "application/json"}, b"x" * (2 * 1024 * 1024), 413),
        ({"Content-Type": "text/plain"}, b"name", 415),
    ],
    ids=["too large", "not json"],
)
async def test_refusals_before_the_route_carry_the_headers(
    http: httpx.AsyncClient, trainer: Caller, headers: dict[str, str], content: bytes, status: int
) -> None:
    response = await http.post(SECTIONS, content=content, headers={**trainer.headers, **headers})
    assert response.status_code == status
    assert_rate_headers(response, remaining=2)


async def test_the_request_past_the_limit_is_refused_and_not_run(
    http: httpx.AsyncClient, trainer: Caller
) -> None:
    for _ in range(LIMIT - 1):
        assert (await http.get(SECTIONS, headers=trainer.headers)).status_code == 200
    created = await http.post(SECTIONS, json=strength_section("Counted"), headers=trainer.headers)
    assert created.status_code == 201
    assert_rate_headers(created, remaining=0)

    refused = await http.post(SECTIONS, json=strength_section("Refused"), headers=trainer.headers)
    assert_refused(refused)
    assert "retry in" in refused.json()["detail"]

    from peakhealth.library.documents import SectionDocument

    names = [section.name for section in await SectionDocument.find_all().to_list()]
    assert names == ["Counted"]


async def test_users_have_separate_counters(http: httpx.AsyncClient) -> None:
    first, second = make_caller("trainer"), make_caller("client")
    for _ in range(LIMIT):
        await http.get(SECTIONS, headers=first.headers)
    assert_refused(await http.get(SECTIONS, headers=first.headers))

    other = await http.get(SECTIONS, headers=second.headers)
    assert other.status_code == 200
    assert_rate_headers(other, remaining=LIMIT - 1)


async def test_a_user_keeps_one_counter_across_addresses(connect: Connect, trainer: Caller) -> None:
    for number in range(LIMIT):
        async with connect(f"198.51.100.{number}") as http:
            await http.get(SECTIONS, headers=trainer.headers)
    async with connect("198.51.100.200") as http:
        assert_refused(await http.get(SECTIONS, headers=trainer.headers))


async def test_anonymous_callers_are_counted_by_address(connect: Connect) -> None:
    async with connect("192.0.2.1") as http:
        for _ in range(LIMIT):
            assert (await http.get(SECTIONS)).status_code == 401
        assert_refused(await http.get(SECTIONS))
    async with connect("192.0.2.2") as http:
        elsewhere = await http.get(SECTIONS)
    assert elsewhere.status_code == 401
    assert_rate_headers(elsewhere, remaining=LIMIT - 1)


async def test_an_unverified_subject_is_counted_by_address(connect: Connect) -> None:
    victim = make_caller("client")
    forged = jwt.encode(
        {"sub": victim.id, "aud": "authenticated", "exp": int(time.time()) + 60},
        "not-the-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    async with connect("192.0.2.7") as attacker:
        for _ in range(LIMIT + 1):
            await attacker.get(SECTIONS, headers={"Authorization": f"Bearer {forged}"})
    async with connect("192.0.2.8") as http:
        response = await http.get(SECTIONS, headers=victim.headers)
    assert response.status_code == 200
    assert_rate_headers(response, remaining=LIMIT - 1)


@pytest.mark.parametrize("path", ["/health", "/ready", "/openapi.json", "/docs"])
async def test_operations_and_docs_are_never_limited(
    http: httpx.AsyncClient, trainer: Caller, path: str
) -> None:
    for _ in range(LIMIT + 2):
        response = await http.get(path, headers=trainer.headers)
        assert response.status_code == 200
        assert not any(name in response.headers for name in HEADERS)
    assert (await http.get(SECTIONS, headers=trainer.headers)).status_code == 200


class CountingVerifier(TokenVerifier):
    def __init__(self) -> None:
        super().__init__(secret=DEVELOPMENT_JWT_SECRET, supabase_url=None)
        self.calls = 0

    def verify(self, token: str) -> CurrentUser:
        self.calls += 1
        return super().verify(token)


@pytest.mark.parametrize(
    ("token", "status"),
    [(mint_token(DEVELOPMENT_JWT_SECRET, sub=str(uuid.uuid4())), 200), ("not-a-jwt", 401)],
    ids=["valid", "invalid"],
)
async def test_a_token_is_verified_once_per_request(
    limited_app: FastAPI, http: httpx.AsyncClient, token: str, status: int
) -> None:
    limited_app.state.verifier = verifier = CountingVerifier()
    response = await http.get(SECTIONS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    assert verifier.calls == 1


async def test_current_user_verifies_by_itself_without_the_rate_limiter() -> None:
    bare = FastAPI()
    bare.state.verifier = TokenVerifier(secret=DEVELOPMENT_JWT_SECRET, supabase_url=None)
    install_problem_handlers(bare)

    @bare.get("/api/me")
    async def me(user: Annotated[CurrentUser, Depends(current_user)]) -> dict[str, Any]:
        return {"id": user.id}

    caller = make_caller("client")
    async with asgi_client(bare) as http:
        assert (await http.get("/api/me", headers=caller.headers)).json() == {"id": caller.id}
        refused = await http.get("/api/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert refused.status_code == 401
    assert refused.json()["type"] == "urn:peakhealth:problem:unauthorized"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_an_unreachable_store_answers_503_not_500(trainer: Caller) -> None:
    store = f"mongodb://127.0.0.1:{closed_port()}/?serverSelectionTimeoutMS=200"
    settings = Settings(_env_file=None, rate_limit_storage_uri=store)  # type: ignore[call-arg]
    async with serving(settings) as http:
        response = await http.get(SECTIONS, headers=trainer.headers)
        health = await http.get("/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:service-unavailable"
    assert health.status_code == 200


async def test_openapi_documents_429_and_503_problems(http: httpx.AsyncClient) -> None:
    operation = (await http.get("/openapi.json")).json()["paths"][SECTIONS]["get"]
    for status in ("429", "503"):
        assert "application/problem+json" in operation["responses"][status]["content"]
