"""In-process cells: the service through httpx.ASGITransport against
`create_app(Settings(...))` inside its lifespan, on a fresh embedded store per cell, timed in
turn with its driver floor (the same documents written or read with one collection call of the
same store) and its framework floor (a bare FastAPI app answering the same JSON).

Each cell keeps the store at a steady size: what a timed run creates is removed (untimed) before
the next run, so run 200 sees the store run 1 saw."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from fastapi import FastAPI

from benchmarks import plans
from benchmarks.floor_app import floor_app
from benchmarks.measure import (
    DRIVER,
    FRAMEWORK,
    SERVICE,
    UNKEYED,
    CellResult,
    Step,
    interleaved,
)
from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.sessions.adherence import REPORT_PROJECTION

TEMPLATES = "/api/templates/routines"
WORKOUTS = "/api/library/workouts"
ASSIGNMENTS = "/api/routine-assignments"
SESSIONS = "/api/workout-sessions"
RATE_LIMIT = "100000000/minute"
CALENDAR_ORDER = [("scheduledDate", 1), ("scheduledTime", 1), ("sequence", 1), ("_id", 1)]
MONTH = ("2027-03-01", "2027-03-31")
HISTORY_LIMIT = 20
LISTING_LIMIT = 20
IDEMPOTENCY_KEY = "Idempotency-Key"
IMPORT_LINES = [
    "Squat 5x5 @ 100kg",
    "Romanian deadlift 3 x 8-10 @ RPE 8",
    "Benchpress 4x6 @ 80kg",
    "Row 4x10 @ 135 lb",
    "A1 Overhead press 3x8 @ 40kg",
    "A2 Pull-ups 3xAMRAP",
    "Plank 3x60s",
    "Dumbell curl 3x10",
    "Run 5 min",
]
EQUIPMENT = "/api/users/me/equipment"
SQUAT = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"  # the bundled catalog's Squat
BARBELL_SQUAT = "b6657115-eeb4-5a08-b08c-00f64e093774"  # and its Barbell Back Squat


@dataclass
class Counts:
    iterations: int
    warmup: int
    budget_seconds: float


@dataclass
class Cell:
    """One operation at one size, as measured."""

    operation: str
    size: str
    result: CellResult
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.operation} [{self.size}]"


class Harness:
    """The service app in its lifespan, an HTTP client of it, the store, and a floor app."""

    def __init__(self, app: FastAPI, http: httpx.AsyncClient, floor: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http
        self.floor = floor
        self.answers: dict[str, Any] = {}
        self.status: dict[str, int] = {}
        self.db = app.state.client[app.state.settings.mongodb_db]

    def calls(self) -> Any:
        return self.app.state.client.calls

    def collection(self, name: str) -> Any:
        return self.db[name]

    async def ok(self, response: Awaitable[httpx.Response], status: int = 200) -> Any:
        answer = await response
        if answer.status_code != status:
            raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.text}")
        return answer.json()

    async def post(
        self, who: plans.Caller, path: str, body: Any, status: int = 201, *, key: str | None = None
    ) -> Any:
        """POST as `who`; with `key`, as a retry-safe POST (Idempotency-Key)."""
        headers = who.headers if key is None else {**who.headers, IDEMPOTENCY_KEY: key}
        return await self.ok(self.http.post(path, json=body, headers=headers), status)

    async def forget_keys(self) -> None:
        """Drop the idempotency keys a keyed run claimed, so every run claims a new one in a
        collection of the same size."""
        await self.collection("idempotency_keys").delete_many({})

    async def get(self, who: plans.Caller, path: str) -> Any:
        return await self.ok(self.http.get(path, headers=who.headers))

    async def get_unchanged(self, who: plans.Caller, path: str, etag: str) -> None:
        """GET with If-None-Match naming the current tag: a 304 without a body."""
        answer = await self.http.get(path, headers={**who.headers, "If-None-Match": etag})
        if answer.status_code != 304 or answer.content:
            raise RuntimeError(f"GET {path} If-None-Match {etag}: {answer.status_code}")

    def framework_step(self, key: str, method: str, body: Any, answer: Any, status: int) -> Step:
        """The floor app answers `answer` to the same request (same body, same headers)."""
        self.answers[f"/{key}"] = answer
        self.status[f"/{key}"] = status
        content = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": "Bearer x", "Content-Type": "application/json"}

        async def run(_: int) -> None:
            response = await self.floor.request(method, f"/{key}", content=content, headers=headers)
            if response.status_code != status:
                raise RuntimeError(f"floor {key}: {response.status_code}")
            response.json()

        return Step(run)


@asynccontextmanager
async def harness() -> AsyncIterator[Harness]:
    settings = Settings(_env_file=None, rate_limit=RATE_LIMIT)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            answers: dict[str, Any] = {}
            status: dict[str, int] = {}
            bare = floor_app(answers, status)
            floor_transport = httpx.ASGITransport(app=bare)
            async with httpx.AsyncClient(transport=floor_transport, base_url="http://t") as floor:
                bench = Harness(app, http, floor)
                bench.answers, bench.status = answers, status
                yield bench


Scenario = Callable[[Harness], Awaitable[tuple[dict[str, Step], dict[str, Any]]]]


async def measure(operation: str, size: str, scenario: Scenario, counts: Counts) -> Cell:
    async with harness() as bench:
        steps, notes = await scenario(bench)
        result = await interleaved(
            steps,
            iterations=counts.iterations,
            warmup=counts.warmup,
            calls=bench.calls,
            budget_seconds=counts.budget_seconds,
        )
    return Cell(operation, size, result, notes)


def _now() -> datetime:
    return datetime.now(UTC)


# ----- scenarios --------------------------------------------------------------------------------


async def _link(bench: Harness, trainer: plans.Caller, client: plans.Caller) -> None:
    admin = plans.caller("admin")
    path = f"/api/trainers/{trainer.id}/clients/{client.id}"
    response = await bench.http.put(path, headers=admin.headers)
    assert response.status_code == 204, response.text


def publish(workouts: int, references: bool, keyed: bool = False) -> Scenario:
    """POST a template of `workouts` workouts, embedded or as library workout references;
    `keyed`: each with a new Idempotency-Key. Driver floor: the stored routine document
    inserted with one insert_one."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer = plans.caller("trainer")
        if references:
            ids = [
                (await bench.post(trainer, WORKOUTS, plans.workout(f"Day {n + 1}")))["id"]
                for n in range(workouts)
            ]
            body = plans.template(ids)
        else:
            body = plans.embedded_template(workouts)
        routines, heads = bench.collection("routines"), bench.collection("chain_heads")

        async def forget(version_id: str) -> None:
            await routines.delete_one({"_id": ObjectId(version_id)})
            await heads.delete_one({"_id": ObjectId(version_id)})

        answer = await bench.post(trainer, TEMPLATES, body)
        stored = await routines.find_one({"_id": ObjectId(answer["id"])})
        await forget(answer["id"])
        made: list[str] = []

        def posting(keyed: bool) -> Step:
            async def service(run: int) -> None:
                key = f"publish-{run}" if keyed else None
                made.append((await bench.post(trainer, TEMPLATES, body, key=key))["id"])

            async def service_cleanup(_: int) -> None:
                await forget(made.pop())
                if keyed:
                    await bench.forget_keys()

            return Step(service, cleanup=service_cleanup)

        document: dict[str, Any] = {}

        async def driver_prepare(_: int) -> None:
            new_id = ObjectId()
            document.clear()
            document.update(stored, _id=new_id, parentRoutineId=new_id)

        async def driver(_: int) -> None:
            await routines.insert_one(document)

        async def driver_cleanup(_: int) -> None:
            await routines.delete_one({"_id": document["_id"]})

        steps = {
            SERVICE: posting(keyed),
            DRIVER: Step(driver, driver_prepare, driver_cleanup),
            FRAMEWORK: bench.framework_step("publish", "POST", body, answer, 201),
        }
        if keyed:
            steps[UNKEYED] = posting(False)
        return steps, {"answerBytes": len(json.dumps(answer)), "bodyBytes": len(json.dumps(body))}

    return scenario


