"""What the routes of version chains share: library sections, library workouts and template
routines serve the same contract, each route declared in its own router under its path. Here is
what those routes do, written once (`ChainEndpoints`, calling `peakhealth.versioning.chains`),
the answers' models, the dependencies that parse their input, and their descriptions."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Generic, Literal, Protocol, TypedDict

from beanie import PydanticObjectId
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, create_model

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.config import Settings
from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.http.dependencies import ID_PATTERN, User, VersionId
from peakhealth.http.pagination import Page, PageRequest, page_of, plan_page_request
from peakhealth.http.preconditions import not_modified, tagged
from peakhealth.http.responses import answer_response, created_response, json_response, location
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.base import is_object_id
from peakhealth.plan.durations import parse_age
from peakhealth.revisions import Expected, Tags, revision_of
from peakhealth.versioning import chains
from peakhealth.versioning.diff import VersionDiff
from peakhealth.versioning.documents import D, VersionedDocument

PlanPages = Annotated[PageRequest, Depends(plan_page_request)]


class LifecycleResult(BaseModel):
    """The answer to archive and unarchive: the chain's latest version after the change."""

    success: bool
    newLatestVersionId: str | None

    @classmethod
    def of(cls, latest: PydanticObjectId | None) -> "LifecycleResult":
        return cls(success=True, newLatestVersionId=str(latest) if latest else None)


class PurgeResult(BaseModel):
    purged: int


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


OlderThan = Annotated[timedelta | None, Depends(older_than)]
# The bulk purge's `status`: it purges archived versions only, and says so in its query.
ArchivedOnly = Annotated[Literal["archived"], Query(description="Must be 'archived'")]


async def against_id(
    against: Annotated[
        str,
        Query(
            description="The version to compare with (24 hex characters): the diff goes from it"
            " to `{id}`",
            json_schema_extra={"pattern": ID_PATTERN},  # checked below, naming the parameter
        ),
    ],
) -> str:
    if not is_object_id(against):
        raise ValidationFailed([FieldError("against", "must be an id of 24 hex characters")])
    return against.lower()


Against = Annotated[str, Depends(against_id)]


class Publishable(Protocol):
    """A body that publishes a version: it says whether the version is public and its tags."""

    isPublic: bool
    tags: list[str]


Build = Callable[[Any, CurrentUser, ExerciseCatalog], Awaitable[BaseModel]]


@dataclass(frozen=True)
class ChainEndpoints(Generic[D]):
    """What the routes of one kind of version chain do, written once: each method is the body of
    one route (its router declares it and parses the input), calling `chains`. `build` turns a
    body into content, `read_route` names the route a 201's `Location` points to, `pinned`
    reports versions something else points to (archived, never purged)."""

    document: type[D]
    build: Build
    read_route: str
    pinned: chains.PurgeGuard = chains.nothing_pinned

    @property
    def routes(self) -> "ChainRoutes":
        return chain_routes(self.document)

    async def load(self, user: User, id: VersionId) -> D:
        """A dependency: the version `{id}`, when the caller may read it (404 otherwise). Only
        for routes without a body or query: FastAPI calls a dependency even when a sibling
        parameter is invalid, so there it would answer 404 where the route answers 422."""
        return await chains.load_readable(self.document, id, user)

    def _created(self, request: Request, stored: dict[str, Any]) -> Response:
        answer = chains.answer_of(self.document, stored)
        created = created_response(answer, location(request, self.read_route, stored["_id"]))
        return tagged(created, revision_of(stored))

    async def create(
        self, request: Request, draft: Publishable, user: CurrentUser, catalog: ExerciseCatalog
    ) -> Response:
        content = await self.build(draft, user, catalog)
        stored = await chains.create_chain(
            self.document, content, user=user, is_public=draft.isPublic, tags=draft.tags
        )
        return self._created(request, stored)

    async def read(self, user: CurrentUser, id: str, held: Tags | None) -> Response:
        unchanged = await not_modified(held, lambda: chains.revision(self.document, id, user))
        if unchanged is not None:
            return unchanged
        answer, revision = await chains.read_answer(self.document, id, user)
        return tagged(answer_response(answer), revision)

    async def versions(self, user: CurrentUser, id: str, pages: PageRequest) -> Response:
        source = await chains.load_readable(self.document, id, user)
        items, total = await chains.list_versions(
            self.document, source, user, skip=pages.skip, limit=pages.limit, full=pages.full
        )
        return json_response(page_of(items, total, pages))

    async def diff(self, user: CurrentUser, id: str, against: str) -> Response:
        return json_response(await chains.compare(self.document, id, against, user))

    async def publish(
        self,
        user: CurrentUser,
        id: str,
        draft: Publishable,
        catalog: ExerciseCatalog,
        expected: Expected | None,
    ) -> Response:
        source = await chains.load_readable(self.document, id, user)
        content = await self.build(draft, user, catalog)
        published = await chains.publish_new_version(
            self.document,
            source,
            content,
            user=user,
            is_public=draft.isPublic,
            tags=draft.tags,
            expected=expected,
        )
        answer = answer_response(chains.answer_of(self.document, published))
        return tagged(answer, revision_of(published))

    async def fork(
        self, request: Request, user: CurrentUser, source: D, expected: Expected | None
    ) -> Response:
        forked = await chains.fork(self.document, source, user=user, expected=expected)
        return self._created(request, forked)

    async def archive(
        self, user: CurrentUser, target: D, settings: Settings, expected: Expected | None
    ) -> LifecycleResult:
        latest = await chains.archive(
            self.document,
            target,
            user=user,
            retention_days=settings.archive_retention_days,
            expected=expected,
        )
        return LifecycleResult.of(latest)

    async def unarchive(
        self, user: CurrentUser, target: D, expected: Expected | None
    ) -> LifecycleResult:
        return LifecycleResult.of(
            await chains.unarchive(self.document, target, user=user, expected=expected)
        )

    async def purge(self, user: CurrentUser, target: D, expected: Expected | None) -> Response:
        await chains.purge_version(
            self.document, target, user=user, pinned=self.pinned, expected=expected
        )
        return Response(status_code=204)

    async def delete_chain(
        self, user: CurrentUser, target: D, expected: Expected | None
    ) -> Response:
        await chains.delete_chain(
            self.document, target, user=user, pinned=self.pinned, expected=expected
        )
        return Response(status_code=204)

    async def purge_archived(self, user: CurrentUser, age: timedelta | None) -> PurgeResult:
        """Own archived versions; every creator's for admins."""
        purged = await chains.purge_archived(
            self.document,
            where=policy.PURGE_ARCHIVED.filter(user),
            older_than=age,
            pinned=self.pinned,
        )
        return PurgeResult(purged=purged)


