"""Reading the exercise catalog: queries normalized once, whichever adapter answers."""

from uuid import UUID

from peakhealth.catalog.models import CatalogExercise, Category
from peakhealth.catalog.port import ExerciseCatalog, ExerciseSearch
from peakhealth.errors import NotFound


async def list_exercises(
    catalog: ExerciseCatalog,
    *,
    search: str | None,
    muscle_group: str | None,
    equipment: str | None,
    category: Category | None,
    skip: int,
    limit: int,
) -> tuple[list[CatalogExercise], int]:
    """One page of the catalog. Muscle groups and equipment are lower case in the catalog, so
    `Glutes` finds `glutes`; blank parameters filter nothing."""
    query = ExerciseSearch(
        text=_term(search),
        muscle_group=_term(muscle_group, lower=True),
        equipment=_term(equipment, lower=True),
        category=category,
        offset=skip,
        limit=limit,
    )
    return await catalog.search(query)


async def read_exercise(catalog: ExerciseCatalog, exercise_id: UUID) -> CatalogExercise:
    found = await catalog.get(str(exercise_id))
    if found is None:
        raise NotFound(f"the catalog has no exercise {exercise_id}")
    return found


def _term(value: str | None, *, lower: bool = False) -> str | None:
    if value is None or not value.strip():
        return None
    value = " ".join(value.split())
    return value.lower() if lower else value
