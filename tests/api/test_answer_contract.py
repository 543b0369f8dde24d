"""The check every API test's answers go through (tests/conformance.py): it runs on the `client`
fixture, and an answer rendered ahead, kept or spliced that drifts from the OpenAPI document
fails the test that received it."""

import json

import httpx
import pytest

from peakhealth import answers
from peakhealth.http.pagination import PageRequest
from peakhealth.http.problems import PROBLEM_JSON
from peakhealth.http.responses import page_response
from tests import conformance
from tests.conformance import NonConformingAnswer, contract
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, WORKOUTS
from tests.support.plans import strength_section

JSON = "application/json"


async def test_every_answer_of_the_client_fixture_is_checked(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    before = conformance.checked.copy()
    section = await create(client, trainer, SECTIONS, strength_section())
    await client.get(f"{SECTIONS}/{section['id']}", headers=trainer.headers)
    await client.get(f"{SECTIONS}/{'0' * 24}", headers=trainer.headers)
    await client.get("/api/no-such-thing", headers=trainer.headers)
    counted = conformance.checked - before
    assert counted == {
        ("POST /api/library/sections", 201): 1,
        ("GET /api/library/sections/{id}", 200): 1,
        ("GET /api/library/sections/{id}", 404): 1,
        ("-", 404): 1,
    }


async def test_the_answers_no_other_test_receives_are_checked_too(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    """Every documented success answer is received by some API test; these four only here."""
    section = await create(client, trainer, SECTIONS, strength_section())
    body = {"name": "Day A", "type": "strength", "sections": [section["id"]]}
    workout = await create(client, trainer, WORKOUTS, body)
    before = conformance.checked.copy()
    calls = [
        ("GET", "/health", {}),
        ("GET", "/ready", {}),
        ("PUT", f"{WORKOUTS}/{workout['id']}/archive", trainer.headers),
        ("PUT", f"{WORKOUTS}/{workout['id']}/unarchive", trainer.headers),
        ("DELETE", f"{WORKOUTS}?status=archived&olderThan=1d", trainer.headers),
    ]
    for method, path, headers in calls:
        assert (await client.request(method, path, headers=headers)).status_code == 200
    assert set(conformance.checked - before) == {
        ("GET /health", 200),
        ("GET /ready", 200),
        ("PUT /api/library/workouts/{id}/archive", 200),
        ("PUT /api/library/workouts/{id}/unarchive", 200),
        ("DELETE /api/library/workouts", 200),
    }


async def test_a_kept_answer_that_drifts_fails_the_test_that_reads_it(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    read = f"{SECTIONS}/{section['id']}"
    assert (await client.get(read, headers=trainer.headers)).status_code == 200
    kept = answers.KEPT
    drifted = 0
    for key, answer in list(kept.items()):
        if section["id"].encode() in answer:
            kept[key] = answer.replace(b'"isLatest":true', b'"isLatest":"yes"')
            drifted += 1
    assert drifted
    with pytest.raises(NonConformingAnswer, match=r"sections/\{id\} 200"):
        await client.get(read, headers=trainer.headers)


def test_a_spliced_page_of_drifting_items_is_caught() -> None:
    page = page_response([b'{"id":"not a session"}'], 1, PageRequest(page=1, limit=20))
    with pytest.raises(NonConformingAnswer, match="/data/0"):
        contract().check("GET", "/api/workout-sessions", 200, JSON, bytes(page.body))


def test_a_field_the_document_does_not_name_is_caught() -> None:
    page = page_response([], 0, PageRequest(page=1, limit=20))
    assert json.loads(page.body)["data"] == []
    contract().check("GET", "/api/workout-sessions", 200, JSON, bytes(page.body))
    extra = bytes(page.body)[:-1] + b',"next":null}'
    with pytest.raises(NonConformingAnswer, match="next"):
        contract().check("GET", "/api/workout-sessions", 200, JSON, extra)


def _problem(status: int, **changes: object) -> bytes:
    body = {
        "type": "urn:peakhealth:problem:not-found",
        "title": "Not found",
        "status": status,
        "detail": "no section version with id x",
        "instance": "/api/library/sections/x",
        **changes,
    }
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


def test_problems_are_checked_as_documented() -> None:
    check = contract().check
    check("GET", "/api/library/sections/x", 404, PROBLEM_JSON, _problem(404))
    with pytest.raises(NonConformingAnswer, match="instance"):
        check("GET", "/api/library/sections/x", 404, PROBLEM_JSON, _problem(404, instance=None))
    with pytest.raises(NonConformingAnswer, match="/status"):
        check("GET", "/api/library/sections/x", 404, PROBLEM_JSON, _problem(409))
    with pytest.raises(NonConformingAnswer, match="answered 404 as application/json"):
        check("GET", "/api/library/sections/x", 404, JSON, _problem(404))
    with pytest.raises(NonConformingAnswer, match="answered 418"):
        check("GET", "/api/library/sections/x", 418, PROBLEM_JSON, _problem(418))
    with pytest.raises(NonConformingAnswer, match="errors"):  # outside any operation too
        check("GET", "/api/nothing", 404, PROBLEM_JSON, _problem(404, errors="none"))
