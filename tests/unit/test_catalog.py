"""The exercise catalog without I/O: the bundled data, the search rules of the embedded adapter,
and the time-limited cache in front of any adapter."""

import uuid
from collections.abc import Iterable
from typing import Any

import pytest

from peakhealth.catalog.cache import CachedCatalog
from peakhealth.catalog.embedded import EmbeddedCatalog, load_bundled
from peakhealth.catalog.models import CATEGORIES, CatalogExercise, matches_text
from peakhealth.catalog.port import ExerciseSearch, Variant
from peakhealth.errors import ServiceUnavailable
from tests.support import CABLE_ROW, DUMBBELL_ROW, ROW, SMALL_CATALOG

ORIGINAL_EXERCISES = {
    "f2a91df2-4c31-5add-9e8a-15c61a54dbbb": "Squat",
    "465e27d8-f45d-5d72-bfb0-705335fa2a49": "Bench Press",
    "44411bb0-6ab3-5396-9730-4250970d1b45": "Deadlift",
    "49af0ede-72e1-50ba-a155-5882a7f8e420": "Pull-up",
    "758ca0f8-c43d-53c2-8a52-4190cd030b86": "Push-up",
    "3713306f-97eb-506f-98d8-c9b7c8efcb99": "Split Squat",
    "589bfab2-32d9-5cd3-bcc3-f32d5e286281": "Row",
    "6fa86e18-67fb-5a03-ac3f-a4d21a023298": "Overhead Press",
    "c8adfe96-84e1-50c9-8ef6-5cc99ae39f27": "Kettlebell Swing",
    "f6def313-9f40-5480-8960-cec87c165de9": "Burpee",
    "4d9f24b0-5fc2-579c-96de-07e07e62df17": "Mountain Climber",
    "f46f7917-016d-5766-918e-2494bd5bbdf6": "Plank",
    "421928b4-c609-5203-8245-91a05831ffc5": "Hip Flexor Stretch",
    "a263b88a-76f2-5b86-9619-9b1729983f10": "World's Greatest Stretch",
    "1fb7230c-2955-5693-8c35-64eb7500b1ab": "Running Drills",
}
ORIGINAL_VARIANTS = {
    "b6657115-eeb4-5a08-b08c-00f64e093774": "Barbell Back Squat",
    "d01d92b9-cc16-5a29-b095-1bff099188fe": "Goblet Squat",
    "b9a08375-570a-549e-bc22-e2e1e3756851": "Front Squat",
    "9ed2ddc4-766e-5ba7-bbb7-867fb20bf4f6": "Barbell Bench Press",
    "c6e66ac7-bfe4-59da-bfd4-19125b85acfd": "Dumbbell Bench Press",
    "63f80c44-d28d-5a52-8e04-4de8614684ed": "Conventional Deadlift",
    "31672acb-f216-51ba-a139-e4220aebfd29": "Romanian Deadlift",
    "80211884-fd12-5a36-ad13-996a86bbafd2": "Pull-up",
    "1b37cfa2-0f29-58cc-ab26-e744f67d1356": "Band-assisted Pull-up",
    "ada22b09-c48c-52f2-b3d6-2338237e2ff8": "Push-up",
    "e9b37bea-3535-5d95-af22-2e54d537aaec": "Incline Push-up",
    "36937392-af5b-5ee1-a27f-b801b47939e6": "Bulgarian Split Squat",
    "3eb162f3-a113-5bad-805b-93e7fbcb2be1": "Walking Lunge",
    "35dafb54-fe54-5daf-a8bf-8ae0c1369c2c": "Barbell Row",
    "2974057a-b962-5736-ab30-804dd003229f": "Single-arm Dumbbell Row",
    "5d94015b-c797-54bf-9ce3-192a3a99de1d": "Barbell Overhead Press",
    "8fe30d56-0913-5012-bffe-389b5484b5af": "Two-hand Kettlebell Swing",
    "b88ddd39-11f0-5c6c-9001-93f17bb0db81": "Burpee",
    "3b9ad40f-edf2-545e-9e50-954444f7d1cc": "Mountain Climber",
    "87e4df91-75d5-5c57-9bf7-164920b6911e": "Front Plank",
    "245b1d8c-0662-507c-a14a-23fca9b35225": "Side Plank",
    "0fdbe695-740c-5c62-9b40-0788760fa683": "Half-kneeling Hip Flexor Stretch",
    "36069c48-3dba-5cc5-8766-f6ca0242bd73": "World's Greatest Stretch",
    "1104a5df-6082-530b-9ca5-e45c5bff4414": "A-skip",
    "e7aec03d-5a3e-59a2-8225-1b42edb375f5": "Strides",
}

# --- the bundled catalog -----------------------------------------------------------------------


