"""Every multi-document sequence of the version chains, failed at each of its database calls in
turn, as a server fails mid-sequence: the call never runs, it runs and its answer is lost, or
the database stays away from that call on (and the lease is left to expire). After each, the
state holds the invariants of DOMAIN.md section 4, and the next request leaves it settled.

The fault mechanism is the embedded store's (`EmbeddedClient.fail_call`)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.embedded import EmbeddedClient
from peakhealth.library.documents import SectionDocument
from peakhealth.versioning import chains, heads
from peakhealth.versioning.heads import ChainHead
from tests.support.actions import create
from tests.support.callers import Caller, make_caller
from tests.support.paths import SECTIONS
from tests.support.plans import strength_section

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MODES = ["never ran", "answer lost", "outage"]


@dataclass
class Scene:
    """What a sequence is run on: a caller of its own, and the versions made for it."""

    who: Caller
    ids: list[str] = field(default_factory=list)
    seen_numbers: dict[str, int] = field(default_factory=dict)  # chain -> highest number seen


Setup = Callable[[httpx.AsyncClient, Caller], Awaitable[Scene]]
Step = Callable[[httpx.AsyncClient, Scene], Awaitable[httpx.Response]]


async def versions_of(scene: Scene) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await SectionDocument.get_motor_collection()
        .find({"createdBy": scene.who.id}, {"sections": 0, "exercises": 0})
        .to_list(None)
    )
    return rows


async def heads_of(scene: Scene) -> dict[str, dict[str, Any]]:
    rows = await ChainHead.get_motor_collection().find({"createdBy": scene.who.id}).to_list(None)
    return {str(row["_id"]): row for row in rows}


def by_chain(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    chains: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        chains.setdefault(str(row["parentSectionId"]), []).append(row)
    return chains


async def note_numbers(scene: Scene) -> None:
    for chain, rows in by_chain(await versions_of(scene)).items():
        top = max(row["version"] for row in rows)
        scene.seen_numbers[chain] = max(scene.seen_numbers.get(chain, 0), top)


async def check_consistent(client: httpx.AsyncClient, scene: Scene) -> None:
    """What holds after any step: never two latest in a chain (stored or listed), no version
    without its head, no number above the head's counter."""
    rows = await versions_of(scene)
    heads = await heads_of(scene)
    for chain, versions in by_chain(rows).items():
        assert sum(1 for row in versions if row.get("isLatest")) <= 1, versions
        assert chain in heads, f"version(s) of chain {chain} without a head"
        numbers = [row["version"] for row in versions]
        assert len(numbers) == len(set(numbers))
        assert max(numbers) <= heads[chain]["lastVersion"]
    listing = await client.get(f"{SECTIONS}?createdBy=me&limit=100", headers=scene.who.headers)
    assert listing.status_code == 200, listing.text
    listed = [item["parentSectionId"] for item in listing.json()["data"]]
    assert len(listed) == len(set(listed)), listing.json()
    assert not any(item["isArchived"] for item in listing.json()["data"])


async def check_settled(scene: Scene, *, lost_heads: bool = False) -> None:
    """What holds once a request on the chain has returned: exactly the highest live version
    is latest and the head points to it, the lease is free, nothing is pending, and a chain
    without versions has no head (`lost_heads`: unless a create failed between its head and
    its version and the database never came back to let it drop the head; nobody was told of
    that chain, so nothing can reach it)."""
    rows = await versions_of(scene)
    heads = await heads_of(scene)
    chains = by_chain(rows)
    for chain, versions in chains.items():
        assert not any("pendingLease" in row for row in versions), versions
        live = [row for row in versions if not row.get("isArchived")]
        top = max(live, key=lambda row: row["version"]) if live else None
        assert [row["_id"] for row in versions if row.get("isLatest")] == (
            [top["_id"]] if top else []
        )
        head = heads[chain]
        assert head["latestId"] == (top["_id"] if top else None)
        assert head["leaseToken"] is None and not head.get("needsRepair")
    if not lost_heads:
        assert set(heads) <= set(chains), "a head whose chain has no version left"
    for chain in set(heads) - set(chains):
        found = await client_free_read(chain)
        assert found is None


async def next_request(client: httpx.AsyncClient, scene: Scene) -> None:
    """Publish once more on every chain the caller still has: it succeeds, with a number never
    issued before."""
    await note_numbers(scene)
    for chain, versions in by_chain(await versions_of(scene)).items():
        source = str(versions[0]["_id"])
        response = await client.put(
            f"{SECTIONS}/{source}", json=strength_section("Next"), headers=scene.who.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] > scene.seen_numbers[chain]
        assert response.json()["isLatest"] is True


# ----- the sequences ---------------------------------------------------------------------------


