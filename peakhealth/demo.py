"""`peakhealth serve --demo`: a demo trainer's small library and template routine (a linear
squat progression and a bench press at a percentage of the maximum), the demo client's bench
press maximum and assignment of it with this week's sessions (one completed and logged, which
sets the client's first squat records), and tokens."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from peakhealth.assignments import service as assignments
from peakhealth.catalog.embedded import EmbeddedCatalog, load_bundled
from peakhealth.identity.directory import EmbeddedDirectory
from peakhealth.identity.tokens import mint_token
from peakhealth.identity.users import CurrentUser
from peakhealth.library import service as library
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.metrics import service as coaching
from peakhealth.metrics.models import MetricCreate
from peakhealth.plan.drafts import LibraryWorkoutDraft, SectionDraft, TemplateDraft
from peakhealth.routines import service as routines
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.sessions import service as sessions
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.sessions.models import SessionUpdate
from peakhealth.versioning.chains import create_chain

TRAINER = CurrentUser(id="6c0b1d2e-0000-4000-8000-00000000d001", role="trainer")
CLIENT = CurrentUser(id="6c0b1d2e-0000-4000-8000-00000000d002", role="client")
ADMIN = CurrentUser(id="6c0b1d2e-0000-4000-8000-00000000d003", role="admin")


def _variant(name: str) -> dict[str, str]:
    for row in load_bundled()["exercise_variants"]:
        if row["name"] == name:
            return {"exerciseId": row["exercise_id"], "exerciseVariantId": row["id"]}
    raise LookupError(name)


def _sets(count: int, **fields: Any) -> list[dict[str, Any]]:
    return [{"repType": "fixed", **fields} for _ in range(count)]


async def load_demo() -> dict[str, str]:
    """Store the demo library and template; returns the ids it made."""
    catalog = EmbeddedCatalog()
    sections = TypeAdapter(SectionDraft)
    warmup = sections.validate_python(
        {
            "name": "General warm-up",
            "type": "warmup",
            "duration": 10,
            "intensity": "light",
            "targetMuscleGroups": ["hips", "legs"],
            "isPublic": True,
            "tags": ["warmup"],
            "exercises": [
                {
                    "type": "mobility",
                    **_variant("World's Greatest Stretch"),
                    "unilateralMode": "alternating",
                    "sets": _sets(2, reps=5),
                },
                {"type": "bodyweight", **_variant("Push-up"), "sets": _sets(2, reps=10)},
            ],
        }
    )
    strength = sections.validate_python(
        {
            "name": "Squat and press",
            "type": "basic",
            "isPublic": True,
            "tags": ["strength"],
            "exercises": [
                {
                    "type": "strength",
                    **_variant("Barbell Back Squat"),
                    "restBetweenSets": "3m",
                    "progressionMethod": "linear",
                    # +2.5 kg a week, every 4th week a deload to 90%: written into each session
                    # when it is scheduled.
                    "progression": {
                        "type": "linear",
                        "weightStep": 2.5,
                        "deload": {"everyWeeks": 4, "percent": 10},
                    },
                    "sets": _sets(5, reps=5, weight=80, rpe=8),
                },
                {
                    "type": "strength",
                    **_variant("Barbell Bench Press"),
                    "restBetweenSets": "2:30",
                    # 75% of the client's current maximum, worked out when scheduled.
                    "sets": _sets(5, reps=5, percentOfOneRepMax=75),
                },
            ],
        }
    )
    stored_sections = []
    for draft in (warmup, strength):
        content = await library.build_section(draft, TRAINER, catalog)
        stored_sections.append(
            await create_chain(
                SectionDocument, content, user=TRAINER, is_public=True, tags=draft.tags
            )
        )
    workout_draft = LibraryWorkoutDraft.model_validate(
        {
            "name": "Full body A",
            "type": "strength",
            "objective": "Build a strength base",
            "isPublic": True,
            "sections": [str(doc["_id"]) for doc in stored_sections],
        }
    )
    workout = await create_chain(
        WorkoutDocument,
        await library.build_workout(workout_draft, TRAINER, catalog),
        user=TRAINER,
        is_public=True,
        tags=["full-body"],
    )
    template_draft = TemplateDraft.model_validate(
        {
            "name": "Beginner strength, 8 weeks",
            "description": "Three full-body sessions a week.",
            "difficulty": "beginner",
            "goal": "strength",
            "duration": 8,
            "objectives": ["Learn the main lifts"],
            "isPublic": True,
            "allowCopy": True,
            "tags": ["beginner", "strength"],
            "workouts": [str(workout["_id"]), str(workout["_id"])],
        }
    )
    template = await create_chain(
        TemplateRoutineDocument,
        await routines.build_template(template_draft, TRAINER, catalog),
        user=TRAINER,
        is_public=True,
        tags=template_draft.tags,
    )
    assignment, week = await _assign_and_train(str(template["_id"]), catalog)
    return {
        "section": str(stored_sections[0]["_id"]),
        "workout": str(workout["_id"]),
        "template": str(template["_id"]),
        "assignment": assignment,
        "week": week,
    }


async def _assign_and_train(template_id: str, catalog: EmbeddedCatalog) -> tuple[str, str]:
    """The demo client, linked to the demo trainer, gets the template from this week's Monday;
    the first session is completed with a log. Returns the assignment id and this week's
    Monday."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    await EmbeddedDirectory().link(TRAINER.id, CLIENT.id)
    bench = MetricCreate.model_validate(
        {
            "kind": "oneRepMax",
            "exerciseId": _variant("Barbell Bench Press")["exerciseId"],
            "value": 80,
            "measuredOn": (monday - timedelta(days=3)).isoformat(),
        }
    )
    await coaching.record(TRAINER, CLIENT.id, bench, catalog, EmbeddedDirectory(), today)
    assignment = await assignments.create(
        routine_version_id=template_id,
        client_id=CLIENT.id,
        start=monday,
        training_days=["mon", "wed", "fri"],
        scheduled_time="07:30",
        notes="Film your squats on day one.",
        user=TRAINER,
        directory=EmbeddedDirectory(),
    )
    first = await WorkoutSession.find_one({"routineAssignmentId": assignment.id, "sequence": 1})
    assert first is not None
    section = first.workoutSnapshot["sections"][1]
    squat = section["exercises"][0]
    log = {
        "sections": [
            {
                "sectionId": str(section["_id"]),
                "exercises": [
                    {
                        "exerciseEntryId": str(squat["_id"]),
                        "sets": [
                            {"setId": str(planned["_id"]), "performance": {"reps": 5, "weight": 80}}
                            for planned in squat["sets"]
                        ],
                    }
                ],
            }
        ]
    }
    change = SessionUpdate.model_validate(
        {"status": "completed", "performanceLog": log, "durationMinutes": 52}
    )
    await sessions.update(str(first.id), change, CLIENT, catalog)
    return str(assignment.id), monday.isoformat()


