"""Bad input: every malformed body, id, discriminator or value is a 4xx problem naming the field;
nothing answers 500 and nothing is written."""

from typing import Any

import httpx
import pytest

from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, variant
from tests.support.problems import first_error_field


def with_set(**fields: Any) -> dict[str, Any]:
    body = strength_section()
    body["exercises"][0]["sets"][0] = {"repType": "fixed", "reps": 5, **fields}
    return body


BAD_SECTIONS: list[tuple[str, Any, str]] = [
    ("no type", {"name": "x", "exercises": []}, "type"),
    ("unknown type", {**strength_section(), "type": "yoga"}, "type"),
    ("type not a string", {**strength_section(), "type": 7}, "type"),
    ("name empty", {**strength_section(), "name": "  "}, "name"),
    ("name too long", {**strength_section(), "name": "x" * 201}, "name"),
    ("notes too long", {**strength_section(), "notes": "x" * 5001}, "notes"),
    ("unknown field", {**strength_section(), "colour": "red"}, "colour"),
    ("bad duration", {**strength_section(), "restAfter": "soon"}, "restAfter"),
    ("negative weight", with_set(weight=-1), "exercises[0].sets[0].weight"),
    ("rpe out of range", with_set(rpe=11), "exercises[0].sets[0].rpe"),
    ("rpe not half step", with_set(rpe=7.3), "exercises[0].sets[0].rpe"),
    ("fixed without reps", with_set(reps=None), "exercises[0].sets[0].reps"),
    ("bad set type", with_set(setType="heavy"), "exercises[0].sets[0].setType"),
    ("side not sequential", with_set(unilateralSide="left"), "exercises[0].sets[0].unilateralSide"),
    ("reps as text", with_set(reps="five"), "exercises[0].sets[0].reps"),
    (
        "unknown exercise type",
        {**strength_section(), "exercises": [{"type": "cardio", **variant("Burpee")}]},
        "exercises[0].type",
    ),
    (
        "tabata exercise in basic",
        {**strength_section(), "exercises": [{"type": "tabata", **variant("Burpee")}]},
        "exercises[0].type",
    ),
    (
        "exercise id not a uuid",
        {
            **strength_section(),
            "exercises": [
                {**strength_section()["exercises"][0], "exerciseId": "squat"},
            ],
        },
        "exercises[0].exerciseId",
    ),
    (
        "variant unknown to the catalog",
        {
            **strength_section(),
            "exercises": [
                {
                    **strength_section()["exercises"][0],
                    "exerciseVariantId": "00000000-0000-4000-8000-000000000000",
                },
            ],
        },
        "exercises[0].exerciseVariantId",
    ),
    (
        "variant of another exercise",
        {
            **strength_section(),
            "exercises": [
                {
                    **strength_section()["exercises"][0],
                    "exerciseVariantId": variant("Push-up")["exerciseVariantId"],
                },
            ],
        },
        "exercises[0].exerciseId",
    ),
    (
        "unilateral mode on a bilateral variant",
        {
            **strength_section(),
            "exercises": [{**strength_section()["exercises"][0], "unilateralMode": "alternating"}],
        },
        "exercises[0].unilateralMode",
    ),
    (
        "too many exercises",
        {**strength_section(), "exercises": strength_section()["exercises"][:1] * 41},
        "exercises",
    ),
    (
        "emom rounds zero",
        {**strength_section(), "type": "emom", "emomDuration": 10, "rounds": 0},
        "rounds",
    ),
    ("body is a list", [strength_section()], "body"),
    ("body is a string", "section", "body"),
]


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in BAD_SECTIONS], ids=[n for n, _, _ in BAD_SECTIONS]
)
async def test_bad_section_bodies_name_the_field(
    client: httpx.AsyncClient, trainer: Caller, body: Any, field: str
) -> None:
    response = await client.post(SECTIONS, json=body, headers=trainer.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:peakhealth:problem:validation-error"
    assert problem["status"] == 422 and problem["instance"] == SECTIONS
    assert field in [error["field"] for error in problem["errors"]], problem["errors"]
    listing = await client.get(SECTIONS, headers=trainer.headers)
    assert listing.json()["pagination"]["totalItems"] == 0


async def test_malformed_json_is_422_naming_the_body(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    headers = {**trainer.headers, "content-type": "application/json"}
    response = await client.post(SECTIONS, content=b'{"name": ', headers=headers)
    assert first_error_field(response) == "body"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{SECTIONS}/not-an-id"),
        ("GET", f"{WORKOUTS}/123"),
        ("PUT", f"{TEMPLATES}/zzzzzzzzzzzzzzzzzzzzzzzz/archive"),
        ("DELETE", f"{SECTIONS}/xyz/versions"),
        ("GET", f"{TEMPLATES}/{'g' * 24}/versions"),
        # 24 hex characters and a newline: a pattern ending in `$` would let it through
        ("GET", f"{SECTIONS}/{'a' * 24}%0A"),
        ("GET", f"{WORKOUTS}/{'a' * 24}%0A/versions"),
        ("PUT", f"{TEMPLATES}/{'a' * 24}%0A/archive"),
        ("DELETE", f"{SECTIONS}/{'a' * 24}%0A"),
    ],
)
async def test_malformed_path_ids_are_422_naming_id(
    client: httpx.AsyncClient, trainer: Caller, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=trainer.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "id", "message": "must be an id of 24 hex characters"}
    ]


