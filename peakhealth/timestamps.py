"""UTC timestamps as MongoDB keeps them (millisecond precision) and as the API shows them (Z)."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, WithJsonSchema


def utc_now() -> datetime:
    """Now, in UTC, cut to the millisecond so a stored and a returned value are the same."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso_z(value: datetime) -> str:
    return _as_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(_iso_z, return_type=str, when_used="json"),
    # The serializer returns a str, which alone would document answers as a plain string.
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class Stamped(BaseModel):
    """When a stored document was made and last changed; one made in code is stamped now. A
    document lists it before the fields it stores, whose answers require both stamps."""

    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)
