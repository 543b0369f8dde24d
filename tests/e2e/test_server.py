"""The whole flow against a real uvicorn server over TCP, started as `peakhealth serve`."""

import httpx
import pytest

from tests.support.callers import make_caller
from tests.support.plans import strength_section, template_body, warmup_section

pytestmark = pytest.mark.e2e


def test_library_to_routine_flow_over_tcp(server: str) -> None:
    trainer = make_caller("trainer")
    with httpx.Client(base_url=server, headers=trainer.headers, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        warmup = http.post("/api/library/sections", json=warmup_section()).json()
        main = http.post("/api/library/sections", json=strength_section()).json()
        workout = http.post(
            "/api/library/workouts",
            json={"name": "Day A", "type": "strength", "sections": [warmup["id"], main["id"]]},
        ).json()
        created = http.post("/api/templates/routines", json=template_body([workout["id"]]))
        assert created.status_code == 201, created.text
        routine = created.json()
        assert routine["workouts"][0]["sections"][1]["name"] == "Main lifts"

        changed = http.put(f"/api/library/sections/{main['id']}", json=strength_section("Other"))
        assert changed.status_code == 200 and changed.json()["version"] == 2
        rewired = http.put(
            f"/api/library/workouts/{workout['id']}",
            json={"name": "Day A2", "type": "strength", "sections": [changed.json()["id"]]},
        )
        assert rewired.json()["sections"][0]["name"] == "Other"
        assert http.put(f"/api/library/sections/{main['id']}/archive").status_code == 200

        again = http.get(f"/api/templates/routines/{routine['id']}")
        assert again.status_code == 200
        assert again.json() == routine
        assert again.headers["content-type"] == "application/json"

        problem = http.get("/api/library/sections/nope")
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"


def test_openapi_and_docs_are_served_without_a_token(server: str) -> None:
    # The first request builds the document: seconds on a loaded machine, not httpx's default 5.
    spec = httpx.get(f"{server}/openapi.json", timeout=60).json()
    assert "/api/library/sections" in spec["paths"]
    assert "/api/templates/routines/{id}/versions" in spec["paths"]
    for docs, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = httpx.get(f"{server}{docs}")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "fonts.googleapis" not in page.text
        bundle = httpx.get(f"{server}/docs-assets/{script}")
        assert bundle.status_code == 200 and len(bundle.content) > 100_000


def test_assign_train_log_and_upgrade_over_tcp(server: str) -> None:
    """The heart of the product, end to end: a trainer links a client, publishes and assigns;
    the client reads the week, starts, logs and completes a session and sees the exercise's
    history; the trainer upgrades, and the past stays as it was."""
    admin, trainer, client = make_caller("admin"), make_caller("trainer"), make_caller("client")
    with (
        httpx.Client(base_url=server, headers=trainer.headers, timeout=10) as coach,
        httpx.Client(base_url=server, headers=client.headers, timeout=10) as athlete,
    ):
        linked = httpx.put(
            f"{server}/api/trainers/{trainer.id}/clients/{client.id}", headers=admin.headers
        )
        assert linked.status_code == 204
        body = template_body(
            [
                {"name": "A", "type": "strength", "sections": [strength_section()]},
                {"name": "B", "type": "strength", "sections": [warmup_section()]},
            ],
            duration=4,
            schedule={"trainingDays": ["mon", "wed", "fri"]},
        )
        routine = coach.post("/api/templates/routines", json=body).json()
        assignment = coach.post(
            "/api/routine-assignments",
            json={
                "routineVersionId": routine["id"],
                "userId": client.id,
                "startDate": "2026-11-23",
            },
        )
        assert assignment.status_code == 201, assignment.text
        assignment_id = assignment.json()["id"]

        week = athlete.get("/api/workout-sessions?from=2026-11-23&to=2026-11-29")
        assert week.status_code == 200, week.text
        days = week.json()["data"]
        assert [s["scheduledDate"] for s in days] == ["2026-11-23", "2026-11-25", "2026-11-27"]
        first = days[0]
        started = athlete.put(
            f"/api/workout-sessions/{first['id']}", json={"status": "in-progress"}
        )
        assert started.status_code == 200, started.text
        section = first["workoutSnapshot"]["sections"][0]
        squat = section["exercises"][0]
        log = {
            "sections": [
                {
                    "sectionId": section["id"],
                    "exercises": [
                        {
                            "exerciseEntryId": squat["id"],
                            "sets": [
                                {"setId": planned["id"], "performance": {"reps": 5, "weight": w}}
                                for planned, w in zip(squat["sets"], (100, 105, 110), strict=True)
                            ],
                        }
                    ],
                }
            ]
        }
        done = athlete.put(
            f"/api/workout-sessions/{first['id']}",
            json={"status": "completed", "performanceLog": log, "durationMinutes": 55},
        )
        assert done.status_code == 200, done.text
        history = athlete.get(f"/api/exercises/{squat['exerciseId']}/history")
        assert history.status_code == 200, history.text
        (entry,) = history.json()["data"]
        assert entry["sessionId"] == first["id"]
        assert entry["topSet"]["weight"] == 110
        assert entry["volume"] == 5 * (100 + 105 + 110)
        progress = coach.get(f"/api/routine-assignments/{assignment_id}").json()["progress"]
        assert (progress["completedWorkouts"], progress["totalWorkouts"]) == (1, 12)

        completed_before = athlete.get(f"/api/workout-sessions/{first['id']}").json()
        renamed = dict(body)
        renamed["workouts"] = [dict(body["workouts"][0], name="A2"), body["workouts"][1]]
        v2 = coach.put(f"/api/templates/routines/{routine['id']}", json=renamed).json()
        upgraded = coach.post(
            f"/api/routine-assignments/{assignment_id}/upgrade", json={"fromDate": "2026-11-25"}
        )
        assert upgraded.status_code == 201, upgraded.text
        assert upgraded.json()["routineVersionId"] == v2["id"]
        week = athlete.get("/api/workout-sessions?from=2026-11-23&to=2026-11-29").json()["data"]
        assert [s["workoutSnapshot"]["name"] for s in week] == ["A", "A2", "B"]
        assert athlete.get(f"/api/workout-sessions/{first['id']}").json() == completed_before
