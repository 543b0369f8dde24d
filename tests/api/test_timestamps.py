"""Every instant the API answers is UTC with `Z`, and the OpenAPI document says `date-time`."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support import serving, supabase_caller, supabase_settings
from tests.support.callers import Caller, make_caller
from tests.support.postgrest import PostgrestServer

# An instant as the service writes it: milliseconds, UTC, `Z`.
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
# Timestamp-named properties: `…At`, and the two instants whose names end in `Date` (calendar
# days such as `startDate` or `scheduledDate` are `YYYY-MM-DD` strings, not instants).
INSTANTS_NAMED_DATE = {("HistoryEntry", "date"), ("ProgressView", "lastWorkoutDate")}


def _property_schemas(schema: Any) -> Iterator[dict[str, Any]]:
    """The schema itself, or each branch of an `anyOf` (an optional timestamp is `T | null`)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") != "null":
            yield branch


def test_every_timestamp_in_the_openapi_document_is_a_date_time(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    checked, wrong = 0, []
    for model, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            if not (name.endswith("At") or (model, name) in INSTANTS_NAMED_DATE):
                continue
            checked += 1
            for branch in _property_schemas(prop):
                if branch.get("format") != "date-time":
                    wrong.append(f"{model}.{name}: {branch}")
    assert checked > 50  # createdAt, updatedAt, archivedAt, completedAt, … on every document
    assert not wrong, "\n".join(wrong)
    for model, name in INSTANTS_NAMED_DATE:
        assert name in schemas[model]["properties"], (model, name)


async def test_embedded_directory_answers_created_at_in_utc_with_z(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    who = make_caller("client")
    linked = await client.put(f"/api/trainers/{trainer.id}/clients/{who.id}", headers=admin.headers)
    assert linked.status_code == 204, linked.text
    listing = await client.get("/api/trainers/me/clients", headers=trainer.headers)
    assert listing.status_code == 200, listing.text
    (item,) = listing.json()["data"]
    assert INSTANT.match(item["createdAt"]), item["createdAt"]


@pytest.fixture
def postgrest_server() -> Iterator[PostgrestServer]:
    with PostgrestServer() as running:
        yield running


async def test_supabase_directory_answers_created_at_in_utc_with_z(
    postgrest_server: PostgrestServer,
) -> None:
    trainer = supabase_caller(postgrest_server.url, "trainer")
    clients = [supabase_caller(postgrest_server.url, "client") for _ in range(2)]
    # timestamptz as PostgREST writes it, in the database session's zone (not always UTC).
    postgrest_server.tables["trainer_clients"].extend(
        {"trainer_id": trainer.id, "client_id": who.id, "status": "active", "created_at": at}
        for who, at in zip(
            clients, ["2026-01-03T12:00:00.123456+02:00", "2026-01-04T10:00:00+00:00"], strict=True
        )
    )
    async with serving(supabase_settings(postgrest_server.url)) as client:
        listing = await client.get("/api/trainers/me/clients", headers=trainer.headers)
    assert listing.status_code == 200, listing.text
    assert [item["createdAt"] for item in listing.json()["data"]] == [
        "2026-01-03T10:00:00.123Z",
        "2026-01-04T10:00:00.000Z",
    ]