def test_bundled_catalog_keeps_every_original_id_and_name() -> None:
    """Tests, the demo and stored plans refer to these rows."""
    tables = load_bundled()
    exercises = {row["id"]: row["name"] for row in tables["exercises"]}
    variants = {row["id"]: row["name"] for row in tables["exercise_variants"]}
    assert {id_: exercises.get(id_) for id_ in ORIGINAL_EXERCISES} == ORIGINAL_EXERCISES
    assert {id_: variants.get(id_) for id_ in ORIGINAL_VARIANTS} == ORIGINAL_VARIANTS


def test_bundled_catalog_is_consistent() -> None:
    tables = load_bundled()
    exercises, variants = tables["exercises"], tables["exercise_variants"]
    assert len(exercises) >= 60
    ids = [row["id"] for row in exercises + variants]
    assert len(ids) == len(set(ids))
    assert all(str(uuid.UUID(id_)) == id_ for id_ in ids)
    assert len({row["name"] for row in exercises}) == len(exercises)
    assert len({row["name"] for row in variants}) == len(variants)
    by_exercise: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in exercises}
    for row in variants:
        by_exercise[row["exercise_id"]].append(row)
    for row in exercises:
        assert row["category"] in CATEGORIES, row["name"]
        assert row["main_variant_id"] in {v["id"] for v in by_exercise[row["id"]]}, row["name"]
    for row in variants:
        assert row["difficulty"] in ("Beginner", "Intermediate", "Advanced"), row["name"]
        assert isinstance(row["is_unilateral"], bool)
        assert row["equipment"] and row["muscle_groups"], row["name"]
    assert {row["category"] for row in exercises} == set(CATEGORIES)


def test_bundled_vocabularies_are_lower_case_and_small() -> None:
    variants = load_bundled()["exercise_variants"]
    muscles = {m for row in variants for m in row["muscle_groups"] + row["secondary_muscles"]}
    equipment = {item for row in variants for item in row["equipment"]}
    assert all(term == term.lower().strip() for term in muscles | equipment)
    assert len(muscles) <= 30
    assert {"glutes", "quadriceps", "hamstrings", "chest", "lats", "core"} <= muscles
    assert {"barbell", "dumbbell", "kettlebell", "bodyweight", "band"} <= equipment


def test_bundled_catalog_has_running_drills_mobility_and_unilateral_variants() -> None:
    tables = load_bundled()
    names = {row["name"] for row in tables["exercise_variants"]}
    assert {"Low-bar Back Squat", "Safety Bar Squat", "Reverse Lunge", "B-skip"} <= names
    assert sum(row["is_unilateral"] for row in tables["exercise_variants"]) >= 40
    categories = [row["category"] for row in tables["exercises"]]
    assert categories.count("Cardio") >= 8 and categories.count("Flexibility") >= 10


# --- search rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [("row", True), ("BENT-over", True), ("over row", True), ("dumbbell", False), ("", True)],
)
def test_text_matches_name_or_alternative_name_in_any_case(text: str, found: bool) -> None:
    assert matches_text({"name": "Row", "alternative_names": ["Bent-over Row"]}, text) is found


async def search(catalog: Any, **fields: Any) -> tuple[list[str], int]:
    items, total = await catalog.search(ExerciseSearch(**fields))
    return [item.name for item in items], total


async def test_embedded_search_orders_by_name_and_pages() -> None:
    catalog = EmbeddedCatalog(SMALL_CATALOG)
    assert await search(catalog) == (["Arm Circle", "Bird Dog", "Row"], 3)
    assert await search(catalog, offset=1, limit=1) == (["Bird Dog"], 3)
    assert await search(catalog, offset=5) == ([], 3)


async def test_embedded_search_filters() -> None:
    catalog = EmbeddedCatalog(SMALL_CATALOG)
    assert await search(catalog, text="CIRCLES") == (["Arm Circle"], 1)
    assert await search(catalog, text="bent") == (["Row"], 1)
    assert await search(catalog, category="Balance") == (["Bird Dog"], 1)
    assert await search(catalog, muscle_group="lats") == (["Row"], 1)
    assert await search(catalog, equipment="bodyweight") == (["Arm Circle", "Bird Dog"], 2)
    # muscle group and equipment must sit on the same variant
    assert await search(catalog, muscle_group="lats", equipment="dumbbell") == (["Row"], 1)
    assert await search(catalog, muscle_group="lats", equipment="cable machine") == ([], 0)
    assert await search(catalog, text="row", category="Cardio") == ([], 0)


async def test_embedded_exercise_answers_every_variant_main_first() -> None:
    catalog = EmbeddedCatalog(SMALL_CATALOG)
    items, _ = await catalog.search(ExerciseSearch(equipment="cable machine"))
    assert [str(v.id) for v in items[0].variants] == [DUMBBELL_ROW, CABLE_ROW]
    row = await catalog.get(ROW)
    assert row is not None and row == items[0]
    assert str(row.mainVariantId) == DUMBBELL_ROW and row.alternativeNames == ["Bent-over Row"]
    assert await catalog.get(str(uuid.uuid4())) is None


