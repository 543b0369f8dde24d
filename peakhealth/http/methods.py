"""405 answers that name every method the path allows.

Starlette's router answers 405 with the `Allow` of the first route whose path matched, but a path
is often served by several routes (GET and POST on a collection are two routes), so `Allow` listed
only one of them. RFC 9110 §15.5.6 wants every method the target supports."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from peakhealth.http.problems import problem

# What the API serves; HEAD and OPTIONS are answered by no route (405 too).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods some route would fully match at the request's path. Asked of the router's
    own `matches` (not by reading route tables), so included routers are searched as routing
    does. Mounts are left out: they match a path whatever the method."""
    routes = [route for route in app.router.routes if not isinstance(route, Mount)]
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


def install_method_not_allowed(app: FastAPI) -> None:
    """A 405 is a problem whose `Allow` header and detail list all the path's methods."""

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, error: HTTPException) -> JSONResponse:
        methods = allowed_methods(app, request)
        if not methods:  # raised by a mounted app (the docs' static files): keep its own Allow
            return problem(request, 405, str(error.detail), headers=dict(error.headers or {}))
        return problem(
            request,
            405,
            f"{request.method} is not allowed here; allowed: {', '.join(methods)}",
            headers={"Allow": ", ".join(methods)},
        )
