"""Client metrics over HTTP (DOMAIN.md section 13): who records and reads them (the client, their
linked trainer, admins; anyone else 404 as for a user that does not exist), validation (422
naming the field, nothing stored), history newest first and the current values."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from peakhealth.storage.metrics import ClientMetric, current_one_rep_maxima_of
from tests.support.actions import link
from tests.support.callers import Caller, make_caller
from tests.support.plans import variant
from tests.support.problems import assert_problem
from tests.support.stored import calls_during

SQUAT = variant("Barbell Back Squat")["exerciseId"]
BENCH = variant("Barbell Bench Press")["exerciseId"]


def metrics_of(who: Caller | str) -> str:
    return f"/api/users/{who if isinstance(who, str) else who.id}/metrics"


async def record(
    client: httpx.AsyncClient, by: Caller, of: Caller | str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(metrics_of(of), json=body, headers=by.headers)


async def stored_count() -> int:
    return int(await ClientMetric.get_motor_collection().count_documents({}))


@pytest.fixture
async def linked(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    await link(client, admin, trainer, client_user)


async def test_the_client_records_their_own_with_location_and_defaults(
    app: Any, client: httpx.AsyncClient, client_user: Caller
) -> None:
    app.state.clock = lambda: datetime(2026, 3, 14, 23, 30, tzinfo=UTC)  # the service's today
    made = await record(client, client_user, "me", {"kind": "bodyweight", "value": 81.23456})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["userId"] == body["recordedBy"] == client_user.id
    assert body["value"] == 81.235  # kg to 0.001, as every stored weight
    assert body["measuredOn"] == "2026-03-14" and "exerciseId" not in body
    assert made.headers["location"] == f"{metrics_of(client_user)}/{body['id']}"
    again = await client.get(made.headers["location"], headers=client_user.headers)
    assert again.json() == body


async def test_a_measurement_has_revision_one_its_tag_and_a_304(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    made = await record(client, client_user, "me", {"kind": "bodyweight", "value": 80})
    assert made.json()["revision"] == 1 and made.headers["ETag"] == '"1"'
    url = made.headers["location"]
    read = await client.get(url, headers=client_user.headers)
    assert read.headers["ETag"] == '"1"'
    held = await client.get(url, headers={**client_user.headers, "If-None-Match": '"1"'})
    assert held.status_code == 304 and held.content == b""
    other = await client.get(url, headers={**client_user.headers, "If-None-Match": '"2"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("client_user", True),
        ("trainer", True),  # linked
        ("admin", True),
        ("other_trainer", False),  # not linked
        ("stranger", False),  # another client
    ],
)
async def test_who_records_and_reads_a_clients_metrics(
    request: pytest.FixtureRequest,
    client: httpx.AsyncClient,
    client_user: Caller,
    linked: None,
    who: str,
    allowed: bool,
) -> None:
    caller = make_caller("client") if who == "stranger" else request.getfixturevalue(who)
    body = {"kind": "oneRepMax", "exerciseId": SQUAT, "value": 140}
    made = await record(client, caller, client_user, body)
    listing = await client.get(metrics_of(client_user), headers=caller.headers)
    records = await client.get(f"/api/users/{client_user.id}/records", headers=caller.headers)
    if allowed:
        assert made.status_code == 201, made.text
        assert made.json()["recordedBy"] == caller.id
        assert listing.json()["data"][0]["id"] == made.json()["id"]
        assert records.status_code == 200
        return
    # Not even whether the client exists: the same 404 as for an unknown user.
    unknown = await client.get(metrics_of(make_caller("client")), headers=caller.headers)
    for answer in (made, listing, records, unknown):
        assert answer.status_code == 404, answer.text
        assert answer.json()["detail"].startswith("no user with id")
    assert await stored_count() == 0


async def test_an_unlinked_trainers_metric_of_a_former_client_is_refused(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller, linked: None
) -> None:
    unlinked = await client.delete(
        f"/api/trainers/{trainer.id}/clients/{client_user.id}", headers=admin.headers
    )
    assert unlinked.status_code == 204
    made = await record(client, trainer, client_user, {"kind": "bodyweight", "value": 80})
    assert made.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "bodyweight", "value": -1}, "value"),
        ({"kind": "bodyweight", "value": 0}, "value"),
        ({"kind": "bodyweight", "value": 80, "measuredOn": "10000-01-01"}, "measuredOn"),
        ({"kind": "bodyweight", "value": 80, "measuredOn": "2026-02-30"}, "measuredOn"),
        ({"kind": "bodyweight", "value": 80, "exerciseId": SQUAT}, "exerciseId"),
        ({"kind": "oneRepMax", "value": 100}, "exerciseId"),
        ({"kind": "oneRepMax", "value": 100, "exerciseId": "not-a-uuid"}, "exerciseId"),
        ({"kind": "height", "value": 180}, "kind"),
        ({"kind": "bodyweight", "value": 80, "userId": "x"}, "userId"),
    ],
)
async def test_bad_metrics_are_422_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient, client_user: Caller, body: dict[str, Any], field: str
) -> None:
    assert_problem(await record(client, client_user, "me", body), field)
    assert await stored_count() == 0


async def test_a_maximum_of_an_exercise_the_catalog_lacks_is_422(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    body = {"kind": "oneRepMax", "value": 100, "exerciseId": "00000000-0000-4000-8000-000000000000"}
    assert_problem(await record(client, client_user, "me", body), "exerciseId")
    assert await stored_count() == 0


async def test_history_is_kept_newest_first_and_current_takes_the_latest_day(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    bodies = [
        {"kind": "oneRepMax", "exerciseId": SQUAT, "value": 140, "measuredOn": "2026-03-01"},
        {"kind": "oneRepMax", "exerciseId": SQUAT, "value": 150, "measuredOn": "2026-05-01"},
        # recorded later, measured earlier: history, not current
        {"kind": "oneRepMax", "exerciseId": SQUAT, "value": 145, "measuredOn": "2026-04-01"},
        {"kind": "oneRepMax", "exerciseId": BENCH, "value": 100, "measuredOn": "2026-04-01"},
        {"kind": "bodyweight", "value": 80, "measuredOn": "2026-04-01"},
        # the same day again: the later recorded is current
        {"kind": "bodyweight", "value": 79, "measuredOn": "2026-04-01"},
    ]
    for body in bodies:
        assert (await record(client, client_user, "me", body)).status_code == 201
    everything = await client.get(metrics_of("me"), headers=client_user.headers)
    values = [item["value"] for item in everything.json()["data"]]
    assert values == [150, 79, 80, 100, 145, 140]
    assert everything.json()["pagination"]["totalItems"] == 6
    squat = await client.get(
        f"{metrics_of('me')}?kind=oneRepMax&exerciseId={SQUAT}", headers=client_user.headers
    )
    assert [item["value"] for item in squat.json()["data"]] == [150, 145, 140]
    current = await client.get(f"{metrics_of('me')}?current=true", headers=client_user.headers)
    found = {
        (item["kind"], item.get("exerciseId")): item["value"] for item in current.json()["data"]
    }
    assert found == {("bodyweight", None): 79, ("oneRepMax", SQUAT): 150, ("oneRepMax", BENCH): 100}
    assert current.json()["pagination"]["totalItems"] == 3
    page = await client.get(
        f"{metrics_of('me')}?current=true&limit=1&page=2", headers=client_user.headers
    )
    assert len(page.json()["data"]) == 1


async def test_the_schedulers_maxima_are_the_current_ones_in_one_call(
    app: Any, client: httpx.AsyncClient, client_user: Caller
) -> None:
    for value, day in ((140, "2026-03-01"), (150, "2026-05-01"), (145, "2026-04-01")):
        body = {"kind": "oneRepMax", "exerciseId": SQUAT, "value": value, "measuredOn": day}
        assert (await record(client, client_user, "me", body)).status_code == 201
    with calls_during(app.state.client) as made:
        maxima = await current_one_rep_maxima_of([client_user.id], [SQUAT, BENCH])
    assert maxima == {client_user.id: {SQUAT: 150.0}}
    assert sum(made.values()) == 1
