"""Double progression over HTTP (DOMAIN.md section 13): each session's targets are decided from
the last logged one when it starts, and frozen from then on."""

from typing import Any

import httpx

from tests.support.actions import assign, create, link, put_session
from tests.support.callers import Caller
from tests.support.paths import SESSIONS, TEMPLATES
from tests.support.plans import template_body, variant
from tests.support.stored import raw_session, raw_sessions

BENCH = {
    "type": "strength",
    **variant("Barbell Bench Press"),
    "progression": {"type": "double", "weightStep": 2.5},
    "sets": [
        {"setType": "warmup", "repType": "fixed", "reps": 10, "weight": 40},
        *({"repType": "range", "repsMin": 8, "repsMax": 12, "weight": 60} for _ in range(3)),
    ],
}


def log_of(session: dict[str, Any], *done: tuple[float, int]) -> dict[str, Any]:
    """A log of the bench's working sets: (weight, reps) per set, in order."""
    section = session["workoutSnapshot"]["sections"][0]
    exercise = section["exercises"][0]
    sets = [
        {"setId": str(planned["_id"]), "performance": {"weight": weight, "reps": reps}}
        for planned, (weight, reps) in zip(exercise["sets"][1:], done, strict=False)
    ]
    entry = {"exerciseEntryId": str(exercise["_id"]), "sets": sets}
    return {"sections": [{"sectionId": str(section["_id"]), "exercises": [entry]}]}


async def start(client: httpx.AsyncClient, who: Caller, session: dict[str, Any]) -> Any:
    response = await put_session(client, who, str(session["_id"]), {"status": "in-progress"})
    assert response.status_code == 200, response.text
    return response.json()


async def complete(
    client: httpx.AsyncClient, who: Caller, session: dict[str, Any], *done: tuple[float, int]
) -> None:
    body = {"status": "completed", "performanceLog": log_of(session, *done)}
    response = await put_session(client, who, str(session["_id"]), body)
    assert response.status_code == 200, response.text


def aims(answer: dict[str, Any]) -> list[tuple[float, int]]:
    return [(target["weight"], target["reps"]) for target in answer["targets"]]


async def test_double_progression_over_four_sessions_hit_miss_hit(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    section = {"type": "basic", "name": "Press", "exercises": [BENCH]}
    day = {"name": "Push", "type": "strength", "sections": [section]}
    body = template_body([day], duration=5, schedule={"trainingDays": ["mon"]})
    routine = await create(client, trainer, TEMPLATES, body)
    await link(client, admin, trainer, client_user)
    made = await assign(client, trainer, routine["id"], client_user)
    assert made.status_code == 201, made.text
    first, second, third, fourth, _ = await raw_sessions(made.json()["id"])

    started = await start(client, client_user, first)  # never logged: planned weight x repsMin
    assert aims(started) == [(60, 8)] * 3 and started["targetsFinal"] is True
    assert [target["setId"] for target in started["targets"]] == [
        str(planned["_id"])
        for planned in first["workoutSnapshot"]["sections"][0]["exercises"][0]["sets"][1:]
    ]
    await complete(client, client_user, first, (60, 12), (60, 12), (60, 12))  # the top

    assert aims(await start(client, client_user, second)) == [(62.5, 8)] * 3  # W + step
    await complete(client, client_user, second, (62.5, 10), (62.5, 9), (62.5, 8))  # missed

    assert aims(await start(client, client_user, third)) == [(62.5, 9)] * 3  # fewest + 1
    await complete(client, client_user, third, (62.5, 12), (62.5, 12), (62.5, 12))  # the top

    # Completed straight from scheduled: decided in the same request.
    body = {"status": "completed", "performanceLog": log_of(fourth, (65, 8))}
    done = await put_session(client, client_user, str(fourth["_id"]), body)
    assert aims(done.json()) == [(65, 8)] * 3

    # Frozen: correcting the session they came from changes nothing.
    frozen = (await raw_session(str(fourth["_id"])))["targets"]
    correction = {"status": "completed", "performanceLog": log_of(third, (62.5, 8))}
    assert (
        await put_session(client, client_user, str(third["_id"]), correction)
    ).status_code == 200
    again = {"status": "completed", "performanceLog": log_of(fourth, (65, 9))}
    assert (await put_session(client, client_user, str(fourth["_id"]), again)).status_code == 200
    assert (await raw_session(str(fourth["_id"])))["targets"] == frozen
    shown = await client.get(f"{SESSIONS}/{fourth['_id']}", headers=client_user.headers)
    assert aims(shown.json()) == [(65, 8)] * 3


async def test_a_scheduled_session_shows_provisional_targets_and_a_new_tag_when_they_move(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    section = {"type": "basic", "name": "Press", "exercises": [BENCH]}
    day = {"name": "Push", "type": "strength", "sections": [section]}
    body = template_body([day], duration=3, schedule={"trainingDays": ["mon"]})
    routine = await create(client, trainer, TEMPLATES, body)
    await link(client, admin, trainer, client_user)
    made = await assign(client, trainer, routine["id"], client_user)
    assert made.status_code == 201, made.text
    first, second, _ = await raw_sessions(made.json()["id"])
    url = f"{SESSIONS}/{second['_id']}"

    before = await client.get(url, headers=client_user.headers)
    assert before.json()["decidesTargets"] is True
    assert aims(before.json()) == [(60, 8)] * 3 and before.json()["targetsFinal"] is False
    assert "targets" not in await raw_session(str(second["_id"]))  # shown, not stored
    await complete(client, client_user, first, (60, 12), (60, 12), (60, 12))

    # The scheduled session's answer changed: so did its tag, and a held tag is not a 304.
    held = {**client_user.headers, "If-None-Match": before.headers["ETag"]}
    after = await client.get(url, headers=held)
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert aims(after.json()) == [(62.5, 8)] * 3 and after.json()["targetsFinal"] is False
    started = await start(client, client_user, second)
    assert aims(started) == [(62.5, 8)] * 3 and started["targetsFinal"] is True
