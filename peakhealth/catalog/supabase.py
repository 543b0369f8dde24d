"""The catalog read from a Supabase project with the service-role key (never written), through
supabase-py's asynchronous client: no request blocks the event loop."""

from collections.abc import Iterable
from typing import Any

from postgrest.types import CountMethod

from peakhealth.catalog.models import CatalogExercise, exercise_from_rows, matches_text
from peakhealth.catalog.port import ExerciseSearch, Variant
from peakhealth.errors import ServiceUnavailable
from peakhealth.supabase_rest import RangeNotSatisfiable, connect, execute

EXERCISE_COLUMNS = (
    "id, name, category, description, alternative_names, tags, main_variant_id,"
    " exercise_variants(id, name, description, difficulty, equipment, muscle_groups,"
    " secondary_muscles, is_unilateral)"
)
# A second embedding of the variants, inner-joined, filters the exercises without trimming the
# variants they answer with.
MATCHING = "matching:exercise_variants!inner(id)"


class SupabaseCatalog:
    def __init__(self, url: str, service_role_key: str, *, timeout_seconds: float = 5.0) -> None:
        self._client, self._http = connect(url, service_role_key, timeout_seconds=timeout_seconds)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = (
            self._client.table("exercise_variants")
            .select("id, exercise_id, name, is_unilateral, exercises(name)")
            .in_("id", wanted)
        )
        rows, _ = await _run(query)
        return {
            row["id"]: Variant(
                id=row["id"],
                exerciseId=row["exercise_id"],
                exerciseName=(row.get("exercises") or {}).get("name", ""),
                name=row["name"],
                isUnilateral=bool(row.get("is_unilateral")),
            )
            for row in rows
        }

    async def get(self, exercise_id: str) -> CatalogExercise | None:
        query = self._client.table("exercises").select(EXERCISE_COLUMNS).eq("id", exercise_id)
        rows, _ = await _run(query)
        return _exercise(rows[0]) if rows else None

    async def all_exercises(self) -> list[CatalogExercise]:
        """Every exercise, in as many requests as PostgREST's max-rows needs."""
        rows, _ = await self._rows(EXERCISE_COLUMNS, ExerciseSearch(), 0, None)
        return [_exercise(row) for row in rows]

    async def search(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        if query.text is not None:
            return await self._search_text(query)
        try:
            rows, total = await self._rows(EXERCISE_COLUMNS, query, query.offset, query.limit)
        except _PastTheEnd:
            return [], await self._count(query)
        return [_exercise(row) for row in rows], total

    async def _search_text(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        """Names and alternative names of every candidate, matched here; then the page by id."""
        names, _ = await self._rows("id, name, alternative_names", query, 0, None)
        ids = [row["id"] for row in names if matches_text(row, query.text or "")]
        page = ids[query.offset : query.offset + query.limit]
        found: dict[str, CatalogExercise] = {}
        missing = page
        while missing:  # more than one request only when PostgREST's max-rows is below the page
            request = self._client.table("exercises").select(EXERCISE_COLUMNS).in_("id", missing)
            rows, _ = await _run(request)
            found.update((row["id"], _exercise(row)) for row in rows)
            if not rows:
                break
            missing = [id_ for id_ in missing if id_ not in found]
        return [found[id_] for id_ in page if id_ in found], len(ids)

    async def _rows(
        self, columns: str, query: ExerciseSearch, offset: int, limit: int | None
    ) -> tuple[list[dict[str, Any]], int]:
        """`limit` rows (all when None) from `offset` of the filtered exercises, and how many
        match in all. One request, unless PostgREST's max-rows cuts the answer short."""
        rows: list[dict[str, Any]] = []
        while True:
            start = offset + len(rows)
            end = start + (limit - len(rows) if limit is not None else 1000) - 1
            request = self._filtered(columns, query).range(start, end)
            batch, total = await _run(request, past_end_is_error=not rows)
            rows.extend(batch)
            matching = total or 0
            done = limit is not None and len(rows) >= limit
            if done or not batch or offset + len(rows) >= matching:
                return rows, matching

    async def _count(self, query: ExerciseSearch) -> int:
        _, total = await _run(self._filtered("id", query).limit(1))
        return total or 0

    def _filtered(self, columns: str, query: ExerciseSearch) -> Any:
        """`exercises` with the category and variant filters of `query`, ordered by name, with
        the exact count of the rows that match."""
        by_variant = query.muscle_group is not None or query.equipment is not None
        request = self._client.table("exercises").select(
            f"{columns}, {MATCHING}" if by_variant else columns,
            count=CountMethod.exact,
        )
        if query.category is not None:
            request = request.eq("category", query.category)
        if query.muscle_group is not None:
            request = request.contains("matching.muscle_groups", [query.muscle_group])
        if query.equipment is not None:
            request = request.contains("matching.equipment", [query.equipment])
        return request.order("name").order("id")


class _PastTheEnd(Exception):
    """The page asked for starts after the last row."""


async def _run(request: Any, *, past_end_is_error: bool = False) -> tuple[list[Any], int | None]:
    """The rows and the exact count (when asked for) of one PostgREST request; any failure to get
    them is the catalog being unavailable."""
    try:
        return await execute(request, service="the exercise catalog")
    except RangeNotSatisfiable as error:
        if past_end_is_error:
            raise _PastTheEnd() from error
        raise ServiceUnavailable("the exercise catalog (Supabase) answered an error") from error


def _exercise(row: dict[str, Any]) -> CatalogExercise:
    return exercise_from_rows(row, row.get("exercise_variants") or [])
