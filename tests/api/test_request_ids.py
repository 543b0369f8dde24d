"""`X-Request-ID` on every answer, and one structured log line a request (DOMAIN.md section 12)."""

import json
import logging

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.config import Settings
from peakhealth.logs import RequestFacts, RequestIdFilter, current_request, formatter
from tests.support import serving
from tests.support.callers import Caller, make_caller
from tests.support.plans import strength_section

SECTIONS = "/api/library/sections"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "peakhealth.request"]


async def test_a_sane_id_is_echoed(client: httpx.AsyncClient, trainer: Caller) -> None:
    for given in ("0f8c2a1e-4b7d-4c0e-9a51-6f1f0c3b2d44", "req.42:edge-1", "a" * 128):
        answer = await client.get(SECTIONS, headers={**trainer.headers, "X-Request-ID": given})
        assert answer.headers["X-Request-ID"] == given


@pytest.mark.parametrize("given", [None, "", "a" * 129, "two words", 'quo"te', "x\ty"])
async def test_a_missing_or_unusable_id_is_replaced(
    client: httpx.AsyncClient, trainer: Caller, given: str | None
) -> None:
    headers = dict(trainer.headers)
    if given is not None:
        headers["X-Request-ID"] = given
    first = (await client.get(SECTIONS, headers=headers)).headers["X-Request-ID"]
    second = (await client.get(SECTIONS, headers=headers)).headers["X-Request-ID"]
    assert first != given and len(first) == 32 and int(first, 16) >= 0
    assert first != second  # a new one each time


async def test_every_answer_carries_one(client: httpx.AsyncClient, trainer: Caller) -> None:
    """Problems from the routes, the token check, the media type and body-size middleware and
    the health check all carry it."""
    answers = [
        await client.get("/health"),
        await client.get(SECTIONS),  # 401
        await client.get(f"{SECTIONS}/{'0' * 24}", headers=trainer.headers),  # 404
        await client.post(SECTIONS, headers=trainer.headers, content=b"x"),  # 415
        await client.post(SECTIONS, headers=trainer.headers, json={"name": ""}),  # 422
        await client.delete("/api/nowhere"),  # 404 outside every route
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 415, 422, 404]
    assert all(a.headers.get("X-Request-ID") for a in answers)


async def test_rate_limited_answers_carry_one() -> None:
    settings = Settings(_env_file=None, rate_limit="1/minute")  # type: ignore[call-arg]
    caller = make_caller("trainer")
    async with serving(settings) as http:
        await http.get(SECTIONS, headers=caller.headers)
        refused = await http.get(SECTIONS, headers={**caller.headers, "X-Request-ID": "again"})
    assert refused.status_code == 429
    assert refused.headers["X-Request-ID"] == "again"


async def test_one_line_per_request_with_route_template_and_caller(
    client: httpx.AsyncClient, trainer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    created = await client.post(SECTIONS, headers=trainer.headers, json=strength_section())
    caplog.set_level(logging.INFO, logger="peakhealth.request")
    caplog.clear()
    answer = await client.get(
        f"{SECTIONS}/{created.json()['id']}", headers={**trainer.headers, "X-Request-ID": "r-1"}
    )
    assert answer.status_code == 200
    [line] = request_lines(caplog)
    assert line.requestId == "r-1"  # type: ignore[attr-defined]
    assert line.method == "GET"  # type: ignore[attr-defined]
    assert line.route == "/api/library/sections/{id}"  # type: ignore[attr-defined]
    assert line.status == 200  # type: ignore[attr-defined]
    assert line.userId == trainer.id  # type: ignore[attr-defined]
    assert line.durationMs >= 0  # type: ignore[attr-defined]


async def test_an_anonymous_or_refused_request_names_no_caller(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="peakhealth.request")
    await client.get(SECTIONS, headers={"Authorization": "Bearer not-a-token"})
    [line] = request_lines(caplog)
    assert line.status == 401 and line.userId is None  # type: ignore[attr-defined]


async def test_a_json_line_holds_no_token_body_or_raw_path(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_name = "Private block name 7f3a"
    created = await client.post(
        f"{SECTIONS}?note=query-secret", headers=trainer.headers, json=strength_section(secret_name)
    )
    assert created.status_code == 201
    service = [r for r in caplog.records if r.name.startswith(("peakhealth", "uvicorn"))]
    lines = [formatter("json").format(record) for record in service]
    [request] = [json.loads(text) for text in lines if '"peakhealth.request"' in text]
    assert request["route"] == SECTIONS and request["status"] == 201
    assert {"time", "level", "logger", "message", "requestId", "durationMs"} <= request.keys()
    token = trainer.headers["Authorization"].removeprefix("Bearer ")
    for text in lines:
        assert token not in text and secret_name not in text and "query-secret" not in text


def test_every_line_written_during_a_request_names_it() -> None:
    """The filter on the handler stamps records of any logger while a request runs."""
    stamp = RequestIdFilter()
    outside = logging.LogRecord("peakhealth", logging.WARNING, __file__, 1, "x", None, None)
    stamp.filter(outside)
    assert not hasattr(outside, "requestId")
    token = current_request.set(RequestFacts("abc"))
    try:
        inside = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "y", None, None)
        stamp.filter(inside)
    finally:
        current_request.reset(token)
    assert inside.requestId == "abc"  # type: ignore[attr-defined]
    assert json.loads(formatter("json").format(inside))["requestId"] == "abc"


async def test_openapi_documents_the_header(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "X-Request-ID" in {p["name"] for p in operation["parameters"]}
            for response in operation["responses"].values():
                assert "X-Request-ID" in response["headers"]


async def test_an_unhandled_error_answers_and_logs_with_the_id(
    app: FastAPI, trainer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    """The 500 is answered outside every middleware; it still carries the id, and the error's
    log line names the request."""
    caplog.set_level(logging.INFO)
    # As a server does: the answer is sent, then the error is re-raised for the server to log.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        # The caller's unit system is read once, then kept: the error below is the route's.
        assert (await client.get("/api/users/me", headers=trainer.headers)).status_code == 200
    caplog.clear()
    app.state.client.fail_with(ValueError("unexpected"))
    # As a server does: the answer is sent, then the error is re-raised for the server to log.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = {**trainer.headers, "X-Request-ID": "boom-1"}
            answer = await client.get(SECTIONS, headers=headers)
    finally:
        app.state.client.fail_with(None)
    assert answer.status_code == 500
    assert answer.headers["X-Request-ID"] == "boom-1"
    stamp = RequestIdFilter()
    [error] = [record for record in caplog.records if record.levelno == logging.ERROR]
    stamp.filter(error)
    assert error.requestId == "boom-1"  # type: ignore[attr-defined]
    [line] = request_lines(caplog)
    assert line.status == 500 and line.route == SECTIONS  # type: ignore[attr-defined]