def get_template(workouts: int, *, unchanged: bool = False) -> Scenario:
    """GET one template version (`unchanged`: with If-None-Match naming its tag, a 304).
    Driver floor: one find_one by id."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer = plans.caller("trainer")
        made = await bench.post(trainer, TEMPLATES, plans.embedded_template(workouts))
        path = f"{TEMPLATES}/{made['id']}"
        answer = await bench.get(trainer, path)
        routines, oid = bench.collection("routines"), ObjectId(made["id"])
        etag = f'"{answer["revision"]}"'

        async def service(_: int) -> None:
            if unchanged:
                await bench.get_unchanged(trainer, path, etag)
            else:
                await bench.get(trainer, path)

        async def driver(_: int) -> None:
            assert await routines.find_one({"_id": oid}) is not None

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("template", "GET", None, answer, 200),
        }
        return steps, {"answerBytes": len(json.dumps(answer))}

    return scenario


async def _assigned(
    bench: Harness, weeks: int, days: list[str], progression: bool = False
) -> tuple[plans.Caller, plans.Caller, dict[str, Any], dict[str, Any]]:
    """A trainer, a linked client, a template of one workout per training day and its
    assignment to the client (all through the API); with `progression`, the template's main
    lifts progress linearly with a set at a percentage of the client's maximum (stored)."""
    trainer, client = plans.caller("trainer"), plans.caller("client")
    await _link(bench, trainer, client)
    body = plans.embedded_template(len(days), weeks=weeks, days=days)
    if progression:
        body = plans.with_progression(body)
        await bench.collection("client_metrics").insert_many(plans.maxima(client.id))
    routine = await bench.post(trainer, TEMPLATES, body)
    assignment = await bench.post(
        trainer,
        ASSIGNMENTS,
        {"routineVersionId": routine["id"], "userId": client.id, "startDate": plans.START},
    )
    return trainer, client, routine, assignment


