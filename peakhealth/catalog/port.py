"""What the service needs from the exercise catalog, whichever adapter serves it."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Variant:
    """One row of `exercise_variants` with the name of its exercise."""

    id: str
    exerciseId: str
    exerciseName: str
    name: str
    isUnilateral: bool


class ExerciseCatalog(Protocol):
    async def variants(self, ids: Iterable[str]) -> dict[str, Variant]:
        """The variants among `ids` that exist, by id: one round trip whatever the count."""
        ...
