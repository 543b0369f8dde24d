"""The container set-up: docker-compose.yml and the Dockerfile say what production needs (health
checks, start order, restarts, a private MongoDB, a non-root user, locked dependencies), and the
service says at start-up when Supabase is only half configured."""

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from peakhealth.app import create_app
from peakhealth.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_mongodb_is_health_checked_and_not_published() -> None:
    mongodb = compose()["services"]["mongodb"]
    assert "ports" not in mongodb
    assert mongodb["healthcheck"]["test"] == [
        "CMD",
        "mongosh",
        "--quiet",
        "--eval",
        "db.adminCommand('ping')",
    ]
    assert mongodb["restart"] == "unless-stopped"


def test_api_waits_for_a_healthy_mongodb_and_is_health_checked_on_ready() -> None:
    api = compose()["services"]["api"]
    assert api["depends_on"] == {"mongodb": {"condition": "service_healthy"}}
    assert api["restart"] == "unless-stopped"
    assert any("127.0.0.1:8000/ready" in part for part in api["healthcheck"]["test"])
    assert api["environment"]["MONGODB_URI"] == "mongodb://mongodb:27017"


def test_compose_stops_with_a_message_when_supabase_url_is_empty() -> None:
    value = compose()["services"]["api"]["environment"]["SUPABASE_URL"]
    # `${VAR:?message}`: compose refuses to run, printing the message, when VAR is unset or empty.
    assert value.startswith("${SUPABASE_URL:?set SUPABASE_URL to your Supabase project URL")


def test_compose_file_is_valid_for_docker_compose() -> None:
    docker = shutil.which("docker")
    env = {**os.environ, "SUPABASE_URL": "https://example.supabase.co"}
    if (
        docker is None
        or subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("docker compose is not installed")
    checked = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def dockerfile() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def test_image_installs_the_lock_with_hashes() -> None:
    lines = dockerfile()
    assert "COPY requirements.lock ./" in lines
    assert "RUN pip install --require-hashes -r requirements.lock" in lines


def test_image_runs_as_a_non_root_user_and_checks_its_health() -> None:
    lines = dockerfile()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    healthcheck = next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    assert "127.0.0.1:8000/ready" in " ".join(lines[healthcheck : healthcheck + 2])


def real_database(**supabase: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        mongodb_uri="mongodb://mongodb:27017",
        supabase_jwt_secret="a-project-secret",
        **supabase,
    )


def test_a_deployment_without_the_service_role_key_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="peakhealth"):
        create_app(real_database())
    assert "SUPABASE_SERVICE_ROLE_KEY is empty" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="peakhealth"):
        create_app(
            real_database(supabase_url="https://x.supabase.co", supabase_service_role_key="k")
        )
        create_app(Settings(_env_file=None))  # type: ignore[call-arg]
    assert "SUPABASE_SERVICE_ROLE_KEY is empty" not in caplog.text
