"""Exercise references in a plan, checked against the catalog in one round trip per save."""

from pydantic import BaseModel

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import FieldError, format_path
from peakhealth.plan.tree import exercises


async def check_exercise_references(plan: BaseModel, catalog: ExerciseCatalog) -> list[FieldError]:
    """Every exercise must name an existing variant of its exercise; `unilateralMode` needs a
    unilateral variant. Fills `exerciseName` and `variantName` from the catalog."""
    found = list(exercises(plan))
    if not found:
        return []
    variants = await catalog.variants(exercise.exerciseVariantId for _, exercise in found)
    errors: list[FieldError] = []
    for path, exercise in found:
        variant = variants.get(exercise.exerciseVariantId)
        where = format_path(path)
        prefix = f"{where}." if where else ""
        if variant is None:
            errors.append(
                FieldError(f"{prefix}exerciseVariantId", "no such exercise variant in the catalog")
            )
            continue
        if variant.exerciseId != exercise.exerciseId:
            errors.append(
                FieldError(
                    f"{prefix}exerciseId",
                    f"variant '{variant.name}' belongs to exercise {variant.exerciseId}",
                )
            )
            continue
        if exercise.unilateralMode is not None and not variant.isUnilateral:
            errors.append(
                FieldError(
                    f"{prefix}unilateralMode",
                    f"'{variant.name}' is not unilateral; leave unilateralMode out",
                )
            )
        exercise.exerciseName = variant.exerciseName
        exercise.variantName = variant.name
    return errors
