"""The pure core imports pydantic, bson ids and the standard library only: each of its modules,
imported alone in a fresh interpreter, loads neither the web framework nor the database layer."""

import json
import subprocess
import sys

import pytest

CORE = [
    "peakhealth.plan.base",
    "peakhealth.plan.calendar",
    "peakhealth.plan.drafts",
    "peakhealth.plan.durations",
    "peakhealth.plan.exercises",
    "peakhealth.plan.reading",
    "peakhealth.plan.routines",
    "peakhealth.plan.sections",
    "peakhealth.plan.tree",
    "peakhealth.plan.workouts",
    "peakhealth.policy",
    "peakhealth.versioning.rules",
    "peakhealth.assignments.schedule",
    "peakhealth.sessions.transitions",
    "peakhealth.sessions.performance",
    "peakhealth.sessions.history",
    "peakhealth.sessions.adherence",
    "peakhealth.sessions.limits",
    "peakhealth.sessions.models",
    "peakhealth.errors",
    "peakhealth.identity.users",
    "peakhealth.timestamps",
    "peakhealth.pages",
    "peakhealth.revisions",
    "peakhealth.units",
    "peakhealth.calendar.ics",
    "peakhealth.calendar.secrets",
    "peakhealth.equipment.substitutes",
]
FORBIDDEN = ("fastapi", "starlette", "beanie", "motor", "pymongo")


def loaded_after_import(module: str) -> list[str]:
    """The top-level packages among FORBIDDEN that importing `module` loads."""
    probe = (
        f"import sys, json, {module}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    loaded: list[str] = json.loads(out)
    return loaded


@pytest.mark.parametrize("module", CORE)
def test_core_module_loads_no_framework_nor_driver(module: str) -> None:
    assert loaded_after_import(module) == []


def test_the_probe_sees_a_driver_when_one_is_loaded() -> None:
    """The check itself can fail: a module that uses the driver is reported."""
    assert "pymongo" in loaded_after_import("peakhealth.database_failures")
