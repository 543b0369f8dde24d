"""Bounds on every input, sent to the real routes: calendar days outside 1900-01-01..2999-12-31,
integers that BSON cannot hold (or above their domain maximum), and control characters in text
are each a 422 problem naming the field, and nothing in the database changes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from bson import ObjectId

from peakhealth.sessions.documents import WorkoutSession
from tests.support.actions import create, link
from tests.support.callers import Caller
from tests.support.paths import ASSIGNMENTS, SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, two_workouts, warmup_section
from tests.support.problems import assert_problem

ROUTINES = "/api/routines"
SESSIONS = "/api/workout-sessions"
MONDAY = "2026-11-23"
SOURCE = {"kind": "section", "id": "a" * 24, "parentId": "b" * 24, "version": 1}
BEYOND_INT64 = 2**63
HUGE = 10**30


@dataclass
class World:
    """A trainer's template assigned to their client (one session started), the client's own
    routine, and a library section: something behind every route a case sends to."""

    trainer: Caller
    client: Caller
    template: dict[str, Any]
    assignment: dict[str, Any]
    started: dict[str, Any]  # a session in progress, as stored
    scheduled: str  # a session still scheduled
    routine: dict[str, Any]  # the client's user routine
    section: dict[str, Any]


async def everything() -> dict[str, list[dict[str, Any]]]:
    """Every document of every collection, as stored: equal before and after means untouched."""
    database = WorkoutSession.get_motor_collection().database
    return {
        name: await database[name].find().sort("_id").to_list(None)
        for name in sorted(await database.list_collection_names())
    }


@pytest.fixture
async def world(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> World:
    template = await create(client, trainer, TEMPLATES, two_workouts())
    await link(client, admin, trainer, client_user)
    body = {"routineVersionId": template["id"], "userId": client_user.id, "startDate": MONDAY}
    assignment = await create(client, trainer, ASSIGNMENTS, body)
    sessions = (
        await WorkoutSession.get_motor_collection()
        .find({"routineAssignmentId": ObjectId(assignment["id"])})
        .sort([("sequence", 1)])
        .to_list(None)
    )
    first, second = (str(session["_id"]) for session in sessions[:2])
    started = await client.put(
        f"{SESSIONS}/{first}", json={"status": "in-progress"}, headers=client_user.headers
    )
    assert started.status_code == 200, started.text
    routine_body = {
        "name": "My plan",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "workouts": [{"name": "Day", "type": "strength", "sections": [strength_section()]}],
    }
    routine = await create(client, client_user, ROUTINES, routine_body)
    section = await create(client, trainer, SECTIONS, strength_section())
    return World(trainer, client_user, template, assignment, sessions[0], second, routine, section)


# ----- what each case sends ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[World], str]
    body: Callable[[World], Any] | None
    field: str
    as_client: bool = False  # sent by the client; by the trainer otherwise


def at(body: Any, path: str, value: Any) -> Any:
    """`body` with `value` at a dotted path (`exercises.0.sets.0.reps`)."""
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


def section_case(path: str, value: Any, field: str | None = None) -> Case:
    """A library section with `value` at `path`."""
    return Case(
        "POST", lambda w: SECTIONS, lambda w: at(strength_section(), path, value), field or path
    )


def fartlek(description: str) -> dict[str, Any]:
    return {"type": "fartlek", "name": "Play", "duration": "20m", "description": description}


def superset(group: str) -> dict[str, Any]:
    """A section whose two exercises are strength exercises of superset `group`."""
    body = strength_section()
    for exercise in body["exercises"]:
        exercise.update(type="strength", supersetGroupId=group)
    return body


def workout_case(path: str, value: Any, field: str) -> Case:
    """A library workout of one section with `value` at `path`."""
    body = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    return Case("POST", lambda w: WORKOUTS, lambda w: at(body, path, value), field)


def template_case(path: str, value: Any, field: str) -> Case:
    day = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    return Case("POST", lambda w: TEMPLATES, lambda w: at(template_body([day]), path, value), field)


def assign_case(field: str, value: Any) -> Case:
    def body(w: World) -> Any:
        draft = {"routineVersionId": w.template["id"], "userId": w.client.id, "startDate": MONDAY}
        return {**draft, field: value}

    return Case("POST", lambda w: ASSIGNMENTS, body, field)


def upgrade_case(value: Any) -> Case:
    return Case(
        "POST",
        lambda w: f"{ASSIGNMENTS}/{w.assignment['id']}/upgrade",
        lambda w: {"fromDate": value},
        "fromDate",
    )


def assignment_patch(body: Any, field: str, *, as_client: bool = False) -> Case:
    return Case(
        "PATCH", lambda w: f"{ASSIGNMENTS}/{w.assignment['id']}", lambda w: body, field, as_client
    )


def started_put(body: Callable[[World], Any], field: str) -> Case:
    return Case("PUT", lambda w: f"{SESSIONS}/{w.started['_id']}", body, field, as_client=True)


def log_with(path: str, value: Any) -> Callable[[World], Any]:
    """A log of the started session's first planned set with `value` at `path` in its entry."""

    def body(w: World) -> Any:
        section = w.started["workoutSnapshot"]["sections"][0]
        exercise = section["exercises"][0]
        entry = {
            "exerciseEntryId": str(exercise["_id"]),
            "sets": [{"setId": str(exercise["sets"][0]["_id"]), "performance": {"reps": 5}}],
        }
        log = {
            "sections": [{"sectionId": str(section["_id"]), "exercises": [at(entry, path, value)]}]
        }
        return {"performanceLog": log}

    return body


