"""Exercise history entries (DOMAIN.md section 8): sets gathered from a completed session's log,
the top set (heaviest, then most reps) and the volume (warm-ups left out, extra sets counted)."""

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from peakhealth.sessions.history import HistorySet, history_entry, top_set, volume

SQUAT = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"
HIGH_BAR = "b6657115-eeb4-5a08-b08c-00f64e093774"
GOBLET = "d01d92b9-cc16-5a29-b095-1bff099188fe"
PUSH_UP = "758ca0f8-c43d-53c2-8a52-4190cd030b86"
DONE = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)


def performed(
    set_type: str = "working", *, extra: bool = False, **performance: Any
) -> dict[str, Any]:
    logged: dict[str, Any] = {"extra": extra, "setType": set_type, "performance": performance}
    if not extra:
        logged["setId"] = ObjectId()
    return logged


def session(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "completedAt": DONE,
        "performanceLog": {"sections": [{"sectionId": ObjectId(), "exercises": list(entries)}]},
    }


def entry(*sets: dict[str, Any], exercise: str = SQUAT, variant: str = HIGH_BAR) -> dict[str, Any]:
    return {
        "exerciseEntryId": ObjectId(),
        "exerciseId": exercise,
        "exerciseVariantId": variant,
        "sets": list(sets),
    }


def sets_of(*logged: dict[str, Any]) -> list[HistorySet]:
    found = history_entry(session(entry(*logged)), SQUAT)
    assert found is not None
    return found.sets


def test_top_set_is_the_heaviest() -> None:
    sets = sets_of(performed(reps=8, weight=90), performed(reps=3, weight=110))
    assert top_set(sets).weight == 110 and top_set(sets).reps == 3


def test_top_set_ties_on_weight_go_to_most_reps_then_to_the_earlier_set() -> None:
    sets = sets_of(
        performed(reps=5, weight=100), performed(reps=6, weight=100), performed(reps=6, weight=100)
    )
    best = top_set(sets)
    assert (best.reps, best.weight, best.setId) == (6, 100, sets[1].setId)


def test_top_set_of_bodyweight_sets_is_the_one_with_most_reps() -> None:
    sets = sets_of(performed(reps=12), performed(reps=15), performed(reps=10))
    assert top_set(sets).reps == 15 and top_set(sets).weight is None


def test_top_set_leaves_warmups_out_unless_nothing_else_was_done() -> None:
    sets = sets_of(performed("warmup", reps=20), performed(reps=10))
    assert top_set(sets).reps == 10
    only = sets_of(performed("warmup", reps=10, weight=60))
    assert top_set(only).weight == 60


def test_top_set_of_an_extra_set_has_no_set_id() -> None:
    sets = sets_of(performed(reps=5, weight=100), performed("drop", extra=True, reps=5, weight=120))
    assert top_set(sets).setId is None and top_set(sets).weight == 120


def test_volume_is_reps_times_weight_without_warmups_with_extra_sets() -> None:
    sets = sets_of(
        performed("warmup", reps=5, weight=60),
        performed(reps=5, weight=100),
        performed("failure", reps=3, weight=100),
        performed("drop", extra=True, reps=8, weight=70.5),
        performed(reps=5),  # no weight: nothing to add
    )
    assert volume(sets) == 5 * 100 + 3 * 100 + 8 * 70.5


def test_entry_gathers_the_exercise_from_every_section_and_names_the_variant() -> None:
    stored = session(
        entry(performed(reps=5, weight=100)),
        entry(performed(reps=10), exercise=PUSH_UP, variant="push-up"),
    )
    stored["performanceLog"]["sections"].append(
        {"sectionId": ObjectId(), "exercises": [entry(performed(reps=8, weight=80))]}
    )
    found = history_entry(stored, SQUAT)
    assert found is not None
    assert found.sessionId == stored["_id"] and found.date == DONE
    assert found.exerciseVariantId == HIGH_BAR
    assert [item.weight for item in found.sets] == [100, 80]
    assert found.volume == 500 + 640
    assert found.topSet.weight == 100


def test_variant_filter_keeps_only_that_variant() -> None:
    stored = session(
        entry(performed(reps=5, weight=100)),
        entry(performed(reps=10, weight=32), variant=GOBLET),
    )
    found = history_entry(stored, SQUAT, GOBLET)
    assert found is not None
    assert found.exerciseVariantId == GOBLET and [item.reps for item in found.sets] == [10]
    assert history_entry(session(entry(performed(reps=5))), SQUAT, GOBLET) is None


def test_no_entry_without_logged_sets_of_the_exercise() -> None:
    assert history_entry(session(entry()), SQUAT) is None
    assert history_entry(session(entry(performed(reps=5), exercise=PUSH_UP)), SQUAT) is None
    assert history_entry({"_id": ObjectId(), "completedAt": DONE}, SQUAT) is None


def test_no_entry_for_a_session_not_completed() -> None:
    unfinished = {**session(entry(performed(reps=5, weight=100))), "completedAt": None}
    assert history_entry(unfinished, SQUAT) is None
