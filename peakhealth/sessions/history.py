"""Exercise history: a client's past performances of one library exercise, computed from the
performance logs of their completed sessions (DOMAIN.md section 8). Pure: no I/O."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from peakhealth.plan.reading import IdText
from peakhealth.timestamps import UtcDatetime

WARMUP = "warmup"


class HistorySet(BaseModel):
    """One performed set of the exercise, as logged."""

    setId: IdText | None = Field(default=None, description="Absent on extra sets")
    extra: bool = False
    setType: str
    unilateralSide: str | None = None
    reps: int | None = None
    weight: float | None = Field(default=None, description="kilograms")
    rpe: float | None = None
    duration: float | None = Field(default=None, description="seconds")
    holdTime: float | None = Field(default=None, description="seconds")
    restTaken: float | None = Field(default=None, description="seconds of rest after the set")


class TopSet(BaseModel):
    """The heaviest set (most reps among equally heavy ones)."""

    setId: IdText | None = Field(default=None, description="Absent when it was an extra set")
    reps: int | None = None
    weight: float | None = None


class HistoryEntry(BaseModel):
    """One completed session in which the exercise was performed."""

    sessionId: IdText
    date: UtcDatetime = Field(description="When the session was completed")
    exerciseVariantId: str
    sets: list[HistorySet]
    topSet: TopSet
    volume: float = Field(description="Sum of reps x weight (kg) over the sets but warm-ups")


class ExerciseHistory(BaseModel):
    data: list[HistoryEntry]


def _flatten(logged: Mapping[str, Any]) -> HistorySet:
    return HistorySet(
        setId=logged.get("setId"),
        extra=bool(logged.get("extra")),
        setType=str(logged.get("setType") or "working"),
        unilateralSide=logged.get("unilateralSide"),
        **dict(logged.get("performance") or {}),
    )


def top_set(sets: list[HistorySet]) -> TopSet:
    """The heaviest set, ties broken by most reps, then by the earlier set. Warm-up sets count
    only when nothing else was logged."""
    candidates = [item for item in sets if item.setType != WARMUP] or sets
    # max keeps the first of equal keys: the earliest set
    best = max(candidates, key=lambda item: (item.weight or 0.0, item.reps or 0))
    return TopSet(setId=best.setId, reps=best.reps, weight=best.weight)


def volume(sets: list[HistorySet]) -> float:
    """Sum of reps x weight over the sets, warm-ups excluded (extra sets included)."""
    return float(
        sum((item.reps or 0) * (item.weight or 0.0) for item in sets if item.setType != WARMUP)
    )


def history_entry(
    session: Mapping[str, Any], exercise_id: str, variant_id: str | None = None
) -> HistoryEntry | None:
    """The entry of one completed session (raw, as stored) for the exercise (or one variant of
    it): its sets from every place the log performed it, or None when it logged no set of it."""
    sets: list[HistorySet] = []
    performed_variant: str | None = None
    log = session.get("performanceLog") or {}
    for section in log.get("sections") or []:
        for entry in section.get("exercises") or []:
            if entry.get("exerciseId") != exercise_id:
                continue
            if variant_id is not None and entry.get("exerciseVariantId") != variant_id:
                continue
            logged = [_flatten(item) for item in entry.get("sets") or []]
            if logged and performed_variant is None:
                performed_variant = str(entry.get("exerciseVariantId"))
            sets.extend(logged)
    if performed_variant is None or session.get("completedAt") is None:
        return None
    return HistoryEntry(
        sessionId=session["_id"],
        date=session["completedAt"],
        exerciseVariantId=performed_variant,
        sets=sets,
        topSet=top_set(sets),
        volume=volume(sets),
    )
