"""Shared fixtures: an app on a fresh embedded store, an HTTP client, and users with tokens."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.catalog.embedded import load_bundled
from peakhealth.config import DEVELOPMENT_JWT_SECRET, Settings
from peakhealth.identity.tokens import issuer_for, mint_token
from tests import conformance
from tests.conformance import checking_client


@dataclass(frozen=True)
class Caller:
    id: str
    role: str
    headers: dict[str, str]


# Test modules whose requests also run against the Supabase adapters (a local PostgREST-protocol
# server holding the same catalog rows), so their catalog checks are shown to hold with both.
BOTH_CATALOGS = frozenset(
    {"test_library", "test_templates", "test_bad_input", "test_exercises", "test_chain_guards"}
)
# The issuer tokens must carry while the app under test has SUPABASE_URL set.
_issuer: str | None = None


def make_caller(role: str) -> Caller:
    user_id = str(uuid.uuid4())
    token = mint_token(
        DEVELOPMENT_JWT_SECRET,
        sub=user_id,
        role=role,  # type: ignore[arg-type]
        issuer=_issuer,
    )
    return Caller(user_id, role, {"Authorization": f"Bearer {token}"})


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
    global _issuer
    if getattr(request, "param", "embedded") != "supabase":
        yield Settings(_env_file=None)  # type: ignore[call-arg]
        return
    from tests.support import supabase_settings

    server = request.getfixturevalue("postgrest")
    _issuer = issuer_for(server.url)
    try:
        yield supabase_settings(server.url, catalog_cache_seconds=0)
    finally:
        _issuer = None


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


SECTIONS = "/api/library/sections"
WORKOUTS = "/api/library/workouts"
TEMPLATES = "/api/templates/routines"


async def create(client: httpx.AsyncClient, who: Caller, path: str, body: Any) -> Any:
    """POST a body that must be accepted; the created document."""
    response = await client.post(path, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def variant(name: str) -> dict[str, str]:
    """exerciseId and exerciseVariantId of a bundled catalog variant."""
    for row in load_bundled()["exercise_variants"]:
        if row["name"] == name:
            return {"exerciseId": row["exercise_id"], "exerciseVariantId": row["id"]}
    raise LookupError(name)


def strength_section(name: str = "Main lifts", **extra: Any) -> dict[str, Any]:
    return {
        "type": "basic",
        "name": name,
        "exercises": [
            {
                "type": "strength",
                **variant("Barbell Back Squat"),
                "restBetweenSets": "3m",
                "sets": [{"repType": "fixed", "reps": 5, "weight": 100} for _ in range(3)],
            },
            {
                "type": "bodyweight",
                **variant("Push-up"),
                "sets": [{"repType": "range", "repsMin": 8, "repsMax": 12}],
            },
        ],
        **extra,
    }


def warmup_section(name: str = "Warm-up") -> dict[str, Any]:
    return {
        "type": "warmup",
        "name": name,
        "duration": 10,
        "intensity": "light",
        "targetMuscleGroups": ["hips"],
        "exercises": [
            {
                "type": "mobility",
                **variant("World's Greatest Stretch"),
                "sets": [{"repType": "time", "duration": 60}],
            }
        ],
    }


def template_body(workouts: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Strength block",
        "difficulty": "intermediate",
        "goal": "strength",
        "duration": 6,
        "workouts": workouts,
        **extra,
    }
