"""A user's sessions as an RFC 5545 calendar, written by the `icalendar` library (pure).

Scheduled dates and times are the client's local days and clock (DOMAIN.md section 8), and the
service does not know the client's time zone: a session without a time is an all-day event
(`VALUE=DATE`), one with a time starts at that *floating* local time (no `TZID`), which calendar
apps show at that clock time wherever the phone is (README, "Calendar feeds")."""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event

PRODUCT = "-//PeakHealth//Routine engine//EN"
UID_DOMAIN = "peakhealth"  # UID = <session id>@peakhealth: the same for a session forever
DEFAULT_MINUTES = 60  # the length of a timed session that has no duration (yet)
STATUS = {"cancelled": "CANCELLED"}  # the rest CONFIRMED; the description says which


def window(today: date) -> tuple[str, str]:
    """The scheduled dates a feed covers (inclusive): 30 days back to 180 ahead."""
    return (today - timedelta(days=30)).isoformat(), (today + timedelta(days=180)).isoformat()


def event(session: Mapping[str, Any]) -> Event:
    """One session (as stored, projected) as a VEVENT."""
    snapshot = session.get("workoutSnapshot") or {}
    item = Event()
    item.add("uid", f"{session['_id']}@{UID_DOMAIN}")
    # SEQUENCE counts the session's changes and LAST-MODIFIED is its last one: a calendar app
    # replaces its copy of the event when either moves on. DTSTAMP is the same instant, so the
    # same stored sessions always give the same feed.
    item.add("sequence", int(session.get("revision") or 0))
    updated: datetime = session["updatedAt"]
    # MongoDB answers naive UTC datetimes (the client is not tz_aware)
    updated = updated.replace(tzinfo=UTC) if updated.tzinfo is None else updated.astimezone(UTC)
    item.add("dtstamp", updated)
    item.add("last-modified", updated)
    day = date.fromisoformat(session["scheduledDate"])
    clock = session.get("scheduledTime")
    if clock:
        start = datetime.combine(day, time.fromisoformat(clock))  # floating: the client's clock
        item.add("dtstart", start)
        minutes = session.get("durationMinutes") or DEFAULT_MINUTES
        item.add("dtend", start + timedelta(minutes=minutes))
    else:
        item.add("dtstart", day)
        item.add("dtend", day + timedelta(days=1))
    item.add("summary", snapshot.get("name") or "Workout")
    status = session.get("status", "scheduled")
    description = f"Status: {status}"
    if snapshot.get("objective"):
        description = f"{snapshot['objective']}\n{description}"
    item.add("description", description)
    item.add("status", STATUS.get(status, "CONFIRMED"))
    item.add("transp", "OPAQUE" if clock else "TRANSPARENT")
    return item


def render(sessions: Iterable[Mapping[str, Any]], *, name: str) -> bytes:
    """The calendar of `sessions`, one VEVENT each, as the bytes of a `text/calendar` answer."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(event(session))
    return bytes(calendar.to_ical())
