"""The diff of two versions over HTTP: a trainer's edits named exactly, for templates and the
library alike; one database read; ids of other kinds, unreadable or unknown ones 404."""

import copy
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.actions import create, publish
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, warmup_section
from tests.support.problems import assert_problem
from tests.support.stored import calls_during


def three_days() -> dict[str, Any]:
    return template_body(
        [
            {"name": "A", "type": "strength", "sections": [strength_section("Squat day")]},
            {"name": "B", "type": "strength", "sections": [warmup_section(), strength_section()]},
            {"name": "C", "type": "strength", "sections": [strength_section("Extra")]},
        ],
        schedule={"trainingDays": ["mon", "wed", "fri"]},
    )


async def diff(
    client: httpx.AsyncClient, who: Caller, path: str, id_: str, against: str
) -> httpx.Response:
    return await client.get(f"{path}/{id_}/diff", params={"against": against}, headers=who.headers)


async def test_a_trainers_four_edits_are_the_four_changes(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    """Edit one set's weight, move one exercise to another section, add a section, remove a
    workout, publish v2 from the GET of v1: the diff names exactly those four."""
    v1 = await create(client, trainer, TEMPLATES, three_days())
    edited = copy.deepcopy(v1)
    a_sets = edited["workouts"][0]["sections"][0]["exercises"][0]["sets"]
    a_sets[1]["weight"] = 105
    warmup, main = edited["workouts"][1]["sections"]
    push_up = main["exercises"].pop(1)
    warmup["exercises"].append(push_up)
    edited["workouts"][1]["sections"].append(warmup_section("Cool-down stretch"))
    removed = edited["workouts"].pop(2)
    v2 = await publish(client, trainer, TEMPLATES, v1["id"], edited)
    added = v2["workouts"][1]["sections"][2]
    with calls_during(app.state.client) as calls:
        response = await diff(client, trainer, TEMPLATES, v2["id"], v1["id"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "from": v1["id"],
        "to": v2["id"],
        "changes": [
            {
                "op": "changed",
                "kind": "set",
                "id": a_sets[1]["id"],
                "path": "workouts[0].sections[0].exercises[0].sets[1]",
                "fields": {"weight": {"from": 100, "to": 105}},
            },
            {
                "op": "moved",
                "kind": "exercise",
                "id": push_up["id"],
                "path": "workouts[1].sections[0].exercises[1]",
            },
            {
                "op": "added",
                "kind": "section",
                "id": added["id"],
                "path": "workouts[1].sections[2]",
            },
            {"op": "removed", "kind": "workout", "id": removed["id"], "path": "workouts[2]"},
        ],
    }
    assert calls == {"find": 1}  # both versions in one $in query
    back = await diff(client, trainer, TEMPLATES, v1["id"], v2["id"])
    assert [c["op"] for c in back.json()["changes"]] == ["changed", "moved", "added", "removed"]
    same = await diff(client, trainer, TEMPLATES, v2["id"], v2["id"])
    assert same.json()["changes"] == []


async def test_library_sections_and_workouts_diff_their_own_tree(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    s1 = await create(client, trainer, SECTIONS, strength_section())
    changed = copy.deepcopy(s1)
    changed["name"] = "Heavy day"
    changed["exercises"].reverse()
    s2 = await publish(client, trainer, SECTIONS, s1["id"], changed)
    found = (await diff(client, trainer, SECTIONS, s2["id"], s1["id"])).json()["changes"]
    assert found == [
        {
            "op": "changed",
            "kind": "document",
            "id": s2["id"],
            "path": "",
            "fields": {"name": {"from": "Main lifts", "to": "Heavy day"}},
        },
        {"op": "moved", "kind": "exercise", "id": s2["exercises"][0]["id"], "path": "exercises[0]"},
    ]
    body = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    w1 = await create(client, trainer, WORKOUTS, body)
    w2 = await publish(client, trainer, WORKOUTS, w1["id"], {**w1, "notes": "Go slow"})
    found = (await diff(client, trainer, WORKOUTS, w2["id"], w1["id"])).json()["changes"]
    assert [(c["kind"], c["fields"]) for c in found] == [("document", {"notes": {"to": "Go slow"}})]


async def test_other_kinds_unreadable_and_unknown_versions_are_404(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    mine = await create(client, trainer, TEMPLATES, three_days())
    section = await create(client, trainer, SECTIONS, strength_section())
    theirs = await create(client, other_trainer, TEMPLATES, three_days())  # private
    for path, id_, against in (
        (TEMPLATES, mine["id"], section["id"]),  # a section is no template version
        (SECTIONS, section["id"], mine["id"]),
        (TEMPLATES, mine["id"], theirs["id"]),
        (TEMPLATES, theirs["id"], mine["id"]),
        (TEMPLATES, mine["id"], "f" * 24),
    ):
        response = await diff(client, trainer, path, id_, against)
        assert response.status_code == 404, (path, id_, against)


async def test_a_malformed_or_missing_against_is_422_naming_it(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    mine = await create(client, trainer, TEMPLATES, three_days())
    assert_problem(await diff(client, trainer, TEMPLATES, mine["id"], "nope"), "against")
    missing = await client.get(f"{TEMPLATES}/{mine['id']}/diff", headers=trainer.headers)
    assert_problem(missing, "against")
    assert_problem(await diff(client, trainer, TEMPLATES, "nope", mine["id"]), "id")
