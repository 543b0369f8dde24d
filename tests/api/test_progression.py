"""Progression over HTTP (DOMAIN.md section 13): plans carry loads from a maximum and rules,
scheduling writes each session's numbers into its snapshot, and nothing recomputes them later."""

from typing import Any

import bson
import httpx
import pytest
from beanie import PydanticObjectId

from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import RoutineAssignment
from tests.support.actions import assign, create, link, publish
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, MONDAY, SECTIONS, SESSIONS, TEMPLATES
from tests.support.plans import template_body, variant
from tests.support.problems import assert_problem, first_error_field
from tests.support.stored import raw_sessions

SQUAT = variant("Barbell Back Squat")
BENCH = variant("Barbell Bench Press")


def linear_squat(**rule: Any) -> dict[str, Any]:
    """Squats: a warm-up, three working sets of five at 100 kg and a back-off set at 60% of the
    maximum, +2.5 kg a week with a 10% deload every fourth week."""
    return {
        "type": "strength",
        **SQUAT,
        "progression": {
            "type": "linear",
            "weightStep": 2.5,
            "deload": {"everyWeeks": 4, "percent": 10},
            **rule,
        },
        "sets": [
            {"setType": "warmup", "repType": "fixed", "reps": 8, "weight": 60},
            *({"repType": "fixed", "reps": 5, "weight": 100} for _ in range(3)),
            {"repType": "fixed", "reps": 8, "percentOfOneRepMax": 60},
        ],
    }


def routine_of(exercise: dict[str, Any], **extra: Any) -> dict[str, Any]:
    section = {"type": "basic", "name": "Main", "exercises": [exercise]}
    day = {"name": "Legs", "type": "strength", "sections": [section]}
    return template_body([day], **extra)


async def record_maximum(
    client: httpx.AsyncClient, who: Caller, exercise_id: str, kg: float, on: str
) -> None:
    """`who` records their one-rep maximum of the exercise, measured `on`."""
    body = {"kind": "oneRepMax", "exerciseId": exercise_id, "value": kg, "measuredOn": on}
    recorded = await client.post("/api/users/me/metrics", json=body, headers=who.headers)
    assert recorded.status_code == 201, recorded.text


def exercise_sets(session: dict[str, Any]) -> list[dict[str, Any]]:
    sets: list[dict[str, Any]] = session["workoutSnapshot"]["sections"][0]["exercises"][0]["sets"]
    return sets


# Week: the working sets' load (100 + 2.5 x (w - 1), x 0.9 in weeks 4, 8, 12, to 2.5 kg).
LINEAR_WEEKS = {
    1: 100,
    2: 102.5,
    3: 105,
    4: 97.5,  # 107.5 x 0.9 = 96.75
    5: 110,
    6: 112.5,
    7: 115,
    8: 105,  # 117.5 x 0.9 = 105.75
    9: 120,
    10: 122.5,
    11: 125,
    12: 115,  # 127.5 x 0.9 = 114.75
}


# The back-off set: 60% of 140 = 84, then stepped and deloaded like the others, to 2.5 kg.
BACK_OFF_WEEKS = {1: 85, 2: 87.5, 3: 90, 4: 82.5}  # 86.5, 89, 91.5 x 0.9 = 82.35


