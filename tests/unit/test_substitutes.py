"""Substitutes and the equipment vocabulary (pure): the catalog's words compared as the user's
are, whatever case a catalog writes them in."""

from uuid import uuid4

from peakhealth.catalog.models import CatalogExercise, CatalogVariant
from peakhealth.equipment.substitutes import substitutes, vocabulary


def variant(name: str, equipment: list[str], secondary: list[str]) -> CatalogVariant:
    return CatalogVariant(
        id=uuid4(),
        name=name,
        equipment=equipment,
        muscleGroups=["quadriceps"],
        secondaryMuscles=secondary,
        isUnilateral=False,
    )


def exercise(*variants: CatalogVariant) -> CatalogExercise:
    return CatalogExercise(
        id=uuid4(),
        name="Squat",
        category="Strength",
        alternativeNames=[],
        tags=[],
        variants=list(variants),
    )


BARBELL = variant("Barbell Back Squat", ["Barbell", "Squat  Rack"], ["glutes", "core"])
GOBLET = variant("Goblet Squat", ["Dumbbell"], ["glutes", "core"])
SPLIT = variant("Split Squat", ["dumbbell"], ["glutes"])
AIR = variant("Air Squat", ["bodyweight"], [])
CATALOG = [exercise(BARBELL, GOBLET, SPLIT, AIR)]


def test_the_vocabulary_is_the_catalogs_words_in_lower_case() -> None:
    assert vocabulary(CATALOG) == {"barbell", "squat rack", "dumbbell", "bodyweight"}


def test_substitutes_rank_by_shared_secondary_muscles_whatever_the_case() -> None:
    found = substitutes(CATALOG, BARBELL, ["dumbbell", "bodyweight"], limit=20)
    assert [item.variant.name for item in found] == ["Goblet Squat", "Split Squat", "Air Squat"]
    assert [item.shared for item in found] == [2, 1, 0]
    assert substitutes(CATALOG, GOBLET, ["Barbell", "squat rack"], limit=1)[0].variant == BARBELL