def _inserting(sessions: Any, stored: list[dict[str, Any]]) -> Step:
    """The driver floor of scheduling: the same session documents written with one
    insert_many (fresh ids each run, deleted after it)."""
    batch: list[dict[str, Any]] = []
    marker = ObjectId()

    async def prepare(_: int) -> None:
        batch[:] = [{**row, "_id": ObjectId(), "routineAssignmentId": marker} for row in stored]

    async def insert(_: int) -> None:
        await sessions.insert_many(batch)

    async def cleanup(_: int) -> None:
        await sessions.delete_many({"routineAssignmentId": marker})

    return Step(insert, prepare, cleanup)


def assign(weeks: int, days: list[str], keyed: bool = False, progression: bool = False) -> Scenario:
    """POST an assignment (trainer to a linked client), scheduling weeks x days sessions;
    `keyed`: each with a new Idempotency-Key; `progression`: every main lift's loads computed
    per week (a linear rule and a percentage of the maximum). Driver floor: the assignment's
    session documents inserted with one insert_many."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer, client, routine, first = await _assigned(bench, weeks, days, progression)
        assignments, sessions = (
            bench.collection("routine_assignments"),
            bench.collection("workout_sessions"),
        )

        async def forget(assignment_id: ObjectId) -> None:
            await assignments.delete_one({"_id": assignment_id})
            await sessions.delete_many({"routineAssignmentId": assignment_id})

        stored = await sessions.find({"routineAssignmentId": ObjectId(first["id"])}).to_list(None)
        await forget(ObjectId(first["id"]))
        body = {"routineVersionId": routine["id"], "userId": client.id, "startDate": plans.START}
        made: list[str] = []

        def posting(keyed: bool) -> Step:
            async def service(run: int) -> None:
                key = f"assign-{run}" if keyed else None
                made.append((await bench.post(trainer, ASSIGNMENTS, body, key=key))["id"])

            async def service_cleanup(_: int) -> None:
                await forget(ObjectId(made.pop()))
                if keyed:
                    await bench.forget_keys()

            return Step(service, cleanup=service_cleanup)

        steps = {
            SERVICE: posting(keyed),
            DRIVER: _inserting(sessions, stored),
            FRAMEWORK: bench.framework_step("assign", "POST", body, first, 201),
        }
        if keyed:
            steps[UNKEYED] = posting(False)
        return steps, {"sessions": len(stored)}

    return scenario


def log_session(weeks: int, days: list[str], new_records: bool = False) -> Scenario:
    """PUT a started session to completed with a log of 16 sets (4 exercises x 4 sets), in an
    assignment of weeks x days sessions. With `new_records`, the client's personal records are
    dropped before each run, so every run sets all 20 (4 variants x 5 types: the most a
    completion writes); without, the records stand after the first run (a read, no write).
    Driver floor: the stored log written with one update_one."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, assignment = await _assigned(bench, weeks, days)
        sessions = bench.collection("workout_sessions")
        page = await bench.get(client, f"{SESSIONS}?routineAssignmentId={assignment['id']}&limit=1")
        session = page["data"][0]
        oid = ObjectId(session["id"])
        path = f"{SESSIONS}/{session['id']}"
        log = plans.completion_log(session)
        body = {"status": "completed", "performanceLog": log, "durationMinutes": 60}
        unset = {"performanceLog": "", "completedAt": "", "durationMinutes": ""}

        async def start(target: ObjectId) -> None:
            await sessions.update_one(
                {"_id": target},
                {"$set": {"status": "in-progress", "startedAt": _now()}, "$unset": unset},
            )

        await start(oid)
        answer = await bench.ok(bench.http.put(path, json=body, headers=client.headers))
        raw = await sessions.find_one({"_id": oid})
        stored_log = raw["performanceLog"]
        copy_id = ObjectId()
        await sessions.insert_one({**raw, "_id": copy_id, "routineAssignmentId": ObjectId()})

        async def service_prepare(_: int) -> None:
            await start(oid)
            if new_records:
                await bench.collection("personal_records").delete_many({})

        async def service(_: int) -> None:
            await bench.ok(bench.http.put(path, json=body, headers=client.headers))

        async def driver_prepare(_: int) -> None:
            await start(copy_id)

        async def driver(_: int) -> None:
            now = _now()
            await sessions.update_one(
                {"_id": copy_id, "status": "in-progress"},
                {
                    "$set": {
                        "status": "completed",
                        "completedAt": now,
                        "performanceLog": stored_log,
                        "durationMinutes": 60,
                        "updatedAt": now,
                    }
                },
            )

        steps = {
            SERVICE: Step(service, service_prepare),
            DRIVER: Step(driver, driver_prepare),
            FRAMEWORK: bench.framework_step("log", "PUT", body, answer, 200),
        }
        sets = sum(len(e["sets"]) for s in log["sections"] for e in s["exercises"])
        return steps, {
            "loggedSets": sets,
            "sessionsInAssignment": assignment["progress"]["totalWorkouts"],
        }

    return scenario


