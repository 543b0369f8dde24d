"""`/api/users/{userId}/metrics` and `/api/users/{userId}/records`: a client's coaching data,
for the client, their linked trainer and admins (anyone else: 404)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import TypeAdapter

from peakhealth.http.dependencies import OMIT_ABSENT, Catalog, Directory, DocumentId, User
from peakhealth.http.pagination import Pages
from peakhealth.http.preconditions import IfNoneMatch, not_modified, tagged
from peakhealth.http.responses import answer_response, created_response, location, page_response
from peakhealth.metrics import service
from peakhealth.metrics.models import MetricCreate, MetricKind, MetricPage, MetricRead
from peakhealth.metrics.records import RecordList
from peakhealth.plan.base import UUID_PATTERN
from peakhealth.plan.reading import render
from peakhealth.revisions import revision_of

router = APIRouter(prefix="/api/users/{userId}", tags=["Coaching"])

UserId = Annotated[
    str,
    Path(
        pattern=f"^(me|{UUID_PATTERN[1:-1]})$",
        description="The client's Supabase UUID, or `me` for the caller",
    ),
]
_metric = TypeAdapter(MetricRead)


@router.post(
    "/metrics",
    status_code=201,
    response_model=MetricRead,
    **OMIT_ABSENT,
    operation_id="recordClientMetric",
    summary="Record a one-rep maximum or a bodyweight (the client, their trainer or an admin)",
)
async def record_metric(
    http: Request,
    userId: UserId,
    body: MetricCreate,
    user: User,
    catalog: Catalog,
    directory: Directory,
) -> Response:
    """History is kept: a new measurement never overwrites an older one. `value` is kg;
    `measuredOn` defaults to today (UTC). A oneRepMax names a catalog `exerciseId`; a
    bodyweight has none. `Location` is the new measurement's URL."""
    today = http.app.state.clock().date()  # the app's clock: tests move it
    stored = await service.record(user, userId, body, catalog, directory, today)
    where = location(http, "getClientMetric", stored["_id"], userId=stored["userId"])
    return tagged(created_response(render(_metric, stored), where), revision_of(stored))


@router.get(
    "/metrics",
    response_model=MetricPage,
    **OMIT_ABSENT,
    operation_id="listClientMetrics",
    summary="A client's measurements, newest first, or the current ones",
)
async def list_metrics(
    userId: UserId,
    user: User,
    directory: Directory,
    pages: Pages,
    kind: Annotated[MetricKind | None, Query()] = None,
    exerciseId: Annotated[UUID | None, Query(description="One exercise's maximums")] = None,
    current: Annotated[
        bool, Query(description="Only the current value of each kind and exercise")
    ] = False,
) -> Response:
    """Newest `measuredOn` first, then newest recorded. With `current=true`, the current value of
    each kind (and exercise): the latest `measuredOn`, ties by the latest recorded."""
    rows, total = await service.history(
        user,
        userId,
        directory,
        kind=kind,
        exercise_id=str(exerciseId) if exerciseId else None,
        current=current,
        skip=pages.skip,
        limit=pages.limit,
    )
    return page_response([render(_metric, row) for row in rows], total, pages)


@router.get(
    "/metrics/{id}",
    response_model=MetricRead,
    **OMIT_ABSENT,
    operation_id="getClientMetric",
    name="getClientMetric",  # the Location of a 201 is built from this route
    summary="One measurement",
)
async def read_metric(
    userId: UserId, id: DocumentId, user: User, directory: Directory, held: IfNoneMatch
) -> Response:
    """Readable by whoever may read the client's metrics; any other id is 404."""
    stored = await service.read(user, userId, id, directory)

    async def current() -> int:  # a measurement is small: read whole, then compared
        return revision_of(stored)

    unchanged = await not_modified(held, current)
    if unchanged is not None:
        return unchanged
    return tagged(answer_response(render(_metric, stored)), revision_of(stored))


@router.get(
    "/records",
    response_model=RecordList,
    **OMIT_ABSENT,
    operation_id="listPersonalRecords",
    summary="A client's personal records, by exercise, variant and type",
)
async def list_records(
    userId: UserId,
    user: User,
    directory: Directory,
    exerciseId: Annotated[UUID | None, Query(description="One exercise's records")] = None,
) -> Response:
    """From completed sessions' logs, warm-up sets excluded: estimatedOneRepMax (Epley, 1-12
    reps), heaviestWeight, bestSetVolume, sessionVolume and mostReps, per exercise variant."""
    found = await service.personal_records(
        user, userId, directory, str(exerciseId) if exerciseId else None
    )
    return answer_response(RecordList(data=found).model_dump_json(exclude_none=True).encode())
