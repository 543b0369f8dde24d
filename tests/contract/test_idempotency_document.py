"""The OpenAPI document tells integrators about idempotency keys on every POST: the
`Idempotency-Key` parameter with its bounds, `Idempotency-Replayed` on the answers a replay can
repeat, `Retry-After` on the 409, and the key's problems among the 409 and 422 examples."""

from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from peakhealth.app import create_app
from peakhealth.config import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return schema


def posts(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, ops["post"]) for path, ops in document["paths"].items() if "post" in ops]


def test_every_post_takes_an_idempotency_key(document: dict[str, Any]) -> None:
    found = posts(document)
    served = {
        context.path
        for context in iter_route_contexts(create_app(Settings(_env_file=None)).routes)  # type: ignore[call-arg]
        if "POST" in (context.methods or ())
    }
    assert {path for path, _ in found} == served and len(served) >= 12
    for path, operation in found:
        [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header" and key["required"] is False, path
        assert key["schema"]["maxLength"] == 255 and key["schema"]["pattern"] == "^[!-~]{1,255}$"


def test_only_posts_take_it(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            assert ("Idempotency-Key" in names) == (method == "post"), (method, path)


def test_replayable_answers_say_so_and_the_409_says_when_to_retry(
    document: dict[str, Any],
) -> None:
    for path, operation in posts(document):
        responses = operation["responses"]
        success = next(code for code in responses if code.startswith("2"))
        assert "Idempotency-Replayed" in responses[success]["headers"], path
        assert "Idempotency-Replayed" in responses["422"]["headers"], path
        assert "Idempotency-Replayed" not in responses["503"].get("headers", {}), path
        assert "Retry-After" in responses["409"]["headers"], path


def test_the_key_problems_are_among_the_examples(document: dict[str, Any]) -> None:
    problem_json = "application/problem+json"
    for path, operation in posts(document):
        conflict = operation["responses"]["409"]["content"][problem_json]
        invalid = operation["responses"]["422"]["content"][problem_json]
        assert "example" not in conflict and "example" not in invalid  # exclusive with examples
        assert conflict["examples"]["keyInFlight"]["value"]["type"].endswith(":conflict")
        reused = invalid["examples"]["keyReused"]["value"]
        assert reused["type"] == "urn:peakhealth:problem:idempotency-key-reused"
        assert reused["errors"] == [
            {"field": "Idempotency-Key", "message": reused["errors"][0]["message"]}
        ]
        assert invalid["examples"]["keyInvalid"]["value"]["errors"][0]["field"] == "Idempotency-Key"
        assert "route" in invalid["examples"], path
