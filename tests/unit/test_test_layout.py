"""Tests share code through tests/support only: a test module importing another test module (or a
conftest) drags that module's tests and fixtures along and breaks when it moves."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SHARED = ("tests.support", "tests.conformance")


def test_tests_import_shared_code_from_support_only() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("tests.") and not module.startswith(SHARED):
                found.append(f"{path.relative_to(TESTS)}: from {module} import ...")
    assert found == []
