"""Calendar feeds (DOMAIN.md section 15): a secret URL serving the user's sessions as iCalendar,
parsed here with the same `icalendar` library a calendar app's parser stands for."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar

from peakhealth.calendar.secrets import SECRET_LENGTH
from peakhealth.http.examples import ROUTINE_BODY
from tests.support.actions import create, put_session
from tests.support.callers import Caller
from tests.support.paths import ROUTINES, SESSIONS
from tests.support.stored import calls_during

FEEDS = "/api/calendar-feeds"
TODAY = date(2026, 11, 20)
MOVE = {"scheduledDate": "2026-11-25", "scheduledTime": "18:00"}


@pytest.fixture(autouse=True)
def today(app: FastAPI) -> None:
    """The service's clock says TODAY: the feed's window follows it, not the machine's."""
    app.state.clock = lambda: datetime.combine(TODAY, datetime.min.time(), UTC)


async def schedule(
    client: httpx.AsyncClient, who: Caller, day: date, time: str | None = None
) -> dict[str, Any]:
    """`who` schedules the first workout of a new routine of theirs on `day` (at `time`)."""
    routine = await create(client, who, ROUTINES, ROUTINE_BODY)
    body: dict[str, Any] = {
        "routineId": routine["id"],
        "workoutId": routine["workouts"][0]["id"],
        "scheduledDate": day.isoformat(),
    }
    if time is not None:
        body["scheduledTime"] = time
    return dict(await create(client, who, SESSIONS, body))


async def new_feed(client: httpx.AsyncClient, who: Caller) -> tuple[dict[str, Any], str]:
    """A feed of `who`: its answer and the path of its URL."""
    made = await create(client, who, FEEDS, {"name": "Phone"})
    return made, "/calendar/" + made["url"].rsplit("/calendar/", 1)[1]


