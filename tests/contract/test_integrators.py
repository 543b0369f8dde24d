"""The OpenAPI document as integrators read it: readable operation ids, tags, summaries and
descriptions, a server, an example on every request body and answer (each valid against its own
schema), and a `Location` header on every 201."""

import re
from typing import Any

import httpx
import jsonschema_rs
import pytest

from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.http.examples import EXAMPLES
from peakhealth.http.openapi import TAGS
from tests.support.actions import create
from tests.support.callers import Caller

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z]+$")


def build_document(**settings: Any) -> dict[str, Any]:
    schema: dict[str, Any] = create_app(Settings(_env_file=None, **settings)).openapi()  # type: ignore[call-arg]
    return schema


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_operation_ids_are_short_unique_camel_case(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert CAMEL_CASE.match(operation_id) and len(operation_id) <= 32, operation_id
    assert {"createTemplateVersion", "listLibrarySections", "getWorkoutSession"} <= set(ids)


def test_every_operation_has_one_known_tag_a_summary_and_a_description(
    document: dict[str, Any],
) -> None:
    known = [tag["name"] for tag in TAGS]
    assert [tag["name"] for tag in document["tags"]] == known
    for path, method, operation in operations(document):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in known, (method, path)
        assert operation.get("summary"), (method, path)
        assert len(operation.get("description", "")) > 20, (method, path)


def test_servers_default_to_relative_and_follow_public_url(document: dict[str, Any]) -> None:
    assert document["servers"] == [{"url": "/"}]
    public = build_document(public_url="https://api.example.com/peak/")
    assert public["servers"] == [{"url": "https://api.example.com/peak"}]


def test_public_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        Settings(_env_file=None, public_url="api.example.com")  # type: ignore[call-arg]


def examples_of(document: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(where, schema, example) for every request body and answer with content; the example
    None when there is none."""
    found = []
    for path, method, operation in operations(document):
        bodies = operation.get("requestBody", {}).get("content", {})
        for media_type, content in bodies.items():
            found.append((f"{method} {path} body {media_type}", content["schema"], content))
        for code, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                found.append((f"{method} {path} {code} {media_type}", content["schema"], content))
    out = []
    for where, schema, content in found:
        # Where an answer has several examples (a POST's 409 and 422: the route's own and the
        # idempotency key's), each is checked.
        named = content.get("examples", {})
        out.extend((f"{where} ({name})", schema, item["value"]) for name, item in named.items())
        if not named:
            out.append((where, schema, content.get("example")))
    return out


def test_every_request_body_and_answer_has_an_example_valid_against_its_schema(
    document: dict[str, Any],
) -> None:
    found = examples_of(document)
    assert len(found) > 400
    for where, schema, example in found:
        assert example is not None, where
        validator = jsonschema_rs.Draft202012Validator(
            {**schema, "components": document["components"]}, validate_formats=True
        )
        errors = [
            f"{error.instance_path}: {error.message[:200]}"
            for error in validator.iter_errors(example)
        ]
        assert not errors, (where, errors)


def test_the_example_check_catches_a_wrong_example(document: dict[str, Any]) -> None:
    """The walk above really validates: an example with a bad id is refused."""
    (schema, example) = next(
        (schema, example)
        for where, schema, example in examples_of(document)
        if where == "get /api/library/sections/{id} 200 application/json"
    )
    validator = jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )
    assert validator.is_valid(example)
    assert not validator.is_valid({**example, "id": "not-an-id"})


def test_every_example_belongs_to_an_operation(document: dict[str, Any]) -> None:
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    assert set(EXAMPLES) <= ids


def test_every_201_documents_its_location_header(document: dict[str, Any]) -> None:
    created = [
        (path, operation)
        for path, method, operation in operations(document)
        if "201" in operation["responses"]
    ]
    assert len(created) == 12  # createGroup is the 12th
    for path, operation in created:
        header = operation["responses"]["201"]["headers"]["Location"]
        assert header["required"] is True and header["schema"]["type"] == "string", path


CREATED_BY_EXAMPLE = {
    "createLibrarySection": "/api/library/sections",
    "createLibraryWorkout": "/api/library/workouts",
    "createTemplate": "/api/templates/routines",
    "createRoutine": "/api/routines",
}


@pytest.mark.parametrize("operation_id", sorted(CREATED_BY_EXAMPLE))
async def test_create_examples_are_accepted_and_answered_as_shown(
    client: httpx.AsyncClient, trainer: Caller, operation_id: str
) -> None:
    """The example body of each create is one the service accepts as it is, and the example
    answer has the fields, at every depth, that the real answer to it has."""
    examples = EXAMPLES[operation_id]
    created = await create(client, trainer, CREATED_BY_EXAMPLE[operation_id], examples["request"])
    assert shape(created) == shape(examples["201"])


def shape(value: Any) -> Any:
    """The field names of a JSON value at every depth, its leaves left out."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return None