async def publish(client: httpx.AsyncClient, scene: Scene, version_id: str) -> dict[str, Any]:
    response = await client.put(
        f"{SECTIONS}/{version_id}", json=strength_section(), headers=scene.who.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    scene.ids.append(body["id"])
    return body


async def lifecycle(client: httpx.AsyncClient, scene: Scene, action: str, index: int) -> None:
    response = await client.put(
        f"{SECTIONS}/{scene.ids[index]}/{action}", headers=scene.who.headers
    )
    assert response.status_code == 200, response.text


async def nothing(client: httpx.AsyncClient, who: Caller) -> Scene:
    return Scene(who)


async def two_versions(client: httpx.AsyncClient, who: Caller) -> Scene:
    scene = Scene(who, [(await create(client, who, SECTIONS, strength_section()))["id"]])
    await publish(client, scene, scene.ids[0])
    return scene


async def three_versions(client: httpx.AsyncClient, who: Caller) -> Scene:
    scene = await two_versions(client, who)
    await publish(client, scene, scene.ids[0])
    return scene


async def top_archived(client: httpx.AsyncClient, who: Caller) -> Scene:
    scene = await two_versions(client, who)
    await lifecycle(client, scene, "archive", 1)
    return scene


async def two_archived_long_ago(client: httpx.AsyncClient, who: Caller) -> Scene:
    scene = await three_versions(client, who)
    for index in (1, 2):
        await lifecycle(client, scene, "archive", index)
    await SectionDocument.get_motor_collection().update_many(
        {"createdBy": who.id, "isArchived": True}, {"$set": {"archivedAt": LONG_AGO}}
    )
    return scene


def request(method: str, path: str, *, body: Any = None) -> Step:
    async def step(client: httpx.AsyncClient, scene: Scene) -> httpx.Response:
        target = path.format(*scene.ids, sections=SECTIONS)
        return await client.request(method, target, json=body, headers=scene.who.headers)

    return step


SEQUENCES: dict[str, tuple[Setup, Step, int]] = {
    "create": (nothing, request("POST", "{sections}", body=strength_section()), 201),
    "publish (latest hand-over)": (
        two_versions,
        request("PUT", "{sections}/{1}", body=strength_section("v3")),
        200,
    ),
    "copy": (two_versions, request("POST", "{sections}/{1}/copy"), 201),
    "archive the latest": (three_versions, request("PUT", "{sections}/{2}/archive"), 200),
    "unarchive the top": (top_archived, request("PUT", "{sections}/{1}/unarchive"), 200),
    "purge one": (top_archived, request("DELETE", "{sections}/{1}"), 204),
    "bulk purge": (
        two_archived_long_ago,
        request("DELETE", "{sections}?status=archived&olderThan=1d"),
        200,
    ),
    "delete chain": (three_versions, request("DELETE", "{sections}/{0}/versions"), 204),
}


def store_of(app: FastAPI) -> EmbeddedClient:
    store: EmbeddedClient = app.state.client
    return store


async def calls_made(app: FastAPI, client: httpx.AsyncClient, setup: Setup, step: Step) -> int:
    """How many database calls the sequence makes when nothing fails."""
    scene = await setup(client, make_caller("trainer"))
    before = store_of(app).total_calls()
    await step(client, scene)
    return store_of(app).total_calls() - before


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(SEQUENCES))
async def test_a_sequence_failing_at_any_call_leaves_the_chain_repairable(
    app: FastAPI, client: httpx.AsyncClient, name: str, mode: str
) -> None:
    setup, step, success = SEQUENCES[name]
    store = store_of(app)
    total = await calls_made(app, client, setup, step)
    assert total >= 2
    outcomes: dict[int, int] = {}
    for at in range(1, total + 1):
        scene = await setup(client, make_caller("trainer"))
        await note_numbers(scene)
        purging = "purge" in name
        purge_targets = [row for row in await versions_of(scene) if purging and row["isArchived"]]
        store.fail_call(at, lost_answer=mode == "answer lost", outage=mode == "outage")
        response = await step(client, scene)
        store.heal()
        outcomes[at] = response.status_code
        assert response.status_code in (success, 503), (at, response.text)
        await note_numbers(scene)
        if mode == "outage":  # nothing could clean up: the lease is left to expire
            await ChainHead.get_motor_collection().update_many(
                {"createdBy": scene.who.id, "leaseToken": {"$ne": None}},
                {"$set": {"leaseUntil": LONG_AGO}},
            )
        await check_consistent(client, scene)
        await check_whole_or_gone(purge_targets)
        await next_request(client, scene)
        if mode == "outage":  # the daily job: a chain whose delete stopped half-way
            await chains.repair_abandoned(SectionDocument)
        await check_settled(scene, lost_heads=name in ("create", "copy") and mode == "outage")
        await check_consistent(client, scene)
    assert 503 in outcomes.values(), outcomes


