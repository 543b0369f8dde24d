"""A time-limited cache in front of any catalog adapter: the catalog changes rarely, and a plan
save or a search should not cost a Supabase round trip each time."""

import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from cachetools import TTLCache

from peakhealth import caching
from peakhealth.catalog.models import CatalogExercise
from peakhealth.catalog.port import ExerciseCatalog, ExerciseSearch, Variant

MAX_ENTRIES = 4096  # search texts come from callers: the cache must not grow without bound


class CachedCatalog:
    """Answers of `inner` kept for `ttl_seconds`: searches and reads by request, variants by id
    (a save asks the adapter, in one request, only for the ids not seen lately). Absent ids are
    remembered too; failures are not."""

    def __init__(
        self,
        inner: ExerciseCatalog,
        ttl_seconds: float,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        # By request (a search, a read, a variant id); each ends `ttl_seconds` after it was
        # fetched: a change in the catalog is seen that much later at most.
        self._entries: TTLCache[Hashable, Any] = caching.for_seconds(
            max_entries, ttl_seconds, clock=clock
        )

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        wanted = set(ids)
        known: dict[str, Variant | None] = {}
        for id_ in wanted:
            hit, value = self._lookup(("variant", id_))
            if hit:
                known[id_] = value
        missing = wanted - known.keys()
        if missing:
            fetched = await self._inner.variants(missing)
            for id_ in missing:
                known[id_] = fetched.get(id_)
                self._store(("variant", id_), known[id_])
        return {id_: variant for id_, variant in known.items() if variant is not None}

    async def search(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        hit, value = self._lookup(("search", query))
        if not hit:
            items, total = await self._inner.search(query)
            value = (tuple(items), total)  # a caller changing its list changes no cached answer
            self._store(("search", query), value)
        return list(value[0]), value[1]

    async def get(self, exercise_id: str) -> CatalogExercise | None:
        hit, value = self._lookup(("get", exercise_id))
        if not hit:
            value = await self._inner.get(exercise_id)
            self._store(("get", exercise_id), value)
        found: CatalogExercise | None = value
        return found

    async def all_exercises(self) -> list[CatalogExercise]:
        hit, value = self._lookup(("all",))
        if not hit:
            value = tuple(await self._inner.all_exercises())
            self._store(("all",), value)
        return list(value)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def _lookup(self, key: Hashable) -> tuple[bool, Any]:
        try:  # one look (`get` looks twice); None is an answer too: "absent"
            return True, self._entries[key]
        except KeyError:
            return False, None

    def _store(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
