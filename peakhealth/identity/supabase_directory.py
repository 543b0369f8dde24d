"""The user directory read from a Supabase project (`trainer_clients`, `profiles`) with the
service-role key; links are managed in Supabase, never written here."""

from datetime import datetime
from typing import Any

from postgrest.types import CountMethod

from peakhealth.errors import Conflict
from peakhealth.identity.directory import ClientLink, Profile, unit_system_of
from peakhealth.supabase_rest import RangeNotSatisfiable, connect, execute

SERVICE = "the user directory"


class SupabaseDirectory:
    manages_links = False

    def __init__(self, url: str, service_role_key: str, *, timeout_seconds: float = 5.0) -> None:
        self._client, self._http = connect(url, service_role_key, timeout_seconds=timeout_seconds)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _links(self, columns: str, **count: Any) -> Any:
        return self._client.table("trainer_clients").select(columns, **count)

    async def is_client_of(self, trainer_id: str, client_id: str) -> bool:
        request = (
            self._links("trainer_id")
            .eq("trainer_id", trainer_id)
            .eq("client_id", client_id)
            .eq("status", "active")
            .limit(1)
        )
        rows, _ = await execute(request, service=SERVICE)
        return bool(rows)

    async def clients_among(self, trainer_id: str, client_ids: list[str]) -> set[str]:
        if not client_ids:
            return set()
        request = (
            self._links("client_id")
            .eq("trainer_id", trainer_id)
            .in_("client_id", client_ids)
            .eq("status", "active")
        )
        rows, _ = await execute(request, service=SERVICE)
        return {str(row["client_id"]) for row in rows}

    async def clients_of(
        self, trainer_id: str, *, offset: int, limit: int
    ) -> tuple[list[ClientLink], int]:
        request = (
            self._links("client_id, status, created_at", count=CountMethod.exact)
            .eq("trainer_id", trainer_id)
            .eq("status", "active")
            .order("created_at")
            .order("client_id")
            .range(offset, offset + limit - 1)
        )
        try:
            rows, total = await execute(request, service=SERVICE)
        except RangeNotSatisfiable:
            rows, total = [], await self._count(trainer_id)
        names = await self._display_names([row["client_id"] for row in rows])
        return [
            ClientLink(
                clientId=row["client_id"],
                status=row["status"],
                createdAt=datetime.fromisoformat(row["created_at"]),
                displayName=names.get(row["client_id"]),
            )
            for row in rows
        ], total or 0

    async def _count(self, trainer_id: str) -> int:
        request = (
            self._links("client_id", count=CountMethod.exact)
            .eq("trainer_id", trainer_id)
            .eq("status", "active")
            .limit(1)
        )
        _, total = await execute(request, service=SERVICE)
        return total or 0

    async def _display_names(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        request = self._client.table("profiles").select("id, display_name").in_("id", ids)
        rows, _ = await execute(request, service=SERVICE)
        return {row["id"]: row["display_name"] for row in rows if row.get("display_name")}

    async def link(self, trainer_id: str, client_id: str) -> None:
        raise Conflict("trainer-client links are managed in Supabase (table trainer_clients)")

    async def unlink(self, trainer_id: str, client_id: str) -> None:
        raise Conflict("trainer-client links are managed in Supabase (table trainer_clients)")

    async def profile(self, user_id: str) -> Profile:
        request = (
            self._client.table("profiles")
            .select("display_name, unit_system")
            .eq("id", user_id)
            .limit(1)
        )
        rows, _ = await execute(request, service=SERVICE)
        row = rows[0] if rows else {}
        return Profile(
            unitSystem=unit_system_of(row.get("unit_system")),
            displayName=row.get("display_name") or None,
        )

    async def update_profile(self, user_id: str, changes: dict[str, Any]) -> Profile:
        raise Conflict("profiles are edited in Supabase (table profiles)")
