"""`/api/trainers`: the trainer-client directory (links changed by admins in embedded mode);
`/api/users/me`: the caller and their profile (display name, unit system)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict

from peakhealth import policy
from peakhealth.errors import Conflict, FieldError, Forbidden, ValidationFailed
from peakhealth.http.dependencies import Directory, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.http.units import ProfileUnits
from peakhealth.identity.directory import LinkStatus, Profile, UserDirectory
from peakhealth.identity.users import CurrentUser, Role
from peakhealth.plan.base import UUID_PATTERN, Name
from peakhealth.timestamps import UtcDatetime
from peakhealth.units import UnitSystem

router = APIRouter(prefix="/api/trainers", tags=["Directory"])
users_router = APIRouter(prefix="/api/users", tags=["Directory"])

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


# ----- the caller ------------------------------------------------------------------------------


class Me(BaseModel):
    """The caller: who the token says they are, and their profile."""

    id: str
    role: Role
    displayName: str | None = None
    unitSystem: UnitSystem


class ProfileChange(BaseModel):
    """Fields of the caller's profile to change; `displayName: null` clears the name."""

    model_config = ConfigDict(extra="forbid", strict=True)

    unitSystem: UnitSystem | None = None
    displayName: Name | None = None


def _me(user: CurrentUser, profile: Profile) -> Me:
    return Me(
        id=user.id, role=user.role, displayName=profile.displayName, unitSystem=profile.unitSystem
    )


def _profile_units(request: Request) -> ProfileUnits:
    units: ProfileUnits = request.app.state.profile_units
    return units


@users_router.get(
    "/me",
    response_model=Me,
    response_model_exclude_none=True,
    operation_id="getMe",
    summary="The caller and their profile",
)
async def get_me(user: User, directory: Directory, request: Request) -> Me:
    """Any caller. The unit system is the one answers use when a request does not say
    `?units=` (Supabase: `profiles.unit_system`)."""
    profile = await directory.profile(user.id)
    _profile_units(request).changed(user.id, profile.unitSystem)
    return _me(user, profile)


@users_router.patch(
    "/me",
    response_model=Me,
    response_model_exclude_none=True,
    operation_id="updateMe",
    summary="Change the caller's unit system or display name",
)
async def update_me(
    change: ProfileChange, user: User, directory: Directory, request: Request
) -> Me:
    """Embedded mode only: with Supabase the profile is edited there (409). Takes effect for
    the caller's next request."""
    changes = change.model_dump(exclude_unset=True)
    if changes.get("unitSystem", "") is None:
        raise ValidationFailed([FieldError("unitSystem", "must be 'metric' or 'imperial'")])
    profile = await directory.update_profile(user.id, changes)
    _profile_units(request).changed(user.id, profile.unitSystem)
    return _me(user, profile)