def correct_session(weeks: int, days: list[str]) -> Scenario:
    """PUT a lighter log (every set 50 kg) on a completed 16-set session that holds every one
    of the client's records: each of its 4 exercises' records is worked out again from that
    exercise's history (the history index), in an assignment of weeks x days sessions.
    Driver floor: the stored log written with one update_one."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, assignment = await _assigned(bench, weeks, days)
        sessions = bench.collection("workout_sessions")
        page = await bench.get(client, f"{SESSIONS}?routineAssignmentId={assignment['id']}&limit=1")
        session = page["data"][0]
        oid = ObjectId(session["id"])
        path = f"{SESSIONS}/{session['id']}"
        heavy = plans.completion_log(session)
        light = json.loads(json.dumps(heavy))
        for section in light["sections"]:
            for exercise in section["exercises"]:
                for logged in exercise["sets"]:
                    logged["performance"]["weight"] = 50
        await bench.ok(bench.http.put(path, json={"status": "in-progress"}, headers=client.headers))
        body = {"status": "completed", "performanceLog": heavy}
        await bench.ok(bench.http.put(path, json=body, headers=client.headers))
        answer = await bench.ok(
            bench.http.put(path, json={"performanceLog": light}, headers=client.headers)
        )
        raw = await sessions.find_one({"_id": oid})
        copy_id = ObjectId()
        await sessions.insert_one({**raw, "_id": copy_id, "routineAssignmentId": ObjectId()})

        async def service_prepare(_: int) -> None:  # the heavy log and its records back
            await bench.ok(
                bench.http.put(path, json={"performanceLog": heavy}, headers=client.headers)
            )

        async def service(_: int) -> None:
            await bench.ok(
                bench.http.put(path, json={"performanceLog": light}, headers=client.headers)
            )

        async def driver(_: int) -> None:
            await sessions.update_one(
                {"_id": copy_id, "status": "completed"},
                {"$set": {"performanceLog": raw["performanceLog"], "updatedAt": _now()}},
            )

        steps = {
            SERVICE: Step(service, service_prepare),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step(
                "correct", "PUT", {"performanceLog": light}, answer, 200
            ),
        }
        return steps, {"loggedSets": 16, "exercises": len(light["sections"][0]["exercises"])}

    return scenario


def month(days: list[str]) -> Scenario:
    """GET a client's calendar of one month (full view, limit 100) among a year of sessions.
    Driver floor: one find of the month, sorted as the calendar is."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, _ = await _assigned(bench, 52, days)
        path = f"{SESSIONS}?from={MONTH[0]}&to={MONTH[1]}&limit=50"
        answer = await bench.get(client, path)
        sessions = bench.collection("workout_sessions")
        query = {"userId": client.id, "scheduledDate": {"$gte": MONTH[0], "$lte": MONTH[1]}}

        async def service(_: int) -> None:
            await bench.get(client, path)

        async def driver(_: int) -> None:
            await sessions.find(query).sort(CALENDAR_ORDER).to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("month", "GET", None, answer, 200),
        }
        stored = await sessions.count_documents({})
        return steps, {"sessionsInMonth": len(answer["data"]), "sessionsStored": stored}

    return scenario


