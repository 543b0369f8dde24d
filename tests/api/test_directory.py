"""The trainer-client directory in embedded mode: admins link, trainers list their clients."""

import httpx

from tests.support.callers import Caller, make_caller

TRAINERS = "/api/trainers"


async def test_admin_links_and_trainer_lists_own_clients(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, other_trainer: Caller
) -> None:
    clients = [make_caller("client") for _ in range(3)]
    for who in clients:
        linked = await client.put(
            f"{TRAINERS}/{trainer.id}/clients/{who.id}", headers=admin.headers
        )
        assert linked.status_code == 204, linked.text
    again = await client.put(
        f"{TRAINERS}/{trainer.id}/clients/{clients[0].id}", headers=admin.headers
    )
    assert again.status_code == 204  # linking twice is harmless
    await client.put(
        f"{TRAINERS}/{other_trainer.id}/clients/{clients[2].id}", headers=admin.headers
    )

    mine = await client.get(f"{TRAINERS}/me/clients?limit=2", headers=trainer.headers)
    assert mine.status_code == 200
    body = mine.json()
    assert [item["clientId"] for item in body["data"]] == [clients[0].id, clients[1].id]
    assert body["pagination"]["totalItems"] == 3 and body["pagination"]["hasNextPage"]
    theirs = await client.get(f"{TRAINERS}/me/clients", headers=other_trainer.headers)
    assert [item["clientId"] for item in theirs.json()["data"]] == [clients[2].id]

    ended = await client.delete(
        f"{TRAINERS}/{trainer.id}/clients/{clients[1].id}", headers=admin.headers
    )
    assert ended.status_code == 204
    mine = await client.get(f"{TRAINERS}/me/clients", headers=trainer.headers)
    assert [item["clientId"] for item in mine.json()["data"]] == [clients[0].id, clients[2].id]
    twice = await client.delete(
        f"{TRAINERS}/{trainer.id}/clients/{clients[1].id}", headers=admin.headers
    )
    assert twice.status_code == 404


async def test_only_admins_link_and_only_trainers_have_clients(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    path = f"{TRAINERS}/{trainer.id}/clients/{client_user.id}"
    assert (await client.put(path, headers=trainer.headers)).status_code == 403
    assert (await client.delete(path, headers=trainer.headers)).status_code == 403
    listing = await client.get(f"{TRAINERS}/me/clients", headers=client_user.headers)
    assert listing.status_code == 403


async def test_user_ids_in_the_path_must_be_uuids(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    for path in (
        f"{TRAINERS}/not-a-uuid/clients/{trainer.id}",
        f"{TRAINERS}/{trainer.id}/clients/{trainer.id}%0A",
    ):
        response = await client.put(path, headers=admin.headers)
        assert response.status_code == 422, path
        assert response.headers["content-type"] == "application/problem+json"