class RouteDoc(TypedDict, total=False):
    """What a chain route's decorator says besides its method, path, operation id (and name):
    the same for every kind of chain but for the kind's word and models."""

    status_code: int
    response_model: Any
    summary: str
    description: str


@dataclass(frozen=True)
class ChainRoutes:
    """The decorators' texts and models of the chain routes of one kind of document: the same
    contract wherever a version chain is served, each route declared as
    `@router.put("/{id}/archive", operation_id="...", **CHAIN.routes.archive)`."""

    create: RouteDoc
    read: RouteDoc
    versions: RouteDoc
    diff: RouteDoc
    new_version: RouteDoc
    copy: RouteDoc
    archive: RouteDoc
    unarchive: RouteDoc
    purge: RouteDoc
    delete_chain: RouteDoc
    purge_archived: RouteDoc


def chain_routes(document: type[VersionedDocument]) -> ChainRoutes:
    kind, full = document.kind, document.full_model
    return ChainRoutes(
        create=RouteDoc(
            status_code=201,
            response_model=full,
            summary=f"Create a {kind} (version 1)",
            description=f"Starts a new version chain with version 1 of the {kind}, owned by the"
            " caller (trainers and admins). The answer is the whole stored version, every element"
            " with its id and catalog names filled in; `Location` is its URL.",
        ),
        read=RouteDoc(
            response_model=full,
            summary=f"One {kind} version",
            description=f"One version of a {kind}, whole: public ones, the caller's own, any for"
            " admins (any other id is 404, so ids do not leak).",
        ),
        versions=RouteDoc(
            response_model=plan_page(document),
            summary=f"Every version of the {kind} chain the caller may read, newest first",
            description="The versions of the chain holding `{id}` (any version of it), newest"
            " first, as summaries unless `view=full`.",
        ),
        diff=RouteDoc(
            response_model=VersionDiff,
            summary=f"What changed from the {kind} version `against` to `{{id}}`",
            description=f"Both versions (of any {kind} chains) must be readable by the caller,"
            f" else 404, as is an id of another kind. Elements are matched by id: each change"
            " is `added`, `removed`, `moved` (its parent changed, or its order among the"
            " siblings kept in both) or `changed` (`fields`: each own field, from and to; left"
            " out on the side that lacks it); kind `document` holds the version's own fields."
            " `path` is in `{id}`, in `against` for removed elements; changes come in the"
            " order of `{id}`'s tree, the removed ones after, in the order of `against`'s.",
        ),
        new_version=RouteDoc(
            response_model=full,
            summary=f"Publish a new {kind} version from the full body",
            description=f"Appends a new version to the chain holding `{{id}}` from a whole {kind}"
            " (server-managed fields in the body are ignored, so a version read with GET can be"
            " edited and sent back). The new version becomes the latest; older ones stay"
            " readable.",
        ),
        copy=RouteDoc(
            status_code=201,
            response_model=full,
            summary=f"Fork the {kind} into a new private chain",
            description=f"Version 1 of a new private chain of the caller, copied from the {kind}"
            " version `{id}` (`copiedFrom` records it); `Location` is its URL.",
        ),
        archive=RouteDoc(
            response_model=LifecycleResult,
            summary=f"Archive a {kind} version",
            description="Hides the version from lists; it stays readable by id and can be"
            " restored until it is purged (after the retention period, or on request). The"
            " answer names the chain's latest version after the change.",
        ),
        unarchive=RouteDoc(
            response_model=LifecycleResult,
            summary=f"Restore an archived {kind} version",
            description="Undoes an archive; the answer names the chain's latest version after"
            " the change.",
        ),
        purge=RouteDoc(
            status_code=204,
            summary=f"Purge an archived {kind} version",
            description="Deletes one archived version for good: 409 unless it is archived, or"
            " while something still points to it.",
        ),
        delete_chain=RouteDoc(
            status_code=204,
            summary=f"Delete the whole {kind} chain",
            description="Deletes every version of the chain holding `{id}` (the owner or an"
            " admin); 409 while something still points to one of them.",
        ),
        purge_archived=RouteDoc(
            response_model=PurgeResult,
            summary=f"Purge archived {kind} versions (own; every one for admins)",
            description="Deletes for good the archived versions whose retention period has"
            " passed or, with `olderThan`, those archived longer than that; versions something"
            " points to are kept. Answers how many were purged.",
        ),
    )
