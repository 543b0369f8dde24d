"""What the OpenAPI document tells integrators beyond what FastAPI derives from the routes: the
tags, the server, an example on every request body and answer, and the `Location` of every 201.
Operation ids, summaries and descriptions are written on the routes themselves."""

import re
from typing import Any

from peakhealth.config import Settings
from peakhealth.http.examples import CALENDAR_SECRET, CLIENT, EXAMPLES, SECTION_V1, SQUAT, TRAINER
from peakhealth.http.problems import PROBLEM_JSON, STATUSES

TAGS: list[dict[str, Any]] = [
    {
        "name": "Library",
        "description": "Sections and workouts trainers reuse across templates. Every change"
        " publishes a new version of a chain; older versions stay readable.",
    },
    {
        "name": "Templates",
        "description": "Template routines: versioned plans trainers publish, explore and assign.",
    },
    {
        "name": "Routines",
        "description": "The caller's own routines (made or copied from a template) and the"
        " template versions assigned to them.",
    },
    {
        "name": "Assignments",
        "description": "A template version assigned to a client from a date, with every"
        " session scheduled.",
    },
    {
        "name": "Sessions",
        "description": "The training calendar: scheduled workouts, their status and logs.",
    },
    {
        "name": "Exercises",
        "description": "The exercise catalog, and the caller's history of an exercise.",
    },
    {"name": "Directory", "description": "Which clients a trainer coaches."},
    {
        "name": "Coaching",
        "description": "A client's one-rep maximums, bodyweight and personal records, for the"
        " client, their trainer and admins.",
    },
    {
        "name": "Webhooks",
        "description": "Signed deliveries of the changes a subscriber may read (Standard"
        " Webhooks), retried, logged and testable.",
    },
    {
        "name": "Changes",
        "description": "The change feed: what changed since a cursor, for integrators that"
        " keep a copy in sync.",
    },
    {
        "name": "Calendar",
        "description": "Secret iCalendar URLs of the caller's sessions, for calendar apps.",
    },
    {
        "name": "Groups",
        "description": "A trainer's groups of their clients: assigned a routine together, with"
        " a shared calendar.",
    },
    {"name": "Operations", "description": "Liveness and readiness, without a token."},
]

LOCATION_HEADER = {
    "description": "The URL of the created resource: GET it to read the resource again",
    "required": True,
    "schema": {"type": "string", "format": "uri-reference"},
}


def servers(settings: Settings) -> list[dict[str, str]]:
    """Where the API is reached: PUBLIC_URL when set, else relative to the document."""
    return [{"url": settings.public_url or "/"}]


# Example values of path parameters, for the `instance` of problem examples.
_PATH_EXAMPLES = {"id": SECTION_V1, "exerciseId": SQUAT["exerciseId"]}
_PATH_EXAMPLES |= {"trainerId": TRAINER, "clientId": CLIENT, "secret": CALENDAR_SECRET}
_PATH_EXAMPLES |= {"trainerId": TRAINER, "clientId": CLIENT, "userId": CLIENT}
# path prefix -> what is not found, refused and in conflict there (messages the service sends)
_DETAILS: dict[str, tuple[str, str, str]] = {
    "/api/library/sections": (
        "no section version with id {id}",
        "only trainers and admins build the library and publish templates",
        "only an archived section version can be purged; archive it first",
    ),
    "/api/library/workouts": (
        "no workout version with id {id}",
        "only trainers and admins build the library and publish templates",
        "only an archived workout version can be purged; archive it first",
    ),
    "/api/templates/routines": (
        "no template routine version with id {id}",
        "only trainers and admins build the library and publish templates",
        "this template routine version is in use and cannot be purged",
    ),
    "/api/routines": (
        "no routine with id {id}",
        "this template does not allow copies; only its creator may copy it",
        "the routine is being changed by other requests; try again",
    ),
    "/api/routine-assignments": (
        "no assignment with id {id}",
        "this user is not one of your clients",
        "a completed assignment cannot be upgraded",
    ),
    "/api/workout-sessions": (
        "no workout session with id {id}",
        "only the session's client logs it and changes it",
        "only a scheduled session can be rescheduled; this one is completed",
    ),
    "/api/exercises": ("the catalog has no exercise {exerciseId}", "", ""),
    "/api/calendar-feeds": ("no calendar feed with id {id}", "", ""),
    "/calendar/": ("no calendar feed at this address", "", ""),
    "/api/users/{userId}": ("no user with id {userId}", "", ""),
    "/api/trainers/me/clients": ("", "only trainers have clients", ""),
    "/api/webhooks": (
        "no webhook subscription with id {id}",
        "only trainers and admins subscribe to webhooks",
        "",
    ),  # before /api/trainers
    "/api/trainers": (
        "this trainer has no active link to this client",
        "only an admin links trainers and clients",
        "trainer-client links are managed in Supabase (table trainer_clients)",
    ),
}


