"""The HTTP face of the version-chain mechanism, shared by library sections, library workouts and
template routines: each handler parses, calls `peakhealth.versioning.chains`, and returns."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, create_model

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.http.dependencies import AppSettings, Author, Catalog, User, VersionId
from peakhealth.http.pagination import Page, PageRequest, page_of, plan_page_request
from peakhealth.http.responses import answer_response, created_response, json_response, location
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.durations import parse_age
from peakhealth.versioning import chains
from peakhealth.versioning.documents import D, VersionedDocument

Build = Callable[[Any, CurrentUser, ExerciseCatalog], Awaitable[Any]]
PlanPages = Annotated[PageRequest, Depends(plan_page_request)]


class LifecycleResult(BaseModel):
    """The answer to archive and unarchive: the chain's latest version after the change."""

    success: bool
    newLatestVersionId: str | None


class PurgeResult(BaseModel):
    purged: int


def version_response(
    document: type[VersionedDocument], stored: dict[str, Any], *, status_code: int = 200
) -> Response:
    """One whole version as the API shows it, serialised straight to JSON bytes (and kept for
    the reads that follow)."""
    return answer_response(chains.answer_of(document, stored), status_code=status_code)


_plan_pages: dict[type[VersionedDocument], Any] = {}


def plan_page(document: type[VersionedDocument]) -> Any:
    """The response model of a page of versions: summaries, or whole trees with view=full."""
    if document not in _plan_pages:
        items = document.summary_model | document.full_model
        name = document.__name__.removesuffix("Document")
        _plan_pages[document] = create_model(f"{name}Page", __base__=Page[items])  # type: ignore[valid-type]
    return _plan_pages[document]


async def older_than(
    olderThan: Annotated[
        str | None,
        Query(description="Purge versions archived longer than this (30d, 12h, P30D)"),
    ] = None,
) -> timedelta | None:
    if olderThan is None:
        return None
    try:
        return parse_age(olderThan)  # positive, at most 100 years: no date overflow
    except ValueError as error:
        raise ValidationFailed([FieldError("olderThan", str(error))]) from error


