"""The HTTP face of the version-chain mechanism, shared by library sections, library workouts and
template routines: each handler parses, calls `peakhealth.versioning`, and returns."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from peakhealth import versioning
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.http.dependencies import AppSettings, Author, Catalog, User, VersionId
from peakhealth.http.pagination import PageRequest, page_of, page_request
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.durations import parse_seconds
from peakhealth.versioning import CopiedFrom, D

Build = Callable[[Any, CurrentUser, ExerciseCatalog], Awaitable[Any]]
Pages = Annotated[PageRequest, Depends(page_request)]


def older_than(
    olderThan: Annotated[
        str | None,
        Query(description="Purge versions archived longer than this (30d, 12h, P30D)"),
    ] = None,
) -> timedelta | None:
    if olderThan is None:
        return None
    try:
        return timedelta(seconds=parse_seconds(olderThan, allow_days=True))
    except ValueError as error:
        raise ValidationFailed([FieldError("olderThan", str(error))]) from error


def add_version_chain_routes(
    router: APIRouter,
    *,
    document: type[D],
    body: Any,
    build: Build,
    copy: bool = True,
    bulk_purge: bool = True,
) -> None:
    """Create, read, versions, new version, copy, archive, unarchive, purge, bulk purge, delete
    chain: the same contract wherever a version chain is served."""
    kind = document.kind

    def publishing_of(draft: Any) -> dict[str, Any]:
        return {"is_public": draft.isPublic, "tags": draft.tags}

    @router.post("", status_code=201, summary=f"Create a {kind} (version 1)")
    async def create(
        draft: body,
        user: Author,
        catalog: Catalog,
    ) -> dict[str, Any]:
        content = await build(draft, user, catalog)
        created = await versioning.create_chain(
            document, content, user=user, **publishing_of(draft)
        )
        return created.present()

    @router.get("/{id}", summary=f"One {kind} version")
    async def read(user: User, id: VersionId) -> dict[str, Any]:
        return (await versioning.load_readable(document, id, user)).present()

    @router.get("/{id}/versions", summary=f"Every version of the {kind} chain, newest first")
    async def versions(user: User, id: VersionId, pages: Pages) -> dict[str, Any]:
        source = await versioning.load_readable(document, id, user)
        items, total = await versioning.list_versions(
            document, source, user, skip=pages.skip, limit=pages.limit
        )
        return page_of([item.present() for item in items], total, pages)

    @router.put("/{id}", summary=f"Publish a new {kind} version from the full body")
    async def new_version(
        user: Author,
        id: VersionId,
        draft: body,
        catalog: Catalog,
    ) -> dict[str, Any]:
        source = await versioning.load_editable(document, id, user)
        content = await build(draft, user, catalog)
        published = await versioning.publish_new_version(
            document, source, content, **publishing_of(draft)
        )
        return published.present()

    if copy:

        @router.post("/{id}/copy", status_code=201, summary=f"Fork the {kind} into a new chain")
        async def fork(user: Author, id: VersionId) -> dict[str, Any]:
            source = await versioning.load_readable(document, id, user)
            created = await versioning.create_chain(
                document,
                source.content(),
                user=user,
                is_public=False,
                tags=source.tags,
                copied_from=CopiedFrom(id=source.version_id, version=source.version),
            )
            return created.present()

    @router.put("/{id}/archive", summary=f"Archive a {kind} version")
    async def archive(user: User, id: VersionId, settings: AppSettings) -> dict[str, Any]:
        target = await versioning.load_editable(document, id, user)
        latest = await versioning.archive(
            document, target, retention_days=settings.archive_retention_days
        )
        return {"success": True, "newLatestVersionId": latest}

    @router.put("/{id}/unarchive", summary=f"Restore an archived {kind} version")
    async def unarchive(user: User, id: VersionId) -> dict[str, Any]:
        target = await versioning.load_editable(document, id, user)
        latest = await versioning.unarchive(document, target)
        return {"success": True, "newLatestVersionId": latest}

    @router.delete("/{id}", status_code=204, summary=f"Purge an archived {kind} version")
    async def purge(user: User, id: VersionId) -> Response:
        target = await versioning.load_editable(document, id, user)
        await versioning.purge_version(document, target)
        return Response(status_code=204)

    @router.delete("/{id}/versions", status_code=204, summary=f"Delete the whole {kind} chain")
    async def delete_chain(user: User, id: VersionId) -> Response:
        target = await versioning.load_editable(document, id, user)
        await versioning.delete_chain(document, target)
        return Response(status_code=204)

    if bulk_purge:

        @router.delete("", summary=f"Purge archived {kind} versions (own; every one for admins)")
        async def purge_archived(
            user: Author,
            status: Annotated[Literal["archived"], Query(description="Must be 'archived'")],
            age: Annotated[timedelta | None, Depends(older_than)],
        ) -> dict[str, int]:
            purged = await versioning.purge_archived(
                document, owner=None if user.is_admin else user.id, older_than=age
            )
            return {"purged": purged}
