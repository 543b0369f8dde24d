"""`/api/users/me/equipment` (the equipment the caller has) and
`/api/exercises/{exerciseId}/substitutes` (variants they can do instead of one)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from peakhealth.catalog.models import CatalogVariant
from peakhealth.equipment import service
from peakhealth.http.dependencies import OMIT_ABSENT, Catalog, User
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, tagged
from peakhealth.plan.base import ONE_LINE, PlanModel
from peakhealth.timestamps import UtcDatetime

router = APIRouter(prefix="/api", tags=["Exercises"])

EquipmentName = Annotated[str, ONE_LINE, Field(min_length=1, max_length=50)]


class EquipmentBody(PlanModel):
    """The whole list of equipment the caller has, in the catalog's words (any case)."""

    equipment: list[EquipmentName] = Field(max_length=100)


class EquipmentView(BaseModel):
    """The caller's equipment: `bodyweight` is always in it."""

    equipment: list[str]
    revision: int = Field(ge=0, description="0 before the list was first set")
    updatedAt: UtcDatetime | None = None


class SubstituteView(BaseModel):
    """A variant to do instead, with its exercise."""

    exerciseId: UUID
    exerciseName: str
    variant: CatalogVariant
    sharedSecondaryMuscles: int = Field(
        ge=0, description="Secondary muscles it shares with the variant replaced: the ranking"
    )


class Substitutes(BaseModel):
    data: list[SubstituteView]


@router.get(
    "/users/me/equipment",
    response_model=EquipmentView,
    **OMIT_ABSENT,
    operation_id="getMyEquipment",
    summary="The equipment the caller has",
)
async def read(user: User, response: Response, held: IfNoneMatch) -> Any:
    """The caller's list; never set: `["bodyweight"]` at revision 0. `If-None-Match` with the
    current tag: 304."""
    found = await service.read(user)
    if held is not None and held.weakly_names(found["revision"]):
        return tagged(Response(status_code=304), found["revision"])
    tagged(response, found["revision"])
    return found


@router.put(
    "/users/me/equipment",
    response_model=EquipmentView,
    **OMIT_ABSENT,
    operation_id="putMyEquipment",
    summary="Replace the equipment the caller has",
)
async def replace(
    body: EquipmentBody, user: User, catalog: Catalog, response: Response, expected: IfMatch
) -> Any:
    """Every value must be equipment some variant of the catalog lists (`GET /api/exercises`
    shows them): another is 422 naming its index. `bodyweight` counts whether listed or not."""
    changed = await service.replace(user, body.equipment, catalog, expected)
    tagged(response, changed["revision"])
    return changed


@router.get(
    "/exercises/{exerciseId}/substitutes",
    response_model=Substitutes,
    operation_id="listSubstitutes",
    summary="Variants the caller can do instead, with their equipment",
)
async def list_substitutes(
    user: User,
    catalog: Catalog,
    exerciseId: Annotated[UUID, Path(description="Supabase UUID of the exercise")],
    variantId: Annotated[
        UUID | None, Query(description="The variant to replace; the main variant if left out")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Any:
    """Other variants of the catalog (of any exercise) that work every primary muscle group of
    the variant and need only equipment the caller has (`bodyweight` always), ranked by the
    secondary muscles they share with it (most first), then by name."""
    found = await service.find_substitutes(user, catalog, exerciseId, variantId, limit)
    return {
        "data": [
            {
                "exerciseId": item.exercise.id,
                "exerciseName": item.exercise.name,
                "variant": item.variant,
                "sharedSecondaryMuscles": item.shared,
            }
            for item in found
        ]
    }
