"""`/api/exercises`: the exercise catalog, for any signed-in user."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query

from peakhealth.catalog import service
from peakhealth.catalog.models import CatalogExercise, Category
from peakhealth.http.dependencies import Catalog, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.plan.base import OneLine

router = APIRouter(prefix="/api/exercises", tags=["Exercises"])


@router.get(
    "",
    response_model=Page[CatalogExercise],
    operation_id="listExercises",
    summary="The catalog, each exercise with its variants",
)
async def list_exercises(
    _: User,
    catalog: Catalog,
    pages: Pages,
    search: Annotated[
        OneLine | None,
        Query(max_length=100, description="in the name or an alternative name, any case"),
    ] = None,
    muscleGroup: Annotated[
        OneLine | None,
        Query(max_length=50, description="a primary muscle group of a variant, e.g. glutes"),
    ] = None,
    equipment: Annotated[
        OneLine | None,
        Query(max_length=50, description="equipment of a variant, e.g. dumbbell or bodyweight"),
    ] = None,
    category: Annotated[Category | None, Query()] = None,
) -> Any:
    """The exercise catalog (Supabase's, or the bundled one), filtered by name, muscle group,
    equipment and category. Plans name exercises and variants by these ids."""
    items, total = await service.list_exercises(
        catalog,
        search=search,
        muscle_group=muscleGroup,
        equipment=equipment,
        category=category,
        skip=pages.skip,
        limit=pages.limit,
    )
    return page_of(items, total, pages)


@router.get(
    "/{exerciseId}",
    response_model=CatalogExercise,
    operation_id="getExercise",
    summary="One exercise with its variants",
)
async def read_exercise(
    _: User,
    catalog: Catalog,
    exerciseId: Annotated[UUID, Path(description="Supabase UUID of the exercise")],
) -> Any:
    """An id the catalog does not hold is 404."""
    return await service.read_exercise(catalog, exerciseId)
