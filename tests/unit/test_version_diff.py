"""The version diff as a pure function: hand-written versions and the exact change lists."""

import copy
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from peakhealth.versioning.diff import BOOKKEEPING, diff_versions
from peakhealth.versioning.documents import VersionFields


def _set(id_: str, weight: float = 100, number: int = 1) -> dict[str, Any]:
    return {"_id": id_, "setNumber": number, "repType": "fixed", "reps": 5, "weight": weight}


def _exercise(id_: str, *sets: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return {"_id": id_, "type": "strength", "orderIndex": index, "sets": list(sets)}


def _section(id_: str, *exercises: dict[str, Any], name: str = "Main") -> dict[str, Any]:
    return {"_id": id_, "type": "basic", "name": name, "exercises": list(exercises)}


def _workout(id_: str, *sections: dict[str, Any]) -> dict[str, Any]:
    return {"_id": id_, "name": f"Day {id_}", "type": "strength", "sections": list(sections)}


def _routine(id_: str, version: int, *workouts: dict[str, Any], **fields: Any) -> dict[str, Any]:
    stamp = datetime(2026, 1, version, tzinfo=UTC)
    return {
        "_id": id_,
        "parentRoutineId": "v1",
        "version": version,
        "isLatest": version == 2,
        "revision": version,
        "createdAt": stamp,
        "updatedAt": stamp,
        "counts": {"workouts": len(workouts)},
        "name": "Block",
        "duration": 6,
        "workouts": list(workouts),
        **fields,
    }


def v1() -> dict[str, Any]:
    return _routine(
        "v1",
        1,
        _workout("w1", _section("s1", _exercise("e1", _set("t1"), _set("t2", number=2)))),
        _workout("w2", _section("s2", _exercise("e2", _set("t3")), _exercise("e3", _set("t4")))),
        _workout("w3", _section("s3", _exercise("e4", _set("t5")))),
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return diff_versions(before, after, tree_field="workouts").model_dump(
        by_alias=True, exclude_none=True
    )["changes"]


def test_the_four_edits_of_the_story_and_nothing_else() -> None:
    """Edit one set's weight, move an exercise to another section, add a section, remove a
    workout: four entries, at their paths in the new version (the removed one in the old)."""
    before = v1()
    after = copy.deepcopy(before)
    after["_id"], after["version"] = "v2", 2
    after["workouts"][0]["sections"][0]["exercises"][0]["sets"][1]["weight"] = 105
    e3 = after["workouts"][1]["sections"][0]["exercises"].pop(1)
    after["workouts"][0]["sections"][0]["exercises"].append(e3)
    after["workouts"][0]["sections"].append(_section("s9", _exercise("e9", _set("t9"))))
    del after["workouts"][2]
    assert changes(before, after) == [
        {
            "op": "changed",
            "kind": "set",
            "id": "t2",
            "path": "workouts[0].sections[0].exercises[0].sets[1]",
            "fields": {"weight": {"from": 100, "to": 105}},
        },
        {
            "op": "moved",
            "kind": "exercise",
            "id": "e3",
            "path": "workouts[0].sections[0].exercises[1]",
        },
        {"op": "added", "kind": "section", "id": "s9", "path": "workouts[0].sections[1]"},
        {"op": "removed", "kind": "workout", "id": "w3", "path": "workouts[2]"},
    ]


def test_identical_content_is_no_change_whatever_the_bookkeeping() -> None:
    before = v1()
    after = copy.deepcopy(before)
    after.update(
        _id="v2", version=2, isLatest=True, revision=7, updatedAt=datetime.now(UTC), counts={}
    )
    after["workouts"][0]["sections"][0]["exercises"][0]["orderIndex"] = 5  # rewritten by server
    after["workouts"][0]["sections"][0]["exercises"][0]["sets"][0]["setNumber"] = 9
    assert changes(before, after) == []


def test_document_fields_are_listed_field_by_field() -> None:
    before = v1()
    after = _routine(
        "v2",
        2,
        *copy.deepcopy(before["workouts"]),
        name="Block II",
        duration=8,
        schedule={"trainingDays": ["mon"]},
    )
    assert changes(before, after) == [
        {
            "op": "changed",
            "kind": "document",
            "id": "v2",
            "path": "",
            "fields": {
                "name": {"from": "Block", "to": "Block II"},
                "duration": {"from": 6, "to": 8},
                "schedule": {"to": {"trainingDays": ["mon"]}},
            },
        }
    ]


def test_inserting_or_removing_a_sibling_moves_nobody() -> None:
    before = v1()
    after = copy.deepcopy(before)
    after["workouts"].insert(0, _workout("w0"))
    del after["workouts"][2]["sections"][0]["exercises"][0]  # e2: e3 comes first now
    assert changes(before, after) == [
        {"op": "added", "kind": "workout", "id": "w0", "path": "workouts[0]"},
        {
            "op": "removed",
            "kind": "exercise",
            "id": "e2",
            "path": "workouts[1].sections[0].exercises[0]",
        },
    ]


def test_reordering_names_the_fewest_moved_elements() -> None:
    """w3 to the front: w1 and w2 keep their order, so only w3 moved; a swap names one."""
    before = v1()
    after = copy.deepcopy(before)
    after["workouts"].insert(0, after["workouts"].pop())
    assert changes(before, after) == [
        {"op": "moved", "kind": "workout", "id": "w3", "path": "workouts[0]"}
    ]
    swapped = copy.deepcopy(before)
    exercises = swapped["workouts"][1]["sections"][0]["exercises"]
    exercises.reverse()
    assert [c["op"] for c in changes(before, swapped)] == ["moved"]


def test_an_element_moved_and_changed_has_both_entries_moved_first() -> None:
    before = v1()
    after = copy.deepcopy(before)
    e1 = after["workouts"][0]["sections"][0]["exercises"].pop()
    e1["notes"] = "slow"
    after["workouts"][1]["sections"][0]["exercises"].append(e1)
    path = "workouts[1].sections[0].exercises[2]"
    assert changes(before, after) == [
        {"op": "moved", "kind": "exercise", "id": "e1", "path": path},
        {
            "op": "changed",
            "kind": "exercise",
            "id": "e1",
            "path": path,
            "fields": {"notes": {"to": "slow"}},
        },
    ]


def test_children_of_added_and_removed_elements_are_not_listed_but_survivors_are() -> None:
    """A new section holding a new exercise and an old one: the section is added, the old
    exercise moved into it; the removed workout's surviving set is not removed."""
    before = v1()
    after = copy.deepcopy(before)
    e4 = after["workouts"][2]["sections"][0]["exercises"][0]
    del after["workouts"][2]
    after["workouts"][0]["sections"].append(_section("s9", _exercise("e9", _set("t9")), e4))
    assert changes(before, after) == [
        {"op": "added", "kind": "section", "id": "s9", "path": "workouts[0].sections[1]"},
        {
            "op": "moved",
            "kind": "exercise",
            "id": "e4",
            "path": "workouts[0].sections[1].exercises[1]",
        },
        {"op": "removed", "kind": "workout", "id": "w3", "path": "workouts[2]"},
    ]


def test_section_and_workout_versions_diff_from_their_own_tree() -> None:
    before = _section("x1", _exercise("e1", _set("t1")), _exercise("e2"), name="A")
    after = _section("x2", _exercise("e2"), _exercise("e1", _set("t1", weight=90)), name="B")
    result = diff_versions(before, after, tree_field="exercises").model_dump(by_alias=True)
    assert (result["from"], result["to"]) == ("x1", "x2")
    assert [(c["op"], c["kind"], c["id"], c["path"]) for c in result["changes"]] == [
        ("changed", "document", "x2", ""),
        ("moved", "exercise", "e2", "exercises[0]"),
        ("changed", "set", "t1", "exercises[1].sets[0]"),
    ]


def test_stored_values_are_answered_as_json() -> None:
    """Ids and timestamps inside changed fields read as the API writes them."""
    old, new = ObjectId(), ObjectId()
    before = _section("x1", {**_exercise("e1"), "source": {"id": old, "kind": "section"}})
    after = _section("x2", {**_exercise("e1"), "source": {"id": new, "kind": "section"}})
    (change,) = diff_versions(before, after, tree_field="exercises").changes
    assert change.fields is not None
    assert change.fields["source"].model_dump(by_alias=True) == {
        "from": {"id": str(old), "kind": "section"},
        "to": {"id": str(new), "kind": "section"},
    }


def test_bookkeeping_covers_every_chain_field_but_the_authors_choices() -> None:
    """A chain field added to VersionFields is bookkeeping unless listed here as content."""
    authored = {"isPublic", "tags"}
    assert set(VersionFields.model_fields) - authored <= BOOKKEEPING
