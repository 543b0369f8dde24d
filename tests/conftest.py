"""Shared fixtures: an app on a fresh embedded store, an HTTP client, and users with tokens.
What tests build and do with them is in tests/support."""

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.identity.tokens import issuer_for
from tests import conformance
from tests.conformance import checking_client
from tests.support import supabase_settings
from tests.support.callers import Caller, issued_by, make_caller
from tests.support.stored import Plan, template_workout

# The webhook delivery worker stays off unless a test starts or drives one: its rounds would add
# database calls to tests that count them.
os.environ.setdefault("WEBHOOK_WORKER", "false")

# Test modules whose requests also run against the Supabase adapters (a local PostgREST-protocol
# server holding the same catalog rows), so their catalog checks are shown to hold with both.
BOTH_CATALOGS = frozenset(
    {
        "test_library",
        "test_templates",
        "test_bad_input",
        "test_exercises",
        "test_chain_guards",
        "test_equipment",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_CATALOGS and "settings" in metafunc.fixturenames:
        metafunc.parametrize("settings", ["embedded", "supabase"], indirect=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if conformance.checked:
        for line in conformance.summary(terminalreporter.verbosity > 0):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def postgrest() -> Iterator[Any]:
    """A local PostgREST-protocol server with the bundled catalog, for the whole session."""
    from tests.support.postgrest import PostgrestServer

    with PostgrestServer() as server:
        yield server


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The embedded defaults; with the `supabase` parameter, the catalog and directory read from
    the local PostgREST server (no cache, so every save reaches it)."""
    if getattr(request, "param", "embedded") != "supabase":
        yield Settings(_env_file=None)  # type: ignore[call-arg]
        return
    server = request.getfixturevalue("postgrest")
    with issued_by(issuer_for(server.url)):
        yield supabase_settings(server.url, catalog_cache_seconds=0)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def interleaved_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app on the interleaving store: concurrent requests interleave between
    database calls as they do against a server (every concurrency test runs on it)."""
    application = create_app(Settings(_env_file=None, embedded_interleave=True))  # type: ignore[call-arg]
    async with (
        application.router.lifespan_context(application),
        checking_client(application) as http,
    ):
        yield http


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Every answer it receives is checked against the OpenAPI document (tests/conformance.py)."""
    async with checking_client(app) as http:
        yield http


@pytest.fixture
def trainer(settings: Settings) -> Caller:
    return make_caller("trainer")


@pytest.fixture
def other_trainer(settings: Settings) -> Caller:
    return make_caller("trainer")


@pytest.fixture
def client_user(settings: Settings) -> Caller:
    return make_caller("client")


@pytest.fixture
def admin(settings: Settings) -> Caller:
    return make_caller("admin")


@pytest.fixture
async def plan(client: httpx.AsyncClient, trainer: Caller) -> Plan:
    return await template_workout(client, trainer)
