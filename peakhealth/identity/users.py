"""The caller as the service sees them: a Supabase user id and an application role."""

from dataclasses import dataclass
from typing import Literal

Role = Literal["client", "trainer", "admin"]
ROLES: tuple[Role, ...] = ("client", "trainer", "admin")


@dataclass(frozen=True)
class CurrentUser:
    id: str
    role: Role = "client"
    email: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def authors_plans(self) -> bool:
        """Trainers and admins build the library and publish templates."""
        return self.role in ("trainer", "admin")
