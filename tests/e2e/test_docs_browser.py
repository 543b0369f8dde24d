"""/docs (Swagger UI) and /redoc (ReDoc) render the API's operations in a real headless Chromium,
with every host but the server's unreachable, so the pages work offline.

Debian's `chromium` is used as installed (`.ci/run` installs it). Without it these tests are
skipped, unless PEAKHEALTH_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser a failure."""

import html
import os
import shutil
import subprocess
import tempfile
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

BROWSERS = ("chromium", "chromium-browser")


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = f"no headless browser ({' or '.join(BROWSERS)}); apt-get install chromium"
    if os.environ.get("PEAKHEALTH_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def rendered(url: str) -> str:
    """The DOM after the page's scripts ran: virtual time lets them run for 20 s of page time,
    and it stands still while a request (the OpenAPI document) is pending."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                browser(),
                "--headless",
                "--no-sandbox",  # tests run as root in CI
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                # Every host but the server's fails to resolve: a CDN script would not load.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=20000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return html.unescape(done.stdout)


def operations(server: str) -> list[tuple[str, str, str]]:
    """(path, method, summary) of every operation the OpenAPI document describes."""
    spec: dict[str, Any] = httpx.get(f"{server}/openapi.json").json()
    found = [
        (path, method, operation.get("summary", path))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    assert len(found) > 40
    return found


def test_swagger_ui_shows_every_operation(server: str) -> None:
    dom = rendered(f"{server}/docs")
    assert "Unable to render this definition" not in dom
    assert 'class="errors-wrapper"' not in dom
    for path, method, summary in operations(server):
        assert f'data-path="{path}"' in dom, (method, path)
        assert summary in dom, (method, path, summary)


def test_redoc_shows_every_operation(server: str) -> None:
    dom = rendered(f"{server}/redoc")
    assert "Something went wrong" not in dom
    for path, method, summary in operations(server):
        assert summary in dom, (method, path, summary)
        assert path in dom, (method, path)
