"""Leases judged by the database's clock, shared by every lease the service keeps (a version
chain's head, the webhook delivery worker): on a real MongoDB the expiry is written and compared
with `$$NOW`, so instances whose clocks disagree still agree on when a lease ends. The embedded
store runs in this process, so its clock is this process's clock (and mongomock knows neither
`$$NOW` nor pipeline updates)."""

from datetime import timedelta
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection

from peakhealth.timestamps import utc_now


def server_clock(collection: Any) -> bool:
    """True when `collection` lives on a real MongoDB (whose clock judges the lease)."""
    return isinstance(collection, AsyncIOMotorCollection)


def lease_until(duration: timedelta, *, on_server: bool, field: str = "leaseUntil") -> Any:
    """The update that sets `field` to now + `duration` by the database's clock (a pipeline
    update on a server, a plain `$set` on the embedded store)."""
    if on_server:
        return [{"$set": {field: {"$add": ["$$NOW", int(duration.total_seconds() * 1000)]}}}]
    return {"$set": {field: utc_now() + duration}}


def expired(*, on_server: bool, field: str = "leaseUntil") -> dict[str, Any]:
    """The filter of a document whose lease in `field` has ended, by the database's clock."""
    if on_server:
        return {"$expr": {"$lt": [f"${field}", "$$NOW"]}}
    return {field: {"$lt": utc_now()}}
