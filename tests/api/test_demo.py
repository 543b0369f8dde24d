"""`peakhealth serve --demo` data: the demo client's week is scheduled and one session logged."""

import httpx
from fastapi import FastAPI

from peakhealth import demo
from peakhealth.config import DEVELOPMENT_JWT_SECRET


async def test_demo_client_has_a_week_with_a_logged_session(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await demo.load_demo()
    tokens = demo.demo_tokens(DEVELOPMENT_JWT_SECRET)
    headers = {"Authorization": f"Bearer {tokens['client']}"}
    assignment = await client.get(f"/api/routine-assignments/{ids['assignment']}", headers=headers)
    assert assignment.json()["status"] == "active"
    assert assignment.json()["progress"]["completedWorkouts"] == 1
    week = await client.get(f"/api/workout-sessions?from={ids['week']}&limit=3", headers=headers)
    first, second, third = week.json()["data"]
    assert first["status"] == "completed" and first["performanceLog"]["sections"]
    assert (second["status"], third["status"]) == ("scheduled", "scheduled")
    trainer = {"Authorization": f"Bearer {tokens['trainer']}"}
    clients = await client.get("/api/trainers/me/clients", headers=trainer)
    assert [item["clientId"] for item in clients.json()["data"]] == [demo.CLIENT.id]


async def test_demo_routine_computes_its_loads_and_the_client_has_a_maximum_and_records(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await demo.load_demo()
    headers = {"Authorization": f"Bearer {demo.demo_tokens(DEVELOPMENT_JWT_SECRET)['client']}"}
    week = await client.get(f"/api/workout-sessions?from={ids['week']}&limit=1", headers=headers)
    squat, bench = week.json()["data"][0]["workoutSnapshot"]["sections"][1]["exercises"]
    assert squat["sets"][0]["prescribedBy"] == {"rule": "linear", "week": 1}
    # 75% of the 80 kg maximum: 60 kg.
    assert bench["sets"][0]["weight"] == 60
    assert bench["sets"][0]["prescribedBy"] == {"rule": "percentage", "week": 1, "maximum": 80}
    maxima = await client.get("/api/users/me/metrics?current=true", headers=headers)
    assert [(item["kind"], item["value"]) for item in maxima.json()["data"]] == [("oneRepMax", 80)]
    records = await client.get("/api/users/me/records?units=imperial", headers=headers)
    assert records.headers["Content-Units"] == "imperial"
    heaviest = [item for item in records.json()["data"] if item["type"] == "heaviestWeight"]
    assert [item["value"] for item in heaviest] == [176.37]  # the 80 kg squats