async def test_twelve_week_linear_squat_is_written_into_every_session_and_stays(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine = await create(
        client,
        trainer,
        TEMPLATES,
        routine_of(linear_squat(), duration=12, schedule={"trainingDays": ["mon", "wed", "fri"]}),
    )
    await link(client, admin, trainer, client_user)
    await record_maximum(client, client_user, SQUAT["exerciseId"], 140, "2026-11-01")
    made = await assign(client, trainer, routine["id"], client_user)
    assert made.status_code == 201, made.text
    assert made.json()["roundTo"] == 2.5
    sessions = await raw_sessions(made.json()["id"])
    assert len(sessions) == 36
    for session in sessions:
        week = session["weekIndex"]
        warmup, *working, back_off = exercise_sets(session)
        assert warmup["weight"] == 60 and "prescribedBy" not in warmup
        assert [item["weight"] for item in working] == [LINEAR_WEEKS[week]] * 3, week
        assert working[0]["prescribedBy"] == {"rule": "linear", "week": week}
        if week in BACK_OFF_WEEKS:
            assert back_off["weight"] == BACK_OFF_WEEKS[week]
        assert back_off["prescribedBy"] == {"rule": "linear", "week": week, "maximum": 140}
    answer = await client.get(f"{SESSIONS}/{sessions[9]['_id']}", headers=client_user.headers)
    assert answer.status_code == 200
    shown = answer.json()["workoutSnapshot"]["sections"][0]["exercises"][0]
    assert shown["sets"][1]["prescribedBy"] == {"rule": "linear", "week": 4}
    assert shown["sets"][4]["percentOfOneRepMax"] == 60
    assert shown["progression"]["weightStep"] == 2.5

    before = [bson.encode(session) for session in sessions]
    edited = routine_of(linear_squat(weightStep=5), duration=12)
    await publish(client, trainer, TEMPLATES, routine["id"], edited)
    await record_maximum(client, client_user, SQUAT["exerciseId"], 160, "2026-11-30")
    assert [bson.encode(session) for session in await raw_sessions(made.json()["id"])] == before


FIVE_THREE_ONE = {
    "type": "wave",
    "trainingMaxPercent": 90,
    "cycleIncrement": 5,
    "weeks": [
        [{"percentOfOneRepMax": p, "reps": 5} for p in (65, 75, 85)],
        [{"percentOfOneRepMax": p, "reps": 3} for p in (70, 80, 90)],
        [
            {"percentOfOneRepMax": 75, "reps": 5},
            {"percentOfOneRepMax": 85, "reps": 3},
            {"percentOfOneRepMax": 95, "reps": 1},
        ],
        [{"percentOfOneRepMax": p, "reps": 5} for p in (40, 50, 60)],
    ],
}
# 1RM 140: training max 126 (cycle 1) and 131 (cycle 2, +5 kg); each load to 2.5 kg.
FIVE_THREE_ONE_WEEKS = [
    ([82.5, 95, 107.5], [5, 5, 5]),  # 81.9, 94.5, 107.1
    ([87.5, 100, 112.5], [3, 3, 3]),  # 88.2, 100.8, 113.4
    ([95, 107.5, 120], [5, 3, 1]),  # 94.5, 107.1, 119.7
    ([50, 62.5, 75], [5, 5, 5]),  # 50.4, 63, 75.6
    ([85, 97.5, 112.5], [5, 5, 5]),  # 85.15, 98.25, 111.35
    ([92.5, 105, 117.5], [3, 3, 3]),  # 91.7, 104.8, 117.9
    ([97.5, 112.5, 125], [5, 3, 1]),  # 98.25, 111.35, 124.45
    ([52.5, 65, 77.5], [5, 5, 5]),  # 52.4, 65.5, 78.6
]


async def test_five_three_one_wave_over_two_cycles_set_by_set(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    bench = {
        "type": "strength",
        **BENCH,
        "progression": FIVE_THREE_ONE,
        "sets": [{"repType": "range", "repsMin": 3, "repsMax": 5} for _ in range(3)],
    }
    routine = await create(
        client,
        trainer,
        TEMPLATES,
        routine_of(bench, duration=8, schedule={"trainingDays": ["tue"]}),
    )
    await link(client, admin, trainer, client_user)
    await record_maximum(client, client_user, BENCH["exerciseId"], 130, "2026-10-01")
    # The later one is the current one.
    await record_maximum(client, client_user, BENCH["exerciseId"], 140, "2026-11-02")
    made = await assign(client, trainer, routine["id"], client_user)
    assert made.status_code == 201, made.text
    sessions = await raw_sessions(made.json()["id"])
    assert [session["weekIndex"] for session in sessions] == list(range(1, 9))
    for session, (weights, reps) in zip(sessions, FIVE_THREE_ONE_WEEKS, strict=True):
        sets = exercise_sets(session)
        assert [item["weight"] for item in sets] == weights, session["weekIndex"]
        assert [item["reps"] for item in sets] == reps
        assert all(item["repType"] == "fixed" and "repsMin" not in item for item in sets)
        maximum = 126 if session["weekIndex"] <= 4 else 131
        assert sets[0]["prescribedBy"] == {
            "rule": "wave",
            "week": session["weekIndex"],
            "maximum": maximum,
        }


async def test_missing_maxima_are_422_naming_each_exercise_and_nothing_is_written(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    bench = {
        "type": "strength",
        **BENCH,
        "progression": {**FIVE_THREE_ONE, "weeks": [[{"percentOfOneRepMax": 70}]]},
        "sets": [{"repType": "fixed", "reps": 5}],
    }
    body = routine_of(linear_squat())
    body["workouts"][0]["sections"][0]["exercises"].append(bench)
    routine = await create(client, trainer, TEMPLATES, body)
    await link(client, admin, trainer, client_user)
    await record_maximum(client, trainer, SQUAT["exerciseId"], 140, "2026-11-01")  # someone else's
    made = await assign(client, trainer, routine["id"], client_user)
    assert_problem(made, "routineVersionId")
    messages = " ".join(error["message"] for error in made.json()["errors"])
    assert SQUAT["exerciseId"] in messages and BENCH["exerciseId"] in messages
    assert await RoutineAssignment.get_motor_collection().count_documents({}) == 0
    assert await WorkoutSession.get_motor_collection().count_documents({}) == 0


@pytest.mark.parametrize(
    ("round_to", "loads"),
    [
        (5, [100, 105, 105, 95]),  # 102.5 and 107.5 x 0.9 = 96.75: halves up, nearest 5
        # 5 lb, as the unit layer sends it: whole pounds, 220, 225, 230 and 215 lb.
        (2.268, [99.79, 102.058, 104.326, 97.522]),
        (0.5, [100, 102.5, 105, 97]),
    ],
)
async def test_loads_are_rounded_to_the_assignments_round_to(
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    client_user: Caller,
    round_to: float,
    loads: list[float],
) -> None:
    squat = linear_squat()
    squat["sets"] = squat["sets"][1:2]
    routine = await create(
        client,
        trainer,
        TEMPLATES,
        routine_of(squat, duration=4, schedule={"trainingDays": ["mon"]}),
    )
    await link(client, admin, trainer, client_user)
    made = await assign(client, trainer, routine["id"], client_user, roundTo=round_to)
    assert made.status_code == 201, made.text
    assert made.json()["roundTo"] == round_to
    sessions = await raw_sessions(made.json()["id"])
    assert [exercise_sets(session)[0]["weight"] for session in sessions] == loads


async def test_round_to_other_than_the_steps_is_422(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, routine_of(linear_squat(), duration=1))
    await link(client, admin, trainer, client_user)
    for bad in (3, 0, -2.5, "2.5", True):
        assert_problem(
            await assign(client, trainer, routine["id"], client_user, roundTo=bad), "roundTo"
        )
    assert await RoutineAssignment.get_motor_collection().count_documents({}) == 0


def with_exercise(**changes: Any) -> dict[str, Any]:
    exercise = {**linear_squat(), **changes}
    return routine_of(exercise)


PATH = "workouts[0].sections[0].exercises[0]"
MOBILITY = {
    "type": "mobility",
    **variant("World's Greatest Stretch"),
    "sets": [{"repType": "time", "duration": 60}],
}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            with_exercise(sets=[{"repType": "fixed", "reps": 5, "percentOfOneRepMax": 121}]),
            f"{PATH}.sets[0].percentOfOneRepMax",
        ),
        (
            with_exercise(sets=[{"repType": "fixed", "reps": 5, "percentOfOneRepMax": 0.5}]),
            f"{PATH}.sets[0].percentOfOneRepMax",
        ),
        (
            routine_of({**MOBILITY, "progression": {"type": "linear", "repsStep": 1}}),
            f"{PATH}.progression",
        ),
        (
            with_exercise(progression={"type": "linear", "weightStep": 0}),
            f"{PATH}.progression.weightStep",
        ),
        (
            with_exercise(
                progression={
                    "type": "linear",
                    "weightStep": 2.5,
                    "deload": {"everyWeeks": 4, "percent": 80},
                }
            ),
            f"{PATH}.progression.deload.percent",
        ),
        (
            with_exercise(
                progression={
                    **FIVE_THREE_ONE,
                    "weeks": [[{"percentOfOneRepMax": 65}] * 5, [{"percentOfOneRepMax": 65}] * 4],
                }
            ),
            f"{PATH}.progression.weeks[1]",
        ),
        (
            with_exercise(progression={"type": "double", "weightStep": 2.5}),
            f"{PATH}.sets[1].repType",
        ),
        (
            routine_of(
                {
                    "type": "bodyweight",
                    **variant("Push-up"),
                    "progression": {"type": "linear", "weightStep": 2.5},
                    "sets": [{"repType": "fixed", "reps": 10}],
                }
            ),
            f"{PATH}.progression.weightStep",
        ),
        (
            with_exercise(progression={"type": "linear", "repsStep": "1"}),
            f"{PATH}.progression.repsStep",
        ),
    ],
)
async def test_bad_progressions_name_the_field_and_write_nothing(
    client: httpx.AsyncClient, trainer: Caller, body: dict[str, Any], field: str
) -> None:
    response = await client.post(TEMPLATES, json=body, headers=trainer.headers)
    assert first_error_field(response) == field
    assert await TemplateRoutineDocument.get_motor_collection().count_documents({}) == 0


