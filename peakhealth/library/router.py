"""`/api/library/sections` and `/api/library/workouts`: two version chains with the same contract
(`peakhealth.http.versioned`), each route declared under its path."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from peakhealth.http.dependencies import AppSettings, Author, Catalog, User, VersionId
from peakhealth.http.pagination import PageRequest, page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch
from peakhealth.http.responses import json_response
from peakhealth.http.versioned import (
    Against,
    ArchivedOnly,
    ChainEndpoints,
    LifecycleResult,
    OlderThan,
    PlanPages,
    PurgeResult,
    RouteDoc,
    plan_page,
)
from peakhealth.library import service
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.plan.base import MAX_NAME, MAX_TAG_LENGTH, OneLine
from peakhealth.plan.drafts import LibraryWorkoutBody, SectionDraft
from peakhealth.versioning.documents import VersionedDocument

router = APIRouter(prefix="/api/library")
sections = APIRouter(prefix="/sections", tags=["Library"])
workouts = APIRouter(prefix="/workouts", tags=["Library"])


@dataclass(frozen=True)
class Latest:
    """The query of a list of latest versions: filters and a page."""

    filters: dict[str, Any]
    pages: PageRequest


def latest_query(kind: str) -> Callable[..., Awaitable[Latest]]:
    """The dependency parsing the query of a list of latest `kind` versions. The page comes
    first, as a route's own parameters would come after it: the same order of errors."""

    async def parse(
        pages: PlanPages,
        type: Annotated[OneLine | None, Query(max_length=50, description=f"{kind} type")] = None,
        tag: Annotated[OneLine | None, Query(max_length=MAX_TAG_LENGTH)] = None,
        search: Annotated[
            OneLine | None, Query(max_length=MAX_NAME, description="in the name")
        ] = None,
        createdBy: Annotated[str | None, Query(pattern="^me$", description="'me'")] = None,
        includeArchived: Annotated[bool, Query(description="add own archived versions")] = False,
    ) -> Latest:
        filters = {"type": type, "tag": tag, "search": search, "mine": createdBy == "me"}
        return Latest(filters | {"include_archived": includeArchived}, pages)

    return parse


async def latest_page(document: type[VersionedDocument], user: User, query: Latest) -> Response:
    pages = query.pages
    items, total = await service.list_latest(
        document, user, **query.filters, skip=pages.skip, limit=pages.limit, full=pages.full
    )
    return json_response(page_of(items, total, pages))


def latest_route(document: type[VersionedDocument]) -> RouteDoc:
    return RouteDoc(
        response_model=plan_page(document),
        summary=f"Latest {document.kind} versions the caller may read",
        description=f"The latest non-archived version of each {document.kind} chain the caller"
        " may read (public ones and their own; every one for admins), most recently changed"
        " first, as summaries unless `view=full`.",
    )


# ----- /api/library/sections ----------------------------------------------------------------------

SECTIONS = ChainEndpoints(SectionDocument, service.build_section, read_route="getLibrarySection")
Section = Annotated[SectionDocument, Depends(SECTIONS.load)]
SectionQuery = Annotated[Latest, Depends(latest_query("section"))]


@sections.get("", operation_id="listLibrarySections", **latest_route(SectionDocument))
async def list_sections(user: User, query: SectionQuery) -> Response:
    return await latest_page(SectionDocument, user, query)


@sections.post("", operation_id="createLibrarySection", **SECTIONS.routes.create)
async def create_section(
    request: Request, draft: SectionDraft, user: Author, catalog: Catalog
) -> Response:
    return await SECTIONS.create(request, draft, user, catalog)


# `name`: the Location of a 201 is built from this route.
@sections.get(
    "/{id}", operation_id="getLibrarySection", name="getLibrarySection", **SECTIONS.routes.read
)
async def read_section(user: User, id: VersionId, held: IfNoneMatch) -> Response:
    return await SECTIONS.read(user, id, held)


@sections.get(
    "/{id}/versions", operation_id="listLibrarySectionVersions", **SECTIONS.routes.versions
)
async def list_section_versions(user: User, id: VersionId, pages: PlanPages) -> Response:
    return await SECTIONS.versions(user, id, pages)


@sections.get("/{id}/diff", operation_id="diffLibrarySectionVersions", **SECTIONS.routes.diff)
async def diff_section_versions(user: User, id: VersionId, against: Against) -> Response:
    return await SECTIONS.diff(user, id, against)


@sections.put("/{id}", operation_id="createLibrarySectionVersion", **SECTIONS.routes.new_version)
async def publish_section(
    user: Author, id: VersionId, draft: SectionDraft, catalog: Catalog, expected: IfMatch
) -> Response:
    return await SECTIONS.publish(user, id, draft, catalog, expected)


@sections.post("/{id}/copy", operation_id="copyLibrarySection", **SECTIONS.routes.copy)
async def copy_section(
    request: Request, user: Author, source: Section, expected: IfMatch
) -> Response:
    return await SECTIONS.fork(request, user, source, expected)


@sections.put(
    "/{id}/archive", operation_id="archiveLibrarySectionVersion", **SECTIONS.routes.archive
)
async def archive_section(
    user: User, target: Section, settings: AppSettings, expected: IfMatch
) -> LifecycleResult:
    return await SECTIONS.archive(user, target, settings, expected)


