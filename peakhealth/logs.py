"""Structured logs: one JSON object a line, and the id of the request a line was written for.

`configure` installs the handler (`LOG_FORMAT=json`, the default, or `text` for a terminal) on
the root logger, so the service's own lines and uvicorn's come out alike. The request context is
a context variable the HTTP layer sets for each request (`peakhealth.http.request_context`); a
filter copies its id onto every record, so every line written while a request runs names it,
whichever module wrote it.

Nothing here logs a token, a header or a body: the request line holds method, route template,
status, duration and the caller's id, and the rest of the service logs only what it words."""

import logging
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["json", "text"]


@dataclass
class RequestFacts:
    """What the log knows of the request being answered; `user_id` once the token is verified."""

    request_id: str
    user_id: str | None = None


current_request: ContextVar[RequestFacts | None] = ContextVar("current_request", default=None)


def note_caller(user_id: str) -> None:
    """Record the verified caller of the request being answered (a no-op outside a request)."""
    facts = current_request.get()
    if facts is not None:
        facts.user_id = user_id


class RequestIdFilter(logging.Filter):
    """Gives every record written during a request its `requestId` (and nothing otherwise)."""

    def filter(self, record: logging.LogRecord) -> bool:
        facts = current_request.get()
        if facts is not None and not hasattr(record, "requestId"):
            record.requestId = facts.request_id
        return True


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def configure(log_format: LogFormat = "json", level: str = "INFO") -> None:
    """One handler on the root logger, writing to stderr; uvicorn's loggers propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    # The request line is written by the service (peakhealth.request), with the route template
    # and the caller; uvicorn's access line would repeat it with the raw path instead.
    logging.getLogger("uvicorn.access").disabled = True
