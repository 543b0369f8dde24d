"""Audit findings: each input answers a 4xx problem naming the field (never a 500, never a silent
change) and nothing is written; the rules the audit found too strict now accept what DOMAIN.md
allows (zero rest, one library section twice, `schedule: {}`)."""

import json
from typing import Any

import httpx
import pytest
from bson import ObjectId
from fastapi import FastAPI

from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.routines.documents import TemplateRoutineDocument
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, variant, warmup_section
from tests.support.problems import assert_problem

HEX = "a" * 24
NEWLINE_ID = f"{HEX}\n"
SOURCE = {"kind": "section", "id": HEX, "parentId": "b" * 24, "version": 1}
STORED: list[Any] = [SectionDocument, WorkoutDocument, TemplateRoutineDocument]


async def stored_count() -> int:
    """Documents in every plan collection, read raw (nothing filtered out)."""
    total = 0
    for document in STORED:
        total += await document.get_motor_collection().count_documents({})
    return total


def section_with(path: str, value: Any) -> dict[str, Any]:
    """`strength_section()` with `value` at a dotted path (`exercises.0.sets.0.reps`)."""
    body = strength_section()
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


def workout(*sections: Any, **extra: Any) -> dict[str, Any]:
    return {"name": "Day", "type": "strength", "sections": list(sections), **extra}