def history(days: list[str]) -> Scenario:
    """GET the client's history of the squat (limit 20) over a year of completed sessions, each
    logging 16 sets. Driver floor: one find on the history fields, sorted, limited."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, assignment = await _assigned(bench, 52, days)
        sessions = bench.collection("workout_sessions")
        rows = await sessions.find({"routineAssignmentId": ObjectId(assignment["id"])}).to_list(
            None
        )
        logs: dict[Any, Any] = {}
        for row in rows:  # one session of each workout logged through the API
            if row["workoutId"] in logs:
                continue
            session = await bench.get(client, f"{SESSIONS}/{row['_id']}")
            body = {"status": "completed", "performanceLog": plans.completion_log(session)}
            response = await bench.http.put(
                f"{SESSIONS}/{row['_id']}", json=body, headers=client.headers
            )
            assert response.status_code == 200, response.text
            logs[row["workoutId"]] = (await sessions.find_one({"_id": row["_id"]}))[
                "performanceLog"
            ]
        for row in rows:  # and the whole year completed with the same logs
            day = datetime.fromisoformat(row["scheduledDate"]).replace(hour=18, tzinfo=UTC)
            await sessions.update_one(
                {"_id": row["_id"]},
                {
                    "$set": {
                        "status": "completed",
                        "startedAt": day - timedelta(hours=1),
                        "completedAt": day,
                        "performanceLog": logs[row["workoutId"]],
                    }
                },
            )
        squat = plans.variant(plans.MAIN_LIFTS[0])["exerciseId"]
        path = f"/api/exercises/{squat}/history?limit={HISTORY_LIMIT}"
        answer = await bench.get(client, path)
        assert len(answer["data"]) == HISTORY_LIMIT
        query = {
            "userId": client.id,
            "performanceLog.sections.exercises.exerciseId": squat,
            "completedAt": {"$ne": None},
        }
        fields = {"completedAt": 1, "performanceLog.sections.exercises": 1}

        async def service(_: int) -> None:
            await bench.get(client, path)

        async def driver(_: int) -> None:
            cursor = sessions.find(query, fields).sort([("completedAt", -1)]).limit(HISTORY_LIMIT)
            await cursor.to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("history", "GET", None, answer, 200),
        }
        return steps, {"completedSessions": len(rows)}

    return scenario


def listing(templates: int) -> Scenario:
    """GET a page of explore (summaries, limit 20) among `templates` public templates of
    3 workouts. Driver floor: one count_documents and one find without the tree."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        owner, reader = plans.caller("trainer"), plans.caller("trainer")
        made = await bench.post(owner, TEMPLATES, plans.embedded_template(3))
        routines = bench.collection("routines")
        stored = await routines.find_one({"_id": ObjectId(made["id"])})
        copies = []
        for index in range(templates - 1):
            new_id = ObjectId()
            updated = stored["updatedAt"] - timedelta(seconds=index + 1)
            copies.append(
                {**stored, "_id": new_id, "parentRoutineId": new_id, "updatedAt": updated}
            )
        if copies:
            await routines.insert_many(copies)
        path = f"{TEMPLATES}?limit={LISTING_LIMIT}"
        answer = await bench.get(reader, path)
        assert answer["pagination"]["totalItems"] == templates
        query = {
            "$and": [
                {"routineType": "template", "isLatest": True, "isArchived": False},
                {"$or": [{"isPublic": True}, {"createdBy": reader.id}]},
            ]
        }

        async def service(_: int) -> None:
            await bench.get(reader, path)

        async def driver(_: int) -> None:
            await routines.count_documents(query)
            cursor = routines.find(query, {"workouts": 0}).sort([("updatedAt", -1), ("_id", -1)])
            await cursor.limit(LISTING_LIMIT).to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("listing", "GET", None, answer, 200),
        }
        return steps, {"templatesStored": templates}

    return scenario


def get_session(*, unchanged: bool = False) -> Scenario:
    """GET one session (snapshot of a warm-up and 4 x 4 sets; `unchanged`: with If-None-Match
    naming its tag, a 304). Driver floor: one find_one."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, assignment = await _assigned(bench, 12, plans.THREE_DAYS)
        page = await bench.get(client, f"{SESSIONS}?routineAssignmentId={assignment['id']}&limit=1")
        path = f"{SESSIONS}/{page['data'][0]['id']}"
        answer = await bench.get(client, path)
        sessions, oid = bench.collection("workout_sessions"), ObjectId(answer["id"])
        etag = f'"{answer["revision"]}"'

        async def service(_: int) -> None:
            if unchanged:
                await bench.get_unchanged(client, path, etag)
            else:
                await bench.get(client, path)

        async def driver(_: int) -> None:
            assert await sessions.find_one({"_id": oid}) is not None

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("session", "GET", None, answer, 200),
        }
        return steps, {"answerBytes": len(json.dumps(answer))}

    return scenario


def changes_page(weeks: int, days: list[str], replacements: int) -> Scenario:
    """GET /api/changes?limit=100 from the start as the client: a page of 100 among the
    assignments, sessions and tombstones of `replacements` + 1 assignments of weeks x days
    sessions (each replacement deletes the scheduled sessions of the one before). The feed's
    clock is moved past the settle window. Driver floor: the page's sessions query alone."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer, client, routine, _ = await _assigned(bench, weeks, days)
        for _ in range(replacements):
            await bench.post(
                trainer,
                ASSIGNMENTS,
                {"routineVersionId": routine["id"], "userId": client.id, "startDate": plans.START},
            )
        later = _now() + timedelta(minutes=1)
        bench.app.state.clock = lambda: later
        path = "/api/changes?limit=100"
        answer = await bench.get(client, path)
        assert len(answer["data"]) == 100
        sessions = bench.collection("workout_sessions")
        query = {"userId": client.id, "changedAt": {"$lt": later}}

        async def service(_: int) -> None:
            await bench.get(client, path)

        async def driver(_: int) -> None:
            cursor = sessions.find(query, {"workoutSnapshot.sections": 0, "performanceLog": 0})
            await cursor.sort([("changedAt", 1), ("_id", 1)]).limit(100).to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("changes", "GET", None, answer, 200),
        }
        return steps, {"sessionsStored": await sessions.count_documents({"userId": client.id})}

    return scenario