async def test_rules_travel_through_library_sections_template_snapshots_and_copies(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    squat = linear_squat()
    squat["progression"] = {**squat["progression"], "everyWeeks": 2}
    section = await create(
        client, trainer, SECTIONS, {"type": "basic", "name": "Squats", "exercises": [squat]}
    )
    day = {"name": "Legs", "type": "strength", "sections": [section["id"]]}
    routine = await create(client, trainer, TEMPLATES, template_body([day]))
    copied = await client.post(f"{TEMPLATES}/{routine['id']}/copy", headers=trainer.headers)
    assert copied.status_code == 201, copied.text
    for exercise in (
        section["exercises"][0],
        routine["workouts"][0]["sections"][0]["exercises"][0],
        copied.json()["workouts"][0]["sections"][0]["exercises"][0],
    ):
        assert exercise["progression"] == {**squat["progression"]}
        assert exercise["sets"][4]["percentOfOneRepMax"] == 60
    stored = await TemplateRoutineDocument.get_motor_collection().find_one(
        {"_id": PydanticObjectId(routine["id"])}
    )
    assert stored is not None
    assert stored["workouts"][0]["sections"][0]["exercises"][0]["progression"]["everyWeeks"] == 2


async def test_upgrade_computes_the_new_versions_loads_with_the_new_maximum_and_round_to(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    """Applying a new maximum is a replacement: the upgrade's sessions take the maximum current
    then, rounded as the assignment it replaces was."""
    squat = linear_squat()
    squat["sets"] = squat["sets"][-1:]  # 60% of the maximum
    routine = await create(
        client,
        trainer,
        TEMPLATES,
        routine_of(squat, duration=2, schedule={"trainingDays": ["mon"]}),
    )
    await link(client, admin, trainer, client_user)
    await record_maximum(client, client_user, SQUAT["exerciseId"], 140, "2026-11-01")
    first = await assign(client, trainer, routine["id"], client_user, roundTo=5)
    assert first.status_code == 201, first.text
    await publish(client, trainer, TEMPLATES, routine["id"], routine_of(squat, duration=2))
    await record_maximum(client, client_user, SQUAT["exerciseId"], 150, "2026-11-20")
    upgraded = await client.post(
        f"{ASSIGNMENTS}/{first.json()['id']}/upgrade",
        json={"fromDate": "2026-11-30"},
        headers=trainer.headers,
    )
    assert upgraded.status_code == 201, upgraded.text
    assert upgraded.json()["roundTo"] == 5
    sessions = await raw_sessions(upgraded.json()["id"])
    # 60% of 150 = 90, + 2.5 kg in week 2 = 92.5: to 5 kg, halves up
    assert [exercise_sets(session)[0]["weight"] for session in sessions] == [90, 95]
    assert exercise_sets(sessions[0])[0]["prescribedBy"]["maximum"] == 150


async def test_a_group_gets_each_members_own_loads_and_a_member_without_a_maximum_stops_it(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    """80% of each member's own maximum, rounded to 2.5 kg; one request, and nothing written
    while a member has no maximum to take it of."""
    members = [make_caller("client") for _ in range(3)]
    group = await create(client, trainer, "/api/groups", {"name": "6 am class"})
    for member in members:
        await link(client, admin, trainer, member)
        added = await client.put(
            f"/api/groups/{group['id']}/members/{member.id}", headers=trainer.headers
        )
        assert added.status_code == 204, added.text
    squat = {
        "type": "strength",
        **SQUAT,
        "sets": [{"repType": "fixed", "reps": 5, "percentOfOneRepMax": 80}],
    }
    routine = await create(client, trainer, TEMPLATES, routine_of(squat, duration=2))
    await record_maximum(client, members[0], SQUAT["exerciseId"], 140, "2026-11-01")
    await record_maximum(client, members[1], SQUAT["exerciseId"], 101, "2026-11-01")
    body = {"routineVersionId": routine["id"], "groupId": group["id"], "startDate": MONDAY}
    refused = await client.post(ASSIGNMENTS, json=body, headers=trainer.headers)
    assert refused.status_code == 422
    assert SQUAT["exerciseId"] in refused.text and members[2].id in refused.text
    assert await RoutineAssignment.get_motor_collection().count_documents({}) == 0

    await record_maximum(client, members[2], SQUAT["exerciseId"], 60, "2026-11-01")
    made = await client.post(ASSIGNMENTS, json=body, headers=trainer.headers)
    assert made.status_code == 201, made.text
    loads = {}
    for assignment in made.json()["assignments"]:
        sessions = await raw_sessions(assignment["id"])
        loads[assignment["userId"]] = {exercise_sets(one)[0]["weight"] for one in sessions}
    # 140 x 0.8 = 112 -> 112.5; 101 x 0.8 = 80.8 -> 80; 60 x 0.8 = 48 -> 47.5.
    assert loads == {members[0].id: {112.5}, members[1].id: {80.0}, members[2].id: {47.5}}
