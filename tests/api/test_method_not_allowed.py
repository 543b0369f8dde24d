"""A method a path does not serve is a 405 problem whose `Allow` lists every method it does."""

import re

import httpx
from fastapi import FastAPI

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def served(app: FastAPI) -> dict[str, set[str]]:
    """Each concrete path (parameters filled in) and every method any documented operation
    serves there: `/api/templates/routines/explore` is also matched by `…/routines/{id}`."""
    paths = app.openapi()["paths"]
    templates = {
        re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$"): {
            method.upper() for method in operations
        }
        for path, operations in paths.items()
    }
    concrete = [re.sub(r"\{[^}]+\}", "x", path) for path in paths]
    return {
        path: set().union(
            *(methods for pattern, methods in templates.items() if pattern.match(path))
        )
        for path in concrete
    }


async def test_every_path_answers_405_with_all_its_methods(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    checked = 0
    for path, methods in served(app).items():
        missing = [method for method in METHODS if method not in methods]
        if not missing:
            continue
        response = await client.request(missing[0], path)
        assert response.status_code == 405, (missing[0], path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert set(response.headers["allow"].split(", ")) == methods, (missing[0], path)
        problem = response.json()
        assert problem["status"] == 405 and problem["instance"] == path
        assert problem["type"] == "urn:peakhealth:problem:method-not-allowed"
        checked += 1
    assert checked > 20


async def test_a_collection_lists_both_of_its_routes(client: httpx.AsyncClient) -> None:
    """GET (list) and POST (create) on a collection are two routes; both are named."""
    response = await client.patch("/api/library/sections")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, DELETE"
    assert response.json()["detail"] == ("PATCH is not allowed here; allowed: GET, POST, DELETE")


async def test_a_get_only_path(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


async def test_static_docs_assets_keep_their_own_allow(client: httpx.AsyncClient) -> None:
    response = await client.post("/docs-assets/swagger-ui.css")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.headers["content-type"] == "application/problem+json"
