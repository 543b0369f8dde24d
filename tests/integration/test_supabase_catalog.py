"""The Supabase catalog adapter over real HTTP: the app is configured with SUPABASE_URL pointing
at a local PostgREST-protocol server (tests/support/postgrest.py) serving the bundled rows, and
must answer as it does on the embedded catalog."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from peakhealth.catalog.embedded import EmbeddedCatalog, load_bundled
from peakhealth.catalog.port import ExerciseSearch
from peakhealth.catalog.supabase import SupabaseCatalog
from tests.support import (
    SERVICE_ROLE_KEY,
    SMALL_CATALOG,
    serving,
    supabase_caller,
    supabase_settings,
)
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES
from tests.support.plans import strength_section, template_body, variant
from tests.support.postgrest import PostgrestServer

EXERCISES = "/api/exercises"


@pytest.fixture
def server() -> Iterator[PostgrestServer]:
    with PostgrestServer() as running:
        yield running


@pytest.fixture
def supabase_trainer(server: PostgrestServer) -> Caller:
    return supabase_caller(server.url, "trainer")


@pytest.fixture
async def uncached(server: PostgrestServer) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the local server with no catalog cache: every save asks the server."""
    async with serving(supabase_settings(server.url, catalog_cache_seconds=0)) as client:
        yield client


