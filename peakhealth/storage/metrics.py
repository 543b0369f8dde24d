"""Stored client metrics (`client_metrics`): one-rep maximums and bodyweight, with history
(DOMAIN.md section 13). The current value of a kind and exercise is the one measured last, ties
by the one recorded last."""

from collections.abc import Collection
from typing import Any, Literal

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from peakhealth.timestamps import UtcDatetime, utc_now

MetricKind = Literal["oneRepMax", "bodyweight"]


class ClientMetric(Document):
    """One measurement of a client; never overwritten."""

    userId: str
    kind: MetricKind
    exerciseId: str | None = None
    value: float = Field(description="kilograms")
    measuredOn: str  # YYYY-MM-DD
    recordedBy: str
    createdAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "client_metrics"
        indexes = [
            # The current value per exercise, and the history newest first: led by `userId`,
            # the shard key.
            IndexModel(
                [
                    ("userId", ASCENDING),
                    ("kind", ASCENDING),
                    ("exerciseId", ASCENDING),
                    ("measuredOn", DESCENDING),
                    ("createdAt", DESCENDING),
                ]
            ),
        ]


def _metrics() -> Any:
    return ClientMetric.get_motor_collection()


async def add(metric: ClientMetric) -> None:
    await metric.insert()


async def current_one_rep_maxima(user_id: str, exercise_ids: Collection[str]) -> dict[str, float]:
    """The client's current one-rep maximum (kg) of each of these exercises that has one: one
    query, the newest measurement of each exercise picked by the database."""
    if not exercise_ids:
        return {}
    pipeline: list[dict[str, Any]] = [
        {
            "$match": {
                "userId": user_id,
                "kind": "oneRepMax",
                "exerciseId": {"$in": sorted(exercise_ids)},
            }
        },
        {"$sort": {"exerciseId": 1, "measuredOn": -1, "createdAt": -1}},
        {"$group": {"_id": "$exerciseId", "value": {"$first": "$value"}}},
    ]
    rows = await _metrics().aggregate(pipeline).to_list(None)
    return {str(row["_id"]): float(row["value"]) for row in rows}