@sections.put(
    "/{id}/unarchive", operation_id="unarchiveLibrarySectionVersion", **SECTIONS.routes.unarchive
)
async def unarchive_section(user: User, target: Section, expected: IfMatch) -> LifecycleResult:
    return await SECTIONS.unarchive(user, target, expected)


@sections.delete("/{id}", operation_id="purgeLibrarySectionVersion", **SECTIONS.routes.purge)
async def purge_section(user: User, target: Section, expected: IfMatch) -> Response:
    return await SECTIONS.purge(user, target, expected)


@sections.delete(
    "/{id}/versions", operation_id="deleteLibrarySectionChain", **SECTIONS.routes.delete_chain
)
async def delete_section_chain(user: User, target: Section, expected: IfMatch) -> Response:
    return await SECTIONS.delete_chain(user, target, expected)


@sections.delete("", operation_id="purgeArchivedLibrarySections", **SECTIONS.routes.purge_archived)
async def purge_archived_sections(
    user: Author, status: ArchivedOnly, age: OlderThan
) -> PurgeResult:
    return await SECTIONS.purge_archived(user, age)


# ----- /api/library/workouts ----------------------------------------------------------------------

WORKOUTS = ChainEndpoints(WorkoutDocument, service.build_workout, read_route="getLibraryWorkout")
Workout = Annotated[WorkoutDocument, Depends(WORKOUTS.load)]
WorkoutQuery = Annotated[Latest, Depends(latest_query("workout"))]


@workouts.get("", operation_id="listLibraryWorkouts", **latest_route(WorkoutDocument))
async def list_workouts(user: User, query: WorkoutQuery) -> Response:
    return await latest_page(WorkoutDocument, user, query)


@workouts.post("", operation_id="createLibraryWorkout", **WORKOUTS.routes.create)
async def create_workout(
    request: Request, draft: LibraryWorkoutBody, user: Author, catalog: Catalog
) -> Response:
    return await WORKOUTS.create(request, draft, user, catalog)


# `name`: the Location of a 201 is built from this route.
@workouts.get(
    "/{id}", operation_id="getLibraryWorkout", name="getLibraryWorkout", **WORKOUTS.routes.read
)
async def read_workout(user: User, id: VersionId, held: IfNoneMatch) -> Response:
    return await WORKOUTS.read(user, id, held)


@workouts.get(
    "/{id}/versions", operation_id="listLibraryWorkoutVersions", **WORKOUTS.routes.versions
)
async def list_workout_versions(user: User, id: VersionId, pages: PlanPages) -> Response:
    return await WORKOUTS.versions(user, id, pages)


@workouts.get("/{id}/diff", operation_id="diffLibraryWorkoutVersions", **WORKOUTS.routes.diff)
async def diff_workout_versions(user: User, id: VersionId, against: Against) -> Response:
    return await WORKOUTS.diff(user, id, against)


@workouts.put("/{id}", operation_id="createLibraryWorkoutVersion", **WORKOUTS.routes.new_version)
async def publish_workout(
    user: Author, id: VersionId, draft: LibraryWorkoutBody, catalog: Catalog, expected: IfMatch
) -> Response:
    return await WORKOUTS.publish(user, id, draft, catalog, expected)


@workouts.post("/{id}/copy", operation_id="copyLibraryWorkout", **WORKOUTS.routes.copy)
async def copy_workout(
    request: Request, user: Author, source: Workout, expected: IfMatch
) -> Response:
    return await WORKOUTS.fork(request, user, source, expected)


@workouts.put(
    "/{id}/archive", operation_id="archiveLibraryWorkoutVersion", **WORKOUTS.routes.archive
)
async def archive_workout(
    user: User, target: Workout, settings: AppSettings, expected: IfMatch
) -> LifecycleResult:
    return await WORKOUTS.archive(user, target, settings, expected)


@workouts.put(
    "/{id}/unarchive", operation_id="unarchiveLibraryWorkoutVersion", **WORKOUTS.routes.unarchive
)
async def unarchive_workout(user: User, target: Workout, expected: IfMatch) -> LifecycleResult:
    return await WORKOUTS.unarchive(user, target, expected)


@workouts.delete("/{id}", operation_id="purgeLibraryWorkoutVersion", **WORKOUTS.routes.purge)
async def purge_workout(user: User, target: Workout, expected: IfMatch) -> Response:
    return await WORKOUTS.purge(user, target, expected)


@workouts.delete(
    "/{id}/versions", operation_id="deleteLibraryWorkoutChain", **WORKOUTS.routes.delete_chain
)
async def delete_workout_chain(user: User, target: Workout, expected: IfMatch) -> Response:
    return await WORKOUTS.delete_chain(user, target, expected)


@workouts.delete("", operation_id="purgeArchivedLibraryWorkouts", **WORKOUTS.routes.purge_archived)
async def purge_archived_workouts(
    user: Author, status: ArchivedOnly, age: OlderThan
) -> PurgeResult:
    return await WORKOUTS.purge_archived(user, age)


router.include_router(sections)
router.include_router(workouts)
