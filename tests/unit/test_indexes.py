"""Start-up indexes: missing ones are created, one in the way of a declared index stops start-up
with what to drop, an undeclared one is reported; `apply` puts everything in order. On MongoDB
creating the declared index would fail (codes 85/86); mongomock accepts it, so these tests show
that the check finds the conflict before any creation is tried."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from peakhealth import db, indexes
from peakhealth.config import Settings
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.storage.assignments import RoutineAssignment


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Any]:
    """An embedded database with Beanie initialised and no index created yet."""
    client = await db.open_database(settings)
    yield client
    client.close()


async def lines(store: Any) -> list[str]:
    return [line for report in await indexes.inspect(db.MODELS) for line in report.lines()]


async def with_an_old_chain_index() -> Any:
    """The routines collection with the template chain's keys under an older name and options."""
    routines = TemplateRoutineDocument.get_motor_collection()
    await routines.create_index(
        [("parentRoutineId", 1), ("version", 1)],
        unique=True,
        partialFilterExpression={"routineType": "template"},
        name="template_chain_version_unique",
    )
    return routines


async def test_start_up_creates_every_declared_index(store: Any) -> None:
    assert any("missing index" in line for line in await lines(store))
    await indexes.ensure(db.MODELS, warn=pytest.fail)
    assert await lines(store) == []
    names = await TemplateRoutineDocument.get_motor_collection().index_information()
    assert {"template_chain_version", "one_active_routine_per_user"} <= set(names)


async def test_an_old_index_with_the_declared_keys_stops_start_up_naming_what_to_drop(
    store: Any,
) -> None:
    routines = await with_an_old_chain_index()
    with pytest.raises(indexes.IndexesNotInOrder) as refused:
        await indexes.ensure(db.MODELS, warn=pytest.fail)
    (line,) = refused.value.lines
    assert line.startswith("routines: index 'template_chain_version_unique'")
    assert "the key pattern of the declared 'template_chain_version'" in line
    assert line.endswith('drop it: db.routines.dropIndex("template_chain_version_unique")')
    assert "template_chain_version" not in await routines.index_information()  # nothing made


async def test_an_index_under_a_declared_name_with_other_options_is_a_conflict(
    store: Any,
) -> None:
    assignments = RoutineAssignment.get_motor_collection()
    await assignments.create_index(
        [("userId", 1), ("liveKey", 1)], name="one_live_assignment_per_routine_by_user"
    )  # declared unique
    with pytest.raises(indexes.IndexesNotInOrder, match="differs from the declared"):
        await indexes.ensure(db.MODELS, warn=pytest.fail)


async def test_the_same_index_under_another_name_is_a_conflict(store: Any) -> None:
    assignments = RoutineAssignment.get_motor_collection()
    await assignments.create_index([("trainerId", 1.0)], name="by_trainer")  # old shells: 1.0
    with pytest.raises(indexes.IndexesNotInOrder, match=r"'trainerId_1'.* under another name"):
        await indexes.ensure(db.MODELS, warn=pytest.fail)


async def test_an_undeclared_index_is_reported_but_does_not_stop_start_up(store: Any) -> None:
    await TemplateRoutineDocument.get_motor_collection().create_index(
        [("legacyField", 1)], name="legacy"
    )
    warnings: list[str] = []
    await indexes.ensure(db.MODELS, warn=warnings.append)
    assert warnings == [
        "routines: index 'legacy' (legacyField 1) is declared by no document; drop it:"
        ' db.routines.dropIndex("legacy") (or run `peakhealth indexes --apply`)'
    ]
    assert await lines(store) == [
        warnings[0].removesuffix(" (or run `peakhealth indexes --apply`)")
    ]


async def test_apply_drops_conflicting_and_extra_indexes_and_creates_declared_ones(
    store: Any,
) -> None:
    routines = await with_an_old_chain_index()
    await routines.create_index([("legacyField", 1)], name="legacy")
    await RoutineAssignment.get_motor_collection().create_index(
        [("userId", 1), ("liveKey", 1)], name="one_live_assignment_per_routine_by_user"
    )
    progress: list[str] = []
    assert await indexes.apply(db.MODELS, progress.append) == []
    assert await lines(store) == []
    assert "routines: dropping index 'template_chain_version_unique'" in "\n".join(progress)
    assert "routines: dropping index 'legacy'" in "\n".join(progress)
    live = (await RoutineAssignment.get_motor_collection().index_information())[
        "one_live_assignment_per_routine_by_user"
    ]
    assert live["unique"]