async def events(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    """The feed at `path` (no token), parsed: its VEVENTs by UID."""
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def to_the_second(stamp: str) -> datetime:
    """An answer's timestamp as iCalendar carries it (whole seconds)."""
    return datetime.fromisoformat(stamp).replace(microsecond=0)


def uid(session: dict[str, Any]) -> str:
    return f"{session['id']}@peakhealth"


async def test_the_feed_has_one_event_per_session_in_its_window_with_its_dates(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    _, path = await new_feed(client, client_user)
    assert len(path) == len("/calendar/.ics") + SECRET_LENGTH
    all_day = await schedule(client, client_user, TODAY + timedelta(days=3))
    timed = await schedule(client, client_user, TODAY + timedelta(days=4), "07:30")
    oldest = await schedule(client, client_user, TODAY - timedelta(days=30))
    last = await schedule(client, client_user, TODAY + timedelta(days=180))
    await schedule(client, client_user, TODAY - timedelta(days=31))  # out of the window
    await schedule(client, client_user, TODAY + timedelta(days=181))  # out of the window
    await schedule(client, trainer, TODAY)  # someone else's

    found = await events(client, path)

    assert set(found) == {uid(all_day), uid(timed), uid(oldest), uid(last)}
    day = found[uid(all_day)]
    assert day.decoded("DTSTART") == TODAY + timedelta(days=3)  # a date: an all-day event
    assert day.decoded("DTEND") == TODAY + timedelta(days=4)
    assert str(day["SUMMARY"]) == all_day["workoutSnapshot"]["name"]
    morning = found[uid(timed)]
    start = morning.decoded("DTSTART")
    assert start == datetime(2026, 11, 24, 7, 30) and start.tzinfo is None  # floating local time
    assert morning.decoded("DTEND") == datetime(2026, 11, 24, 8, 30)
    assert morning.decoded("SEQUENCE") == all_day["revision"]
    assert morning.decoded("LAST-MODIFIED") == to_the_second(timed["updatedAt"])


async def test_a_moved_session_keeps_its_uid_with_a_higher_sequence_and_new_last_modified(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    _, path = await new_feed(client, client_user)
    session = await schedule(client, client_user, TODAY + timedelta(days=1))
    before = (await events(client, path))[uid(session)]

    moved = await put_session(
        client,
        client_user,
        session["id"],
        MOVE,
    )
    assert moved.status_code == 200, moved.text
    after = (await events(client, path))[uid(session)]

    assert after.decoded("SEQUENCE") == moved.json()["revision"] > before.decoded("SEQUENCE")
    assert after.decoded("LAST-MODIFIED") == to_the_second(moved.json()["updatedAt"])
    assert after.decoded("DTSTART") == datetime(2026, 11, 25, 18, 0)


async def test_a_revoked_feed_and_a_rotated_out_secret_are_404(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    feed, old = await new_feed(client, client_user)
    await schedule(client, client_user, TODAY)
    rotated = await client.post(f"{FEEDS}/{feed['id']}/rotate", headers=client_user.headers)
    assert rotated.status_code == 200, rotated.text
    new = "/calendar/" + rotated.json()["url"].rsplit("/calendar/", 1)[1]
    assert new != old and rotated.json()["revision"] == 2
    assert (await client.get(old)).status_code == 404
    assert len(await events(client, new)) == 1

    revoked = await client.delete(f"{FEEDS}/{feed['id']}", headers=client_user.headers)
    assert revoked.status_code == 204
    gone = await client.get(new)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("secret", ["short", "x" * SECRET_LENGTH, "y" * 500])
async def test_an_unknown_or_wrong_length_secret_is_404(
    client: httpx.AsyncClient, client_user: Caller, secret: str
) -> None:
    await new_feed(client, client_user)
    response = await client.get(f"/calendar/{secret}.ics")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:peakhealth:problem:not-found"
    assert "X-RateLimit-Limit" in response.headers  # guesses count against the caller's budget


async def test_feeds_are_listed_without_secrets_and_are_their_owners_alone(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    feed, _ = await new_feed(client, client_user)
    listed = await client.get(FEEDS, headers=client_user.headers)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["data"]] == [feed["id"]]
    assert "url" not in listed.json()["data"][0] and "secretHash" not in listed.text
    assert (await client.get(FEEDS, headers=trainer.headers)).json()["data"] == []
    for method, suffix in (("GET", ""), ("POST", "/rotate"), ("DELETE", "")):
        response = await client.request(
            method, f"{FEEDS}/{feed['id']}{suffix}", headers=trainer.headers
        )
        assert response.status_code == 404, (method, suffix)


async def test_rotating_with_a_stale_tag_is_412_and_keeps_the_secret(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    feed, path = await new_feed(client, client_user)
    headers = {**client_user.headers, "If-Match": '"7"'}
    stale = await client.post(f"{FEEDS}/{feed['id']}/rotate", headers=headers)
    assert stale.status_code == 412
    assert (await client.get(path)).status_code == 200


async def test_the_feed_needs_no_token_but_the_feeds_api_does(client: httpx.AsyncClient) -> None:
    assert (await client.post(FEEDS, json={})).status_code == 401


async def test_reading_a_feed_is_its_lookup_and_one_query_of_sessions(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    _, path = await new_feed(client, client_user)
    for days in range(5):
        await schedule(client, client_user, TODAY + timedelta(days=days))
    with calls_during(app.state.client) as calls:
        assert len(await events(client, path)) == 5
    assert calls == {"find_one": 1, "find": 1}


async def test_concurrent_rotations_with_one_tag_leave_one_working_secret(
    interleaved_client: httpx.AsyncClient, client_user: Caller
) -> None:
    feed, old = await new_feed(interleaved_client, client_user)
    headers = {**client_user.headers, "If-Match": '"1"'}
    answers = await asyncio.gather(
        *(
            interleaved_client.post(f"{FEEDS}/{feed['id']}/rotate", headers=headers)
            for _ in range(5)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 412, 412, 412, 412]
    (winner,) = [answer.json() for answer in answers if answer.status_code == 200]
    assert (await interleaved_client.get(old)).status_code == 404
    new = "/calendar/" + winner["url"].rsplit("/calendar/", 1)[1]
    assert (await interleaved_client.get(new)).status_code == 200
