"""Idempotency-Key on POST (DOMAIN.md section 12): an offline client replaying its queue gets one
effect and the same answer, a key reused for another request or malformed is 422 with nothing
written, keys belong to their caller, and a failure or a crash never leaves a key replaying an
answer that was not given. Concurrent repeats are in test_idempotency_concurrency."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.config import Settings
from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.storage.idempotency import IdempotencyKey
from tests.support import serving
from tests.support.actions import create, link, put_session, squat_log
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, MONDAY, ROUTINES, SECTIONS, SESSIONS, TEMPLATES
from tests.support.plans import short_routine, strength_section, user_routine_body, warmup_section
from tests.support.stored import raw_sessions

KEY = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def keyed(who: Caller, key: str | bytes) -> dict[str, Any]:
    return {**who.headers, KEY: key}


async def post_three_times(
    client: httpx.AsyncClient, who: Caller, path: str, body: Any, key: str
) -> list[httpx.Response]:
    return [await client.post(path, json=body, headers=keyed(who, key)) for _ in range(3)]


def assert_replays(answers: list[httpx.Response]) -> None:
    """The same status, bytes and relevant headers each time; only the repeats say replayed."""
    first, *repeats = answers
    assert REPLAYED not in first.headers
    for repeat in repeats:
        assert repeat.status_code == first.status_code
        assert repeat.content == first.content
        for header in ("content-type", "location"):
            assert repeat.headers.get(header) == first.headers.get(header), header
        assert repeat.headers[REPLAYED] == "true"


async def count(document: Any, query: dict[str, Any]) -> int:
    found: int = await document.get_motor_collection().count_documents(query)
    return found


async def test_an_offline_client_replaying_its_queue_three_times_has_one_effect(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    """The trainer's assignment, the client's own routine, a session scheduled from it, a
    favorite toggle (not idempotent by nature) each sent three times with their key; then the
    session completed with its log three times (a PUT, idempotent by itself): one of each, one
    completion counted, the same answer three times."""
    routine = await create(client, trainer, TEMPLATES, short_routine())
    await link(client, admin, trainer, client_user)
    body = {"routineVersionId": routine["id"], "userId": client_user.id, "startDate": MONDAY}
    assigned = await post_three_times(client, trainer, ASSIGNMENTS, body, "assign-1")
    assert assigned[0].status_code == 201, assigned[0].text
    assert_replays(assigned)
    assert await count(RoutineAssignment, {"userId": client_user.id}) == 1
    assignment = assigned[0].json()
    sessions = await raw_sessions(assignment["id"])
    assert len(sessions) == assignment["progress"]["totalWorkouts"] == 2

    own = await post_three_times(client, client_user, ROUTINES, user_routine_body(), "routine-1")
    assert own[0].status_code == 201, own[0].text
    assert_replays(own)
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 1
    made = own[0].json()
    planned = {
        "routineId": made["id"],
        "workoutId": made["workouts"][0]["id"],
        "scheduledDate": "2026-11-24",
    }
    scheduled = await post_three_times(client, client_user, SESSIONS, planned, "session-1")
    assert scheduled[0].status_code == 201, scheduled[0].text
    assert_replays(scheduled)
    assert await count(WorkoutSession, {"routineId": PydanticObjectId(made["id"])}) == 1

    favorite = f"{ROUTINES}/{made['id']}/favorite"
    toggled = await post_three_times(client, client_user, favorite, None, "favorite-1")
    assert toggled[0].json() == {"isFavorite": True}
    assert_replays(toggled)

    first = sessions[0]
    workout = (await raw_sessions(assignment["id"]))[0]["workoutSnapshot"]
    log = squat_log({"sections": [None, *workout["sections"]]}, *[{"reps": 5}] * 3)
    done = {"status": "completed", "performanceLog": log}
    answers = [await put_session(client, client_user, str(first["_id"]), done) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200], answers[0].text
    stored = await RoutineAssignment.get_motor_collection().find_one(
        {"_id": PydanticObjectId(assignment["id"])}
    )
    assert stored is not None and stored["progress"]["completedWorkouts"] == 1


async def test_a_key_reused_with_another_body_or_path_is_422_and_writes_nothing(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    first = await client.post(ROUTINES, json=user_routine_body(), headers=keyed(client_user, "k-1"))
    assert first.status_code == 201
    for path, body in (
        (ROUTINES, user_routine_body(name="Another")),
        (SECTIONS, strength_section()),
    ):
        reused = await client.post(path, json=body, headers=keyed(client_user, "k-1"))
        assert reused.status_code == 422, reused.text
        problem = reused.json()
        assert problem["type"] == "urn:peakhealth:problem:idempotency-key-reused"
        assert problem["errors"][0]["field"] == KEY
        assert REPLAYED not in reused.headers
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 1
    # The same body written differently (keys reordered, spaces) is the same request.
    reordered = dict(reversed(list(user_routine_body().items())))
    again = await client.post(
        ROUTINES,
        content=httpx.Request("POST", "/", json=reordered).content.replace(b",", b", "),
        headers={**keyed(client_user, "k-1"), "Content-Type": "application/json"},
    )
    assert again.status_code == 201 and again.headers[REPLAYED] == "true"
    assert again.content == first.content


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "clé".encode(), "two words", "tab\there", "ok-key\x7f"],
    ids=["empty", "256 characters", "non-ASCII", "space", "tab", "DEL"],
)
async def test_a_malformed_key_is_422_naming_the_header_and_writes_nothing(
    client: httpx.AsyncClient, client_user: Caller, key: str | bytes
) -> None:
    refused = await client.post(ROUTINES, json=user_routine_body(), headers=keyed(client_user, key))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"field": KEY, "message": refused.json()["errors"][0]["message"]}
    ]
    assert KEY in refused.json()["detail"]
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 0
    assert await count(IdempotencyKey, {}) == 0


@pytest.mark.parametrize("key", ["x" * 255, "$where", "a~!#%&'*+-.^_`|"])
async def test_any_key_of_1_to_255_visible_characters_is_accepted(
    client: httpx.AsyncClient, client_user: Caller, key: str
) -> None:
    answers = await post_three_times(client, client_user, ROUTINES, user_routine_body(), key)
    assert answers[0].status_code == 201
    assert_replays(answers)


async def test_keys_belong_to_their_caller(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    """Another user's same key (and same body) runs their own request."""
    mine = await client.post(SECTIONS, json=warmup_section(), headers=keyed(trainer, "shared"))
    theirs = await client.post(
        SECTIONS, json=warmup_section(), headers=keyed(other_trainer, "shared")
    )
    assert mine.status_code == theirs.status_code == 201
    assert REPLAYED not in theirs.headers
    assert theirs.json()["createdBy"] == other_trainer.id
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_refusal_is_kept_and_replayed(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    """A 4xx wrote nothing; the same request gets the same refusal, replayed."""
    body = {**user_routine_body(), "duration": 0}
    answers = await post_three_times(client, client_user, ROUTINES, body, "bad-1")
    assert answers[0].status_code == 422
    assert answers[0].headers["content-type"] == "application/problem+json"
    assert_replays(answers)


async def test_a_request_without_a_key_is_not_remembered(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    for _ in range(2):
        made = await client.post(ROUTINES, json=user_routine_body(), headers=client_user.headers)
        assert made.status_code == 201 and REPLAYED not in made.headers
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 2
    assert await count(IdempotencyKey, {}) == 0


async def test_a_failed_request_releases_its_key_and_the_retry_runs(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """The routine's insert fails (503): nothing is kept, so the retry runs for real instead of
    replaying the failure."""
    app.state.client.fail_call(1, collection="routines", name="insert_one")
    failed = await client.post(
        ROUTINES, json=user_routine_body(), headers=keyed(client_user, "retry-1")
    )
    assert failed.status_code == 503
    retried = await client.post(
        ROUTINES, json=user_routine_body(), headers=keyed(client_user, "retry-1")
    )
    assert retried.status_code == 201, retried.text
    assert REPLAYED not in retried.headers
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 1


async def test_a_crash_before_the_answer_is_kept_never_replays_a_fake_answer(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """The routine is written, then keeping its answer fails (as when the process dies there).
    The caller still gets the real answer; repeats get 409 while the claim's lease lasts, not a
    replay; once the lease has ended (its holder is gone) the request runs again."""
    app.state.client.fail_call(1, collection="idempotency_keys", name="update_one")
    body, headers = user_routine_body(), keyed(client_user, "crash-1")
    written = await client.post(ROUTINES, json=body, headers=headers)
    assert written.status_code == 201
    repeat = await client.post(ROUTINES, json=body, headers=headers)
    assert repeat.status_code == 409, repeat.text
    assert repeat.headers["retry-after"] == "1" and REPLAYED not in repeat.headers
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 1

    await IdempotencyKey.get_motor_collection().update_many({}, {"$set": {"leaseUntil": LONG_AGO}})
    rerun = await client.post(ROUTINES, json=body, headers=headers)
    assert rerun.status_code == 201 and REPLAYED not in rerun.headers
    assert rerun.json()["id"] != written.json()["id"]
    replayed = await client.post(ROUTINES, json=body, headers=headers)
    assert replayed.headers[REPLAYED] == "true" and replayed.content == rerun.content


async def test_an_answer_kept_with_its_acknowledgement_lost_is_replayed(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """Keeping the answer ran but its acknowledgement was lost: the answer was given and is
    kept, so a repeat replays it."""
    app.state.client.fail_call(
        1, lost_answer=True, collection="idempotency_keys", name="update_one"
    )
    body, headers = user_routine_body(), keyed(client_user, "lost-1")
    written = await client.post(ROUTINES, json=body, headers=headers)
    assert written.status_code == 201
    repeat = await client.post(ROUTINES, json=body, headers=headers)
    assert repeat.headers[REPLAYED] == "true" and repeat.content == written.content


async def test_a_database_outage_at_the_claim_is_503_and_keeps_nothing(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    store = app.state.client
    store.fail_call(1, collection="idempotency_keys", name="find_one_and_update")
    refused = await client.post(
        ROUTINES, json=user_routine_body(), headers=keyed(client_user, "down-1")
    )
    assert refused.status_code == 503 and refused.headers["retry-after"]
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 0
    retried = await client.post(
        ROUTINES, json=user_routine_body(), headers=keyed(client_user, "down-1")
    )
    assert retried.status_code == 201 and REPLAYED not in retried.headers


async def test_a_claim_whose_acknowledgement_was_lost_is_given_back(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """The claim landed but its answer was lost (503): it is released at once, so the retry
    runs now instead of meeting 409 until the lease ends."""
    app.state.client.fail_call(
        1, lost_answer=True, collection="idempotency_keys", name="find_one_and_update"
    )
    body, headers = user_routine_body(), keyed(client_user, "claim-lost-1")
    refused = await client.post(ROUTINES, json=body, headers=headers)
    assert refused.status_code == 503
    retried = await client.post(ROUTINES, json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert REPLAYED not in retried.headers
    assert await count(UserRoutineDocument, {"userId": client_user.id}) == 1


async def test_keys_are_kept_with_a_ttl_and_one_per_caller(app: FastAPI) -> None:
    """The indexes start-up created: (caller, key) unique, led by the caller (the shard key
    should the collection be sharded), and expiry at `expiresAt`."""
    indexes = await IdempotencyKey.get_motor_collection().index_information()
    assert list(indexes["one_key_per_caller"]["key"]) == [("caller", 1), ("key", 1)]
    assert indexes["one_key_per_caller"]["unique"] is True
    assert list(indexes["expire_keys"]["key"]) == [("expiresAt", 1)]
    assert indexes["expire_keys"]["expireAfterSeconds"] == 0


async def test_browsers_may_send_a_key_and_read_the_replay_header() -> None:
    """With CORS_ORIGINS set, a preflight may ask for Idempotency-Key, and a replay's
    Idempotency-Replayed is readable by the page."""
    origin = "https://app.example.com"
    settings = Settings(_env_file=None, cors_origins=origin)  # type: ignore[call-arg]
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }
    caller = make_caller("client")
    async with serving(settings) as client:
        allowed = await client.options(ROUTINES, headers=preflight)
        assert allowed.status_code == 200, allowed.text
        assert KEY.lower() in allowed.headers["access-control-allow-headers"].lower()
        headers = {**keyed(caller, "cors-1"), "Origin": origin}
        answers = [
            await client.post(ROUTINES, json=user_routine_body(), headers=headers) for _ in range(2)
        ]
    assert answers[1].headers[REPLAYED] == "true"
    exposed = answers[1].headers["access-control-expose-headers"].lower()
    assert REPLAYED.lower() in exposed
