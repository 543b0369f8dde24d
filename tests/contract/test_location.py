"""Every 201 carries `Location`, the URL of what it created, and GET on it reads that resource."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.http.examples import ROUTINE_BODY
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body

ASSIGNMENTS = "/api/routine-assignments"
ROUTINES = "/api/routines"
SESSIONS = "/api/workout-sessions"
WEBHOOKS = "/api/webhooks"
CALENDAR_FEEDS = "/api/calendar-feeds"
Make = Callable[[httpx.AsyncClient, Caller], Awaitable[httpx.Response]]


def post(path: str, body: Any = None) -> Callable[[httpx.AsyncClient, Caller], Any]:
    async def send(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
        return await http.post(path, json=body, headers=who.headers)

    return send


async def template(http: httpx.AsyncClient, who: Caller) -> dict[str, Any]:
    day = {"name": "Day A", "type": "strength", "sections": [strength_section()]}
    return dict(await create(http, who, TEMPLATES, template_body([day], allowCopy=True)))


async def assignment(http: httpx.AsyncClient, who: Caller) -> dict[str, Any]:
    """The caller assigns a template to themselves (anyone may)."""
    body = {"routineVersionId": (await template(http, who))["id"], "userId": who.id}
    return dict(await create(http, who, ASSIGNMENTS, {**body, "startDate": "2026-11-23"}))


async def copy_of(collection: str, http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    source = await create(http, who, collection, library_body(collection))
    return await post(f"{collection}/{source['id']}/copy")(http, who)


def library_body(collection: str) -> dict[str, Any]:
    if collection == SECTIONS:
        return strength_section()
    return {"name": "Day A", "type": "strength", "sections": [strength_section()]}


async def copy_template(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    return await post(f"{TEMPLATES}/{(await template(http, who))['id']}/copy")(http, who)


async def upgrade(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    return await post(f"{ASSIGNMENTS}/{(await assignment(http, who))['id']}/upgrade")(http, who)


async def session(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    routine = await create(http, who, ROUTINES, ROUTINE_BODY)
    body = {
        "routineId": routine["id"],
        "workoutId": routine["workouts"][0]["id"],
        "scheduledDate": "2026-11-24",
    }
    return await post(SESSIONS, body)(http, who)


async def assign(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    body = {"routineVersionId": (await template(http, who))["id"], "userId": who.id}
    return await post(ASSIGNMENTS, {**body, "startDate": "2026-11-23"})(http, who)


async def section_copy(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    return await copy_of(SECTIONS, http, who)


async def workout_copy(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    return await copy_of(WORKOUTS, http, who)


async def new_template(http: httpx.AsyncClient, who: Caller) -> httpx.Response:
    day = {"name": "Day A", "type": "strength", "sections": [strength_section()]}
    return await post(TEMPLATES, template_body([day]))(http, who)


# operationId of every operation answering 201 -> (how to call it, where what it made is read)
CREATES: dict[str, tuple[Make, str]] = {
    "createLibrarySection": (post(SECTIONS, strength_section()), SECTIONS),
    "copyLibrarySection": (section_copy, SECTIONS),
    "createLibraryWorkout": (post(WORKOUTS, library_body(WORKOUTS)), WORKOUTS),
    "copyLibraryWorkout": (workout_copy, WORKOUTS),
    "createTemplate": (new_template, TEMPLATES),
    "copyTemplateToRoutine": (copy_template, ROUTINES),
    "createRoutine": (post(ROUTINES, ROUTINE_BODY), ROUTINES),
    "createAssignment": (assign, ASSIGNMENTS),
    "upgradeAssignment": (upgrade, ASSIGNMENTS),
    "createWorkoutSession": (session, SESSIONS),
    # `{caller}`: the path names the client the metric was recorded for.
    "recordClientMetric": (
        post("/api/users/me/metrics", {"kind": "bodyweight", "value": 80}),
        "/api/users/{caller}/metrics",
    ),
    # Answers `{routine, lines, unmatched}`: the routine is what it created.
    "importRoutine": (post(f"{ROUTINES}/import", {"text": "Day 1\nSquat 5x5 @ 100kg"}), ROUTINES),
    # An address, not a name: no DNS in the test.
    "createWebhook": (
        post(WEBHOOKS, {"url": "https://93.184.215.14/in", "events": ["webhook.test"]}),
        WEBHOOKS,
    ),
    "createCalendarFeed": (post(CALENDAR_FEEDS, {"name": "Phone"}), CALENDAR_FEEDS),
    "createGroup": (post("/api/groups", {"name": "6 am class"}), "/api/groups"),
}


def test_every_201_operation_is_checked_here(app: FastAPI) -> None:
    created = {
        operation["operationId"]
        for methods in app.openapi()["paths"].values()
        for operation in methods.values()
        if "201" in operation["responses"]
    }
    assert created == set(CREATES)


@pytest.mark.parametrize("operation_id", sorted(CREATES))
async def test_201_locates_what_it_created(
    client: httpx.AsyncClient, trainer: Caller, operation_id: str
) -> None:
    make, collection = CREATES[operation_id]
    response = await make(client, trainer)
    assert response.status_code == 201, response.text
    created = response.json()
    created = created.get("routine", created)  # an import answers the routine beside its lines
    assert response.headers["location"] == f"{collection.format(caller=trainer.id)}/{created['id']}"
    again = await client.get(response.headers["location"], headers=trainer.headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == created["id"]


async def test_location_is_under_public_url_or_the_root_path(trainer: Caller) -> None:
    """Never the Host the caller sent: PUBLIC_URL when set, else the path the service runs
    under."""
    for settings, root_path, base in [
        (
            Settings(_env_file=None, public_url="https://api.example.com/peak"),
            "",
            "https://api.example.com/peak",
        ),  # type: ignore[call-arg]
        (Settings(_env_file=None), "/peak", "/peak"),  # type: ignore[call-arg]
    ]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, root_path=root_path)
            async with httpx.AsyncClient(transport=transport, base_url="http://evil.test") as http:
                response = await http.post(
                    f"{root_path}{SECTIONS}", json=strength_section(), headers=trainer.headers
                )
        assert response.status_code == 201, response.text
        assert response.headers["location"] == f"{base}{SECTIONS}/{response.json()['id']}"