LOGGED = "performanceLog.sections[0].exercises[0]"


def routine_case(method: str, field: str, value: Any) -> Case:
    """The client's user routine, created (POST) or changed (PATCH) with `field` set."""

    def body(w: World) -> Any:
        if method == "PATCH":
            return {field: value}
        return {
            **{k: w.routine[k] for k in ("difficulty", "goal", "duration")},
            "name": "Mine",
            "workouts": [{"name": "Day", "type": "strength", "sections": [strength_section()]}],
            field: value,
        }

    def path(w: World) -> str:
        return f"{ROUTINES}/{w.routine['id']}" if method == "PATCH" else ROUTINES

    return Case(method, path, body, field, as_client=True)


def query_case(path: str, query: str, field: str) -> Case:
    return Case("GET", lambda w: f"{path}?{query}", None, field)


DATES = ["9999-12-31", "3000-01-01", "1899-12-31", "0001-01-01"]
NUL = "a\x00b"

CASES: dict[str, Case] = {
    # 1. calendar days: 1900-01-01 to 2999-12-31, ASCII digits
    **{f"startDate {day}": assign_case("startDate", day) for day in DATES},
    "startDate in full-width digits": assign_case("startDate", "\uff12\uff10\uff12\uff16-11-23"),
    **{f"fromDate {day}": upgrade_case(day) for day in DATES},
    "scheduledTime with an Arabic-Indic digit": assign_case("scheduledTime", "1\u0663:00"),
    **{
        f"session moved to {day}": Case(
            "PUT",
            lambda w: f"{SESSIONS}/{w.scheduled}",
            lambda w, day=day: {"scheduledDate": day},
            "scheduledDate",
            as_client=True,
        )
        for day in DATES
    },
    "session scheduled on 9999-12-31": Case(
        "POST",
        lambda w: SESSIONS,
        lambda w: {
            "routineId": w.routine["id"],
            "workoutId": w.routine["workouts"][0]["id"],
            "scheduledDate": "9999-12-31",
        },
        "scheduledDate",
        as_client=True,
    ),
    "calendar from 9999-12-31": query_case(SESSIONS, "from=9999-12-31", "from"),
    "calendar to 0001-01-01": query_case(SESSIONS, "to=0001-01-01", "to"),
    "calendar from 3000-01-01 to 3000-01-02": query_case(
        SESSIONS, "from=3000-01-01&to=3000-01-02", "from"
    ),
    # 2. integers: int64 at most, domain maxima where there are some
    "source.version 2**63": section_case(
        "source", {**SOURCE, "version": BEYOND_INT64}, "source.version"
    ),
    "source.version 10**30": section_case("source", {**SOURCE, "version": HUGE}, "source.version"),
    "source.version 0": section_case("source", {**SOURCE, "version": 0}, "source.version"),
    "workout's section source.version": workout_case(
        "sections.0.source", {**SOURCE, "version": BEYOND_INT64}, "sections[0].source.version"
    ),
    "template workout source.version": template_case(
        "workouts.0.source",
        {**SOURCE, "kind": "workout", "version": HUGE},
        "workouts[0].source.version",
    ),
    "exercise orderIndex 2**63": section_case(
        "exercises.0.orderIndex", BEYOND_INT64, "exercises[0].orderIndex"
    ),
    "set setNumber 10**30": section_case(
        "exercises.0.sets.0.setNumber", HUGE, "exercises[0].sets[0].setNumber"
    ),
    "workout's section orderIndex": workout_case(
        "sections.0.orderIndex", BEYOND_INT64, "sections[0].orderIndex"
    ),
    "template workout orderIndex": template_case(
        "workouts.0.orderIndex", HUGE, "workouts[0].orderIndex"
    ),
    "reps 10**30": section_case("exercises.0.sets.0.reps", HUGE, "exercises[0].sets[0].reps"),
    "weight 10**30": section_case("exercises.0.sets.0.weight", HUGE, "exercises[0].sets[0].weight"),
    "template duration 10**30": template_case("duration", HUGE, "duration"),
    "routine duration 2**63": routine_case("POST", "duration", BEYOND_INT64),
    "routine patch duration 2**63": routine_case("PATCH", "duration", BEYOND_INT64),
    "session durationMinutes 2**63": started_put(
        lambda w: {"durationMinutes": BEYOND_INT64}, "durationMinutes"
    ),
    "logged reps 10**30": started_put(
        log_with("sets.0.performance.reps", HUGE), f"{LOGGED}.sets[0].performance.reps"
    ),
    "logged weight 10**30": started_put(
        log_with("sets.0.performance", {"weight": HUGE}), f"{LOGGED}.sets[0].performance.weight"
    ),
    "page 2**63": query_case(SECTIONS, f"page={BEYOND_INT64}", "page"),
    "limit 10**30": query_case(TEMPLATES, f"limit={HUGE}", "limit"),
    "history limit 2**63": query_case(
        f"/api/exercises/{'1' * 8}-1111-1111-1111-{'1' * 12}/history",
        f"limit={BEYOND_INT64}",
        "limit",
    ),
    # 3. text: no control characters; notes and descriptions keep newline and tab only
    "section name NUL": section_case("name", NUL),
    "section name newline": section_case("name", "Main\nlifts", "name"),
    "section name tab": section_case("name", "Main\tlifts", "name"),
    "section notes NUL": section_case("notes", NUL),
    "section notes carriage return": section_case("notes", "one\r\ntwo", "notes"),
    "section notes escape": section_case("notes", "\x1b[31mred", "notes"),
    "section notes C1 control": section_case("notes", "next\x85line", "notes"),
    "section tag NUL": section_case("tags", ["ok", NUL], "tags[1]"),
    "section tag DEL": section_case("tags", ["\x7f"], "tags[0]"),
    "exercise notes NUL": section_case("exercises.0.notes", NUL, "exercises[0].notes"),
    "set notes NUL": section_case("exercises.0.sets.0.notes", NUL, "exercises[0].sets[0].notes"),
    "exercise name NUL": section_case("exercises.0.exerciseName", NUL, "exercises[0].exerciseName"),
    "superset group NUL": Case(
        "POST", lambda w: SECTIONS, lambda w: superset(NUL), "exercises[1].supersetGroupId"
    ),
    "warm-up muscle group NUL": Case(
        "POST",
        lambda w: SECTIONS,
        lambda w: at(warmup_section(), "targetMuscleGroups", [NUL]),
        "targetMuscleGroups[0]",
    ),
    "fartlek description NUL": Case(
        "POST", lambda w: SECTIONS, lambda w: fartlek(NUL), "description"
    ),
    "workout name NUL": workout_case("name", NUL, "name"),
    "workout objective NUL": workout_case("objective", NUL, "objective"),
    "workout notes NUL": workout_case("notes", NUL, "notes"),
    "workout's section name newline": workout_case("sections.0.name", "a\nb", "sections[0].name"),
    "template name NUL": template_case("name", NUL, "name"),
    "template description NUL": template_case("description", NUL, "description"),
    "template objective NUL": template_case("objectives", [NUL], "objectives[0]"),
    "template target audience NUL": template_case("targetAudience", NUL, "targetAudience"),
    "template tag NUL": template_case("tags", [NUL], "tags[0]"),
    "routine name NUL": routine_case("POST", "name", NUL),
    "routine description NUL": routine_case("POST", "description", NUL),
    "routine patch name NUL": routine_case("PATCH", "name", NUL),
    "routine patch description NUL": routine_case("PATCH", "description", NUL),
    "routine patch objective NUL": Case(
        "PATCH",
        lambda w: f"{ROUTINES}/{w.routine['id']}",
        lambda w: {"objectives": ["fine", NUL]},
        "objectives[1]",
        as_client=True,
    ),
    "assignment notesForUser NUL": assign_case("notesForUser", NUL),
    "assignment patch notesForUser NUL": assignment_patch({"notesForUser": NUL}, "notesForUser"),
    "assignment feedback NUL": assignment_patch(
        {"progress": {"feedback": NUL}}, "progress.feedback", as_client=True
    ),
    "session notes NUL": started_put(lambda w: {"notes": NUL}, "notes"),
    "logged exercise notes NUL": started_put(log_with("notes", NUL), f"{LOGGED}.notes"),
    "logged set notes NUL": started_put(log_with("sets.0.notes", NUL), f"{LOGGED}.sets[0].notes"),
    "library search NUL": query_case(WORKOUTS, "search=a%00b", "search"),
    "library tag NUL": query_case(SECTIONS, "tag=a%00b", "tag"),
    "library type NUL": query_case(SECTIONS, "type=basic%00", "type"),
    "template tag newline": query_case(TEMPLATES, "tag=a%0Ab", "tag"),
    "catalog search NUL": query_case("/api/exercises", "search=squat%00", "search"),
    "catalog muscle group NUL": query_case("/api/exercises", "muscleGroup=%00", "muscleGroup"),
    "catalog equipment NUL": query_case("/api/exercises", "equipment=bar%01bell", "equipment"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_out_of_bounds_input_is_422_naming_the_field_and_changes_nothing(
    client: httpx.AsyncClient, world: World, case: Case
) -> None:
    who = world.client if case.as_client else world.trainer
    before = await everything()
    response = await client.request(
        case.method,
        case.path(world),
        json=case.body(world) if case.body is not None else None,
        headers=who.headers,
    )
    assert_problem(response, case.field)
    assert await everything() == before


# ----- what the bounds still accept ---------------------------------------------------------------


async def test_the_first_and_last_days_of_the_window_are_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    moved = await client.put(
        f"{SESSIONS}/{world.scheduled}",
        json={"scheduledDate": "2999-12-31"},
        headers=world.client.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["scheduledDate"] == "2999-12-31"
    body = {"routineVersionId": world.template["id"], "userId": world.client.id}
    late = await create(client, world.trainer, ASSIGNMENTS, {**body, "startDate": "2999-12-31"})
    assert late["endDate"] == "3000-03-24"  # 12 weeks: past the window, still a date
    early = await client.post(
        f"{ASSIGNMENTS}/{late['id']}/upgrade",
        json={"fromDate": "1900-01-01"},
        headers=world.trainer.headers,
    )
    assert early.status_code == 201, early.text


async def test_a_superset_group_of_printable_text_is_kept(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    created = await create(client, trainer, SECTIONS, superset("A"))
    assert [e["supersetGroupId"] for e in created["exercises"]] == ["A", "A"]


async def test_the_largest_int64_version_is_stored(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    body = strength_section(source={**SOURCE, "version": BEYOND_INT64 - 1})
    created = await create(client, trainer, SECTIONS, body)
    assert created["source"]["version"] == BEYOND_INT64 - 1


async def test_notes_keep_newlines_and_tabs(client: httpx.AsyncClient, world: World) -> None:
    text = "Week 1:\n\tkeep it easy\n"
    section = await create(client, world.trainer, SECTIONS, strength_section(notes=text))
    assert section["notes"] == text
    patched = await client.patch(
        f"{ASSIGNMENTS}/{world.assignment['id']}",
        json={"notesForUser": text},
        headers=world.trainer.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["notesForUser"] == text
    logged = await client.put(
        f"{SESSIONS}/{world.started['_id']}", json={"notes": text}, headers=world.client.headers
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["notes"] == text


async def test_unicode_text_other_than_controls_is_kept(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    name = "Überkopf-Drücken \u2014 \u6df1\u8e72 \U0001f3cb\ufe0f\u200d\u2640\ufe0f"
    created = await create(client, trainer, SECTIONS, strength_section(name, tags=["Zürich"]))
    assert created["name"] == name
    assert created["tags"] == ["zürich"]