async def test_embedded_variants_are_looked_up_by_id() -> None:
    catalog = EmbeddedCatalog(SMALL_CATALOG)
    found = await catalog.variants([CABLE_ROW, CABLE_ROW, str(uuid.uuid4())])
    assert found == {CABLE_ROW: Variant(CABLE_ROW, ROW, "Row", "Cable Row", False)}


# --- the cache ---------------------------------------------------------------------------------


class CountingCatalog:
    """The embedded adapter, recording what reaches it; `down` makes it fail like Supabase."""

    def __init__(self) -> None:
        self.inner = EmbeddedCatalog(SMALL_CATALOG)
        self.calls: list[tuple[str, Any]] = []
        self.down = False

    def _call(self, name: str, argument: Any) -> None:
        self.calls.append((name, argument))
        if self.down:
            raise ServiceUnavailable("down")

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        wanted = frozenset(ids)
        self._call("variants", wanted)
        return await self.inner.variants(wanted)

    async def search(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        self._call("search", query)
        return await self.inner.search(query)

    async def get(self, exercise_id: str) -> CatalogExercise | None:
        self._call("get", exercise_id)
        return await self.inner.get(exercise_id)

    async def aclose(self) -> None:
        self.calls.append(("aclose", None))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def inner() -> CountingCatalog:
    return CountingCatalog()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached(inner: CountingCatalog, clock: Clock) -> CachedCatalog:
    return CachedCatalog(inner, 300, clock=clock)


async def test_cache_answers_a_repeated_search_until_it_expires(
    cached: CachedCatalog, inner: CountingCatalog, clock: Clock
) -> None:
    first = await cached.search(ExerciseSearch(text="row"))
    clock.now += 299
    assert await cached.search(ExerciseSearch(text="row")) == first
    assert len(inner.calls) == 1
    await cached.search(ExerciseSearch(text="row", offset=20))  # another request, another key
    assert len(inner.calls) == 2
    clock.now += 1
    assert await cached.search(ExerciseSearch(text="row")) == first
    assert len(inner.calls) == 3


async def test_cache_answers_reads_by_id_found_or_not(
    cached: CachedCatalog, inner: CountingCatalog
) -> None:
    unknown = str(uuid.uuid4())
    for _ in range(2):
        assert (await cached.get(ROW)) is not None
        assert await cached.get(unknown) is None
    assert inner.calls == [("get", ROW), ("get", unknown)]


async def test_cache_asks_only_for_variants_not_seen_lately(
    cached: CachedCatalog, inner: CountingCatalog
) -> None:
    unknown = str(uuid.uuid4())
    assert set(await cached.variants([CABLE_ROW, unknown])) == {CABLE_ROW}
    found = await cached.variants([CABLE_ROW, DUMBBELL_ROW, unknown])
    assert set(found) == {CABLE_ROW, DUMBBELL_ROW}
    assert await cached.variants([DUMBBELL_ROW, CABLE_ROW]) == found
    assert inner.calls == [
        ("variants", frozenset({CABLE_ROW, unknown})),
        ("variants", frozenset({DUMBBELL_ROW})),
    ]


async def test_cache_keeps_no_failure(cached: CachedCatalog, inner: CountingCatalog) -> None:
    inner.down = True
    with pytest.raises(ServiceUnavailable):
        await cached.search(ExerciseSearch())
    with pytest.raises(ServiceUnavailable):
        await cached.variants([CABLE_ROW])
    inner.down = False
    assert (await cached.search(ExerciseSearch()))[1] == 3
    assert set(await cached.variants([CABLE_ROW])) == {CABLE_ROW}
    assert len(inner.calls) == 4


async def test_cache_answers_cannot_be_changed_by_a_caller(cached: CachedCatalog) -> None:
    items, _ = await cached.search(ExerciseSearch())
    items.clear()
    assert len((await cached.search(ExerciseSearch()))[0]) == 3


async def test_cache_closes_what_it_wraps(cached: CachedCatalog, inner: CountingCatalog) -> None:
    await cached.aclose()
    assert inner.calls == [("aclose", None)]


async def test_cache_holds_at_most_max_entries(inner: CountingCatalog, clock: Clock) -> None:
    cached = CachedCatalog(inner, 300, max_entries=2, clock=clock)
    for text in ("a", "b", "c"):
        await cached.search(ExerciseSearch(text=text))
    await cached.search(ExerciseSearch(text="c"))
    await cached.search(ExerciseSearch(text="b"))
    assert len(inner.calls) == 3
    await cached.search(ExerciseSearch(text="a"))  # the oldest was dropped
    assert len(inner.calls) == 4
