"""`/api/webhooks`: subscriptions, their secrets, test deliveries and the delivery log."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from peakhealth.http.dependencies import OMIT_ABSENT, AppSettings, DocumentId, User
from peakhealth.http.pagination import Page, PageRequest, page_of, page_request
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, tagged
from peakhealth.http.responses import location
from peakhealth.plan.base import ONE_LINE, PlanModel
from peakhealth.plan.reading import IdText
from peakhealth.revisions import revision_of
from peakhealth.storage.webhooks import DeliveryStatus
from peakhealth.timestamps import UtcDatetime
from peakhealth.webhooks import rules, service
from peakhealth.webhooks.targets import Resolve

router = APIRouter(prefix="/api/webhooks", tags=["Webhooks"])

Url = Annotated[
    str,
    ONE_LINE,
    Field(
        min_length=1,
        max_length=rules.MAX_URL_LENGTH,
        description="https URL of a public host (http and private hosts only with"
        " WEBHOOK_ALLOW_PRIVATE_URLS=true)",
    ),
]
Events = Annotated[list[rules.EventType], Field(min_length=1, max_length=len(rules.EVENT_TYPES))]


class WebhookDraft(PlanModel):
    """Subscribe `url` to `events`."""

    url: Url
    events: Events
    description: Annotated[str, ONE_LINE] | None = Field(default=None, max_length=500)


class WebhookPatch(PlanModel):
    """Change the URL, the events, or enable (again) or disable the subscription."""

    url: Url | None = None
    events: Events | None = None
    enabled: bool | None = None


class WebhookView(BaseModel):
    """A subscription as the API shows it (never its secret)."""

    id: IdText
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool
    revision: int
    failingSince: UtcDatetime | None = Field(
        default=None, description="Every delivery failed since then"
    )
    disabledAt: UtcDatetime | None = None
    disabledReason: str | None = None
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class WebhookWithSecret(WebhookView):
    """A subscription with its signing secret, shown this once."""

    secret: str = Field(
        pattern=r"^whsec_[A-Za-z0-9+/]+={0,2}$",
        description="Signs every delivery (Standard Webhooks); shown only in this answer",
    )


class WebhookPage(Page[WebhookView]):
    """One page of subscriptions."""


class AttemptView(BaseModel):
    attempt: int
    at: UtcDatetime
    responseStatus: int | None = None
    durationMs: float
    error: str | None = None


class DeliveryView(BaseModel):
    """One delivery and its attempts."""

    id: IdText
    eventId: str = Field(description="The `webhook-id` header: the same on every attempt")
    type: str
    status: DeliveryStatus
    attempt: int = Field(description="Attempts made")
    responseStatus: int | None = Field(default=None, description="Of the last attempt")
    durationMs: float | None = Field(default=None, description="Of the last attempt")
    error: str | None = Field(default=None, description="Of the last attempt")
    nextAttemptAt: UtcDatetime | None = None
    createdAt: UtcDatetime
    updatedAt: UtcDatetime
    attempts: list[AttemptView]


class DeliveryPage(Page[DeliveryView]):
    """One page of the delivery log, newest first."""


def present(stored: dict[str, Any]) -> dict[str, Any]:
    fields = WebhookView.model_fields
    return {"id": str(stored["_id"]), **{k: v for k, v in stored.items() if k in fields}}


def _tagged(response: Response, stored: dict[str, Any]) -> dict[str, Any]:
    """The subscription's answer, its `ETag` on `response`."""
    tagged(response, revision_of(stored))
    return present(stored)


def present_delivery(stored: dict[str, Any]) -> dict[str, Any]:
    last = stored["attempts"][-1] if stored.get("attempts") else {}
    return {
        "id": str(stored["_id"]),
        **{k: v for k, v in stored.items() if k in DeliveryView.model_fields},
        "responseStatus": last.get("responseStatus"),
        "durationMs": last.get("durationMs"),
        "error": last.get("error"),
    }


async def resolver(request: Request) -> Resolve:
    resolve: Resolve = request.app.state.resolve
    return resolve


Resolver = Annotated[Resolve, Depends(resolver)]


@router.post(
    "",
    status_code=201,
    response_model=WebhookWithSecret,
    **OMIT_ABSENT,
    operation_id="createWebhook",
    summary="Subscribe a URL to events; the signing secret is shown once",
)
async def create(
    request: Request,
    response: Response,
    draft: WebhookDraft,
    user: User,
    settings: AppSettings,
    resolve: Resolver,
) -> dict[str, Any]:
    """Trainers and admins subscribe an https URL of a public host to event types
    (`session.updated`, ..., `webhook.test`). The answer carries `secret`, which signs every
    delivery and is never shown again; `Location` is the subscription's URL. A URL that is not
    https or resolves to a loopback, private, link-local or metadata address is 422."""
    created, secret = await service.subscribe(
        user,
        url=draft.url,
        events=list(draft.events),
        description=draft.description,
        allow_private=settings.webhook_allow_private_urls,
        resolve=resolve,
        settle=timedelta(seconds=settings.changes_settle_seconds),
    )
    response.headers["Location"] = location(request, "getWebhook", created["_id"])
    return {**_tagged(response, created), "secret": secret}


