"""Talking to a Supabase project's REST API (PostgREST) with supabase-py's asynchronous client
and the service-role key: one connection recipe and one translation of failures, shared by the
exercise catalog and the user directory."""

from typing import Any

import httpx
from postgrest import APIError
from supabase import AsyncClient, AsyncClientOptions

from peakhealth.errors import ServiceUnavailable

RANGE_NOT_SATISFIABLE = "PGRST103"  # PostgREST: offset past the last row


class RangeNotSatisfiable(Exception):
    """The page asked for starts after the last row."""


def connect(url: str, service_role_key: str, *, timeout_seconds: float) -> tuple[Any, Any]:
    """A supabase-py async client and the HTTP client under it (close that one at shutdown).
    Our own HTTP client carries the timeout; failures are not retried, so the caller gets a 503
    with Retry-After at once instead of waiting through back-offs."""
    http = httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds))
    client = AsyncClient(
        url,
        service_role_key,
        AsyncClientOptions(httpx_client=http, postgrest_client_retry=False),
    )
    return client, http


async def execute(request: Any, *, service: str) -> tuple[list[dict[str, Any]], int | None]:
    """The rows and the exact count (when asked for) of one PostgREST request; any failure to get
    them is `service` being unavailable (503)."""
    try:
        response = await request.execute()
    except APIError as error:
        if error.code == RANGE_NOT_SATISFIABLE:
            raise RangeNotSatisfiable() from error
        raise ServiceUnavailable(f"{service} (Supabase) answered an error") from error
    except httpx.TimeoutException as error:
        raise ServiceUnavailable(f"{service} (Supabase) timed out") from error
    except (httpx.HTTPError, ValueError) as error:  # transport failure, or a body that is not JSON
        raise ServiceUnavailable(f"{service} (Supabase) cannot be reached") from error
    rows = [row for row in response.data or [] if isinstance(row, dict)]
    return rows, response.count
