"""The catalog bundled with the package: the same rows a Supabase project holds, in memory."""

import json
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from typing import Any

from peakhealth.catalog.models import CatalogExercise, exercise_from_rows, matches_text
from peakhealth.catalog.port import ExerciseSearch, Variant


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
        variant_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in tables["exercise_variants"]:
            variant_rows[row["exercise_id"]].append(row)
        ordered = sorted(tables["exercises"], key=lambda row: (row["name"], row["id"]))
        # (row, its variant rows, the exercise as answered), ordered by name as in Supabase
        self._exercises = [
            (row, variant_rows[row["id"]], exercise_from_rows(row, variant_rows[row["id"]]))
            for row in ordered
        ]
        self._by_id = {str(exercise.id): exercise for _, _, exercise in self._exercises}

    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        return {id_: self._variants[id_] for id_ in set(ids) if id_ in self._variants}

    async def search(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        found = [
            exercise
            for row, variants, exercise in self._exercises
            if (query.category is None or row["category"] == query.category)
            and (query.text is None or matches_text(row, query.text))
            and _has_variant(variants, query)
        ]
        return found[query.offset : query.offset + query.limit], len(found)

    async def get(self, exercise_id: str) -> CatalogExercise | None:
        return self._by_id.get(exercise_id)

    async def all_exercises(self) -> list[CatalogExercise]:
        return [exercise for _, _, exercise in self._exercises]

    async def aclose(self) -> None:
        """Nothing to release."""


def _has_variant(variants: list[dict[str, Any]], query: ExerciseSearch) -> bool:
    """Some variant lists the muscle group and the equipment asked for (as PostgREST's `cs`)."""
    if query.muscle_group is None and query.equipment is None:
        return True
    return any(
        (query.muscle_group is None or query.muscle_group in (row["muscle_groups"] or []))
        and (query.equipment is None or query.equipment in (row["equipment"] or []))
        for row in variants
    )