@router.get(
    "",
    response_model=WebhookPage,
    **OMIT_ABSENT,
    operation_id="listWebhooks",
    summary="The caller's webhook subscriptions",
)
async def list_webhooks(
    user: User, pages: Annotated[PageRequest, Depends(page_request)]
) -> dict[str, Any]:
    """The caller's own subscriptions, newest first, without their secrets."""
    items, total = await service.list_own(user, skip=pages.skip, limit=pages.limit)
    return page_of([present(item) for item in items], total, pages)


@router.get(
    "/{id}",
    response_model=WebhookView,
    **OMIT_ABSENT,
    operation_id="getWebhook",
    name="getWebhook",  # the Location of a 201 is built from this route
    summary="One webhook subscription",
)
async def read(id: DocumentId, user: User, response: Response, held: IfNoneMatch) -> Any:
    """Readable by its subscriber and admins; any other id is 404. The secret is not shown.
    `If-None-Match` with the current tag: 304."""
    found = await service.read(id, user)
    if held is not None and held.weakly_names(revision_of(found)):
        return tagged(Response(status_code=304), revision_of(found))
    return _tagged(response, found)


@router.patch(
    "/{id}",
    response_model=WebhookView,
    **OMIT_ABSENT,
    operation_id="updateWebhook",
    summary="Change the URL or events; enable or disable",
)
async def patch(
    id: DocumentId,
    change: WebhookPatch,
    user: User,
    settings: AppSettings,
    resolve: Resolver,
    response: Response,
    expected: IfMatch,
) -> dict[str, Any]:
    """Fields left out stay as they are. A new `url` is checked as when subscribing;
    `enabled: true` re-enables a subscription disabled after a day of failures."""
    changed = await service.change(
        id,
        user,
        url=change.url,
        events=list(change.events) if change.events is not None else None,
        enabled=change.enabled,
        allow_private=settings.webhook_allow_private_urls,
        resolve=resolve,
        expected=expected,
    )
    return _tagged(response, changed)


@router.delete(
    "/{id}",
    status_code=204,
    operation_id="deleteWebhook",
    summary="Unsubscribe",
)
async def delete(id: DocumentId, user: User, expected: IfMatch) -> Response:
    """Deletes the subscription, its pending deliveries and its delivery log."""
    await service.delete(id, user, expected)
    return Response(status_code=204)


@router.post(
    "/{id}/rotate-secret",
    response_model=WebhookWithSecret,
    **OMIT_ABSENT,
    operation_id="rotateWebhookSecret",
    summary="A new signing secret, shown once",
)
async def rotate_secret(
    id: DocumentId, user: User, response: Response, expected: IfMatch
) -> dict[str, Any]:
    """The answer carries the new `secret`. For 24 hours deliveries carry two signatures, one
    by the new secret and one by the previous one, so receivers can switch without losing
    any; then only the new one signs."""
    rotated, secret = await service.rotate_secret(id, user, expected=expected)
    return {**_tagged(response, rotated), "secret": secret}


@router.post(
    "/{id}/test",
    status_code=202,
    response_model=DeliveryView,
    **OMIT_ABSENT,
    operation_id="testWebhook",
    summary="Queue a webhook.test delivery",
)
async def test(request: Request, id: DocumentId, user: User, expected: IfMatch) -> dict[str, Any]:
    """Queues a `webhook.test` delivery, sent like any other (signed, retried, logged); the
    answer is the queued delivery, which the delivery log then follows."""
    queued = await service.queue_test(id, user, expected)
    worker = getattr(request.app.state, "webhook_worker", None)
    if worker is not None:
        worker.wake()
    return present_delivery(queued)


@router.get(
    "/{id}/deliveries",
    response_model=DeliveryPage,
    **OMIT_ABSENT,
    operation_id="listWebhookDeliveries",
    summary="The delivery log, newest first",
)
async def list_deliveries(
    id: DocumentId, user: User, pages: Annotated[PageRequest, Depends(page_request)]
) -> dict[str, Any]:
    """Every delivery of the subscription with its status (pending, delivered, failed) and
    each attempt: its time, the receiver's status, how long it took and what went wrong."""
    items, total = await service.deliveries(id, user, skip=pages.skip, limit=pages.limit)
    return page_of([present_delivery(item) for item in items], total, pages)
