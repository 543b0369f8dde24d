"""Domain errors raised by services; `peakhealth.http.problems` turns each into one response.
Pure: which driver errors mean "not available now" is `peakhealth.database_failures`."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


class DomainError(Exception):
    """Base of the errors a request can end with on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource does not exist, or the caller may not know that it does."""


class Forbidden(DomainError):
    """A known resource or action the caller's role does not allow."""


class Conflict(DomainError):
    """The request clashes with the current state (purge of a live version, lost race)."""


class PreconditionFailed(DomainError):
    """`If-Match` does not name the document's current revision: nothing was written."""


class InvalidTransition(Conflict):
    """A status change the state machine does not allow."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(DomainError):
    """Input that parsed but breaks a rule that needs the database or the catalog to check."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


class ServiceUnavailable(DomainError):
    """A backing service (database, Supabase) cannot be reached."""


def format_path(location: Sequence[str | int]) -> str:
    """`('workouts', 2, 'sections', 1)` as `workouts[2].sections[1]`, union tags left out."""
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        elif " " in part or part.startswith("function-"):
            continue  # a union tag ("emom section") or validator name, not a field
        else:
            out += f".{part}" if out else part
    return out


def field_errors(error: ValidationError, prefix: Sequence[str | int] = ()) -> list[FieldError]:
    """pydantic's errors as `{field, message}`, with paths such as `workouts[0].sections[2]`."""
    return [
        FieldError(format_path([*prefix, *error_location(item)]) or "body", item["msg"])
        for item in error.errors(include_url=False)
    ]


def error_location(item: Mapping[str, Any]) -> list[str | int]:
    """Where a pydantic error points; a bad `type` discriminator of an object points at `type`."""
    location = list(item.get("loc", ()))
    if item.get("type") == "invalid_type" and isinstance(item.get("input"), dict):
        location.append("type")
    return location