def adherence(days: list[str]) -> Scenario:
    """GET an assignment's adherence report (a year of `days`, every other session completed
    with a 16-set log) as its trainer, with the clock at the year's end so the rest are missed.
    Driver floor: the report's one projected find of the sessions."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer, client, _, assignment = await _assigned(bench, 52, days)
        sessions = bench.collection("workout_sessions")
        oid = ObjectId(assignment["id"])
        rows = await sessions.find({"routineAssignmentId": oid}).to_list(None)
        logs: dict[Any, Any] = {}
        for row in rows[::2]:
            if row["workoutId"] not in logs:  # one session of each workout logged via the API
                session = await bench.get(client, f"{SESSIONS}/{row['_id']}")
                body = {"status": "completed", "performanceLog": plans.completion_log(session)}
                await bench.ok(
                    bench.http.put(f"{SESSIONS}/{row['_id']}", json=body, headers=client.headers)
                )
                logs[row["workoutId"]] = (await sessions.find_one({"_id": row["_id"]}))[
                    "performanceLog"
                ]
            await sessions.update_one(
                {"_id": row["_id"]},
                {"$set": {"status": "completed", "performanceLog": logs[row["workoutId"]]}},
            )
        later = _now() + timedelta(days=400)
        bench.app.state.clock = lambda: later
        path = f"{ASSIGNMENTS}/{assignment['id']}/adherence"
        answer = await bench.get(trainer, path)
        assert answer["total"]["scheduled"] == len(rows)

        async def service(_: int) -> None:
            await bench.get(trainer, path)

        async def driver(_: int) -> None:
            query = {"userId": client.id, "routineAssignmentId": oid}
            await sessions.find(query, REPORT_PROJECTION).to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("adherence", "GET", None, answer, 200),
        }
        return steps, {"sessions": len(rows), "completed": answer["total"]["completed"]}

    return scenario


def substitutes() -> Scenario:
    """GET the substitutes of the barbell back squat (limit 20) for a client with dumbbells:
    the caller's equipment read from the store, the rest from the cached catalog. Driver floor:
    one find_one of the caller's equipment list."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        client = plans.caller("client")
        equipment = {"equipment": ["dumbbell", "bench"]}
        await bench.ok(bench.http.put(EQUIPMENT, json=equipment, headers=client.headers))
        path = f"/api/exercises/{SQUAT}/substitutes?variantId={BARBELL_SQUAT}"
        answer = await bench.get(client, path)
        lists = bench.collection("user_equipment")

        async def service(_: int) -> None:
            await bench.get(client, path)

        async def driver(_: int) -> None:
            assert await lists.find_one({"userId": client.id}) is not None

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("substitutes", "GET", None, answer, 200),
        }
        return steps, {"substitutes": len(answer["data"])}

    return scenario


