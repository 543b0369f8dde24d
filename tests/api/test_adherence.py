"""Adherence through the API (DOMAIN.md sections 8 and 15): the rest a client records after each
set, the adherence of a completed session in its answers, and an assignment's report by week,
read by whoever may read the assignment, from one query of its sessions."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.sessions.adherence import REPORT_PROJECTION
from peakhealth.storage import sessions
from tests.support.actions import create, link, linked_assignment, put_session
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, SESSIONS, TEMPLATES
from tests.support.plans import short_routine, strength_section, template_body, variant
from tests.support.problems import assert_problem
from tests.support.stored import calls_during, raw_session, raw_sessions

SQUAT_HISTORY = f"/api/exercises/{variant('Barbell Back Squat')['exerciseId']}/history"


def three_weeks() -> dict[str, Any]:
    """`strength_section()` (squats 3 x 5 at 100 kg, 3 min between sets; push-ups 8-12) on
    Mondays and Thursdays for three weeks: six sessions."""
    return template_body(
        [{"name": "Only", "type": "strength", "sections": [strength_section()]}],
        duration=3,
        schedule={"trainingDays": ["mon", "thu"]},
    )


def logged(session: dict[str, Any], squats: list[dict[str, Any]], push_ups: int) -> Any:
    """A log of the session's first squat sets (one performance each) and, if `push_ups`, its
    push-up set with that many reps."""
    main = session["workoutSnapshot"]["sections"][0]
    squat, push_up = main["exercises"]
    exercises = [
        {
            "exerciseEntryId": squat["_id"],
            "sets": [
                {"setId": str(planned["_id"]), "performance": performance}
                for planned, performance in zip(squat["sets"], squats, strict=False)
            ],
        }
    ]
    if push_ups:
        exercises.append(
            {
                "exerciseEntryId": push_up["_id"],
                "sets": [
                    {
                        "setId": str(push_up["sets"][0]["_id"]),
                        "performance": {"reps": push_ups, "restTaken": 30},
                    }
                ],
            }
        )
    return {"sections": [{"sectionId": str(main["_id"]), "exercises": exercises}]}


def ids(log: Any) -> Any:
    """`log` with its ObjectIds as the text the API takes."""
    if isinstance(log, dict):
        return {key: ids(value) for key, value in log.items()}
    if isinstance(log, list):
        return [ids(value) for value in log]
    return log if isinstance(log, str | int | float | bool) or log is None else str(log)


# Squat sets 1 and 2 done (the second a rep short), set 3 skipped, push-ups done.
PARTIAL = [
    {"reps": 5, "weight": 100, "restTaken": 200},
    {"reps": 4, "weight": 100, "restTaken": 150},
]
# Planned: 4 sets (3 squat, 1 push-up), volume 3 x 5 x 100 = 1500 (push-ups have no weight).
# Logged: 3 of them; volume 500 + 400 = 900. Rest: both squat sets are followed by the planned
# 3 min (180 + 180 planned, 200 + 150 taken); the push-up set, the exercise's last, has no rest
# planned after it (no restAfter), so its 30 s are not compared.
PARTIAL_ADHERENCE = {
    "plannedSets": 4,
    "loggedSets": 3,
    "extraSets": 0,
    "setCompletion": 0.75,
    "plannedVolume": 1500.0,
    "loggedVolume": 900.0,
    "volumeRatio": 0.6,
    "plannedRestSeconds": 360.0,
    "restTakenSeconds": 350.0,
}
FULL = [{"reps": 5, "weight": 100}] * 3


async def complete(
    client: httpx.AsyncClient, who: Caller, session_id: str, squats: list[Any], push_ups: int
) -> httpx.Response:
    session = await raw_session(session_id)
    body = {"status": "completed", "performanceLog": ids(logged(session, squats, push_ups))}
    answer = await put_session(client, who, session_id, body)
    assert answer.status_code == 200, answer.text
    return answer


async def test_a_completed_session_answers_its_adherence(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    first, second = (str(row["_id"]) for row in await raw_sessions(assignment["id"]))

    completed = await complete(client, client_user, first, PARTIAL, push_ups=10)
    assert completed.json()["adherence"] == PARTIAL_ADHERENCE
    # Computed from the snapshot and the log whenever read, stored nowhere.
    assert "adherence" not in await raw_session(first)
    for who in (client_user, trainer):
        read = await client.get(f"{SESSIONS}/{first}", headers=who.headers)
        assert read.json()["adherence"] == PARTIAL_ADHERENCE
    calendar = await client.get(
        SESSIONS, params={"routineAssignmentId": assignment["id"]}, headers=trainer.headers
    )
    by_id = {item["id"]: item for item in calendar.json()["data"]}
    assert by_id[first]["adherence"] == PARTIAL_ADHERENCE
    assert "adherence" not in by_id[second]  # scheduled: nothing to compare yet

    # A correction of the log is reflected at once (the kept answer is keyed by the log).
    corrected = await complete(client, client_user, first, FULL, push_ups=12)
    assert {key: corrected.json()["adherence"][key] for key in ("loggedSets", "volumeRatio")} == {
        "loggedSets": 4,
        "volumeRatio": 1.0,
    }
    assert "plannedRestSeconds" not in corrected.json()["adherence"]  # no squat rest recorded
    read = await client.get(f"{SESSIONS}/{first}", headers=client_user.headers)
    assert read.json()["adherence"] == corrected.json()["adherence"]


async def test_rest_taken_is_stored_answered_and_in_history(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    session_id = str((await raw_sessions(assignment["id"]))[0]["_id"])
    answer = await complete(client, client_user, session_id, PARTIAL, push_ups=10)
    squat_sets = answer.json()["performanceLog"]["sections"][0]["exercises"][0]["sets"]
    assert [item["performance"]["restTaken"] for item in squat_sets] == [200, 150]
    stored = (await raw_session(session_id))["performanceLog"]
    assert stored["sections"][0]["exercises"][1]["sets"][0]["performance"]["restTaken"] == 30
    history = await client.get(SQUAT_HISTORY, headers=client_user.headers)
    assert [item["restTaken"] for item in history.json()["data"][0]["sets"]] == [200, 150]


@pytest.mark.parametrize(
    "rest", [-1, 86_401, 1e9, "90", True], ids=["negative", "over a day", "absurd", "text", "bool"]
)
async def test_bad_rest_taken_is_422_naming_it_and_nothing_changes(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller, rest: Any
) -> None:
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    session_id = str((await raw_sessions(assignment["id"]))[0]["_id"])
    before = await raw_session(session_id)
    log = ids(logged(before, [{"reps": 5, "weight": 100, "restTaken": rest}], push_ups=0))
    answer = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    assert_problem(answer, "performanceLog.sections[0].exercises[0].sets[0].performance.restTaken")
    assert await raw_session(session_id) == before


async def test_rest_taken_is_accepted_on_any_exercise_type(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    """Push-ups (bodyweight) take no weight, but any set may record its rest."""
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    session_id = str((await raw_sessions(assignment["id"]))[0]["_id"])
    answer = await complete(client, client_user, session_id, [], push_ups=10)
    push_up = answer.json()["performanceLog"]["sections"][0]["exercises"][1]
    assert push_up["sets"][0]["performance"] == {"reps": 10, "restTaken": 30}


def at(day: str) -> Any:
    return lambda: datetime.fromisoformat(f"{day}T12:00:00+00:00").astimezone(UTC)


async def test_an_assignment_report_by_week(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    """Weeks start on Monday 2026-11-23; today is Wednesday 2026-12-09 (week 3).
    Week 1: Monday completed with 3 of 4 sets, Thursday skipped. Week 2: Monday cancelled,
    Thursday never started (missed). Week 3: Monday completed whole, Thursday still ahead."""
    _, assignment = await linked_assignment(client, admin, trainer, client_user, three_weeks())
    rows = [str(row["_id"]) for row in await raw_sessions(assignment["id"])]
    await complete(client, client_user, rows[0], PARTIAL, push_ups=10)
    for session_id, status in ((rows[1], "skipped"), (rows[2], "cancelled")):
        changed = await put_session(client, client_user, session_id, {"status": status})
        assert changed.status_code == 200, changed.text
    await complete(client, client_user, rows[4], FULL, push_ups=10)
    app.state.clock = at("2026-12-09")

    report = await client.get(
        f"{ASSIGNMENTS}/{assignment['id']}/adherence", headers=trainer.headers
    )
    assert report.status_code == 200, report.text
    zero = dict.fromkeys(
        ("completed", "skipped", "cancelled", "missed", "inProgress", "upcoming"), 0
    )
    assert report.json() == {
        "assignmentId": assignment["id"],
        "today": "2026-12-09",
        "weeks": [
            {
                "week": 1,
                "startDate": "2026-11-23",
                **zero,
                "scheduled": 2,
                "completed": 1,
                "skipped": 1,
                "meanSetCompletion": 0.75,
            },
            {
                "week": 2,
                "startDate": "2026-11-30",
                **zero,
                "scheduled": 2,
                "cancelled": 1,
                "missed": 1,
            },
            {
                "week": 3,
                "startDate": "2026-12-07",
                **zero,
                "scheduled": 2,
                "completed": 1,
                "upcoming": 1,
                "meanSetCompletion": 1.0,
            },
        ],
        "total": {
            **zero,
            "scheduled": 6,
            "completed": 2,
            "skipped": 1,
            "cancelled": 1,
            "missed": 1,
            "upcoming": 1,
            "meanSetCompletion": 0.875,
        },
    }
    # "Today" is the app's clock: on the Thursday of week 2 that session is not missed yet.
    app.state.clock = at("2026-12-03")
    earlier = await client.get(
        f"{ASSIGNMENTS}/{assignment['id']}/adherence", headers=client_user.headers
    )
    assert earlier.json()["weeks"][1]["missed"] == 0
    assert earlier.json()["total"]["upcoming"] == 2


async def test_whoever_reads_the_assignment_reads_its_report_and_nobody_else(
    client: httpx.AsyncClient,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
    admin: Caller,
) -> None:
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    path = f"{ASSIGNMENTS}/{assignment['id']}/adherence"
    for reader in (trainer, client_user, admin):
        assert (await client.get(path, headers=reader.headers)).status_code == 200
    stranger = make_caller("client")
    for outsider in (other_trainer, stranger):
        answer = await client.get(path, headers=outsider.headers)
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    missing = await client.get(f"{ASSIGNMENTS}/{'0' * 24}/adherence", headers=admin.headers)
    assert missing.status_code == 404


async def test_the_report_of_312_sessions_is_one_projected_query(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    """A year of six training days: the assignment is read, then its sessions with one query,
    whatever their number (never one call per session or per week)."""
    body = template_body(
        [{"name": "Only", "type": "strength", "sections": [strength_section()]}],
        duration=52,
        schedule={"trainingDays": ["mon", "tue", "wed", "thu", "fri", "sat"]},
    )
    routine = await create(client, trainer, TEMPLATES, body)
    await link(client, admin, trainer, client_user)
    made = await client.post(
        ASSIGNMENTS,
        json={
            "routineVersionId": routine["id"],
            "userId": client_user.id,
            "startDate": "2026-11-23",
        },
        headers=trainer.headers,
    )
    assert made.status_code == 201, made.text
    assignment = made.json()
    assert assignment["progress"]["totalWorkouts"] == 312
    first = str((await raw_sessions(assignment["id"]))[0]["_id"])
    await complete(client, client_user, first, FULL, push_ups=10)
    app.state.clock = at("2027-12-01")

    with calls_during(app.state.client) as calls:
        report = await client.get(
            f"{ASSIGNMENTS}/{assignment['id']}/adherence", headers=trainer.headers
        )
    assert report.status_code == 200, report.text
    assert calls == {"find_one": 1, "find": 1}  # the assignment, then its sessions
    total = report.json()["total"]
    assert (total["scheduled"], total["completed"], total["meanSetCompletion"]) == (312, 1, 1.0)
    assert len(report.json()["weeks"]) == 52


async def test_the_report_reads_only_the_fields_it_needs(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> None:
    """What the projection returns: status and day, the snapshot's set ids and types, the log's
    set ids, types and extra flags; no exercise, name or performance."""
    _, assignment = await linked_assignment(client, admin, trainer, client_user, short_routine())
    first = str((await raw_sessions(assignment["id"]))[0]["_id"])
    await complete(client, client_user, first, PARTIAL, push_ups=10)
    stored = await raw_session(first)
    rows = await sessions.for_adherence(
        client_user.id, stored["routineAssignmentId"], REPORT_PROJECTION
    )
    row = next(item for item in rows if item["status"] == "completed")
    assert set(row) == {"status", "weekIndex", "scheduledDate", "workoutSnapshot", "performanceLog"}
    planned_set = row["workoutSnapshot"]["sections"][0]["exercises"][0]["sets"][0]
    assert set(planned_set) == {"_id", "setType"}
    logged_set = row["performanceLog"]["sections"][0]["exercises"][0]["sets"][0]
    assert set(logged_set) == {"setId", "extra", "setType"}