def add_version_chain_routes(
    router: APIRouter,
    *,
    noun: str,
    document: type[D],
    body: Any,
    build: Build,
    copy: bool = True,
    bulk_purge: bool = True,
    pinned: chains.PurgeGuard = chains.nothing_pinned,
) -> None:
    """Create, read, versions, new version, copy, archive, unarchive, purge, bulk purge, delete
    chain: the same contract wherever a version chain is served. `pinned` reports versions that
    something else points to, which can be archived but not purged. Handlers answer the JSON
    directly; the response models document it (the contract tests check the two agree).

    `noun` (PascalCase, e.g. `LibrarySection`) names the operations (`createLibrarySection`,
    `listLibrarySectionVersions`) and the read route the `Location` of a 201 points to."""
    kind = document.kind
    version_model = document.full_model
    read_route = f"get{noun}"

    def created(request: Request, stored: dict[str, Any]) -> Response:
        return created_response(
            chains.answer_of(document, stored), location(request, read_route, stored["_id"])
        )

    def publishing_of(draft: Any) -> dict[str, Any]:
        return {"is_public": draft.isPublic, "tags": draft.tags}

    @router.post(
        "",
        status_code=201,
        response_model=version_model,
        operation_id=f"create{noun}",
        summary=f"Create a {kind} (version 1)",
        description=f"Starts a new version chain with version 1 of the {kind}, owned by the"
        " caller (trainers and admins). The answer is the whole stored version, every element"
        " with its id and catalog names filled in; `Location` is its URL.",
    )
    async def create(request: Request, draft: body, user: Author, catalog: Catalog) -> Response:
        content = await build(draft, user, catalog)
        stored = await chains.create_chain(document, content, user=user, **publishing_of(draft))
        return created(request, stored)

    @router.get(
        "/{id}",
        response_model=version_model,
        operation_id=read_route,
        name=read_route,  # the Location of a 201 is built from this route
        summary=f"One {kind} version",
        description=f"One version of a {kind}, whole: public ones, the caller's own, any for"
        " admins (any other id is 404, so ids do not leak).",
    )
    async def read(user: User, id: VersionId) -> Response:
        return answer_response(await chains.read_answer(document, id, user))

    @router.get(
        "/{id}/versions",
        response_model=plan_page(document),
        operation_id=f"list{noun}Versions",
        summary=f"Every version of the {kind} chain the caller may read, newest first",
        description="The versions of the chain holding `{id}` (any version of it), newest"
        " first, as summaries unless `view=full`.",
    )
    async def versions(user: User, id: VersionId, pages: PlanPages) -> Response:
        source = await chains.load_readable(document, id, user)
        items, total = await chains.list_versions(
            document, source, user, skip=pages.skip, limit=pages.limit, full=pages.full
        )
        return json_response(page_of(items, total, pages))

    @router.put(
        "/{id}",
        response_model=version_model,
        operation_id=f"create{noun}Version",
        summary=f"Publish a new {kind} version from the full body",
        description=f"Appends a new version to the chain holding `{{id}}` from a whole {kind}"
        " (server-managed fields in the body are ignored, so a version read with GET can be"
        " edited and sent back). The new version becomes the latest; older ones stay readable.",
    )
    async def new_version(user: Author, id: VersionId, draft: body, catalog: Catalog) -> Response:
        source = await chains.load_readable(document, id, user)
        content = await build(draft, user, catalog)
        published = await chains.publish_new_version(
            document, source, content, user=user, **publishing_of(draft)
        )
        return version_response(document, published)

    if copy:

        @router.post(
            "/{id}/copy",
            status_code=201,
            response_model=version_model,
            operation_id=f"copy{noun}",
            summary=f"Fork the {kind} into a new private chain",
            description=f"Version 1 of a new private chain of the caller, copied from the {kind}"
            " version `{id}` (`copiedFrom` records it); `Location` is its URL.",
        )
        async def fork(request: Request, user: Author, id: VersionId) -> Response:
            source = await chains.load_readable(document, id, user)
            return created(request, await chains.fork(document, source, user=user))

    @router.put(
        "/{id}/archive",
        response_model=LifecycleResult,
        operation_id=f"archive{noun}Version",
        summary=f"Archive a {kind} version",
        description="Hides the version from lists; it stays readable by id and can be restored"
        " until it is purged (after the retention period, or on request). The answer names the"
        " chain's latest version after the change.",
    )
    async def archive(user: User, id: VersionId, settings: AppSettings) -> LifecycleResult:
        target = await chains.load_readable(document, id, user)
        latest = await chains.archive(
            document, target, user=user, retention_days=settings.archive_retention_days
        )
        return LifecycleResult(success=True, newLatestVersionId=str(latest) if latest else None)

    @router.put(
        "/{id}/unarchive",
        response_model=LifecycleResult,
        operation_id=f"unarchive{noun}Version",
        summary=f"Restore an archived {kind} version",
        description="Undoes an archive; the answer names the chain's latest version after the"
        " change.",
    )
    async def unarchive(user: User, id: VersionId) -> LifecycleResult:
        target = await chains.load_readable(document, id, user)
        latest = await chains.unarchive(document, target, user=user)
        return LifecycleResult(success=True, newLatestVersionId=str(latest) if latest else None)

    @router.delete(
        "/{id}",
        status_code=204,
        operation_id=f"purge{noun}Version",
        summary=f"Purge an archived {kind} version",
        description="Deletes one archived version for good: 409 unless it is archived, or while"
        " something still points to it.",
    )
    async def purge(user: User, id: VersionId) -> Response:
        target = await chains.load_readable(document, id, user)
        await chains.purge_version(document, target, user=user, pinned=pinned)
        return Response(status_code=204)

    @router.delete(
        "/{id}/versions",
        status_code=204,
        operation_id=f"delete{noun}Chain",
        summary=f"Delete the whole {kind} chain",
        description="Deletes every version of the chain holding `{id}` (the owner or an admin);"
        " 409 while something still points to one of them.",
    )
    async def delete_chain(user: User, id: VersionId) -> Response:
        target = await chains.load_readable(document, id, user)
        await chains.delete_chain(document, target, user=user, pinned=pinned)
        return Response(status_code=204)

    if bulk_purge:

        @router.delete(
            "",
            response_model=PurgeResult,
            operation_id=f"purgeArchived{noun}s",
            summary=f"Purge archived {kind} versions (own; every one for admins)",
            description="Deletes for good the archived versions whose retention period has"
            " passed or, with `olderThan`, those archived longer than that; versions something"
            " points to are kept. Answers how many were purged.",
        )
        async def purge_archived(
            user: Author,
            status: Annotated[Literal["archived"], Query(description="Must be 'archived'")],
            age: Annotated[timedelta | None, Depends(older_than)],
        ) -> PurgeResult:
            purged = await chains.purge_archived(
                document, owner=None if user.is_admin else user.id, older_than=age, pinned=pinned
            )
            return PurgeResult(purged=purged)