def running(section: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Run", "type": "running", "sections": [section]}


def tempo(**fields: Any) -> dict[str, Any]:
    return {"type": "tempo", "name": "T", "duration": "20m", "targetPace": "4:45/km", **fields}


def tabata(**fields: Any) -> dict[str, Any]:
    return {
        "type": "tabata",
        "name": "Finisher",
        "exercises": [{"type": "tabata", **variant("Burpee")}],
        **fields,
    }


SET = "exercises.0.sets.0"
BAD_BODIES: list[tuple[str, str, Any, str]] = [
    # (case, path, body, field named)
    # 1. ids must be 24 hex characters, the whole text
    ("reference with newline", WORKOUTS, workout(NEWLINE_ID), "sections[0]"),
    ("workout reference with newline", TEMPLATES, template_body([NEWLINE_ID]), "workouts[0]"),
    (
        "nested reference with newline",
        TEMPLATES,
        template_body([workout(NEWLINE_ID)]),
        "workouts[0].sections[0]",
    ),
    (
        "element id with newline",
        SECTIONS,
        section_with("exercises.0.id", NEWLINE_ID),
        "exercises[0].id",
    ),
    ("element id a number", SECTIONS, section_with(f"{SET}.id", 5), "exercises[0].sets[0].id"),
    (
        "exercise id with newline",
        SECTIONS,
        section_with("exercises.0.exerciseId", variant("Barbell Back Squat")["exerciseId"] + "\n"),
        "exercises[0].exerciseId",
    ),
    # 3. a source names real ids; null is not an id
    ("source id null", SECTIONS, section_with("source", {**SOURCE, "id": None}), "source.id"),
    (
        "source parentId null",
        SECTIONS,
        section_with("source", {**SOURCE, "parentId": None}),
        "source.parentId",
    ),
    (
        "source id not hex",
        SECTIONS,
        section_with("source", {**SOURCE, "id": "x" * 24}),
        "source.id",
    ),
    (
        "nested source id null",
        WORKOUTS,
        workout(section_with("source", {**SOURCE, "id": None})),
        "sections[0].source.id",
    ),
    (
        "workout source parentId null",
        TEMPLATES,
        template_body([workout(strength_section(), source={**SOURCE, "parentId": None})]),
        "workouts[0].source.parentId",
    ),
    # 4. strict JSON types
    ("reps as a string", SECTIONS, section_with(f"{SET}.reps", "5"), "exercises[0].sets[0].reps"),
    ("reps as a boolean", SECTIONS, section_with(f"{SET}.reps", True), "exercises[0].sets[0].reps"),
    (
        "weight as a string",
        SECTIONS,
        section_with(f"{SET}.weight", "100"),
        "exercises[0].sets[0].weight",
    ),
    ("rpe as a string", SECTIONS, section_with(f"{SET}.rpe", "8"), "exercises[0].sets[0].rpe"),
    ("isPublic as a string", SECTIONS, {**strength_section(), "isPublic": "yes"}, "isPublic"),
    ("isPublic as a number", SECTIONS, {**strength_section(), "isPublic": 1}, "isPublic"),
    (
        "workout isPublic as text",
        WORKOUTS,
        workout(strength_section(), isPublic="true"),
        "isPublic",
    ),
    (
        "allowCopy as a string",
        TEMPLATES,
        template_body([workout(strength_section())], allowCopy="true"),
        "allowCopy",
    ),
    (
        "weeks as a string",
        TEMPLATES,
        template_body([workout(strength_section())], duration="6"),
        "duration",
    ),
    (
        "nested reps as a string",
        TEMPLATES,
        template_body([workout(section_with(f"{SET}.reps", "5"))]),
        "workouts[0].sections[0].exercises[0].sets[0].reps",
    ),
    # 5. durations: exactly the spellings of DOMAIN.md section 2; work is longer than zero
    ("lower-case ISO", SECTIONS, {**strength_section(), "restAfter": "pt1m"}, "restAfter"),
    ("upper-case unit", SECTIONS, {**strength_section(), "restAfter": "90S"}, "restAfter"),
    ("leading space", SECTIONS, {**strength_section(), "restAfter": " 90s"}, "restAfter"),
    ("trailing space", SECTIONS, {**strength_section(), "restAfter": "90s "}, "restAfter"),
    (
        "upper-case minutes",
        SECTIONS,
        section_with("exercises.0.restBetweenSets", "3M"),
        "exercises[0].restBetweenSets",
    ),
    ("zero work interval", SECTIONS, tabata(workInterval="0s"), "workInterval"),
    (
        "zero tempo duration",
        TEMPLATES,
        template_body([running(tempo(duration="PT0S"))]),
        "workouts[0].sections[0].duration",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [(p, b, f) for _, p, b, f in BAD_BODIES],
    ids=[case for case, _, _, _ in BAD_BODIES],
)
async def test_bad_bodies_name_the_field_and_write_nothing(
    client: httpx.AsyncClient, trainer: Caller, path: str, body: Any, field: str
) -> None:
    response = await client.post(path, json=body, headers=trainer.headers)
    assert_problem(response, field)
    assert await stored_count() == 0


async def test_bad_bodies_are_refused_on_new_versions_too(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    for body, field in (
        (section_with(f"{SET}.reps", "5"), "exercises[0].sets[0].reps"),
        (section_with("source", {**SOURCE, "id": None}), "source.id"),
        ({**strength_section(), "restAfter": "90s "}, "restAfter"),
    ):
        response = await client.put(
            f"{SECTIONS}/{section['id']}", json=body, headers=trainer.headers
        )
        assert_problem(response, field)
    assert await stored_count() == 1


@pytest.mark.parametrize(
    "age",
    ["1000000d", "99999999999999999999d", "P1000000D", "36526d", "0d", "pt1h", "30D", "%2030d", ""],
)
async def test_bulk_purge_age_out_of_range_or_misspelt_is_422(
    client: httpx.AsyncClient, trainer: Caller, age: str
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    await client.put(f"{SECTIONS}/{section['id']}/archive", headers=trainer.headers)
    response = await client.delete(
        f"{SECTIONS}?status=archived&olderThan={age}", headers=trainer.headers
    )
    assert_problem(response, "olderThan")
    assert await stored_count() == 1


@pytest.mark.parametrize("age", ["30d", "12h", "P30D", "36525d"])
async def test_bulk_purge_takes_ages_up_to_100_years(
    client: httpx.AsyncClient, trainer: Caller, age: str
) -> None:
    response = await client.delete(
        f"{SECTIONS}?status=archived&olderThan={age}", headers=trainer.headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"purged": 0}


@pytest.mark.parametrize("path", [SECTIONS, WORKOUTS, TEMPLATES])
@pytest.mark.parametrize("search", ["a%00b", "%0A", "tab%09", "del%7F"])
async def test_search_with_control_characters_is_422_naming_search(
    client: httpx.AsyncClient, trainer: Caller, path: str, search: str
) -> None:
    response = await client.get(f"{path}?search={search}", headers=trainer.headers)
    assert_problem(response, "search")


async def test_search_with_ordinary_text_still_works(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    await create(client, trainer, SECTIONS, strength_section("Main lifts (heavy)"))
    response = await client.get(f"{SECTIONS}?search=lifts%20(heavy", headers=trainer.headers)
    assert response.status_code == 200
    assert response.json()["pagination"]["totalItems"] == 1


# What the rules now accept


async def test_null_element_ids_get_fresh_ids(client: httpx.AsyncClient, trainer: Caller) -> None:
    body = section_with("exercises.0.id", None)
    body["exercises"][0]["sets"][0]["id"] = None
    created = await create(client, trainer, SECTIONS, body)
    exercise = created["exercises"][0]
    ids = [exercise["id"], *(s["id"] for s in exercise["sets"])]
    assert all(ObjectId.is_valid(value) and len(value) == 24 for value in ids)
    assert len(set(ids)) == len(ids)


async def test_rest_may_be_zero(client: httpx.AsyncClient, trainer: Caller) -> None:
    body = {**section_with(f"{SET}.restAfter", "0:00"), "restAfter": "0s"}
    body["exercises"][0]["restBetweenSets"] = "PT0S"
    created = await create(client, trainer, SECTIONS, body)
    assert created["restAfter"] == "PT0S"
    assert created["exercises"][0]["restBetweenSets"] == "PT0S"
    assert created["exercises"][0]["sets"][0]["restAfter"] == "PT0S"
    circuit = {**strength_section(), "type": "circuit", "rounds": 3, "restBetweenRounds": "0s"}
    assert (await create(client, trainer, SECTIONS, circuit))["restBetweenRounds"] == "PT0S"
    pause = await create(client, trainer, SECTIONS, tabata(restInterval="0s"))
    assert pause["restInterval"] == "PT0S"
    read = await client.get(f"{SECTIONS}/{created['id']}", headers=trainer.headers)
    assert read.json()["restAfter"] == "PT0S"


async def test_one_library_section_twice_keeps_its_superset_in_each_copy(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    pair = strength_section("Superset")
    for exercise in pair["exercises"]:
        exercise["type"] = "strength"
        exercise["sets"] = [{"repType": "fixed", "reps": 8}]
        exercise["supersetGroupId"] = "A"
    section = await create(client, trainer, SECTIONS, pair)
    day = await create(client, trainer, WORKOUTS, workout(section["id"], section["id"]))
    groups = [[e.get("supersetGroupId") for e in s["exercises"]] for s in day["sections"]]
    assert groups == [["A", "A"], ["A", "A"]]
    first, second = day["sections"]
    assert first["id"] != second["id"]
    routine = await create(
        client,
        trainer,
        TEMPLATES,
        template_body([day["id"], workout(section["id"], section["id"])]),
    )
    assert len(routine["workouts"][1]["sections"]) == 2


async def test_empty_schedule_gets_the_default_days(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    days = [workout(strength_section()), workout(warmup_section(), strength_section())]
    routine = await create(client, trainer, TEMPLATES, template_body(days, schedule={}))
    assert routine["schedule"] == {"trainingDays": ["mon", "thu"]}


async def test_integers_are_fine_where_floats_are_expected(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    created = await create(client, trainer, SECTIONS, section_with(f"{SET}.rpe", 8))
    assert created["exercises"][0]["sets"][0]["weight"] == 100
    assert created["exercises"][0]["sets"][0]["rpe"] == 8


# `id` over HTTP, `_id` in MongoDB


def keys_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(keys_in(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_in(value) for value in node))
    return set()


def test_openapi_names_element_ids_id(app: FastAPI) -> None:
    document = app.openapi()
    assert '"_id"' not in json.dumps(document)
    schemas = document["components"]["schemas"]
    exercise = next(name for name in schemas if name.startswith("StrengthExercise"))
    assert "id" in schemas[exercise]["properties"]


async def test_storage_keeps_underscore_id_and_responses_say_id(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section_body = section_with("exercises.0.id", "c" * 24)
    created = await create(client, trainer, SECTIONS, section_body)
    assert created["exercises"][0]["id"] == "c" * 24
    assert "_id" not in keys_in(created)
    raw = await SectionDocument.get_motor_collection().find_one({"_id": ObjectId(created["id"])})
    assert raw is not None
    exercise = raw["exercises"][0]
    assert exercise["_id"] == ObjectId("c" * 24) and "id" not in exercise
    assert all(isinstance(s["_id"], ObjectId) and "id" not in s for s in exercise["sets"])
    # a GET, edited and PUT back, keeps the element ids
    edited = {**created, "name": "Renamed"}
    again = await client.put(f"{SECTIONS}/{created['id']}", json=edited, headers=trainer.headers)
    assert again.status_code == 200, again.text
    assert again.json()["exercises"][0]["id"] == "c" * 24
