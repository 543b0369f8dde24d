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
from peakhealth.storage.metrics import ClientMetric
from tests.support.actions import assign, create, link, publish
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, SESSIONS, TEMPLATES
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


async def record_maximum(who: Caller, exercise_id: str, kg: float, on: str) -> None:
    await ClientMetric(
        userId=who.id,
        kind="oneRepMax",
        exerciseId=exercise_id,
        value=kg,
        measuredOn=on,
        recordedBy=who.id,
    ).insert()


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
    await record_maximum(client_user, SQUAT["exerciseId"], 140, "2026-11-01")
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
    await record_maximum(client_user, SQUAT["exerciseId"], 160, "2026-11-30")
    assert [bson.encode(session) for session in await raw_sessions(made.json()["id"])] == before
