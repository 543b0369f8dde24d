"""CORS_ORIGINS: browsers on the listed origins may call the API; unset, no CORS headers at all."""

import httpx
import pytest
from pydantic import ValidationError

from peakhealth.config import Settings
from tests.support import serving
from tests.support.callers import make_caller

APP_ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "Origin": APP_ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def with_origins(value: str) -> Settings:
    return Settings(_env_file=None, cors_origins=value)  # type: ignore[call-arg]


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def test_origins_are_read_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", f" {APP_ORIGIN}, http://localhost:5173 ,")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.cors_origins == [APP_ORIGIN, "http://localhost:5173"]
    monkeypatch.delenv("CORS_ORIGINS")
    assert Settings(_env_file=None).cors_origins == []  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "value", [f"{APP_ORIGIN}/", f"{APP_ORIGIN}/app", "app.example.com", "ftp://example.com"]
)
def test_a_value_that_is_not_an_origin_refuses_to_start(value: str) -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        with_origins(value)


async def test_preflight_from_a_configured_origin_is_allowed() -> None:
    async with serving(with_origins(f"{APP_ORIGIN},http://localhost:5173")) as client:
        response = await client.options("/api/library/sections", headers=PREFLIGHT)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in response.headers  # bearer tokens only
    assert "x-ratelimit-limit" not in response.headers  # answered before the rate limit


async def test_answers_to_a_configured_origin_expose_the_rate_limit_headers() -> None:
    trainer = make_caller("trainer")
    async with serving(with_origins(APP_ORIGIN)) as client:
        response = await client.get(
            "/api/library/sections", headers={**trainer.headers, "Origin": APP_ORIGIN}
        )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "x-ratelimit-remaining" in exposed and "retry-after" in exposed


async def test_another_origin_gets_no_cors_permission() -> None:
    trainer = make_caller("trainer")
    other = "https://evil.example.net"
    async with serving(with_origins(APP_ORIGIN)) as client:
        preflight = await client.options(
            "/api/library/sections", headers={**PREFLIGHT, "Origin": other}
        )
        response = await client.get(
            "/api/library/sections", headers={**trainer.headers, "Origin": other}
        )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_unset_means_no_cors_headers(client: httpx.AsyncClient) -> None:
    trainer = make_caller("trainer")
    preflight = await client.options("/api/library/sections", headers=PREFLIGHT)
    assert preflight.status_code == 405
    assert cors_headers(preflight) == {}
    response = await client.get(
        "/api/library/sections", headers={**trainer.headers, "Origin": APP_ORIGIN}
    )
    assert response.status_code == 200
    assert cors_headers(response) == {}


async def test_a_browser_may_send_and_read_the_request_id() -> None:
    trainer = make_caller("trainer")
    asking = {**PREFLIGHT, "Access-Control-Request-Headers": "authorization,x-request-id"}
    async with serving(with_origins(APP_ORIGIN)) as client:
        preflight = await client.options("/api/library/sections", headers=asking)
        answer = await client.get(
            "/api/library/sections",
            headers={**trainer.headers, "Origin": APP_ORIGIN, "X-Request-ID": "from-browser"},
        )
    assert preflight.status_code == 200, preflight.text
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    assert answer.headers["X-Request-ID"] == "from-browser"
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
