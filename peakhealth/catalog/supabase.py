"""The catalog read from a Supabase project with the service-role key (never written)."""

import asyncio
from collections.abc import Iterable
from typing import Any

from peakhealth.catalog.port import Variant
from peakhealth.errors import ServiceUnavailable


class SupabaseCatalog:
    def __init__(self, url: str, service_role_key: str) -> None:
        from supabase import create_client

        self._client = create_client(url, service_role_key)

    def _fetch(self, ids: list[str]) -> list[dict[str, Any]]:
        response = (
            self._client.table("exercise_variants")
            .select("id, exercise_id, name, is_unilateral, exercises(name)")
            .in_("id", ids)
            .execute()
        )
        rows: list[dict[str, Any]] = [row for row in response.data or [] if isinstance(row, dict)]
        return rows

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        try:
            rows = await asyncio.to_thread(self._fetch, wanted)
        except Exception as error:  # the client raises many transport-specific types
            raise ServiceUnavailable("the exercise catalog (Supabase) cannot be reached") from error
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
