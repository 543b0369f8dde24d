"""Request bodies and callers of the benchmarks: workouts of a warm-up and a main section of
4 strength exercises x 4 sets (so a logged session is 16 sets), templates of such workouts."""

import uuid
from dataclasses import dataclass
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
