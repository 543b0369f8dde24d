"""`GET /api/exercises` and `/api/exercises/{exerciseId}` on the bundled catalog, and a plan save
when the Supabase catalog cannot be reached."""

import uuid

import httpx
import pytest

from peakhealth.catalog.embedded import load_bundled
from tests.support import serving, supabase_caller, supabase_settings
from tests.support.callers import Caller
from tests.support.paths import SECTIONS
from tests.support.plans import strength_section
from tests.support.postgrest import closed_port_url

EXERCISES = "/api/exercises"
SQUAT = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"
BARBELL_BACK_SQUAT = "b6657115-eeb4-5a08-b08c-00f64e093774"


async def names(client: httpx.AsyncClient, who: Caller, **params: object) -> list[str]:
    response = await client.get(EXERCISES, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["data"]]


async def test_the_catalog_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(EXERCISES)
    assert response.status_code == 401
    assert (await client.get(f"{EXERCISES}/{SQUAT}")).status_code == 401


async def test_any_signed_in_user_lists_the_catalog_by_page(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    everything = sorted(row["name"] for row in load_bundled()["exercises"])
    response = await client.get(
        EXERCISES, params={"limit": 5, "page": 2}, headers=client_user.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["name"] for item in body["data"]] == everything[5:10]
    assert body["pagination"] == {
        "currentPage": 2,
        "pageSize": 5,
        "totalItems": len(everything),
        "totalPages": -(-len(everything) // 5),
        "hasNextPage": True,
        "hasPrevPage": True,
    }


async def test_an_exercise_answers_camel_case_fields_and_every_variant(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    response = await client.get(f"{EXERCISES}/{SQUAT}", headers=trainer.headers)
    assert response.status_code == 200, response.text
    squat = response.json()
    fields = "id name category description alternativeNames tags mainVariantId variants"
    assert set(squat) == set(fields.split())
    assert squat["id"] == SQUAT and squat["name"] == "Squat" and squat["category"] == "Strength"
    assert "Back Squat" in squat["alternativeNames"]
    assert squat["mainVariantId"] == BARBELL_BACK_SQUAT
    main = squat["variants"][0]
    assert main == {
        "id": BARBELL_BACK_SQUAT,
        "name": "Barbell Back Squat",
        "description": main["description"],
        "difficulty": "Intermediate",
        "equipment": ["barbell", "rack"],
        "muscleGroups": ["quadriceps", "glutes"],
        "secondaryMuscles": ["hamstrings", "core"],
        "isUnilateral": False,
    }
    bundled = [row for row in load_bundled()["exercise_variants"] if row["exercise_id"] == SQUAT]
    assert len(squat["variants"]) == len(bundled)
    listed = await client.get(EXERCISES, params={"search": "squat"}, headers=trainer.headers)
    assert squat in listed.json()["data"]


async def test_search_covers_alternative_names_in_any_case(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    assert await names(client, trainer, search="PRESS-UP") == ["Push-up"]
    assert await names(client, trainer, search="kb swing") == ["Kettlebell Swing"]
    assert "Split Squat" in await names(client, trainer, search="bulgarian")
    assert await names(client, trainer, search="no such exercise") == []


async def test_filters_by_muscle_group_equipment_and_category(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    rows = load_bundled()
    with_both = {
        row["exercise_id"]
        for row in rows["exercise_variants"]
        if "glutes" in row["muscle_groups"] and "kettlebell" in row["equipment"]
    }
    expected = sorted(row["name"] for row in rows["exercises"] if row["id"] in with_both)
    found = await names(client, trainer, muscleGroup=" Glutes ", equipment="KETTLEBELL", limit=100)
    assert found == expected and expected
    cardio = await names(client, trainer, category="Cardio", limit=100)
    assert cardio == sorted(r["name"] for r in rows["exercises"] if r["category"] == "Cardio")
    assert "Running Drills" in await names(client, trainer, category="Cardio", search="skip")


async def test_a_blank_filter_filters_nothing(client: httpx.AsyncClient, trainer: Caller) -> None:
    assert await names(client, trainer, search=" ", muscleGroup="") == await names(client, trainer)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "strength"}, "category"),
        ({"search": "x" * 101}, "search"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
    ],
)
async def test_bad_list_parameters_are_422_naming_them(
    client: httpx.AsyncClient, trainer: Caller, params: dict[str, object], field: str
) -> None:
    response = await client.get(EXERCISES, params=params, headers=trainer.headers)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_unknown_exercise_is_404_and_malformed_id_422(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    unknown = await client.get(f"{EXERCISES}/{uuid.uuid4()}", headers=trainer.headers)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    malformed = await client.get(f"{EXERCISES}/squat", headers=trainer.headers)
    assert malformed.status_code == 422
    assert [error["field"] for error in malformed.json()["errors"]] == ["exerciseId"]


async def test_a_save_is_503_and_stores_nothing_when_supabase_cannot_be_reached() -> None:
    url = closed_port_url()
    trainer = supabase_caller(url, "trainer")
    async with serving(supabase_settings(url)) as client:
        response = await client.post(SECTIONS, json=strength_section(), headers=trainer.headers)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]
        assert response.json()["type"] == "urn:peakhealth:problem:service-unavailable"
        listing = await client.get(SECTIONS, headers=trainer.headers)
        assert listing.json()["pagination"]["totalItems"] == 0
        catalog = await client.get(EXERCISES, headers=trainer.headers)
        assert catalog.status_code == 503
