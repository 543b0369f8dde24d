"""Settings from environment variables, read once at start-up."""

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import limits
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Signs tokens only on the embedded store, so a laptop demo needs no Supabase project.
DEVELOPMENT_JWT_SECRET = "peakhealth-development-secret-not-for-production-use"

# A MongoDB driver timeout: from a tenth of a second to ten minutes.
Milliseconds = Annotated[int, Field(ge=100, le=600_000)]


class Settings(BaseSettings):
    """Environment variables (upper-case names) configure the service; see README."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    mongodb_uri: str | None = Field(
        default=None, description="Unset: embedded in-memory store. Set: a real MongoDB."
    )
    mongodb_db: str = "peakhealth"
    # A real MongoDB only. A call past its timeout raises a timeout error that the service
    # answers with a 503, so a stalled primary never holds a request longer than this.
    mongodb_timeout_ms: Milliseconds = Field(
        default=10_000,
        description="Longest a database operation may take, retries and server selection"
        " included (the driver's timeoutMS); past it the request is a 503",
    )
    mongodb_server_selection_timeout_ms: Milliseconds = Field(
        default=5_000, description="Longest wait for a usable server (a primary for writes)"
    )
    mongodb_connect_timeout_ms: Milliseconds = Field(
        default=5_000, description="Longest wait to open one connection"
    )
    embedded_interleave: bool = Field(
        default=False,
        description="Embedded store only: every database call yields to the event loop, so"
        " concurrent requests interleave as on a server (concurrency tests)",
    )
    supabase_url: str | None = Field(
        default=None, description="Supabase project URL: JWKS for tokens, and the catalog"
    )
    supabase_service_role_key: str | None = None
    supabase_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Longest wait for a Supabase answer; past it the request is a 503",
    )
    catalog_cache_seconds: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        description="How long exercise catalog answers are reused (0: ask the catalog every time)",
    )
    supabase_jwt_secret: str | None = Field(default=None, description="HS256 token secret")
    archive_retention_days: int = Field(default=90, ge=1, le=3650)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="413 above this")
    rate_limit: str = Field(
        default="600/minute", description="Requests per caller under /api, e.g. 600/minute"
    )
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where rate-limit counters live: memory:// (this process) or redis://host:port",
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="json: one JSON object a line (request id, method, route, status, duration,"
        " user id); text: plain lines for a terminal",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins (https://app.example.com) whose browser scripts may"
        " call the API; empty: no CORS headers at all",
    )

    changes_settle_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="The change feed (and webhook deliveries) list only changes older than this:"
        " longer than a write can take from its stamp to its commit, and than the clock skew"
        " between instances and the database",
    )

    webhook_allow_private_urls: bool = Field(
        default=False,
        description="Allow webhook URLs over http and to loopback, private and link-local"
        " addresses (development and tests only)",
    )
    webhook_retry_seconds: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [60, 300, 1800, 7200, 21600, 43200],
        description="Comma-separated delays, in seconds, before each retry of a failed webhook"
        " delivery; after the last one the delivery is failed",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Longest wait for a webhook receiver's answer"
    )
    webhook_worker: bool = Field(
        default=True,
        description="Run the webhook delivery worker in this process (one instance at a time"
        " delivers, holding a lease in the database)",
    )
    webhook_concurrency: int = Field(
        default=50, ge=1, le=1000, description="Webhook deliveries sent at once by the worker"
    )

    @field_validator("webhook_retry_seconds", mode="before")
    @classmethod
    def _split_delays(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return [int(part) for part in value.split(",") if part.strip()]
            except ValueError:
                raise ValueError(
                    f"WEBHOOK_RETRY_SECONDS={value!r} is not a comma-separated list of seconds"
                    " such as '60,300,1800'"
                ) from None
        return value

    @field_validator("webhook_retry_seconds")
    @classmethod
    def _sane_delays(cls, delays: list[int]) -> list[int]:
        if len(delays) > 20 or any(delay < 0 or delay > 7 * 86_400 for delay in delays):
            raise ValueError(
                "WEBHOOK_RETRY_SECONDS takes at most 20 delays of 0 to 604800 seconds each"
            )
        return delays

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _bare_origins(cls, origins: list[str]) -> list[str]:
        """A browser sends `Origin: scheme://host[:port]`, never a path or a trailing slash: an
        entry with one would silently never match, so it refuses to start instead."""
        for origin in origins:
            if origin == "*":
                continue
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or origin != f"{parts.scheme}://{parts.netloc}"
            ):
                raise ValueError(
                    f"CORS_ORIGINS entry {origin!r} is not an origin such as"
                    " 'https://app.example.com' (scheme and host, optional port, no path)"
                )
        return origins

    public_url: str | None = Field(
        default=None,
        description="Where integrators reach the service (https://api.example.com, maybe with a"
        " path): the OpenAPI document's server and the base of Location headers. Unset: '/' and"
        " the root path the server runs under",
    )

    @field_validator("public_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"PUBLIC_URL={value!r} is not an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        try:
            parsed = limits.parse_many(value)
        except ValueError:
            parsed = []
        if len(parsed) != 1 or parsed[0].amount < 1:
            raise ValueError(
                f"RATE_LIMIT={value!r} is not one rate limit such as '600/minute' or"
                " '20/second' (at least 1 request per period)"
            )
        return value

    @field_validator("rate_limit_storage_uri")
    @classmethod
    def _async_rate_limit_storage(cls, value: str) -> str:
        """`redis://...` becomes `async+redis://...`: the service counts with the asyncio API."""
        uri = value if value.startswith("async+") else f"async+{value}"
        try:
            storage_from_string(uri)  # unknown scheme or missing driver: refuse to start
        except ConfigurationError as error:
            raise ValueError(f"RATE_LIMIT_STORAGE_URI={value!r} cannot be used: {error}") from None
        return uri

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
