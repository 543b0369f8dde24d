"""Request bodies of plans: library sections and workouts, template and user routines, built on
exercises of the bundled catalog."""

from typing import Any

from peakhealth.catalog.embedded import load_bundled


def variant(name: str) -> dict[str, str]:
    """exerciseId and exerciseVariantId of a bundled catalog variant."""
    for row in load_bundled()["exercise_variants"]:
        if row["name"] == name:
            return {"exerciseId": row["exercise_id"], "exerciseVariantId": row["id"]}
    raise LookupError(name)


def strength_section(name: str = "Main lifts", **extra: Any) -> dict[str, Any]:
    """Three sets of five squats, then push-ups."""
    return {
        "type": "basic",
        "name": name,
        "exercises": [
            {
                "type": "strength",
                **variant("Barbell Back Squat"),
                "restBetweenSets": "3m",
                "sets": [{"repType": "fixed", "reps": 5, "weight": 100} for _ in range(3)],
            },
            {
                "type": "bodyweight",
                **variant("Push-up"),
                "sets": [{"repType": "range", "repsMin": 8, "repsMax": 12}],
            },
        ],
        **extra,
    }


def warmup_section(name: str = "Warm-up") -> dict[str, Any]:
    return {
        "type": "warmup",
        "name": name,
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


def strength_day(name: str = "Day A", **extra: Any) -> dict[str, Any]:
    """A workout of one strength section."""
    return {"name": name, "type": "strength", "sections": [strength_section()], **extra}


def template_body(workouts: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Strength block",
        "difficulty": "intermediate",
        "goal": "strength",
        "duration": 6,
        "workouts": workouts,
        **extra,
    }


def two_workouts(**extra: Any) -> dict[str, Any]:
    """Workouts A and B alternating on mon, wed and fri for twelve weeks: 36 sessions."""
    return template_body(
        [
            {"name": "A", "type": "strength", "sections": [strength_section("Squat day")]},
            {"name": "B", "type": "strength", "sections": [warmup_section(), strength_section()]},
        ],
        duration=12,
        schedule={"trainingDays": ["mon", "wed", "fri"]},
        **extra,
    )


def short_routine(**extra: Any) -> dict[str, Any]:
    """One workout, one week, on two days: two sessions."""
    body = template_body(
        [{"name": "Only", "type": "strength", "sections": [strength_section()]}],
        duration=1,
        schedule={"trainingDays": ["mon", "thu"]},
    )
    return {**body, **extra}


def user_routine_body(workouts: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A user-created routine (POST /api/routines)."""
    return {
        "name": "My plan",
        "description": "Three lifts",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "workouts": workouts or [strength_day()],
        **extra,
    }
