"""`/api/trainers`: the trainer-client directory (links changed by admins in embedded mode)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from peakhealth import policy
from peakhealth.errors import Conflict, Forbidden
from peakhealth.http.dependencies import Directory, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.identity.directory import LinkStatus, UserDirectory
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.base import UUID_PATTERN
from peakhealth.timestamps import UtcDatetime

router = APIRouter(prefix="/api/trainers", tags=["Directory"])

UserId = Annotated[str, Path(description="Supabase user id (UUID)", pattern=UUID_PATTERN)]


class ClientLink(BaseModel):
    """A client of the calling trainer."""

    clientId: str
    status: LinkStatus
    createdAt: UtcDatetime
    displayName: str | None = None


class ClientPage(Page[ClientLink]):
    """One page of the calling trainer's clients."""


async def admin(user: User) -> CurrentUser:
    if not policy.CHANGE_LINK.allows(user, {}):
        raise Forbidden("only an admin links trainers and clients")
    return user


async def links_managed_here(directory: Directory) -> UserDirectory:
    if not directory.manages_links:
        raise Conflict("trainer-client links are managed in Supabase (table trainer_clients)")
    return directory


@dataclass(frozen=True)
class LinkChange:
    """A link an admin changes in the directory that keeps the links here."""

    directory: UserDirectory
    trainer: str
    client: str


async def link_change(
    trainerId: UserId,
    clientId: UserId,
    _: Annotated[CurrentUser, Depends(admin)],
    directory: Annotated[UserDirectory, Depends(links_managed_here)],
) -> LinkChange:
    return LinkChange(directory, trainerId.lower(), clientId.lower())


@router.get(
    "/me/clients",
    response_model=ClientPage,
    operation_id="listMyClients",
    summary="The calling trainer's clients",
)
async def my_clients(user: User, directory: Directory, pages: Pages) -> object:
    """Trainers (and admins) only; clients get 403. The links live in Supabase
    (`trainer_clients`) when it is configured, else in the service's own database."""
    # The directory reads the links where the caller is the trainer: may they read those?
    if not policy.READ_LINK.allows(user, {"trainerId": user.id}):
        raise Forbidden("only trainers have clients")
    links, total = await directory.clients_of(user.id, offset=pages.skip, limit=pages.limit)
    return page_of([ClientLink(**vars(link)) for link in links], total, pages)


@router.put(
    "/{trainerId}/clients/{clientId}",
    status_code=204,
    operation_id="linkClient",
    summary="Link a client to a trainer",
)
async def link_client(change: Annotated[LinkChange, Depends(link_change)]) -> Response:
    """Admins only, and only while the links are kept by the service (without Supabase; with it
    this is 409). Linking twice changes nothing."""
    await change.directory.link(change.trainer, change.client)
    return Response(status_code=204)


@router.delete(
    "/{trainerId}/clients/{clientId}",
    status_code=204,
    operation_id="unlinkClient",
    summary="End a trainer-client link",
)
async def unlink_client(change: Annotated[LinkChange, Depends(link_change)]) -> Response:
    """Admins only, and only while the links are kept by the service (without Supabase; with it
    this is 409). No active link is 404."""
    await change.directory.unlink(change.trainer, change.client)
    return Response(status_code=204)
