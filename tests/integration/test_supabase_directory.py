"""The user directory read from Supabase (`trainer_clients`, `profiles`), against a local
PostgREST-protocol server: who is whose client, and what a trainer sees."""

from collections.abc import Iterator

import pytest

from peakhealth.identity.supabase_directory import SupabaseDirectory
from tests.support import serving, supabase_caller, supabase_settings
from tests.support.postgrest import PostgrestServer, closed_port_url


@pytest.fixture
def server() -> Iterator[PostgrestServer]:
    with PostgrestServer() as running:
        yield running


async def test_trainer_lists_active_clients_with_their_names(server: PostgrestServer) -> None:
    trainer = supabase_caller(server.url, "trainer")
    clients = [supabase_caller(server.url, "client") for _ in range(3)]
    server.tables["trainer_clients"].extend(
        [
            {
                "trainer_id": trainer.id,
                "client_id": clients[0].id,
                "status": "active",
                "created_at": "2026-01-01T10:00:00+00:00",
            },
            {
                "trainer_id": trainer.id,
                "client_id": clients[1].id,
                "status": "ended",
                "created_at": "2026-01-02T10:00:00+00:00",
            },
            {
                "trainer_id": trainer.id,
                "client_id": clients[2].id,
                "status": "active",
                "created_at": "2026-01-03T10:00:00+00:00",
            },
        ]
    )
    server.tables["profiles"].append(
        {"id": clients[0].id, "display_name": "Ada", "unit_system": "metric"}
    )
    async with serving(supabase_settings(server.url)) as client:
        listing = await client.get("/api/trainers/me/clients", headers=trainer.headers)
        assert listing.status_code == 200, listing.text
        body = listing.json()
        assert [item["clientId"] for item in body["data"]] == [clients[0].id, clients[2].id]
        assert body["data"][0]["displayName"] == "Ada"
        assert body["pagination"]["totalItems"] == 2
        past = await client.get("/api/trainers/me/clients?page=5", headers=trainer.headers)
        assert past.json()["data"] == [] and past.json()["pagination"]["totalItems"] == 2
        admin = supabase_caller(server.url, "admin")
        managed = await client.put(
            f"/api/trainers/{trainer.id}/clients/{clients[1].id}", headers=admin.headers
        )
        assert managed.status_code == 409


async def test_directory_outage_is_503() -> None:
    url = closed_port_url()
    trainer = supabase_caller(url, "trainer")
    async with serving(supabase_settings(url)) as client:
        listing = await client.get("/api/trainers/me/clients", headers=trainer.headers)
    assert listing.status_code == 503
    assert listing.headers["content-type"] == "application/problem+json"


async def test_the_profile_unit_system_comes_from_supabase(server: PostgrestServer) -> None:
    """`profiles.unit_system` decides the answers' units; the profile is edited in Supabase."""
    pounds = supabase_caller(server.url, "client")
    unset = supabase_caller(server.url, "client")
    odd = supabase_caller(server.url, "client")
    server.tables["profiles"].extend(
        [
            {"id": pounds.id, "display_name": "Ada", "unit_system": "imperial"},
            {"id": odd.id, "display_name": "", "unit_system": "furlongs"},
        ]
    )
    async with serving(supabase_settings(server.url)) as client:
        me = await client.get("/api/users/me", headers=pounds.headers)
        assert me.json() == {
            "id": pounds.id,
            "role": "client",
            "displayName": "Ada",
            "unitSystem": "imperial",
        }
        listed = await client.get("/api/exercises?limit=1", headers=pounds.headers)
        assert listed.headers["Content-Units"] == "imperial"
        for who in (unset, odd):  # no row, or a value the service does not know: metric
            me = await client.get("/api/users/me", headers=who.headers)
            assert me.json() == {"id": who.id, "role": "client", "unitSystem": "metric"}
        edited = await client.patch(
            "/api/users/me", json={"unitSystem": "metric"}, headers=pounds.headers
        )
        assert edited.status_code == 409
    assert server.tables["profiles"][0]["unit_system"] == "imperial"


async def test_a_groups_members_links_are_read_in_one_request(server: PostgrestServer) -> None:
    trainer, linked, ended, stranger = (supabase_caller(server.url, "client") for _ in range(4))
    server.tables["trainer_clients"].extend(
        {"trainer_id": trainer.id, "client_id": who.id, "status": status, "created_at": "2026"}
        for who, status in ((linked, "active"), (ended, "ended"))
    )
    directory = SupabaseDirectory(server.url, "service-role-key")
    try:
        before = server.total_requests()
        found = await directory.clients_among(trainer.id, [linked.id, ended.id, stranger.id])
        assert found == {linked.id}
        assert server.total_requests() == before + 1
    finally:
        await directory.aclose()
