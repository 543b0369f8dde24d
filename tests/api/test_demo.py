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
