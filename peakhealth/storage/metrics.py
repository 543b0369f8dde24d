"""Stored client metrics (`client_metrics`): one document per measurement, never overwritten.
Every query names the client (`userId`), the shard key. The current value of a kind (and
exercise) is the latest `measuredOn`, ties by latest `createdAt` (then `_id`, so the order is
total)."""

from collections.abc import Collection
from typing import Any

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel

from peakhealth.metrics.models import MetricFields
from peakhealth.pages import read_page

NEWEST_FIRST = [("measuredOn", DESCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]


class ClientMetric(Document, MetricFields):
    """One measurement of a client: a one-rep maximum of an exercise, or their bodyweight."""

    class Settings:
        name = "client_metrics"
        indexes = [
            # a client's whole history, newest first
            IndexModel(
                [("userId", ASCENDING), ("measuredOn", DESCENDING), ("createdAt", DESCENDING)],
                name="metric_history",
            ),
            # one kind (and exercise): its history, and the current values (the scheduler's)
            IndexModel(
                [
                    ("userId", ASCENDING),
                    ("kind", ASCENDING),
                    ("exerciseId", ASCENDING),
                    ("measuredOn", DESCENDING),
                    ("createdAt", DESCENDING),
                ],
                name="metric_current",
            ),
        ]


def _metrics() -> Any:
    return ClientMetric.get_motor_collection()


async def add(metric: dict[str, Any]) -> None:
    """Store a new measurement (as the document dumps it, `_id` set)."""
    await _metrics().insert_one(metric)


async def find(query: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _metrics().find_one(query)
    return found


async def page(query: dict[str, Any], *, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the measurements `query` matches, newest first, and how many match."""
    return await read_page(_metrics(), query, sort=NEWEST_FIRST, skip=skip, limit=limit)


def _latest_per_kind(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The pipeline: the newest measurement of each kind and exercise that `query` matches."""
    return [
        {"$match": query},
        {"$sort": {"userId": 1, "kind": 1, "exerciseId": 1, **dict(NEWEST_FIRST)}},
        {
            "$group": {
                "_id": {"userId": "$userId", "kind": "$kind", "exerciseId": "$exerciseId"},
                "doc": {"$first": "$$ROOT"},
            }
        },
        {"$replaceRoot": {"newRoot": "$doc"}},
    ]


async def current(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The current measurement of each kind and exercise `query` matches (bodyweight first,
    then one-rep maximums by exercise id)."""
    rows: list[dict[str, Any]] = await _metrics().aggregate(_latest_per_kind(query)).to_list(None)
    return sorted(rows, key=lambda row: (row["kind"], row.get("exerciseId") or ""))


async def current_one_rep_maxima_of(
    user_ids: Collection[str], exercise_ids: Collection[str]
) -> dict[str, dict[str, float]]:
    """Each client's current one-rep maximum of each of `exercise_ids` that has one, in kg, by
    client (what scheduling with percentages reads, for one client or a whole group): one
    aggregation whatever the number of clients and exercises."""
    if not exercise_ids or not user_ids:
        return {}
    query = {
        "userId": {"$in": list(user_ids)},
        "kind": "oneRepMax",
        "exerciseId": {"$in": list(exercise_ids)},
    }
    found: dict[str, dict[str, float]] = {}
    for row in await current(query):
        found.setdefault(row["userId"], {})[row["exerciseId"]] = float(row["value"])
    return found
