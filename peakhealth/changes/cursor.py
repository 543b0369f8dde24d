"""The change feed's cursor: a position in the feed's order (changedAt, resourceType, id), opaque
to callers (base64url of a small versioned JSON document), so its form can change with its
version number."""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from peakhealth.errors import FieldError, ValidationFailed

VERSION = 1
MAX_LENGTH = 200
PATTERN = "^[A-Za-z0-9_-]+$"  # base64url, unpadded
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ID = re.compile(r"^[0-9a-f]{24}$")
_TYPE = re.compile(r"^[a-z]{1,20}$")


@dataclass(frozen=True, order=True)
class Position:
    """Where a walk of the feed stands: after every change that sorts at or before it."""

    changedAt: datetime
    resourceType: str
    id: str


START = Position(EPOCH, "", "")  # before every change


def _millis(value: datetime) -> int:
    return (value - EPOCH) // timedelta(milliseconds=1)


def encode(position: Position) -> str:
    document = {
        "v": VERSION,
        "t": _millis(position.changedAt),
        "r": position.resourceType,
        "i": position.id,
    }
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _refuse(why: str) -> ValidationFailed:
    return ValidationFailed([FieldError("since", why)])


def decode(text: str | None) -> Position:
    """The position `text` names (START when absent); 422 naming `since` when it is not a
    cursor this service issued."""
    if text is None:
        return START
    if len(text) > MAX_LENGTH or not text.isascii():
        raise _refuse("not a cursor of this feed; use nextCursor as given")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        document: Any = json.loads(raw)
    except (binascii.Error, ValueError):
        raise _refuse("not a cursor of this feed; use nextCursor as given") from None
    if not isinstance(document, dict) or document.get("v") != VERSION:
        raise _refuse("not a cursor of this feed (or of an older version of it)")
    millis, kind, id_ = document.get("t"), document.get("r"), document.get("i")
    if (
        not isinstance(millis, int)
        or isinstance(millis, bool)
        or not 0 <= millis < 2**53
        or not isinstance(kind, str)
        or not isinstance(id_, str)
        or ((kind or id_) and not (_TYPE.match(kind) and _ID.match(id_)))
    ):
        raise _refuse("not a cursor of this feed; use nextCursor as given")
    try:
        at = EPOCH + timedelta(milliseconds=millis)
    except OverflowError:
        raise _refuse("not a cursor of this feed; use nextCursor as given") from None
    return Position(at, kind, id_)
