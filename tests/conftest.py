"""Shared fixtures: an app on a fresh embedded store, an HTTP client, and users with tokens."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.catalog.embedded import load_bundled
from peakhealth.config import DEVELOPMENT_JWT_SECRET, Settings
from peakhealth.identity.tokens import mint_token


@dataclass(frozen=True)
class Caller:
    id: str
    role: str
    headers: dict[str, str]


def make_caller(role: str) -> Caller:
    user_id = str(uuid.uuid4())
    token = mint_token(DEVELOPMENT_JWT_SECRET, sub=user_id, role=role)  # type: ignore[arg-type]
    return Caller(user_id, role, {"Authorization": f"Bearer {token}"})


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def trainer() -> Caller:
    return make_caller("trainer")


@pytest.fixture
def other_trainer() -> Caller:
    return make_caller("trainer")


@pytest.fixture
def client_user() -> Caller:
    return make_caller("client")


@pytest.fixture
def admin() -> Caller:
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