async def check_whole_or_gone(targets: list[dict[str, Any]]) -> None:
    """A version a purge aimed at is gone, or still there archived and unchanged."""
    collection = SectionDocument.get_motor_collection()
    for before in targets:
        after = await collection.find_one({"_id": before["_id"]}, {"sections": 0, "exercises": 0})
        assert after is None or after == before


async def test_the_sequences_make_the_calls_counted_here(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Guards the fault tests against a sequence that stops making calls (nothing to fail)."""
    counts = {
        name: await calls_made(app, client, setup, step)
        for name, (setup, step, _) in SEQUENCES.items()
    }
    assert all(count >= 2 for count in counts.values()), counts


async def client_free_read(chain: str) -> Any:
    return await SectionDocument.get_motor_collection().find_one(
        {"parentSectionId": PydanticObjectId(chain)}
    )


# ----- a stalled holder --------------------------------------------------------------------------


STALLED: dict[str, tuple[Setup, Step]] = {
    "publish": (two_versions, request("PUT", "{sections}/{1}", body=strength_section("A"))),
    "archive the latest": (three_versions, request("PUT", "{sections}/{2}/archive")),
    "unarchive the top": (top_archived, request("PUT", "{sections}/{1}/unarchive")),
}


@pytest.mark.parametrize("name", list(STALLED))
async def test_a_holder_whose_lease_was_taken_over_is_refused(
    app: FastAPI, client: httpx.AsyncClient, name: str
) -> None:
    """Request A stalls at each of its calls in turn. When it stalls holding the lease, the
    lease expires (moved into the past, as 30 s going by would), request B takes it over and
    publishes, and A, resumed, answers 409 with nothing of its own left; the chain is settled."""
    setup, step = STALLED[name]
    store = store_of(app)
    total = await calls_made(app, client, setup, step)
    refused = 0
    for at in range(1, total + 1):
        scene = await setup(client, make_caller("trainer"))
        chain = PydanticObjectId(str((await versions_of(scene))[0]["parentSectionId"]))
        before = {row["_id"] for row in await versions_of(scene)}
        held = store.hold_call(at)
        stalled = asyncio.create_task(step(client, scene))
        await held.reached.wait()
        head = await ChainHead.get_motor_collection().find_one({"_id": chain})
        taken_over = head is not None and head["leaseToken"] is not None
        if taken_over:
            await ChainHead.get_motor_collection().update_one(
                {"_id": chain}, {"$set": {"leaseUntil": LONG_AGO}}
            )
        other = await client.put(
            f"{SECTIONS}/{scene.ids[0]}", json=strength_section("B"), headers=scene.who.headers
        )
        assert other.status_code == 200, other.text
        held.release()
        response = await stalled
        store.heal()
        after = {row["_id"] for row in await versions_of(scene)}
        added = after - before - {PydanticObjectId(other.json()["id"])}
        if taken_over:
            # Refused, with nothing of its own left; or it had written all it had to before it
            # stalled (only the release of its lease was left), and that stands.
            assert response.status_code in (409, 200), (at, response.text)
            refused += response.status_code == 409
            if name == "publish":
                assert len(added) == (response.status_code == 200), (at, added)
        else:
            assert response.status_code == 200, (at, response.text)
        await check_consistent(client, scene)
        await check_settled(scene)
    assert refused >= 2


async def test_a_holder_that_cannot_repair_leaves_the_mark_for_the_next_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A lease taken over by a holder without a repair (an assignment) keeps `needsRepair`;
    the chain's next change repairs, even one that settles nothing itself (a purge)."""
    scene = await top_archived(client, make_caller("trainer"))  # v1 latest, v2 archived
    chain = PydanticObjectId(str((await versions_of(scene))[0]["parentSectionId"]))
    versions = SectionDocument.get_motor_collection()
    # A publish's hand-over stopped half-way, its holder gone: no latest version.
    await versions.update_many({"parentSectionId": chain}, {"$set": {"isLatest": False}})
    await ChainHead.get_motor_collection().update_one(
        {"_id": chain}, {"$set": {"leaseToken": PydanticObjectId(), "leaseUntil": LONG_AGO}}
    )
    async with heads.chain_lease(chain, kind="section"):
        pass
    head = await ChainHead.get_motor_collection().find_one({"_id": chain})
    assert head is not None and head["needsRepair"] is True and head["leaseToken"] is None
    purged = await client.delete(f"{SECTIONS}/{scene.ids[1]}", headers=scene.who.headers)
    assert purged.status_code == 204
    await check_settled(scene)
    assert [row["isLatest"] for row in await versions_of(scene)] == [True]
