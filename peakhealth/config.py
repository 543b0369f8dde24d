"""Settings from environment variables, read once at start-up."""

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Signs tokens only on the embedded store, so a laptop demo needs no Supabase project.
DEVELOPMENT_JWT_SECRET = "peakhealth-development-secret-not-for-production-use"


class Settings(BaseSettings):
    """Environment variables (upper-case names) configure the service; see README."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    mongodb_uri: str | None = Field(
        default=None, description="Unset: embedded in-memory store. Set: a real MongoDB."
    )
    mongodb_db: str = "peakhealth"
    supabase_url: str | None = Field(
        default=None, description="Supabase project URL: JWKS for tokens, and the catalog"
    )
    supabase_service_role_key: str | None = None
    supabase_jwt_secret: str | None = Field(default=None, description="HS256 token secret")
    archive_retention_days: int = Field(default=90, ge=1, le=3650)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="413 above this")

    @model_validator(mode="after")
    def _refuse_development_secret_on_real_data(self) -> "Settings":
        if self.mongodb_uri and not (self.supabase_jwt_secret or self.supabase_url):
            raise ValueError(
                "MONGODB_URI points at a real database, so the development token secret is not"
                " allowed: set SUPABASE_JWT_SECRET (HS256 tokens) or SUPABASE_URL (JWKS)"
            )
        return self

    @property
    def embedded(self) -> bool:
        """True when the data lives in this process's memory only."""
        return not self.mongodb_uri

    @property
    def jwt_secret(self) -> str | None:
        """The HS256 secret in force: the configured one, else the development one when embedded
        and no JWKS is configured."""
        if self.supabase_jwt_secret:
            return self.supabase_jwt_secret
        if self.embedded and not self.supabase_url:
            return DEVELOPMENT_JWT_SECRET
        return None

    @property
    def supabase_catalog(self) -> bool:
        """True when the exercise catalog and user directory are read from Supabase."""
        return bool(self.supabase_url and self.supabase_service_role_key)
