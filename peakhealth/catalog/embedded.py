"""The catalog bundled with the package: the same rows a Supabase project holds, in memory."""

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from peakhealth.catalog.port import Variant


def load_bundled() -> dict[str, Any]:
    """The bundled tables, as `{"exercises": [...], "exercise_variants": [...]}`."""
    text = resources.files("peakhealth.catalog").joinpath("data/exercises.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


class EmbeddedCatalog:
    def __init__(self, tables: dict[str, Any] | None = None) -> None:
        tables = tables or load_bundled()
        names = {row["id"]: row["name"] for row in tables["exercises"]}
        self._variants = {
            row["id"]: Variant(
                id=row["id"],
                exerciseId=row["exercise_id"],
                exerciseName=names[row["exercise_id"]],
                name=row["name"],
                isUnilateral=bool(row["is_unilateral"]),
            )
            for row in tables["exercise_variants"]
        }

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        return {id_: self._variants[id_] for id_ in set(ids) if id_ in self._variants}
