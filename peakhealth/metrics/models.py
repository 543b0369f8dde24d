"""Client metrics (DOMAIN.md section 13): the body that records one and the answers. Pure."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from peakhealth.pages import Page
from peakhealth.plan.base import UUID_PATTERN, PlanModel, raise_field_errors
from peakhealth.plan.calendar import CalendarDate
from peakhealth.plan.reading import ReadWithId
from peakhealth.revisions import BEFORE_REVISIONS, Revision
from peakhealth.timestamps import UtcDatetime

MetricKind = Literal["oneRepMax", "bodyweight"]
MAX_METRIC_KG = 1000  # as logged weights (DOMAIN.md section 8)


class MetricCreate(PlanModel):
    """One measurement; history is kept, a new one never overwrites an older one."""

    kind: MetricKind
    exerciseId: str | None = Field(
        default=None,
        pattern=UUID_PATTERN,
        description="The catalog exercise of a oneRepMax; refused for bodyweight",
    )
    value: float = Field(gt=0, le=MAX_METRIC_KG, description="kg")
    measuredOn: CalendarDate | None = Field(default=None, description="Default: today (UTC)")

    @model_validator(mode="after")
    def _exercise_fits_the_kind(self) -> "MetricCreate":
        wrong = None
        if self.kind == "oneRepMax" and self.exerciseId is None:
            wrong = "a oneRepMax names its exerciseId"
        elif self.kind == "bodyweight" and self.exerciseId is not None:
            wrong = "a bodyweight metric has no exerciseId"
        raise_field_errors([(("exerciseId",), wrong)] if wrong else [], self)
        return self


class MetricFields(BaseModel):
    """What a stored metric holds: the one list of its fields."""

    userId: str = Field(pattern=UUID_PATTERN)
    kind: MetricKind
    exerciseId: str | None = None
    value: float = Field(description="kg")
    measuredOn: str = Field(description="Calendar day YYYY-MM-DD")
    recordedBy: str = Field(pattern=UUID_PATTERN, description="Who recorded it")
    revision: Revision = BEFORE_REVISIONS  # 1: a measurement is recorded once, never changed
    createdAt: UtcDatetime


class MetricRead(MetricFields, ReadWithId):
    """One recorded metric."""


class MetricPage(Page[MetricRead]):
    """Newest first (measuredOn, then createdAt), or the current values with `current=true`."""
