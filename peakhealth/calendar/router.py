"""`/api/calendar-feeds` (a user's secret calendar URLs) and `/calendar/{secret}.ics` (the feed
itself, read by calendar apps without a token)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
from pydantic import BaseModel, Field

from peakhealth.calendar import service
from peakhealth.calendar.secrets import SECRET_LENGTH
from peakhealth.http.dependencies import OMIT_ABSENT, DocumentId, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, tagged
from peakhealth.http.responses import location
from peakhealth.plan.base import ONE_LINE, PlanModel
from peakhealth.plan.reading import IdText
from peakhealth.revisions import revision_of
from peakhealth.timestamps import UtcDatetime

feeds = APIRouter(prefix="/api/calendar-feeds", tags=["Calendar"])
ics = APIRouter(tags=["Calendar"])

CALENDAR = "text/calendar"
SECRET_PATTERN = f"^[A-Za-z0-9_-]{{{SECRET_LENGTH}}}$"


class CalendarFeedDraft(PlanModel):
    """A name for the feed (the calendar's name in the app); optional."""

    name: Annotated[str, ONE_LINE] | None = Field(default=None, min_length=1, max_length=100)


class CalendarFeedView(BaseModel):
    """A feed as the API lists it: never its secret."""

    id: IdText
    name: str | None = None
    revision: int
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class CalendarFeedWithUrl(CalendarFeedView):
    """A feed with its secret URL, shown this once."""

    url: str = Field(
        pattern=rf"/calendar/[A-Za-z0-9_-]{{{SECRET_LENGTH}}}\.ics$",
        description="Subscribe to it in a calendar app; under PUBLIC_URL when set. Shown only"
        " in this answer",
    )


class CalendarFeedPage(Page[CalendarFeedView]):
    """One page of the caller's feeds."""


def present(stored: dict[str, Any]) -> dict[str, Any]:
    fields = CalendarFeedView.model_fields
    return {"id": str(stored["_id"]), **{k: v for k, v in stored.items() if k in fields}}


def _with_url(request: Request, response: Response, stored: dict[str, Any], secret: str) -> Any:
    tagged(response, revision_of(stored))
    path = request.app.url_path_for("getCalendarFeedIcs", secret=secret)
    base = request.app.state.settings.public_url or request.scope.get("root_path", "")
    return {**present(stored), "url": f"{base}{path}"}


class CalendarResponse(Response):
    media_type = CALENDAR


@feeds.post(
    "",
    status_code=201,
    response_model=CalendarFeedWithUrl,
    **OMIT_ABSENT,
    operation_id="createCalendarFeed",
    summary="A secret iCalendar URL of the caller's sessions, shown once",
)
async def create(
    request: Request,
    response: Response,
    user: User,
    draft: Annotated[CalendarFeedDraft | None, Body()] = None,
) -> Any:
    """The answer's `url` serves the caller's sessions as iCalendar (30 days back to 180
    ahead) to whoever holds it, without a token; it is never shown again (rotate for a new
    one). The body, `{name}`, is optional."""
    created, secret = await service.create(user, name=draft.name if draft else None)
    response.headers["Location"] = location(request, "getCalendarFeed", created["_id"])
    return _with_url(request, response, created, secret)


@feeds.get(
    "",
    response_model=CalendarFeedPage,
    **OMIT_ABSENT,
    operation_id="listCalendarFeeds",
    summary="The caller's calendar feeds, without their URLs",
)
async def list_feeds(user: User, pages: Pages) -> Any:
    """The caller's own feeds, newest first. Their secret URLs are not shown."""
    items, total = await service.list_own(user, skip=pages.skip, limit=pages.limit)
    return page_of([present(item) for item in items], total, pages)


@feeds.get(
    "/{id}",
    response_model=CalendarFeedView,
    **OMIT_ABSENT,
    operation_id="getCalendarFeed",
    name="getCalendarFeed",  # the Location of a 201 is built from this route
    summary="One calendar feed, without its URL",
)
async def read(id: DocumentId, user: User, response: Response, held: IfNoneMatch) -> Any:
    """The caller's own feed; any other id is 404. `If-None-Match` with the current tag: 304."""
    found = await service.read(id, user)
    if held is not None and held.weakly_names(revision_of(found)):
        return tagged(Response(status_code=304), revision_of(found))
    tagged(response, revision_of(found))
    return present(found)


@feeds.post(
    "/{id}/rotate",
    response_model=CalendarFeedWithUrl,
    **OMIT_ABSENT,
    operation_id="rotateCalendarFeed",
    summary="A new secret URL; the old one stops working",
)
async def rotate(
    request: Request, id: DocumentId, user: User, response: Response, expected: IfMatch
) -> Any:
    """The answer carries the new `url`, shown this once; the previous URL answers 404 from
    now on."""
    rotated, secret = await service.rotate(id, user, expected)
    return _with_url(request, response, rotated, secret)


@feeds.delete(
    "/{id}",
    status_code=204,
    operation_id="deleteCalendarFeed",
    summary="Revoke a calendar feed",
)
async def delete(id: DocumentId, user: User, expected: IfMatch) -> Response:
    """The feed's URL answers 404 from now on."""
    await service.revoke(id, user, expected)
    return Response(status_code=204)


@ics.get(
    "/calendar/{secret}.ics",
    response_class=CalendarResponse,
    responses={
        200: {
            "description": "The feed (RFC 5545)",
            "content": {CALENDAR: {"schema": {"type": "string"}}},
        }
    },
    operation_id="getCalendarFeedIcs",
    name="getCalendarFeedIcs",
    summary="The calendar feed a secret names, as iCalendar; no token",
)
async def read_ics(
    request: Request,
    secret: Annotated[
        str,
        Path(
            description="The secret of a calendar feed's URL",
            # Documented, not enforced: any other secret is unknown (404), not invalid (422).
            json_schema_extra={"pattern": SECRET_PATTERN},
        ),
    ],
) -> Response:
    """One VEVENT per session of the feed's user scheduled from 30 days before today (UTC) to
    180 after: `UID` is the session's id, `SEQUENCE` and `LAST-MODIFIED` its revision and last
    change, so a moved session updates in place. Sessions without a time are all-day events;
    timed ones start at that local time (floating, no time zone). A secret that is unknown,
    rotated out or revoked, or of the wrong length, is 404."""
    body = await service.feed(secret, request.app.state.clock().date())
    return CalendarResponse(body, headers={"Cache-Control": "private, no-cache"})
