"""Every operation (the version chains' included: library sections and workouts, template
routines) is declared where a search for its path or operation id finds it: a decorator naming
the method, the path and the operation id as written text (`@sections.put("/{id}/archive",
operation_id="archiveLibrarySectionVersion", ...)`), never a route a function makes from a
template nor a path built from a constant."""

import ast
from pathlib import Path
from typing import Any

import pytest

import peakhealth
from peakhealth.app import create_app
from peakhealth.config import Settings

METHODS = {"get", "post", "put", "patch", "delete"}


def declarations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every route decorator in the package whose path and
    operation id are literal strings."""
    found: dict[str, tuple[str, str]] = {}
    for source in Path(peakhealth.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in METHODS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            for keyword in node.keywords:
                if keyword.arg == "operation_id" and isinstance(keyword.value, ast.Constant):
                    found[keyword.value.value] = (node.func.attr, node.args[0].value)
    return found


DOCUMENT: dict[str, Any] = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
CHAINS = ("/api/library/", "/api/templates/routines")
OPERATIONS = [
    (method, path, operation["operationId"])
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]
DECLARED = declarations()


def test_the_document_has_the_chain_operations() -> None:
    ids = {operation_id for _, _, operation_id in OPERATIONS}
    assert {"archiveLibrarySectionVersion", "copyLibraryWorkout", "purgeTemplateVersion"} <= ids
    chains = [operation for operation in OPERATIONS if operation[1].startswith(CHAINS)]
    assert len(chains) == 12 + 12 + 11  # the diff of each kind included


@pytest.mark.parametrize(("method", "path", "operation_id"), OPERATIONS, ids=lambda v: str(v))
def test_an_operation_is_declared_under_its_path(method: str, path: str, operation_id: str) -> None:
    assert operation_id in DECLARED, f"no decorator names operation_id={operation_id!r}"
    declared_method, declared_path = DECLARED[operation_id]
    assert declared_method == method
    assert path.endswith(declared_path)  # the rest is the routers' prefixes
