"""The catalog as the API shows it, and how rows of `exercises` and `exercise_variants` (DOMAIN.md
section 11) become it. Both adapters build their answers here, so they answer alike."""

from collections.abc import Iterable, Mapping
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["Strength", "Cardio", "Flexibility", "Balance"]
Difficulty = Literal["Beginner", "Intermediate", "Advanced"]
CATEGORIES: tuple[Category, ...] = ("Strength", "Cardio", "Flexibility", "Balance")

Row = Mapping[str, Any]


class CatalogVariant(BaseModel):
    """One way to perform an exercise (a row of `exercise_variants`)."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    name: str
    description: str | None = None
    difficulty: Difficulty | None = None
    equipment: list[str] = Field(description="lower case; 'bodyweight' when none is needed")
    muscleGroups: list[str] = Field(description="primary muscle groups, lower case")
    secondaryMuscles: list[str]
    isUnilateral: bool = Field(description="one side at a time: `unilateralMode` is allowed")


class CatalogExercise(BaseModel):
    """An exercise of the catalog with its variants, the main variant first."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    name: str
    category: Category
    description: str | None = None
    alternativeNames: list[str]
    tags: list[str]
    mainVariantId: UUID | None = None
    variants: list[CatalogVariant]


def variant_from_row(row: Row) -> CatalogVariant:
    return CatalogVariant(
        id=row["id"],
        name=row["name"],
        description=row.get("description"),
        difficulty=row.get("difficulty"),
        equipment=list(row.get("equipment") or []),
        muscleGroups=list(row.get("muscle_groups") or []),
        secondaryMuscles=list(row.get("secondary_muscles") or []),
        isUnilateral=bool(row.get("is_unilateral")),
    )


def exercise_from_rows(row: Row, variant_rows: Iterable[Row]) -> CatalogExercise:
    """An `exercises` row with its `exercise_variants` rows: the main variant first, then by
    name (sorted here, not by the database, so every adapter orders them the same way)."""
    main = row.get("main_variant_id")
    variants = sorted(
        (variant_from_row(variant) for variant in variant_rows),
        key=lambda variant: (str(variant.id) != main, variant.name, str(variant.id)),
    )
    return CatalogExercise(
        id=row["id"],
        name=row["name"],
        category=row["category"],
        description=row.get("description"),
        alternativeNames=list(row.get("alternative_names") or []),
        tags=list(row.get("tags") or []),
        mainVariantId=main,
        variants=variants,
    )


def matches_text(row: Row, text: str) -> bool:
    """The search rule: `text` occurs in the name or in an alternative name, ignoring case.

    Applied in Python by both adapters: PostgREST has no case-insensitive match on the elements of
    a text[] column (`alternative_names`) without a function in the database."""
    needle = text.casefold()
    names = [row.get("name") or "", *(row.get("alternative_names") or [])]
    return any(needle in name.casefold() for name in names)
