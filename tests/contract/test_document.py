"""The OpenAPI document itself: typed answers, documented problems, ids with their patterns."""

import json
from typing import Any

import pytest

from peakhealth.app import create_app
from peakhealth.config import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return schema


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_api_answer_is_typed(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if not path.startswith("/api"):
            continue
        for code, response in operation["responses"].items():
            if code.startswith("2") and code != "204":
                schema = response["content"]["application/json"]["schema"]
                assert (
                    schema != {} and schema.get("type") != "object"
                ) or "properties" in schema, (
                    path,
                    method,
                    code,
                )


def test_problems_are_documented_as_problem_json(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        problems = {code for code in responses if int(code) >= 400}
        if path == "/health":
            assert problems == set()
            continue
        if path == "/ready":
            assert problems == {"503"}
            continue
        if path == "/calendar/{secret}.ics":  # no token, and any secret is a 404 at worst
            assert problems == {"404", "429", "503"}
            continue
        assert {"401", "404", "422", "429", "503"} <= problems, (path, method)
        if method != "get":
            assert {"400", "413", "415"} <= problems, (path, method)
        for code in problems:
            content = responses[code]["content"]
            assert list(content) == ["application/problem+json"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }


def test_ids_and_durations_carry_patterns_and_no_schema_names_underscore_id(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    assert '"_id"' not in json.dumps(schemas)
    version = schemas["BasicSectionVersion"]["properties"]
    assert version["id"]["pattern"] == "^[0-9a-f]{24}$"
    assert version["parentSectionId"]["pattern"] == "^[0-9a-f]{24}$"
    exercise = schemas["StrengthExerciseRead"]["properties"]
    assert "pattern" in exercise["exerciseId"]
    assert "pattern" in json.dumps(exercise["restBetweenSets"])
