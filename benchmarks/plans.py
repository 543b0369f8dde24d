"""Request bodies and callers of the benchmarks: workouts of a warm-up and a main section of
4 strength exercises x 4 sets (so a logged session is 16 sets), templates of such workouts."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from peakhealth.catalog.embedded import load_bundled
from peakhealth.config import DEVELOPMENT_JWT_SECRET
from peakhealth.identity.tokens import mint_token

MAIN_LIFTS = ("Barbell Back Squat", "Barbell Bench Press", "Romanian Deadlift", "Pull-up")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
THREE_DAYS = ["mon", "wed", "fri"]
SIX_DAYS = list(WEEKDAYS[:6])
START = "2026-11-23"  # a Monday: a year of sessions covers the whole of 2027's first months


@dataclass(frozen=True)
class Caller:
    id: str
    role: str
    headers: dict[str, str]


def caller(role: str) -> Caller:
    user_id = str(uuid.uuid4())
    token = mint_token(DEVELOPMENT_JWT_SECRET, sub=user_id, role=role)  # type: ignore[arg-type]
    return Caller(user_id, role, {"Authorization": f"Bearer {token}"})


_VARIANTS: dict[str, dict[str, str]] = {}


def variant(name: str) -> dict[str, str]:
    """exerciseId and exerciseVariantId of a bundled catalog variant."""
    if not _VARIANTS:
        for row in load_bundled()["exercise_variants"]:
            _VARIANTS.setdefault(
                row["name"], {"exerciseId": row["exercise_id"], "exerciseVariantId": row["id"]}
            )
    return _VARIANTS[name]


def warmup_section() -> dict[str, Any]:
    return {
        "type": "warmup",
        "name": "Warm-up",
        "duration": 10,
        "intensity": "light",
        "targetMuscleGroups": ["hips"],
        "exercises": [
            {
                "type": "mobility",
                **variant("World's Greatest Stretch"),
                "sets": [{"repType": "time", "duration": 60}],
            }
        ],
    }


def main_section() -> dict[str, Any]:
    """4 strength exercises x 4 sets."""
    return {
        "type": "basic",
        "name": "Main lifts",
        "exercises": [
            {
                "type": "strength",
                **variant(name),
                "restBetweenSets": "2m",
                "sets": [{"repType": "fixed", "reps": 5, "weight": 100} for _ in range(4)],
            }
            for name in MAIN_LIFTS
        ],
    }


def workout(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "strength",
        "objective": "Strength",
        "sections": [warmup_section(), main_section()],
    }


def template(
    workouts: list[Any], *, weeks: int = 12, days: list[str] | None = None, public: bool = True
) -> dict[str, Any]:
    return {
        "name": "Benchmark block",
        "description": "A block of strength days",
        "difficulty": "intermediate",
        "goal": "strength",
        "duration": weeks,
        "isPublic": public,
        "tags": ["strength", "benchmark"],
        "schedule": {"trainingDays": days or THREE_DAYS},
        "workouts": workouts,
    }


def embedded_template(count: int, **extra: Any) -> dict[str, Any]:
    return template([workout(f"Day {index + 1}") for index in range(count)], **extra)


def with_progression(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with every main lift on a linear rule (+2.5 kg a week, a 10% deload every fourth
    week) and its last set at 75% of the one-rep maximum: every set of it computed."""
    for day in body["workouts"]:
        for exercise in day["sections"][1]["exercises"]:
            exercise["progression"] = {
                "type": "linear",
                "weightStep": 2.5,
                "deload": {"everyWeeks": 4, "percent": 10},
            }
            exercise["sets"][-1] = {"repType": "fixed", "reps": 5, "percentOfOneRepMax": 75}
    return body


def maxima(user_id: str) -> list[dict[str, Any]]:
    """A one-rep maximum of each main lift, as `client_metrics` stores it."""
    return [
        {
            "userId": user_id,
            "kind": "oneRepMax",
            "exerciseId": variant(name)["exerciseId"],
            "value": 140.0,
            "measuredOn": START,
            "recordedBy": user_id,
            "createdAt": datetime(2026, 11, 1, tzinfo=UTC),
        }
        for name in MAIN_LIFTS
    ]


def completion_log(session: dict[str, Any]) -> dict[str, Any]:
    """The log of every set of the main section of a session as the API answers it (16 sets)."""
    main = session["workoutSnapshot"]["sections"][1]
    return {
        "sections": [
            {
                "sectionId": main["id"],
                "exercises": [
                    {
                        "exerciseEntryId": exercise["id"],
                        "sets": [
                            {
                                "setId": planned["id"],
                                "performance": {"reps": 5, "weight": 100 + 2.5 * number, "rpe": 8},
                            }
                            for number, planned in enumerate(exercise["sets"])
                        ],
                    }
                    for exercise in main["exercises"]
                ],
            }
        ]
    }
