"""A user's equipment (read and replace, in the catalog's vocabulary) and the substitutes of a
variant they can do with it: from the cached catalog, one database read (their list)."""

from typing import Any
from uuid import UUID

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.equipment.substitutes import (
    Substitute,
    at_hand,
    normalized,
    substitutes,
    vocabulary,
)
from peakhealth.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.revisions import BEFORE_REVISIONS, Expected, condition, revision_of
from peakhealth.storage import equipment as stored


def view(found: dict[str, Any] | None) -> dict[str, Any]:
    """The answer: the list (bodyweight always in it) and its revision (0 before any PUT)."""
    if found is None:
        return {"equipment": at_hand(None), "revision": BEFORE_REVISIONS}
    return {
        "equipment": at_hand(found["equipment"]),
        "revision": revision_of(found),
        "updatedAt": found["updatedAt"],
    }


async def read(user: CurrentUser) -> dict[str, Any]:
    return view(await stored.find(user.id))


async def replace(
    user: CurrentUser,
    equipment: list[str],
    catalog: ExerciseCatalog,
    expected: Expected | None = None,
) -> dict[str, Any]:
    """Replace the caller's list with `equipment` (each value in the catalog's vocabulary,
    any case: 422 naming the index of every other value). Nothing is written on a refusal."""
    known = vocabulary(await catalog.all_exercises())
    wanted = [normalized(value) for value in equipment]
    unknown = [
        FieldError(f"equipment[{index}]", f"{value!r} is no equipment of the catalog")
        for index, value in enumerate(wanted)
        if value not in known
    ]
    if unknown:
        raise ValidationFailed(unknown)
    wanted = list(dict.fromkeys(wanted))
    if expected is not None:
        current = await stored.find(user.id)
        revision = revision_of(current) if current is not None else BEFORE_REVISIONS
        # `If-Match: *` asks for a list that exists; a revision, for that one (0: none yet).
        if (expected.revisions is None and current is None) or not expected.allows(revision):
            raise _stale(revision)
    after = await stored.put(user.id, wanted, condition(expected))
    if after is None:
        found = await stored.find(user.id)
        raise _stale(revision_of(found) if found is not None else BEFORE_REVISIONS)
    return view(after)


def _stale(revision: int) -> PreconditionFailed:
    return PreconditionFailed(f"the equipment list is at revision {revision}; read it again")


async def find_substitutes(
    user: CurrentUser,
    catalog: ExerciseCatalog,
    exercise_id: UUID,
    variant_id: UUID | None,
    limit: int,
) -> list[Substitute]:
    """Substitutes of the exercise's variant `variant_id` (its main variant when None) for the
    caller's equipment, best first."""
    exercise = await catalog.get(str(exercise_id))
    if exercise is None:
        raise NotFound(f"the catalog has no exercise {exercise_id}")
    wanted = variant_id or exercise.mainVariantId
    variant = next(
        (item for item in exercise.variants if wanted is None or item.id == wanted), None
    )
    if variant is None:
        raise NotFound(f"the exercise {exercise_id} has no variant {variant_id}")
    found = await stored.find(user.id)
    equipment = at_hand(found["equipment"] if found is not None else None)
    return substitutes(await catalog.all_exercises(), variant, equipment, limit)