def calendar_feed(days: list[str]) -> Scenario:
    """GET a client's calendar feed (.ics, no token) among a year of sessions, "today" two months
    into the year: the window (30 days back, 180 ahead) holds about seven months of them. Driver
    floor: the feed's lookup and its one projected find of the window."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        _, client, _, _ = await _assigned(bench, 52, days)
        today = datetime.fromisoformat(plans.START).replace(tzinfo=UTC) + timedelta(days=60)
        bench.app.state.clock = lambda: today
        feed = await bench.post(client, "/api/calendar-feeds", {"name": "Phone"})
        path = "/calendar/" + feed["url"].rsplit("/calendar/", 1)[1]
        first = await bench.http.get(path)
        assert first.status_code == 200, first.text
        feeds, sessions = bench.collection("calendar_feeds"), bench.collection("workout_sessions")
        window = {
            "$gte": (today - timedelta(days=30)).date().isoformat(),
            "$lte": (today + timedelta(days=180)).date().isoformat(),
        }
        query = {"userId": client.id, "scheduledDate": window}
        fields = {"scheduledDate": 1, "scheduledTime": 1, "revision": 1, "updatedAt": 1}

        async def service(_: int) -> None:
            response = await bench.http.get(path)
            assert response.status_code == 200

        async def driver(_: int) -> None:
            assert await feeds.find_one({"userId": client.id}) is not None
            await sessions.find(query, fields).sort([("scheduledDate", 1)]).to_list(None)

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("ics", "GET", None, first.text, 200),
        }
        return steps, {
            "events": first.text.count("BEGIN:VEVENT"),
            "answerBytes": len(first.content),
        }

    return scenario


def version_diff(workouts: int) -> Scenario:
    """GET the diff of two template versions of `workouts` workouts: version 2 published from
    version 1's GET with a heavier first set in every workout, its last two exercises of the
    main section swapped, a section added to the first workout and the last workout removed.
    Driver floor: the one `$in` find of both versions."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer = plans.caller("trainer")
        v1 = await bench.post(trainer, TEMPLATES, plans.embedded_template(workouts))
        edited = json.loads(json.dumps(v1))
        for workout in edited["workouts"]:
            main = workout["sections"][-1]["exercises"]
            main[0]["sets"][0]["weight"] = 120
            main[-2:] = main[-2:][::-1]
        edited["workouts"][0]["sections"].append(plans.workout("Extra")["sections"][-1])
        edited["workouts"].pop()
        put = bench.http.put(f"{TEMPLATES}/{v1['id']}", json=edited, headers=trainer.headers)
        v2 = await bench.ok(put)
        path = f"{TEMPLATES}/{v2['id']}/diff?against={v1['id']}"
        answer = await bench.get(trainer, path)
        routines, ids = bench.collection("routines"), [ObjectId(v1["id"]), ObjectId(v2["id"])]

        async def service(_: int) -> None:
            await bench.get(trainer, path)

        async def driver(_: int) -> None:
            assert len(await routines.find({"_id": {"$in": ids}}).to_list(None)) == 2

        steps = {
            SERVICE: Step(service),
            DRIVER: Step(driver),
            FRAMEWORK: bench.framework_step("diff", "GET", None, answer, 200),
        }
        return steps, {"changes": len(answer["changes"])}

    return scenario


def import_plan(days: int) -> Scenario:
    """POST /api/routines/import of a plan of `days` day headings, each followed by 9 exercise
    lines (typos and an lb weight among them): matched against the cached catalog, the routine
    and its import log written. Driver floor: the stored routine and log, two insert_one."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer = plans.caller("trainer")
        text = "\n".join(line for day in range(days) for line in (f"Day {day + 1}:", *IMPORT_LINES))
        body = {"text": text, "name": "Imported block"}
        routines, logs = bench.collection("routines"), bench.collection("import_logs")
        answer = await bench.post(trainer, "/api/routines/import", body)
        stored = await routines.find_one({"_id": ObjectId(answer["routine"]["id"])})
        log = await logs.find_one({"routineId": ObjectId(answer["routine"]["id"])})

        async def forget(_: int) -> None:
            await routines.delete_many({"userId": trainer.id})
            await logs.delete_many({})

        await forget(0)

        async def service(_: int) -> None:
            await bench.post(trainer, "/api/routines/import", body)

        async def driver(_: int) -> None:
            await routines.insert_one({**stored, "_id": ObjectId()})
            await logs.insert_one({**log, "_id": ObjectId()})

        steps = {
            SERVICE: Step(service, cleanup=forget),
            DRIVER: Step(driver, cleanup=forget),
            FRAMEWORK: bench.framework_step("import", "POST", body, answer, 201),
        }
        return steps, {"lines": len(text.splitlines()), "answerBytes": len(json.dumps(answer))}

    return scenario


def assign_group(members: int, weeks: int, days: list[str]) -> Scenario:
    """POST an assignment to a group of `members` linked clients (`groupId`), scheduling
    weeks x days sessions each; its database calls are the same whatever `members` is. Driver
    floor: every member's session documents inserted with one insert_many."""

    async def scenario(bench: Harness) -> tuple[dict[str, Step], dict[str, Any]]:
        trainer = plans.caller("trainer")
        group = await bench.post(trainer, "/api/groups", {"name": "class"})
        for _ in range(members):
            client = plans.caller("client")
            await _link(bench, trainer, client)
            path = f"/api/groups/{group['id']}/members/{client.id}"
            response = await bench.http.put(path, headers=trainer.headers)
            assert response.status_code == 204, response.text
        body = plans.embedded_template(len(days), weeks=weeks, days=days)
        routine = await bench.post(trainer, TEMPLATES, body)
        request = {"routineVersionId": routine["id"], "groupId": group["id"]}
        request["startDate"] = plans.START
        assignments, sessions = (
            bench.collection("routine_assignments"),
            bench.collection("workout_sessions"),
        )
        groups = bench.collection("groups")

        async def forget() -> None:
            await assignments.delete_many({"groupId": ObjectId(group["id"])})
            await sessions.delete_many({"parentRoutineId": ObjectId(routine["id"])})
            await groups.update_one({"_id": ObjectId(group["id"])}, {"$set": {"assignments": []}})

        first = await bench.post(trainer, ASSIGNMENTS, request)
        stored = await sessions.find({"parentRoutineId": ObjectId(routine["id"])}).to_list(None)
        await forget()

        async def service(_: int) -> None:
            await bench.post(trainer, ASSIGNMENTS, request)

        async def service_cleanup(_: int) -> None:
            await forget()

        steps = {
            SERVICE: Step(service, cleanup=service_cleanup),
            DRIVER: _inserting(sessions, stored),
            FRAMEWORK: bench.framework_step("assign-group", "POST", request, first, 201),
        }
        return steps, {"sessions": len(stored), "members": members}

    return scenario


