"""Test support: an in-process HTTP client of the service, the service configured against a local
PostgREST-protocol server, and callers whose tokens carry that URL's issuer (the service checks
`iss` once SUPABASE_URL is set).

The modules beside it hold what tests build and do: `callers` (users with tokens), `plans`
(request bodies), `paths` (the API's), `actions` (requests), `stored` (the database read and
written straight)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.config import DEVELOPMENT_JWT_SECRET, Settings
from peakhealth.identity.tokens import issuer_for
from tests.conformance import checking_client
from tests.support.callers import Caller, make_caller

SERVICE_ROLE_KEY = "service-role-key-for-tests"


def supabase_settings(url: str, **overrides: Any) -> Settings:
    """Settings reading the catalog from `url`, as SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        supabase_url=url,
        supabase_service_role_key=SERVICE_ROLE_KEY,
        supabase_jwt_secret=DEVELOPMENT_JWT_SECRET,
        **overrides,
    )


def supabase_caller(url: str, role: str) -> Caller:
    return make_caller(role, issuer=issuer_for(url))


@asynccontextmanager
async def asgi_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of `app`, in process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of a started app configured with `settings`."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), checking_client(app) as client:
        yield client


def _exercise(id_: str, name: str, category: str, alt: list[str], main: str) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "category": category,
        "description": f"{name}.",
        "alternative_names": alt,
        "tags": [],
        "main_variant_id": main,
    }


def _variant(
    id_: str, exercise_id: str, name: str, equipment: list[str], muscles: list[str]
) -> dict[str, Any]:
    return {
        "id": id_,
        "exercise_id": exercise_id,
        "name": name,
        "description": None,
        "difficulty": "Beginner",
        "equipment": equipment,
        "muscle_groups": muscles,
        "secondary_muscles": [],
        "is_unilateral": False,
    }


ROW = "0b1f6f0e-7c43-4c55-9c3c-000000000001"
BIRD_DOG = "0b1f6f0e-7c43-4c55-9c3c-000000000002"
ARM_CIRCLE = "0b1f6f0e-7c43-4c55-9c3c-000000000003"
CABLE_ROW = "0b1f6f0e-7c43-4c55-9c3c-0000000000a1"
DUMBBELL_ROW = "0b1f6f0e-7c43-4c55-9c3c-0000000000a2"
# A small catalog whose rows pin the search rules: an exercise whose muscle group and equipment
# sit on different variants, a main variant that does not sort first, alternative names.
SMALL_CATALOG: dict[str, list[dict[str, Any]]] = {
    "exercises": [
        _exercise(ROW, "Row", "Strength", ["Bent-over Row"], DUMBBELL_ROW),
        _exercise(BIRD_DOG, "Bird Dog", "Balance", [], "0b1f6f0e-7c43-4c55-9c3c-0000000000b1"),
        _exercise(
            ARM_CIRCLE,
            "Arm Circle",
            "Flexibility",
            ["Shoulder Circles"],
            "0b1f6f0e-7c43-4c55-9c3c-0000000000c1",
        ),
    ],
    "exercise_variants": [
        _variant(CABLE_ROW, ROW, "Cable Row", ["cable machine"], ["upper back"]),
        _variant(DUMBBELL_ROW, ROW, "Dumbbell Row", ["dumbbell"], ["lats"]),
        _variant(
            "0b1f6f0e-7c43-4c55-9c3c-0000000000b1", BIRD_DOG, "Bird Dog", ["bodyweight"], ["core"]
        ),
        _variant(
            "0b1f6f0e-7c43-4c55-9c3c-0000000000c1",
            ARM_CIRCLE,
            "Arm Circle",
            ["bodyweight"],
            ["shoulders"],
        ),
    ],
}
