"""Metric and imperial (DOMAIN.md section 14) through the API: `?units=`, the caller's profile
(`PATCH /api/users/me`), `Content-Units`, bodies read in the answer's units, stable round trips
and an entity tag per representation."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.routines.documents import TemplateRoutineDocument
from tests.support.actions import link, put_session, squat_log
from tests.support.callers import Caller
from tests.support.paths import SESSIONS, TEMPLATES
from tests.support.plans import strength_section, template_body, variant
from tests.support.problems import first_error_field
from tests.support.stored import Plan, insert_session, raw_session

ME = "/api/users/me"
SQUAT = variant("Barbell Back Squat")
HISTORY = f"/api/exercises/{SQUAT['exerciseId']}/history"


def squat_weights(session: dict[str, Any]) -> list[float]:
    exercise = session["performanceLog"]["sections"][0]["exercises"][0]
    return [item["performance"]["weight"] for item in exercise["sets"]]


async def imperial(client: httpx.AsyncClient, who: Caller) -> None:
    changed = await client.patch(ME, json={"unitSystem": "imperial"}, headers=who.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["unitSystem"] == "imperial"


async def test_the_caller_reads_and_sets_their_unit_system(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    me = await client.get(ME, headers=client_user.headers)
    assert me.status_code == 200
    assert me.json() == {"id": client_user.id, "role": "client", "unitSystem": "metric"}
    assert me.headers["Content-Units"] == "metric"
    changed = await client.patch(
        ME, json={"unitSystem": "imperial", "displayName": "Sam"}, headers=client_user.headers
    )
    assert changed.json() == {
        "id": client_user.id,
        "role": "client",
        "displayName": "Sam",
        "unitSystem": "imperial",
    }
    again = await client.get(ME, headers=client_user.headers)
    assert again.json()["unitSystem"] == "imperial" and again.json()["displayName"] == "Sam"
    # The next answer follows the profile.
    assert again.headers["Content-Units"] == "imperial"
    cleared = await client.patch(ME, json={"displayName": None}, headers=client_user.headers)
    assert "displayName" not in cleared.json() and cleared.json()["unitSystem"] == "imperial"


async def test_bad_profile_changes_are_refused_naming_the_field(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    for body, field in [
        ({"unitSystem": "stones"}, "unitSystem"),
        ({"unitSystem": None}, "unitSystem"),
        ({"displayName": ""}, "displayName"),
        ({"displayName": 7}, "displayName"),
        ({"theme": "dark"}, "theme"),
    ]:
        refused = await client.patch(ME, json=body, headers=client_user.headers)
        assert refused.status_code == 422, body
        assert first_error_field(refused) == field
    me = await client.get(ME, headers=client_user.headers)
    assert me.json() == {"id": client_user.id, "role": "client", "unitSystem": "metric"}


async def test_an_imperial_client_logs_pounds_that_a_metric_trainer_reads_in_kilograms(
    client: httpx.AsyncClient, plan: Plan, trainer: Caller, client_user: Caller
) -> None:
    """The issue's story: 225 lb logged is 102.058 kg stored; history agrees in both units."""
    routine, workout = plan
    await imperial(client, client_user)
    session_id = await insert_session(routine, workout, client_user, trainer=trainer)
    log = squat_log(workout, {"reps": 3, "weight": 225}, {"reps": 3, "weight": 185})
    logged = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    assert logged.status_code == 200, logged.text
    assert logged.headers["Content-Units"] == "imperial"
    assert squat_weights(logged.json()) == [225.0, 185.0]
    stored = await raw_session(session_id)
    assert squat_weights(stored) == [102.058, 83.915]  # 185 x 0.45359237 = 83.91459
    # The planned 100 kg sets of the snapshot read in pounds too.
    sets = logged.json()["workoutSnapshot"]["sections"][1]["exercises"][0]["sets"]
    assert [item["weight"] for item in sets] == [220.46, 220.46, 220.46]

    seen = await client.get(f"{SESSIONS}/{session_id}", headers=trainer.headers)
    assert seen.headers["Content-Units"] == "metric"
    assert squat_weights(seen.json()) == [102.058, 83.915]

    mine = (await client.get(HISTORY, headers=client_user.headers)).json()["data"][0]
    assert mine["topSet"]["weight"] == 225.0
    assert mine["volume"] == 1230.0  # (102.058 + 83.915) x 3 = 557.919 kg x reps
    metric = (await client.get(f"{HISTORY}?units=metric", headers=client_user.headers)).json()
    assert metric["data"][0]["topSet"]["weight"] == 102.058
    assert metric["data"][0]["volume"] == pytest.approx(557.919)
    calendar = await client.get(
        f"{SESSIONS}?from=2025-03-01&to=2025-03-31", headers=client_user.headers
    )
    assert squat_weights(calendar.json()["data"][0]) == [225.0, 185.0]