def cells(quick: bool) -> list[tuple[str, str, Scenario]]:
    """(operation, size, scenario) of every in-process cell, in the order of the table."""
    listed = [
        ("publish template (embedded)", "3 workouts", publish(3, references=False)),
        ("publish template (embedded)", "14 workouts", publish(14, references=False)),
        ("POST with Idempotency-Key: publish", "3 workouts", publish(3, False, keyed=True)),
        ("publish template (references)", "3 library workouts", publish(3, references=True)),
        ("publish template (references)", "14 library workouts", publish(14, references=True)),
        ("GET one template", "3 workouts", get_template(3)),
        ("GET one template", "14 workouts", get_template(14)),
        ("304 one template (If-None-Match)", "3 workouts", get_template(3, unchanged=True)),
        ("304 one template (If-None-Match)", "14 workouts", get_template(14, unchanged=True)),
        ("assign", "12 wk x 3 d (36)", assign(12, plans.THREE_DAYS)),
        ("assign", "52 wk x 6 d (312)", assign(52, plans.SIX_DAYS)),
        (
            "assign with progression",
            "52 wk x 6 d (312)",
            assign(52, plans.SIX_DAYS, progression=True),
        ),
        (
            "POST with Idempotency-Key: assign",
            "12 wk x 3 d (36)",
            assign(12, plans.THREE_DAYS, True),
        ),
        ("log completed session (16 sets)", "of 36", log_session(12, plans.THREE_DAYS)),
        ("log completed session (16 sets)", "of 312", log_session(52, plans.SIX_DAYS)),
        (
            "complete session setting 20 records (16 sets)",
            "of 36",
            log_session(12, plans.THREE_DAYS, new_records=True),
        ),
        (
            "correct log lowering records (16 sets, 4 exercises)",
            "of 36",
            correct_session(12, plans.THREE_DAYS),
        ),
        ("GET one session", "1 of 36", get_session()),
        ("304 one session (If-None-Match)", "1 of 36", get_session(unchanged=True)),
        ("calendar month (full)", "year of 3 d/wk (156)", month(plans.THREE_DAYS)),
        ("calendar month (full)", "year of 6 d/wk (312)", month(plans.SIX_DAYS)),
        ("exercise history (20)", "year of 3 d/wk (156)", history(plans.THREE_DAYS)),
        ("exercise history (20)", "year of 6 d/wk (312)", history(plans.SIX_DAYS)),
        ("assignment adherence report", "year of 3 d/wk (156)", adherence(plans.THREE_DAYS)),
        ("assignment adherence report", "year of 6 d/wk (312)", adherence(plans.SIX_DAYS)),
        ("diff of two template versions", "14 workouts", version_diff(14)),
        ("assign a group", "1 member, 12 wk x 3 d (36)", assign_group(1, 12, plans.THREE_DAYS)),
        (
            "assign a group",
            "30 members, 12 wk x 3 d (1080)",
            assign_group(30, 12, plans.THREE_DAYS),
        ),
        ("text import (create)", "40 lines, 4 days", import_plan(4)),
        ("explore page (20)", "50 templates", listing(50)),
        ("explore page (20)", "500 templates", listing(500)),
        (
            "GET /api/changes page of 100",
            "1 assignment of 312",
            changes_page(52, plans.SIX_DAYS, 0),
        ),
        (
            "GET /api/changes page of 100",
            "4 assignments of 312, 3 replaced",
            changes_page(52, plans.SIX_DAYS, 3),
        ),
        ("substitutes (20)", "dumbbells, barbell squat", substitutes()),
        ("calendar feed (.ics)", "year of 6 d/wk (312)", calendar_feed(plans.SIX_DAYS)),
    ]
    if quick:  # one size per operation: the first listed
        first: dict[str, tuple[str, str, Scenario]] = {}
        for cell in listed:
            first.setdefault(cell[0], cell)
        return list(first.values())
    return listed
