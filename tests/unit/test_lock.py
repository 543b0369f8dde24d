"""The lock files (scripts/lock) pin what pyproject.toml asks for: every dependency, and what its
requested extras bring, at a version its specifier allows, with hashes; the runtime pins are the
dev file's, so the tests run on the versions Docker installs."""

import re
import tomllib
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def pins(lock: str) -> dict[str, set[str]]:
    """Name → versions pinned (a name may be pinned twice under exclusive markers), checking that
    every pin carries a hash."""
    found: dict[str, set[str]] = {}
    lines = (ROOT / lock).read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            assert "--hash=sha256:" in lines[number + 1], f"{lock}: {line} has no hash"
            name = canonicalize_name(match["name"])
            found.setdefault(name, set()).add(match["version"])
    return found


def wanted(requirements: list[str]) -> list[Requirement]:
    """The requirements and, for each extra they request, what that extra requires (read from
    the installed distribution's metadata)."""
    out: list[Requirement] = []
    for text in requirements:
        requirement = Requirement(text)
        out.append(requirement)
        for extra in requirement.extras:
            try:
                declared = requires(requirement.name) or []
            except PackageNotFoundError:
                pytest.fail(f"{requirement.name} is not installed: run ./scripts/test")
            for line in declared:
                nested = Requirement(line)
                if nested.marker is not None and nested.marker.evaluate({"extra": extra}):
                    out.append(nested)
    return out


def unpinned(requirements: list[Requirement], locked: dict[str, set[str]]) -> list[str]:
    problems = []
    for requirement in requirements:
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement} is not pinned")
            continue
        for version in versions:
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{requirement} is pinned at {version}")
    return problems


def test_runtime_lock_pins_every_dependency() -> None:
    runtime = wanted(project()["dependencies"])  # type: ignore[arg-type]
    assert not unpinned(runtime, pins("requirements.lock")), "run ./scripts/lock"


def test_dev_lock_pins_every_dependency_and_dev_extra() -> None:
    meta = project()
    everything = wanted(meta["dependencies"] + meta["optional-dependencies"]["dev"])  # type: ignore[index, operator]
    assert not unpinned(everything, pins("requirements-dev.lock")), "run ./scripts/lock"


def test_dev_lock_has_the_runtime_versions() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    differ = {name: (v, dev.get(name)) for name, v in runtime.items() if dev.get(name) != v}
    assert not differ, "run ./scripts/lock"


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", ""), ("requirements-dev.lock", "--extra dev ")]
)
def test_locks_come_from_scripts_lock(lock: str, extra: str) -> None:
    header = (ROOT / lock).read_text().splitlines()[:2]
    command = f"uv pip compile --universal --generate-hashes --python-version 3.11 {extra}"
    assert header[1].strip() == f"#    {command}pyproject.toml -o {lock}"