async def test_pounds_read_then_sent_back_read_the_same(
    client: httpx.AsyncClient, plan: Plan, client_user: Caller
) -> None:
    routine, workout = plan
    session_id = await insert_session(routine, workout, client_user)
    log = squat_log(workout, {"reps": 5, "weight": 100}, {"reps": 5, "weight": 97.5})
    await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    url = f"{SESSIONS}/{session_id}?units=imperial"
    first = (await client.get(url, headers=client_user.headers)).json()
    assert squat_weights(first) == [220.46, 214.95]
    sent_back = await client.put(
        url,
        json={"status": "completed", "performanceLog": first["performanceLog"]},
        headers=client_user.headers,
    )
    assert sent_back.status_code == 200, sent_back.text
    again = (await client.get(url, headers=client_user.headers)).json()
    assert squat_weights(again) == [220.46, 214.95]
    assert again["performanceLog"] == first["performanceLog"]


async def test_a_trainer_writing_pounds_publishes_kilograms(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = strength_section()
    section["exercises"][0]["sets"] = [{"repType": "fixed", "reps": 5, "weight": 135}]
    body = template_body([{"name": "Day A", "type": "strength", "sections": [section]}])
    made = await client.post(f"{TEMPLATES}?units=imperial", json=body, headers=trainer.headers)
    assert made.status_code == 201, made.text
    assert made.headers["Content-Units"] == "imperial"
    shown = made.json()["workouts"][0]["sections"][0]["exercises"][0]["sets"][0]
    assert shown["weight"] == 135.0
    stored = await TemplateRoutineDocument.get_motor_collection().find_one({})
    assert stored["workouts"][0]["sections"][0]["exercises"][0]["sets"][0]["weight"] == 61.235


async def test_an_unknown_unit_system_is_refused_before_anything_is_written(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    body = template_body([{"name": "Day A", "type": "strength", "sections": [strength_section()]}])
    refused = await client.post(f"{TEMPLATES}?units=stones", json=body, headers=trainer.headers)
    assert refused.status_code == 422
    assert first_error_field(refused) == "units"
    assert await TemplateRoutineDocument.get_motor_collection().count_documents({}) == 0
    read = await client.get(f"{TEMPLATES}?units=Imperial", headers=trainer.headers)
    assert read.status_code == 422 and first_error_field(read) == "units"


async def test_each_representation_has_its_own_tag(
    client: httpx.AsyncClient, plan: Plan, client_user: Caller
) -> None:
    routine, workout = plan
    session_id = await insert_session(routine, workout, client_user)
    url = f"{SESSIONS}/{session_id}"
    metric = await client.get(url, headers=client_user.headers)
    pounds = await client.get(f"{url}?units=imperial", headers=client_user.headers)
    tag = metric.headers["ETag"]
    assert pounds.headers["ETag"] == f'{tag[:-1]}-imperial"' != tag

    def held(tag: str) -> dict[str, str]:
        return {**client_user.headers, "If-None-Match": tag}

    assert (
        await client.get(f"{url}?units=imperial", headers=held(pounds.headers["ETag"]))
    ).status_code == 304
    # The metric tag does not name the imperial representation, nor the other way round.
    assert (await client.get(f"{url}?units=imperial", headers=held(tag))).status_code == 200
    assert (await client.get(url, headers=held(pounds.headers["ETag"]))).status_code == 200
    assert (await client.get(url, headers=held(tag))).status_code == 304

    start = {"status": "in-progress"}
    stale = await client.put(
        f"{url}?units=imperial", json=start, headers={**client_user.headers, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert (await raw_session(session_id))["status"] == "scheduled"
    written = await client.put(
        f"{url}?units=imperial",
        json=start,
        headers={**client_user.headers, "If-Match": pounds.headers["ETag"]},
    )
    assert written.status_code == 200, written.text
    assert written.headers["ETag"].endswith('-imperial"')


async def test_records_and_metrics_read_in_both_units(
    client: httpx.AsyncClient, plan: Plan, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    """An imperial client's 225 lb triple is a 102.058 kg record for their metric trainer, and a
    maximum recorded in pounds is kept in kilograms."""
    routine, workout = plan
    await link(client, admin, trainer, client_user)
    await imperial(client, client_user)
    session_id = await insert_session(routine, workout, client_user, trainer=trainer)
    log = squat_log(workout, {"reps": 3, "weight": 225})
    logged = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    records = {item["type"]: item["value"] for item in logged.json()["newRecords"]}
    # Epley: 102.058 x (1 + 3/30) = 112.264 kg = 247.5 lb; volume 3 x 225 lb.
    assert records == {
        "estimatedOneRepMax": 247.5,
        "heaviestWeight": 225.0,
        "bestSetVolume": 675.0,
        "sessionVolume": 675.0,
        "mostReps": 3,
    }
    path = f"/api/users/{client_user.id}/records?exerciseId={SQUAT['exerciseId']}"
    seen = await client.get(path, headers=trainer.headers)
    assert seen.headers["Content-Units"] == "metric"
    kilograms = {item["type"]: item["value"] for item in seen.json()["data"]}
    assert kilograms["heaviestWeight"] == 102.058 and kilograms["mostReps"] == 3
    assert kilograms["estimatedOneRepMax"] == pytest.approx(112.264, abs=0.001)

    body = {"kind": "oneRepMax", "exerciseId": SQUAT["exerciseId"], "value": 315}
    made = await client.post("/api/users/me/metrics", json=body, headers=client_user.headers)
    assert made.status_code == 201, made.text
    assert made.json()["value"] == 315.0
    metric = await client.get(
        f"/api/users/{client_user.id}/metrics?current=true", headers=trainer.headers
    )
    assert metric.json()["data"][0]["value"] == 142.882  # 315 x 0.45359237 = 142.8816


async def test_without_the_profile_a_body_waits_and_a_read_answers_metric(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    """While the caller's profile cannot be read, a body's units are unknown: 503, nothing
    stored. A read answers metric, and says so."""
    await imperial(client, trainer)
    app.state.profile_units.cache.clear()
    store = app.state.client
    body = template_body([{"name": "Day A", "type": "strength", "sections": [strength_section()]}])
    store.fail_call(1, collection="user_profiles")
    refused = await client.post(TEMPLATES, json=body, headers=trainer.headers)
    assert refused.status_code == 503
    assert await TemplateRoutineDocument.get_motor_collection().count_documents({}) == 0
    store.fail_call(1, collection="user_profiles")
    read = await client.get(TEMPLATES, headers=trainer.headers)
    assert read.status_code == 200 and read.headers["Content-Units"] == "metric"
    # Named in the request, the units need no profile.
    store.fail_call(1, collection="user_profiles")
    made = await client.post(f"{TEMPLATES}?units=imperial", json=body, headers=trainer.headers)
    assert made.status_code == 201, made.text
