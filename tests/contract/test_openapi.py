"""The OpenAPI document is the truth: schemathesis generates requests for every operation from it,
sends them in-process to the ASGI app (authenticated as a trainer, so /api routes run past 401)
and checks that nothing answers 5xx and that every status, content type and body is documented.

The app runs with its lifespan (the database is set up there): schemathesis's ASGI transport sends
`lifespan.startup` before the first request of each operation's test and `lifespan.shutdown` at its
teardown, so every operation starts from a fresh store. Each test first creates public sections,
workouts and templates through the API, and path ids are drawn partly from them, so operations on
`{id}` also reach real documents, not only 404s.

(`schemathesis.pytest.from_fixture` would load the schema lazily, but schemathesis 4.32 reads
`Node._nodeid`, which pytest 9 no longer has; the schema is loaded when the module is imported.)"""

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case

from peakhealth.app import create_app
from peakhealth.config import Settings
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

# Per operation: at most 25 generated examples (plus the schema's explicit examples),
# no deadline (the first request of an operation starts the app), the same examples on every run.
CONTRACT_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        # `seeded` runs once per operation on purpose, not once per example
        HealthCheck.function_scoped_fixture,
    ],
)

# A rate limit far above what this test sends: the contract is checked on every operation, not on
# 429s once one caller has sent a few hundred requests.
APP = create_app(Settings(_env_file=None, rate_limit="1000000/minute"))  # type: ignore[call-arg]
# Explicit examples and hypothesis fuzzing (positive and negative data), bounded by max_examples.
# The coverage phase (schemathesis's enumeration of boundary and invalid values) is off by default:
# for the plan bodies it sends thousands of cases, about 5 minutes on 2 cores instead of 40 s.
# PEAKHEALTH_CONTRACT_COVERAGE=1 turns it on for a thorough run.
COVERAGE = os.environ.get("PEAKHEALTH_CONTRACT_COVERAGE") == "1"
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)

SEEDED_PER_COLLECTION = 2
# collection path -> ids created for the running test (filled by the `seeded` fixture)
seeded_ids: dict[str, list[str]] = {}


def seed_bodies() -> dict[str, dict[str, Any]]:
    day = {"name": "Day A", "type": "strength", "sections": [strength_section()]}
    return {
        SECTIONS: strength_section(isPublic=True, tags=["contract"]),
        WORKOUTS: {**day, "isPublic": True, "tags": ["contract"]},
        TEMPLATES: template_body([day], isPublic=True, tags=["contract"]),
    }


@pytest.fixture(autouse=True)
def seeded(trainer: Caller) -> None:
    """The app started (its first request starts the lifespan), ready, and holding documents of
    `trainer`, the caller of every generated request."""
    ready = schema["/ready"]["GET"].Case().call()
    assert ready.status_code == 200, ready.text
    seeded_ids.clear()
    for path, body in seed_bodies().items():
        ids = seeded_ids.setdefault(path, [])
        for _ in range(SEEDED_PER_COLLECTION):
            case = schema[path]["POST"].Case(body=body, media_type="application/json")
            response = case.call(headers=trainer.headers)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])


def seeded_id(path: str, index: int) -> dict[str, str]:
    """Path parameters naming a document the running test created (looked up when drawn)."""
    return {"id": seeded_ids[path][index]}


def collection_of(context: schemathesis.HookContext) -> str | None:
    """The library or template collection an operation belongs to, if any."""
    operation = context.operation
    if operation is None:
        return None
    for path in (SECTIONS, WORKOUTS, TEMPLATES):
        if operation.path == path or operation.path.startswith(f"{path}/"):
            return path
    return None


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """`{id}` is sometimes a document that exists, sometimes whatever the schema allows."""
    path = collection_of(context)
    if path is None or context.operation is None or "{id}" not in context.operation.path:
        return strategy
    real = st.integers(0, SEEDED_PER_COLLECTION - 1).map(lambda index: seeded_id(path, index))
    return st.one_of(strategy, real)


@schema.hook
def before_generate_body(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Create and new-version bodies are sometimes a valid plan document (random ones almost
    never name catalog exercises), so 201 and 200 answers are checked too."""
    path = collection_of(context)
    operation = context.operation
    if path is None or operation is None:
        return strategy
    if (operation.method.upper(), operation.path) in (("POST", path), ("PUT", f"{path}/{{id}}")):
        return st.one_of(strategy, st.just(seed_bodies()[path]))
    return strategy


@schema.parametrize()
@CONTRACT_SETTINGS
def test_operation_keeps_its_documented_contract(case: Case, trainer: Caller) -> None:
    case.call_and_validate(headers=trainer.headers, checks=CHECKS)
