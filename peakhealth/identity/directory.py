"""The user directory: which clients a trainer coaches (Supabase table `trainer_clients`) and
each user's profile (`profiles`: display name, unit system).

A port with two adapters: `EmbeddedDirectory` keeps the links in the service's own database and
lets admins change them over the API; `SupabaseDirectory` (identity/supabase_directory.py)
reads the project's `trainer_clients` and `profiles`, where links are managed in Supabase."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument

from peakhealth.errors import NotFound
from peakhealth.pages import read_page
from peakhealth.timestamps import Stamped, utc_now
from peakhealth.units import METRIC, UNIT_SYSTEMS, UnitSystem

LinkStatus = Literal["active", "ended"]


@dataclass(frozen=True)
class ClientLink:
    """A trainer's client, as the directory knows them."""

    clientId: str
    status: LinkStatus
    createdAt: datetime
    displayName: str | None = None


@dataclass(frozen=True)
class Profile:
    """What the directory keeps about one user for the service's answers."""

    unitSystem: UnitSystem = METRIC
    displayName: str | None = None


def unit_system_of(value: object) -> UnitSystem:
    """A stored unit system, metric when it is missing or not one of the two (a Supabase
    column another tool may have written)."""
    return value if value in UNIT_SYSTEMS else METRIC


class UserDirectory(Protocol):
    """What the service needs to know about trainers and their clients."""

    manages_links: bool  # True when links are changed through this service (embedded mode)

    async def is_client_of(self, trainer_id: str, client_id: str) -> bool:
        """True when an active link joins the trainer and the client."""
        ...

    async def clients_of(
        self, trainer_id: str, *, offset: int, limit: int
    ) -> tuple[list[ClientLink], int]:
        """The trainer's active clients, oldest link first, and how many there are."""
        ...

    async def clients_among(self, trainer_id: str, client_ids: list[str]) -> set[str]:
        """Those of `client_ids` an active link joins to the trainer, in one request (a group's
        members, checked together)."""
        ...

    async def link(self, trainer_id: str, client_id: str) -> None:
        """Make (or re-activate) the link; embedded mode only."""
        ...

    async def unlink(self, trainer_id: str, client_id: str) -> None:
        """End the link; NotFound when there is no active one. Embedded mode only."""
        ...

    async def profile(self, user_id: str) -> Profile:
        """The user's profile; the defaults for a user the directory has none of."""
        ...

    async def update_profile(self, user_id: str, changes: dict[str, Any]) -> Profile:
        """Set `unitSystem` and/or `displayName` (None clears it) and answer the profile.
        Embedded mode only: with Supabase the profile is edited there (Conflict)."""
        ...

    async def aclose(self) -> None:
        """Release connections at shutdown."""
        ...


class TrainerClientLink(Document, Stamped):
    """One trainer-client link of the embedded directory (the shape of `trainer_clients`)."""

    trainerId: str
    clientId: str
    status: LinkStatus = "active"
    schemaVersion: int = 1

    class Settings:
        name = "trainer_clients"
        indexes = [
            IndexModel([("trainerId", ASCENDING), ("clientId", ASCENDING)], unique=True),
            IndexModel([("clientId", ASCENDING)]),
        ]


class UserProfile(Document, Stamped):
    """A user's profile in the embedded directory (the shape of Supabase's `profiles`); the
    document id is the Supabase user id."""

    id: str  # type: ignore[assignment]
    unitSystem: UnitSystem = METRIC
    displayName: str | None = None
    schemaVersion: int = 1

    class Settings:
        name = "user_profiles"


class EmbeddedDirectory:
    """Links kept in the service's own database (`trainer_clients`), changed by admins."""

    manages_links = True

    async def aclose(self) -> None:
        return None

    def _collection(self) -> Any:
        return TrainerClientLink.get_motor_collection()

    async def is_client_of(self, trainer_id: str, client_id: str) -> bool:
        found = await self._collection().find_one(
            {"trainerId": trainer_id, "clientId": client_id, "status": "active"}, {"_id": 1}
        )
        return found is not None

    async def clients_among(self, trainer_id: str, client_ids: list[str]) -> set[str]:
        if not client_ids:
            return set()
        rows = await (
            self._collection()
            .find(
                {"trainerId": trainer_id, "clientId": {"$in": client_ids}, "status": "active"},
                {"_id": 0, "clientId": 1},
            )
            .to_list(None)
        )
        return {row["clientId"] for row in rows}

    async def clients_of(
        self, trainer_id: str, *, offset: int, limit: int
    ) -> tuple[list[ClientLink], int]:
        rows, total = await read_page(
            self._collection(),
            {"trainerId": trainer_id, "status": "active"},
            sort=[("createdAt", ASCENDING), ("_id", ASCENDING)],
            skip=offset,
            limit=limit,
        )
        return [
            ClientLink(clientId=row["clientId"], status=row["status"], createdAt=row["createdAt"])
            for row in rows
        ], total

    async def link(self, trainer_id: str, client_id: str) -> None:
        now = utc_now()
        await self._collection().find_one_and_update(
            {"trainerId": trainer_id, "clientId": client_id},
            {
                "$set": {"status": "active", "updatedAt": now},
                "$setOnInsert": {"createdAt": now, "schemaVersion": 1},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )

    async def unlink(self, trainer_id: str, client_id: str) -> None:
        result = await self._collection().update_one(
            {"trainerId": trainer_id, "clientId": client_id, "status": "active"},
            {"$set": {"status": "ended", "updatedAt": utc_now()}},
        )
        if result.matched_count == 0:
            raise NotFound("this trainer has no active link to this client")

    async def profile(self, user_id: str) -> Profile:
        found = await UserProfile.get_motor_collection().find_one(
            {"_id": user_id}, {"unitSystem": 1, "displayName": 1}
        )
        return _profile(found or {})

    async def update_profile(self, user_id: str, changes: dict[str, Any]) -> Profile:
        now = utc_now()
        stored = await UserProfile.get_motor_collection().find_one_and_update(
            {"_id": user_id},
            {
                "$set": {**changes, "updatedAt": now},
                "$setOnInsert": {"createdAt": now, "schemaVersion": 1},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return _profile(stored)


def _profile(stored: dict[str, Any]) -> Profile:
    return Profile(
        unitSystem=unit_system_of(stored.get("unitSystem")), displayName=stored.get("displayName")
    )
