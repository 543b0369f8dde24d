"""Raw queries live in the repositories (`peakhealth/storage/`, README "Architecture"): no other
module takes a collection from a document class, so a service reads as the domain does and
every query of a collection is found in one place."""

import ast
from pathlib import Path

import peakhealth

PACKAGE = Path(peakhealth.__file__).parent
COLLECTION_ACCESSORS = {"get_motor_collection", "get_pymongo_collection"}
# Besides the repositories: start-up index management and the embedded store work on every
# collection; the chain heads (whose lease is a protocol of conditional updates on the head) and
# the embedded trainer-client directory (an adapter of the directory port) are each the
# repository of their own collection.
ALLOWED = {
    "indexes.py",
    "embedded.py",
    "versioning/heads.py",
    "identity/directory.py",
}


def collection_accesses(source: str) -> list[int]:
    """The lines where `source` takes a collection from a document class."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in COLLECTION_ACCESSORS
    ]


def test_only_repositories_take_collections() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := collection_accesses(path.read_text()))
    }
    outside = {
        name: lines
        for name, lines in found.items()
        if not name.startswith("storage/") and name not in ALLOWED
    }
    assert outside == {}, f"raw collection calls outside peakhealth/storage/: {outside}"
    assert any(name.startswith("storage/") for name in found)  # the scan sees them at all


def test_the_scan_sees_a_collection_taken_in_a_service() -> None:
    source = "async def load(id):\n    return await Thing.get_motor_collection().find_one(id)\n"
    assert collection_accesses(source) == [2]