# path prefix -> the document a 412 names (`... is at revision 4; read it again`)
_STALE = {
    "/api/library/sections": "this section version",
    "/api/library/workouts": "this workout version",
    "/api/templates/routines": "this template routine version",
    "/api/routines": "the routine",
    "/api/routine-assignments": "the assignment",
    "/api/workout-sessions": "the session",
    "/api/calendar-feeds": "the calendar feed",
    "/api/users/me/equipment": "the equipment list",
}


def _problem_example(status: int, path: str, method: str) -> dict[str, Any]:
    """One problem the operation can answer with `status`, as the service words it."""
    instance = re.sub(r"\{(\w+)\}", lambda m: _PATH_EXAMPLES[m.group(1)], path)
    not_found, forbidden, conflict = next(
        (details for prefix, details in _DETAILS.items() if path.startswith(prefix)),
        ("", "", ""),
    )
    stale = next((name for prefix, name in _STALE.items() if path.startswith(prefix)), "")
    errors = None
    if status == 422:
        field, message = (
            ("limit", "Input should be less than or equal to 100")
            if method == "get"
            else ("name", "Field required")
        )
        errors = [{"field": field, "message": message}]
    detail = {
        400: "There was an error parsing the body",
        401: "send 'Authorization: Bearer <Supabase access token>'",
        403: forbidden,
        404: not_found.format_map(_PATH_EXAMPLES),
        409: conflict,
        412: f"{stale} is at revision 4; read it again" if stale else "",
        413: "request bodies are limited to 1048576 bytes",
        415: "request bodies must be JSON (Content-Type: application/json); got 'text/plain'",
        422: f"{errors[0]['field']}: {errors[0]['message']}" if errors else "",
        429: "the limit is 600 per 1 minute per caller; retry in 12 s",
        503: "the database cannot be reached",
    }.get(status) or STATUSES[status][1]
    slug, title = STATUSES[status]
    example: dict[str, Any] = {
        "type": f"urn:peakhealth:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        example["errors"] = errors
    return example


def document_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every request body and answer of an OpenAPI document its example (from
    `peakhealth.http.examples`, problems worded as the service words them), and every 201 its
    `Location` header."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            examples = EXAMPLES.get(operation.get("operationId", ""), {})
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and "request" in examples:
                body["example"] = examples["request"]
            for code, response in operation.get("responses", {}).items():
                if code == "201":
                    response.setdefault("headers", {})["Location"] = LOCATION_HEADER
                for media_type, content in response.get("content", {}).items():
                    if media_type == PROBLEM_JSON:
                        content["example"] = _problem_example(int(code), path, method)
                    elif code in examples:
                        content["example"] = examples[code]
    return schema


REQUEST_ID_PARAMETER = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Your id for this request (1-128 letters, digits and `._:@+=/-`), echoed in"
    " the answer and written in every log line of it; anything else is replaced by a new id",
    "schema": {"type": "string", "maxLength": 128, "pattern": "^[A-Za-z0-9._:@+=/-]{1,128}$"},
}
REQUEST_ID_ANSWER = {
    "description": "The request's id: the one sent, when it was usable, else a new one",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
}


def document_request_ids(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation takes `X-Request-ID` and every answer carries it (the middleware in
    `peakhealth.http.request_context` does so for every route)."""
    components = schema.setdefault("components", {})
    components.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID_ANSWER
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.setdefault("parameters", [])
            parameters.append(REQUEST_ID_PARAMETER)
            for response in operation.get("responses", {}).values():
                headers = response.setdefault("headers", {})
                headers["X-Request-ID"] = {"$ref": "#/components/headers/X-Request-ID"}
    return schema
