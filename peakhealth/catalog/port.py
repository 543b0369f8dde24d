"""What the service needs from the exercise catalog, whichever adapter serves it."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from peakhealth.catalog.models import CatalogExercise, Category


@dataclass(frozen=True)
class Variant:
    """One row of `exercise_variants` with the name of its exercise."""

    id: str
    exerciseId: str
    exerciseName: str
    name: str
    isUnilateral: bool


@dataclass(frozen=True)
class ExerciseSearch:
    """A catalog query. `text` matches the name or an alternative name, ignoring case
    (`models.matches_text`); `muscle_group` and `equipment` keep the exercises with at least one
    variant listing them (both on the same variant when both are given); exercises come ordered
    by name, each with all its variants."""

    text: str | None = None
    muscle_group: str | None = None
    equipment: str | None = None
    category: Category | None = None
    offset: int = 0
    limit: int = 20


class ExerciseCatalog(Protocol):
    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        """The variants among `ids` that exist, by id: one round trip whatever the count."""
        ...

    async def search(self, query: ExerciseSearch) -> tuple[list[CatalogExercise], int]:
        """One page of the exercises matching `query`, and how many match in all."""
        ...

    async def get(self, exercise_id: str) -> CatalogExercise | None:
        """One exercise with its variants; None when the catalog has no such id."""
        ...

    async def all_exercises(self) -> list[CatalogExercise]:
        """The whole catalog, ordered by name, each exercise with its variants (what questions
        over every variant, such as substitutes, read; kept by the cache like any answer)."""
        ...

    async def aclose(self) -> None:
        """Release connections (at shutdown)."""
        ...