@pytest.mark.parametrize("path", [SECTIONS, WORKOUTS, TEMPLATES])
async def test_unknown_ids_are_404(client: httpx.AsyncClient, trainer: Caller, path: str) -> None:
    unknown = f"{path}/{'a' * 24}"
    for method, url in (("GET", unknown), ("PUT", f"{unknown}/archive"), ("DELETE", unknown)):
        response = await client.request(method, url, headers=trainer.headers)
        assert response.status_code == 404, (method, url)
        assert response.json()["type"] == "urn:peakhealth:problem:not-found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("createdBy=you", "createdBy"),
    ],
)
async def test_bad_query_parameters_name_the_parameter(
    client: httpx.AsyncClient, trainer: Caller, query: str, field: str
) -> None:
    response = await client.get(f"{SECTIONS}?{query}", headers=trainer.headers)
    assert first_error_field(response) == field


BAD_TEMPLATES: list[tuple[str, dict[str, Any], str]] = [
    ("no workouts", template_body([]), "workouts"),
    ("duration 53 weeks", template_body(["a" * 24], duration=53), "duration"),
    ("bad goal", template_body(["a" * 24], goal="fame"), "goal"),
    (
        "bad weekday",
        template_body(["a" * 24], schedule={"trainingDays": ["monday"]}),
        "schedule.trainingDays[0]",
    ),
    ("workout not id nor object", template_body([42]), "workouts[0]"),
    ("malformed workout id", template_body(["abc"]), "workouts[0]"),
    (
        "running section in strength workout",
        template_body(
            [
                {
                    "name": "Day",
                    "type": "strength",
                    "sections": [
                        {"type": "tempo", "name": "T", "duration": "20m", "targetPace": "4:45/km"}
                    ],
                }
            ]
        ),
        "workouts[0].sections[0].type",
    ),
    (
        "bad pace",
        template_body(
            [
                {
                    "name": "Run",
                    "type": "running",
                    "sections": [
                        {"type": "tempo", "name": "T", "duration": "20m", "targetPace": "fast"}
                    ],
                }
            ]
        ),
        "workouts[0].sections[0].targetPace",
    ),
    (
        "too many workouts",
        template_body([{"name": "D", "type": "strength", "sections": [strength_section()]}] * 15),
        "workouts",
    ),
]


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in BAD_TEMPLATES], ids=[n for n, _, _ in BAD_TEMPLATES]
)
async def test_bad_template_bodies_name_the_field(
    client: httpx.AsyncClient, trainer: Caller, body: dict[str, Any], field: str
) -> None:
    response = await client.post(TEMPLATES, json=body, headers=trainer.headers)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_duplicate_element_ids_are_rejected(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = strength_section()
    section["exercises"][0]["id"] = "b" * 24
    section["exercises"][1]["id"] = "b" * 24
    response = await client.post(SECTIONS, json=section, headers=trainer.headers)
    assert first_error_field(response) == "exercises[1].id"


async def test_oversized_body_is_413_problem(client: httpx.AsyncClient, trainer: Caller) -> None:
    body = {**strength_section(), "notes": "x" * (1024 * 1024)}
    response = await client.post(SECTIONS, json=body, headers=trainer.headers)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:peakhealth:problem:payload-too-large"