def demo_tokens(secret: str, issuer: str | None = None) -> dict[str, str]:
    """Tokens of the demo users; with `issuer` when the service checks it (SUPABASE_URL set)."""
    return {
        user.role: mint_token(
            secret, sub=user.id, role=user.role, email=f"{user.role}@demo.test", issuer=issuer
        )
        for user in (TRAINER, CLIENT, ADMIN)
    }


def instructions(ids: dict[str, str], tokens: dict[str, str], base: str) -> str:
    """What `serve --demo` prints: `export` lines with the demo tokens, then curl calls that use
    them, ready to paste into a shell."""
    sunday = (date.fromisoformat(ids["week"]) + timedelta(days=6)).isoformat()
    exports = "\n".join(
        f"  export {role.upper()}_TOKEN='{token}'" for role, token in tokens.items()
    )
    return (
        f"\nIn a shell:\n{exports}\n\nTry:\n"
        f'  curl -H "Authorization: Bearer $TRAINER_TOKEN" {base}/api/templates/routines/'
        f"{ids['template']}\n"
        f'  curl -H "Authorization: Bearer $TRAINER_TOKEN" "{base}/api/library/sections?limit=5"\n'
        f'  curl -H "Authorization: Bearer $CLIENT_TOKEN" '
        f'"{base}/api/workout-sessions?from={ids["week"]}&to={sunday}"\n'
        f'  curl -H "Authorization: Bearer $CLIENT_TOKEN" '
        f'"{base}/api/users/me/metrics?current=true"\n'
        f'  curl -H "Authorization: Bearer $CLIENT_TOKEN" '
        f'"{base}/api/users/me/records?units=imperial"\n'
    )