@pytest.fixture
async def cached(server: PostgrestServer) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the local server with the default cache (300 s)."""
    async with serving(supabase_settings(server.url)) as client:
        yield client


@dataclass(frozen=True)
class BothCatalogs:
    """A trainer of the app on the embedded catalog and one of the app on the local server."""

    embedded: httpx.AsyncClient
    embedded_trainer: Caller
    supabase: httpx.AsyncClient
    supabase_trainer: Caller

    async def request(
        self, method: str, url: str, **options: Any
    ) -> tuple[httpx.Response, httpx.Response]:
        """The same request to both apps: the embedded answer and the Supabase one."""
        embedded = await self.embedded.request(
            method, url, headers=self.embedded_trainer.headers, **options
        )
        supabase = await self.supabase.request(
            method, url, headers=self.supabase_trainer.headers, **options
        )
        return embedded, supabase


@pytest.fixture
def both(
    client: httpx.AsyncClient,
    trainer: Caller,
    uncached: httpx.AsyncClient,
    supabase_trainer: Caller,
) -> BothCatalogs:
    return BothCatalogs(client, trainer, uncached, supabase_trainer)


def exercises_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "type": "strength",
            "exerciseId": row["exercise_id"],
            "exerciseVariantId": row["id"],
            "sets": [{"repType": "fixed", "reps": 5}],
        }
        for row in rows
    ]


VARIANT_ROWS = load_bundled()["exercise_variants"]


# --- saves -------------------------------------------------------------------------------------


async def test_each_save_asks_the_catalog_once_whatever_the_number_of_exercises(
    server: PostgrestServer, uncached: httpx.AsyncClient, supabase_trainer: Caller
) -> None:
    body = {"type": "basic", "name": "Forty", "exercises": exercises_of(VARIANT_ROWS[:40])}
    section = await create(uncached, supabase_trainer, SECTIONS, body)
    assert server.count("exercise_variants") == 1
    assert [(e["exerciseName"], e["variantName"]) for e in section["exercises"]][:2] == [
        ("Squat", "Barbell Back Squat"),
        ("Squat", "Goblet Squat"),
    ]
    more = {"type": "basic", "name": "More", "exercises": exercises_of(VARIANT_ROWS[40:80])}
    day = {"name": "Day A", "type": "strength", "sections": [section["id"], more]}
    template = await create(uncached, supabase_trainer, TEMPLATES, template_body([day, day]))
    assert server.count("exercise_variants") == 2  # one for the whole template, copies included
    names = [e["variantName"] for s in template["workouts"][0]["sections"] for e in s["exercises"]]
    assert names == [row["name"] for row in VARIANT_ROWS[:80]]
    assert server.count("exercises") == 0
    assert server.api_keys == {SERVICE_ROLE_KEY}


async def test_saves_reuse_cached_variants_and_ask_only_for_new_ones(
    server: PostgrestServer, cached: httpx.AsyncClient, supabase_trainer: Caller
) -> None:
    await create(cached, supabase_trainer, SECTIONS, strength_section())
    await create(cached, supabase_trainer, SECTIONS, strength_section("Again"))
    assert server.count("exercise_variants") == 1
    body = strength_section("Plus one")
    body["exercises"].append({**body["exercises"][0], **variant("Front Squat")})
    await create(cached, supabase_trainer, SECTIONS, body)
    assert server.count("exercise_variants") == 2


def with_first_exercise(**fields: Any) -> dict[str, Any]:
    body = strength_section()
    body["exercises"][0] = {**body["exercises"][0], **fields}
    return body


BAD_REFERENCES = {
    "unknown variant": with_first_exercise(exerciseVariantId=str(uuid.uuid4())),
    "variant of another exercise": with_first_exercise(
        exerciseVariantId=variant("Push-up")["exerciseVariantId"]
    ),
    "unilateral mode on a bilateral variant": with_first_exercise(unilateralMode="alternating"),
}


@pytest.mark.parametrize("body", BAD_REFERENCES.values(), ids=BAD_REFERENCES.keys())
async def test_bad_references_are_the_same_422_as_on_the_embedded_catalog(
    both: BothCatalogs, body: dict[str, Any]
) -> None:
    embedded, supabase = await both.request("POST", SECTIONS, json=body)
    assert embedded.status_code == supabase.status_code == 422, supabase.text
    assert supabase.json()["errors"] == embedded.json()["errors"]
    listing = await both.supabase.get(SECTIONS, headers=both.supabase_trainer.headers)
    assert listing.json()["pagination"]["totalItems"] == 0


# --- Supabase unavailable ----------------------------------------------------------------------


async def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    assert response.json()["type"] == "urn:peakhealth:problem:service-unavailable"


async def test_server_down_is_503_and_nothing_is_stored(
    server: PostgrestServer, cached: httpx.AsyncClient, supabase_trainer: Caller
) -> None:
    server.stop()
    day = {"name": "Day A", "type": "strength", "sections": [strength_section()]}
    for path, body in ((SECTIONS, strength_section()), (TEMPLATES, template_body([day]))):
        await assert_unavailable(
            await cached.post(path, json=body, headers=supabase_trainer.headers)
        )
        listing = await cached.get(path, headers=supabase_trainer.headers)
        assert listing.json()["pagination"]["totalItems"] == 0
    await assert_unavailable(await cached.get(EXERCISES, headers=supabase_trainer.headers))


async def test_server_error_is_503(
    server: PostgrestServer, uncached: httpx.AsyncClient, supabase_trainer: Caller
) -> None:
    server.fail_status = 500
    response = await uncached.post(
        SECTIONS, json=strength_section(), headers=supabase_trainer.headers
    )
    await assert_unavailable(response)
    server.fail_status = 503  # not retried: one request reached the catalog
    await assert_unavailable(await uncached.get(EXERCISES, headers=supabase_trainer.headers))
    assert server.count("exercises") == 1


async def test_server_slower_than_the_timeout_is_503(
    server: PostgrestServer, supabase_trainer: Caller
) -> None:
    server.delay_seconds = 3
    settings = supabase_settings(server.url, supabase_timeout_seconds=0.3)
    async with serving(settings) as client:
        # Only the timeout can make it a 503: the catalog would answer, 3 s later.
        response = await client.post(
            SECTIONS, json=strength_section(), headers=supabase_trainer.headers
        )
        await assert_unavailable(response)
        server.delay_seconds = 0
        assert (await client.get(SECTIONS, headers=supabase_trainer.headers)).json()["pagination"][
            "totalItems"
        ] == 0


# --- reading the catalog -----------------------------------------------------------------------

QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 100},
    {"search": "squat"},
    {"search": "PRESS-UP"},
    {"search": "lunge", "page": 3, "limit": 1},
    {"muscleGroup": "glutes", "equipment": "dumbbell"},
    {"muscleGroup": "Lower Back", "limit": 3, "page": 2},
    {"category": "Flexibility", "limit": 5, "page": 2},
    {"equipment": "bodyweight", "category": "Cardio", "search": "run"},
    {"page": 50},
    {"search": "squat", "page": 9},
    {"search": "nothing like this"},
]


@pytest.mark.parametrize("params", QUERIES, ids=[str(q) for q in QUERIES])
async def test_listing_answers_as_the_embedded_catalog(
    both: BothCatalogs, params: dict[str, Any]
) -> None:
    embedded, supabase = await both.request("GET", EXERCISES, params=params)
    assert supabase.status_code == embedded.status_code == 200, supabase.text
    assert supabase.json() == embedded.json()


async def test_reading_one_exercise_answers_as_the_embedded_catalog(both: BothCatalogs) -> None:
    ids = [row["id"] for row in load_bundled()["exercises"][::10]] + [str(uuid.uuid4())]
    for id_ in ids:
        embedded, supabase = await both.request("GET", f"{EXERCISES}/{id_}")
        assert supabase.status_code == embedded.status_code, supabase.text
        assert supabase.json() | {"instance": ""} == embedded.json() | {"instance": ""}


async def test_a_repeated_search_does_not_reach_the_server_within_the_ttl(
    server: PostgrestServer, cached: httpx.AsyncClient, supabase_trainer: Caller
) -> None:
    params = {"search": "row", "limit": 5}
    first = await cached.get(EXERCISES, params=params, headers=supabase_trainer.headers)
    reached = server.count("exercises")
    assert reached >= 1
    again = await cached.get(EXERCISES, params=params, headers=supabase_trainer.headers)
    assert again.json() == first.json() and server.count("exercises") == reached
    await cached.get(EXERCISES, params={**params, "page": 2}, headers=supabase_trainer.headers)
    assert server.count("exercises") > reached
    squat = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"
    for _ in range(2):
        await cached.get(f"{EXERCISES}/{squat}", headers=supabase_trainer.headers)
    assert server.count("exercises") == reached + 2


async def test_a_short_ttl_expires(server: PostgrestServer, supabase_trainer: Caller) -> None:
    async with serving(supabase_settings(server.url, catalog_cache_seconds=0.2)) as client:
        for pause in (0, 0.3):
            await asyncio.sleep(pause)
            await client.get(EXERCISES, headers=supabase_trainer.headers)
    assert server.count("exercises") == 2


# --- the adapter on rows chosen for the search rules ---------------------------------------------

SMALL_QUERIES = [
    ExerciseSearch(),
    ExerciseSearch(offset=1, limit=1),
    ExerciseSearch(text="CIRCLES"),
    ExerciseSearch(muscle_group="lats", equipment="dumbbell"),
    ExerciseSearch(muscle_group="lats", equipment="cable machine"),
    ExerciseSearch(equipment="bodyweight", category="Balance"),
    ExerciseSearch(offset=7),
]


async def test_adapters_answer_alike_on_the_same_rows() -> None:
    with PostgrestServer(SMALL_CATALOG) as server:
        supabase = SupabaseCatalog(server.url, SERVICE_ROLE_KEY)
        embedded = EmbeddedCatalog(SMALL_CATALOG)
        try:
            for query in SMALL_QUERIES:
                assert await supabase.search(query) == await embedded.search(query), query
        finally:
            await supabase.aclose()


async def test_text_search_reads_a_catalog_longer_than_max_rows() -> None:
    with PostgrestServer() as server:
        server.max_rows = 10
        supabase = SupabaseCatalog(server.url, SERVICE_ROLE_KEY)
        embedded = EmbeddedCatalog()
        try:
            for query in (ExerciseSearch(text="e", limit=100), ExerciseSearch(text="stretch")):
                assert await supabase.search(query) == await embedded.search(query)
        finally:
            await supabase.aclose()
