"""Idempotency keys (`idempotency_keys`): one document per (caller, key) holding the fingerprint
of the first request, its state and, once it finished, its answer (DOMAIN.md section 12).

A key is claimed before its request runs (state `running`, with a lease) and its answer kept
after, so a key only ever replays an answer that was really given. A claim whose holder died
(the process crashed, or lost the database before it could keep or release the answer) is taken
over by the next repeat once its lease has ended: the request runs again rather than replaying
something that never happened. The lease's end is judged by the database's clock on a real
MongoDB, as the chain lease is (`peakhealth.versioning.heads`).

Every document expires 24 hours after its key was first claimed (a TTL index on `expiresAt`;
MongoDB's TTL monitor deletes within about a minute of that)."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from peakhealth.storage import leases
from peakhealth.timestamps import UtcDatetime, utc_now

KEPT_FOR = timedelta(hours=24)
# Longer than any request runs (the chain lease waits up to 15 s, each database call at most
# MONGODB_TIMEOUT_MS): a repeat meanwhile is 409, after it the request runs again.
LEASE = timedelta(seconds=60)


class IdempotencyKey(Document):
    """One caller's key: the request it was first used with and, once done, the answer."""

    caller: str  # the verified token's subject
    key: str
    fingerprint: str  # hash of the canonical request: method, path, query, body
    state: Literal["running", "done"] = "running"
    token: PydanticObjectId  # this claim's holder; a takeover gives a new one
    leaseUntil: UtcDatetime
    expiresAt: UtcDatetime
    status: int | None = None
    headers: dict[str, str] | None = None  # Content-Type, Location, ETag as answered
    body: bytes | None = None
    schemaVersion: int = 1

    class Settings:
        name = "idempotency_keys"
        indexes = [
            # Led by `caller`, the shard key should the collection ever be sharded (a unique
            # index must start with it there); every query names both fields, so it targets.
            IndexModel(
                [("caller", ASCENDING), ("key", ASCENDING)],
                unique=True,
                name="one_key_per_caller",
            ),
            IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expire_keys"),
        ]


@dataclass(frozen=True)
class KeptAnswer:
    """An answer as it was given: status, the headers worth replaying, the body's bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """This request holds the key: run it, then `keep` or `release`. Both name caller, key and
    token: they land only while the claim is still this request's."""

    caller: str
    key: str
    token: ObjectId
    taken_over: bool = False  # from a holder whose lease ended without an answer


@dataclass(frozen=True)
class Replay:
    answer: KeptAnswer


@dataclass(frozen=True)
class InFlight:
    """The first request with this key is still running (its lease has not ended)."""


@dataclass(frozen=True)
class Reused:
    """The key was first used with another request (method, path or body)."""


Claim = Claimed | Replay | InFlight | Reused


def _keys() -> Any:
    return IdempotencyKey.get_motor_collection()


def _server_clock() -> bool:
    """True on a real MongoDB: lease times are then the server's (`$$NOW`; storage/leases.py)."""
    return leases.server_clock(_keys())


def _ms(span: timedelta) -> int:
    return int(span.total_seconds() * 1000)


def claim_update(fingerprint: str, token: ObjectId) -> Any:
    """The upsert that claims a key nobody holds and leaves a held one as it is. On a server, a
    pipeline whose every field keeps its stored value (`$ifNull`), so times come from `$$NOW`;
    caller values are `$literal`, as a key may start with `$`."""
    if _server_clock():
        return [
            {
                "$set": {
                    "fingerprint": {"$ifNull": ["$fingerprint", {"$literal": fingerprint}]},
                    "state": {"$ifNull": ["$state", "running"]},
                    "token": {"$ifNull": ["$token", {"$literal": token}]},
                    "leaseUntil": {"$ifNull": ["$leaseUntil", {"$add": ["$$NOW", _ms(LEASE)]}]},
                    "expiresAt": {"$ifNull": ["$expiresAt", {"$add": ["$$NOW", _ms(KEPT_FOR)]}]},
                    "schemaVersion": {"$ifNull": ["$schemaVersion", 1]},
                }
            }
        ]
    now = utc_now()
    return {
        "$setOnInsert": {
            "fingerprint": fingerprint,
            "state": "running",
            "token": token,
            "leaseUntil": now + LEASE,
            "expiresAt": now + KEPT_FOR,
            "schemaVersion": 1,
        }
    }


def takeover_update(token: ObjectId) -> Any:
    """A new holder and lease for a claim whose lease ended."""
    if _server_clock():
        return [
            {
                "$set": {
                    "token": {"$literal": token},
                    "leaseUntil": {"$add": ["$$NOW", _ms(LEASE)]},
                }
            }
        ]
    return {"$set": {"token": token, "leaseUntil": utc_now() + LEASE}}


def lease_ended() -> dict[str, Any]:
    """The filter of a claim whose lease has ended, by the database's clock."""
    return leases.expired(on_server=_server_clock())


async def _claim(caller: str, key: str, fingerprint: str, token: ObjectId) -> Any:
    return await _keys().find_one_and_update(
        {"caller": caller, "key": key},
        claim_update(fingerprint, token),
        upsert=True,
        return_document=ReturnDocument.BEFORE,
    )


async def claim(caller: str, key: str, fingerprint: str) -> Claim:
    """Claim `key` for `caller`'s request of `fingerprint`: one upsert when the key is new (or
    repeated), a second call only to take over a claim whose lease ended."""
    token = ObjectId()
    try:
        try:
            stored = await _claim(caller, key, fingerprint, token)
        except DuplicateKeyError:
            # Two concurrent upserts of one (caller, key): MongoDB 4.2+ retries the loser as an
            # update itself (its filter is an equality on the unique index); should one still
            # fail, the key exists now and this finds it.
            stored = await _claim(caller, key, fingerprint, token)
    except PyMongoError:
        # The claim may have landed with its answer lost: give it back if the database lets
        # us, so a repeat runs at once rather than after the lease.
        with suppress(PyMongoError):
            await release(Claimed(caller, key, token))
        raise
    if stored is None:
        return Claimed(caller, key, token)
    if stored["fingerprint"] != fingerprint:
        return Reused()
    if stored["state"] == "done":
        return Replay(KeptAnswer(stored["status"], dict(stored["headers"]), bytes(stored["body"])))
    taken = await _keys().update_one(
        {"caller": caller, "key": key, "token": stored["token"], "state": "running"}
        | lease_ended(),
        takeover_update(token),
    )
    if taken.matched_count:
        return Claimed(caller, key, token, taken_over=True)
    return InFlight()


def _held(claimed: Claimed) -> dict[str, Any]:
    return {"caller": claimed.caller, "key": claimed.key, "token": claimed.token}


async def keep(claimed: Claimed, answer: KeptAnswer) -> bool:
    """Keep the answer of the request holding `claimed`; False when its claim was taken over
    meanwhile (it ran past its lease), and the answer is then not kept."""
    result = await _keys().update_one(
        {**_held(claimed), "state": "running"},
        {
            "$set": {
                "state": "done",
                "status": answer.status,
                "headers": answer.headers,
                "body": answer.body,
            }
        },
    )
    return bool(result.matched_count)


async def release(claimed: Claimed) -> None:
    """Forget the key (the request failed): a repeat runs the request again."""
    await _keys().delete_one({**_held(claimed), "state": "running"})
