"""Calendar feeds: create, list, rotate and revoke a user's secret iCalendar URLs, and answer
the feed a secret names. Loads through the repositories, checks the policy, saves."""

from datetime import date
from typing import Any

from beanie import PydanticObjectId

from peakhealth import policy
from peakhealth.calendar import ics
from peakhealth.calendar.secrets import new_secret, same_hash, secret_hash
from peakhealth.errors import NotFound, PreconditionFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.revisions import Expected, condition, revision_of
from peakhealth.storage import calendar_feeds as stored
from peakhealth.storage import sessions
from peakhealth.storage.calendar_feeds import CalendarFeed

# Far more sessions than 211 days hold for anyone: bounds the answer, not the plan.
MAX_EVENTS = 2000
FEED_NAME = "PeakHealth training"


def _id(value: str) -> PydanticObjectId:
    try:
        return PydanticObjectId(value)
    except Exception as error:
        raise NotFound(f"no calendar feed with id {value}") from error


async def create(user: CurrentUser, *, name: str | None) -> tuple[dict[str, Any], str]:
    """A new feed of the caller's sessions and its secret, which is answered this once."""
    secret = new_secret()
    feed = CalendarFeed(userId=user.id, name=name, secretHash=secret_hash(secret))
    return await stored.insert(feed), secret


async def read(feed_id: str, user: CurrentUser) -> dict[str, Any]:
    found = await stored.find({"_id": _id(feed_id), **policy.USE_CALENDAR_FEED.filter(user)})
    if found is None:
        raise NotFound(f"no calendar feed with id {feed_id}")
    return found


async def list_own(user: CurrentUser, *, skip: int, limit: int) -> tuple[list[Any], int]:
    return await stored.page({"userId": user.id}, skip=skip, limit=limit)


async def _changeable(feed_id: str, user: CurrentUser, expected: Expected | None) -> dict[str, Any]:
    found = await read(feed_id, user)
    if expected is not None and not expected.allows(revision_of(found)):
        raise _stale(revision_of(found))
    return found


def _stale(revision: int) -> PreconditionFailed:
    return PreconditionFailed(f"the calendar feed is at revision {revision}; read it again")


async def _missed(found: dict[str, Any], expected: Expected | None) -> Exception:
    """Why a conditional write matched nothing: the feed moved on (412) or is gone (404)."""
    if expected is not None:
        again = await stored.find({"_id": found["_id"], "userId": found["userId"]})
        if again is not None:
            return _stale(revision_of(again))
    return NotFound(f"no calendar feed with id {found['_id']}")


async def rotate(
    feed_id: str, user: CurrentUser, expected: Expected | None = None
) -> tuple[dict[str, Any], str]:
    """A new secret for the feed, answered this once; the old one stops working at once."""
    found = await _changeable(feed_id, user, expected)
    secret = new_secret()
    query = {"_id": found["_id"], "userId": found["userId"], **condition(expected)}
    after = await stored.change(query, {"secretHash": secret_hash(secret)})
    if after is None:
        raise await _missed(found, expected)
    return after, secret


async def revoke(feed_id: str, user: CurrentUser, expected: Expected | None = None) -> None:
    """Delete the feed: its URL answers 404 from now on."""
    found = await _changeable(feed_id, user, expected)
    query = {"_id": found["_id"], "userId": found["userId"], **condition(expected)}
    if not await stored.delete(query):
        raise await _missed(found, expected)


async def feed(secret: str, today: date) -> bytes:
    """The calendar a secret names: its owner's sessions scheduled from 30 days before `today`
    to 180 after. Any secret is hashed and looked up (a wrong length too), so every miss costs
    the same; NotFound for an unknown or revoked secret."""
    offered = secret_hash(secret)
    found = await stored.by_secret_hash(offered)
    if found is None or not same_hash(found["secretHash"], offered):
        raise NotFound("no calendar feed at this address")
    first, last = ics.window(today)
    rows = await sessions.feed_window(found["userId"], first, last, limit=MAX_EVENTS)
    return ics.render(rows, name=found.get("name") or FEED_NAME)
