"""The equipment a user has and the substitutes of a variant (DOMAIN.md section 15), run
against both catalog adapters (tests/conftest.py, BOTH_CATALOGS)."""

from typing import Any

import httpx
from fastapi import FastAPI

from peakhealth.http.examples import SQUAT
from tests.support.callers import Caller
from tests.support.problems import assert_problem
from tests.support.stored import calls_during

EQUIPMENT = "/api/users/me/equipment"
SUBSTITUTES = f"/api/exercises/{SQUAT['exerciseId']}/substitutes"
BARBELL_SQUAT = SQUAT["exerciseVariantId"]
GOBLET_SQUAT = "d01d92b9-cc16-5a29-b095-1bff099188fe"
LUNGE = "0b1f6f0e-0000-0000-0000-000000000000"  # no such exercise


async def put_equipment(
    client: httpx.AsyncClient, who: Caller, equipment: list[str], **headers: str
) -> httpx.Response:
    return await client.put(
        EQUIPMENT, json={"equipment": equipment}, headers={**who.headers, **headers}
    )


async def substitutes(client: httpx.AsyncClient, who: Caller, **params: Any) -> list[Any]:
    response = await client.get(SUBSTITUTES, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    data: list[Any] = response.json()["data"]
    return data


async def test_a_client_at_a_hotel_gym_with_dumbbells_gets_dumbbell_substitutes_in_order(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    before = await substitutes(client, client_user, variantId=BARBELL_SQUAT)
    assert GOBLET_SQUAT not in [item["variant"]["id"] for item in before]  # bodyweight only

    saved = await put_equipment(client, client_user, ["Dumbbell"])
    assert saved.status_code == 200, saved.text
    found = await substitutes(client, client_user, variantId=BARBELL_SQUAT)

    names = [item["variant"]["name"] for item in found]
    assert names[:5] == [
        "Reverse Lunge",  # shares both secondary muscles (hamstrings, core)
        "Bodyweight Squat",  # then one each, by name
        "Dumbbell Reverse Lunge",
        "Forward Lunge",
        "Goblet Squat",
    ]
    assert GOBLET_SQUAT in [item["variant"]["id"] for item in found]
    for item in found:
        assert set(item["variant"]["equipment"]) <= {"dumbbell", "bodyweight"}
        assert {"quadriceps", "glutes"} <= set(item["variant"]["muscleGroups"])
    ranks = [(-item["sharedSecondaryMuscles"], item["variant"]["name"]) for item in found]
    assert ranks == sorted(ranks)
    assert BARBELL_SQUAT not in [item["variant"]["id"] for item in found]
    # The main variant when none is named; `limit` cuts the ranking.
    assert await substitutes(client, client_user, limit=2) == found[:2]


async def test_equipment_is_bodyweight_until_set_and_answers_its_revision(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    first = await client.get(EQUIPMENT, headers=client_user.headers)
    assert first.status_code == 200
    assert first.json() == {"equipment": ["bodyweight"], "revision": 0}
    for tag in ('"3"', "*"):  # no list yet: a precondition naming one fails, storing nothing
        refused = await put_equipment(client, client_user, ["bench"], **{"If-Match": tag})
        assert refused.status_code == 412, tag
    assert (await client.get(EQUIPMENT, headers=client_user.headers)).json()["revision"] == 0
    saved = await put_equipment(client, client_user, ["dumbbell", "bench", "dumbbell"])
    assert saved.json()["equipment"] == ["dumbbell", "bench", "bodyweight"]
    assert saved.json()["revision"] == 1 and saved.headers["etag"] == '"1"'
    stale = await put_equipment(client, client_user, ["barbell"], **{"If-Match": '"0"'})
    assert stale.status_code == 412
    again = await put_equipment(client, client_user, ["barbell"], **{"If-Match": '"1"'})
    assert again.json()["equipment"] == ["barbell", "bodyweight"]
    unchanged = await client.get(EQUIPMENT, headers={**client_user.headers, "If-None-Match": '"2"'})
    assert unchanged.status_code == 304


async def test_equipment_outside_the_catalog_vocabulary_is_422_naming_it_and_stores_nothing(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    refused = await put_equipment(client, client_user, ["dumbbell", "hotel towel"])
    assert_problem(refused, "equipment[1]")
    kept = await client.get(EQUIPMENT, headers=client_user.headers)
    assert kept.json() == {"equipment": ["bodyweight"], "revision": 0}


async def test_substitutes_of_an_unknown_exercise_or_foreign_variant_are_404(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    unknown = await client.get(f"/api/exercises/{LUNGE}/substitutes", headers=client_user.headers)
    assert unknown.status_code == 404
    foreign = await client.get(
        SUBSTITUTES,
        params={"variantId": "0e2d10f0-c36a-4455-9a86-06a727d88ab8"},  # a lunge's
        headers=client_user.headers,
    )
    assert foreign.status_code == 404
    too_many = await client.get(SUBSTITUTES, params={"limit": 51}, headers=client_user.headers)
    assert_problem(too_many, "limit")


async def test_substitutes_cost_one_database_call_the_callers_list(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    await put_equipment(client, client_user, ["dumbbell"])
    await substitutes(client, client_user)  # the catalog cached, as in service
    with calls_during(app.state.client) as calls:
        await substitutes(client, client_user)
    assert sum(calls.values()) == 1, calls
