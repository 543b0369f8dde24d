"""Equipment vocabulary and substitutes of a variant, computed over the catalog (pure).

DOMAIN.md section 15: substitutes are the catalog's other variants (of any exercise) whose
primary muscle groups include all of the variant's and whose equipment the user has, ranked by
the secondary muscles they share with it (most first), then by name."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from peakhealth.catalog.models import CatalogExercise, CatalogVariant

BODYWEIGHT = "bodyweight"  # always at hand


def vocabulary(catalog: Iterable[CatalogExercise]) -> frozenset[str]:
    """Every equipment value a variant of the catalog lists."""
    return frozenset(
        normalized(item)
        for exercise in catalog
        for variant in exercise.variants
        for item in variant.equipment
    )


def normalized(value: str) -> str:
    """As the catalog writes equipment: lower case, single spaces."""
    return " ".join(value.split()).lower()


def at_hand(equipment: Iterable[str] | None) -> list[str]:
    """What a user can train with: their list (none set: nothing) and bodyweight, each once."""
    return list(dict.fromkeys([*(equipment or []), BODYWEIGHT]))


@dataclass(frozen=True)
class Substitute:
    exercise: CatalogExercise
    variant: CatalogVariant
    shared: int  # secondary muscles shared with the variant replaced


def substitutes(
    catalog: Sequence[CatalogExercise],
    variant: CatalogVariant,
    equipment: Iterable[str],
    limit: int,
) -> list[Substitute]:
    """At most `limit` substitutes of `variant` a user with `equipment` can do, best first."""
    have = {normalized(item) for item in equipment}
    primary = set(variant.muscleGroups)
    secondary = set(variant.secondaryMuscles)
    found = [
        Substitute(exercise, other, len(secondary & set(other.secondaryMuscles)))
        for exercise in catalog
        for other in exercise.variants
        if other.id != variant.id
        and primary <= set(other.muscleGroups)
        and {normalized(item) for item in other.equipment} <= have
    ]
    found.sort(key=lambda item: (-item.shared, item.variant.name, str(item.variant.id)))
    return found[:limit]
