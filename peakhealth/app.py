"""The FastAPI application: routers, problem handlers, lifespan; adapters are chosen here."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from peakhealth import __version__, db
from peakhealth.assignments.router import router as assignments_router
from peakhealth.calendar.router import feeds as calendar_feeds_router
from peakhealth.calendar.router import ics as calendar_ics_router
from peakhealth.catalog.cache import CachedCatalog
from peakhealth.catalog.embedded import EmbeddedCatalog
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.catalog.router import router as exercises_router
from peakhealth.changes.router import router as changes_router
from peakhealth.changes.service import ChangeFeed
from peakhealth.config import Settings
from peakhealth.equipment.router import router as equipment_router
from peakhealth.groups.router import router as groups_router
from peakhealth.http.body_limit import DeclaredBodyLimit
from peakhealth.http.idempotency import REPLAYED, Idempotency, document_idempotency
from peakhealth.http.media_type import RequireJsonBodies
from peakhealth.http.methods import install_method_not_allowed
from peakhealth.http.openapi import TAGS, document_examples, document_request_ids, servers
from peakhealth.http.preconditions import document_preconditions
from peakhealth.http.problems import document_problems, install_problem_handlers
from peakhealth.http.rate_limit import RateLimit
from peakhealth.http.request_context import REQUEST_ID_HEADER, RequestContext
from peakhealth.http.units import HEADER as UNITS_HEADER
from peakhealth.http.units import ProfileUnits, Units, document_units
from peakhealth.identity.directory import EmbeddedDirectory, UserDirectory
from peakhealth.identity.router import router as directory_router
from peakhealth.identity.router import users_router
from peakhealth.identity.tokens import TokenVerifier
from peakhealth.imports.router import router as imports_router
from peakhealth.library.router import router as library_router
from peakhealth.metrics.router import router as metrics_router
from peakhealth.routines.router import router as templates_router
from peakhealth.routines.user_router import router as user_routines_router
from peakhealth.sessions.router import router as sessions_router
from peakhealth.timestamps import utc_now
from peakhealth.webhooks.router import router as webhooks_router
from peakhealth.webhooks.sender import Sender
from peakhealth.webhooks.source import ChangeSource
from peakhealth.webhooks.targets import resolve_with_the_event_loop
from peakhealth.webhooks.worker import DeliveryWorker

log = logging.getLogger("peakhealth")


def choose_catalog(settings: Settings) -> ExerciseCatalog:
    """Supabase when its URL and service-role key are set, else the bundled catalog; behind a
    time-limited cache unless CATALOG_CACHE_SECONDS is 0."""
    catalog: ExerciseCatalog
    if settings.supabase_catalog:
        from peakhealth.catalog.supabase import SupabaseCatalog

        assert settings.supabase_url and settings.supabase_service_role_key
        catalog = SupabaseCatalog(
            settings.supabase_url,
            settings.supabase_service_role_key,
            timeout_seconds=settings.supabase_timeout_seconds,
        )
    else:
        catalog = EmbeddedCatalog()
    if settings.catalog_cache_seconds > 0:
        catalog = CachedCatalog(catalog, settings.catalog_cache_seconds)
    return catalog


def choose_directory(settings: Settings) -> UserDirectory:
    """Supabase (`trainer_clients`, `profiles`) when its URL and service-role key are set, else
    the links kept in the service's own database."""
    if settings.supabase_catalog:
        from peakhealth.identity.supabase_directory import SupabaseDirectory

        assert settings.supabase_url and settings.supabase_service_role_key
        return SupabaseDirectory(
            settings.supabase_url,
            settings.supabase_service_role_key,
            timeout_seconds=settings.supabase_timeout_seconds,
        )
    return EmbeddedDirectory()


def webhook_worker(app: FastAPI, *, source: ChangeSource | None = None) -> DeliveryWorker:
    """The webhook delivery worker of `app`, as its lifespan runs it (WEBHOOK_WORKER) and as
    tests drive it round by round. `source`: where deliveries come from (the change feed, read
    by `app.state.clock`, unless a test passes another)."""
    settings: Settings = app.state.settings
    sender = Sender(
        timeout_seconds=settings.webhook_timeout_seconds,
        allow_private=settings.webhook_allow_private_urls,
        resolve=app.state.resolve,
        concurrency=settings.webhook_concurrency,
    )
    return DeliveryWorker(
        sender=sender,
        source=source
        or ChangeFeed(
            timedelta(seconds=settings.changes_settle_seconds),
            clock=lambda: app.state.clock(),  # read at each round: tests move the clock
        ),
        retry_seconds=settings.webhook_retry_seconds,
        concurrency=settings.webhook_concurrency,
    )


def create_app(settings: Settings | None = None, *, on_startup: Any = None) -> FastAPI:
    """The application for `settings` (read from the environment when omitted). `on_startup`, if
    given, is awaited after the database is ready (the demo loads its data there)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.client = await db.connect(settings)
        if on_startup is not None:
            await on_startup(app)
        delivering = None
        if settings.webhook_worker:
            app.state.webhook_worker = webhook_worker(app)
            delivering = asyncio.create_task(app.state.webhook_worker.run_forever())
        yield
        if delivering is not None:
            delivering.cancel()
            with suppress(asyncio.CancelledError):
                await delivering
            await app.state.webhook_worker.sender.aclose()
        await app.state.catalog.aclose()
        await app.state.directory.aclose()
        app.state.client.close()

    # Swagger UI 5 at /docs and ReDoc at /redoc, their scripts served from the fastapi-offline
    # package, so the docs work with no network (and read the OpenAPI 3.1 document FastAPI emits).
    app = FastAPIOffline(
        title="PeakHealth routine engine",
        version=__version__,
        description="Versioned training plans: library sections and workouts, template routines.",
        lifespan=lifespan,
        static_url="/docs-assets",
        redirect_slashes=False,  # a trailing slash is 404: no redirect echoing the Host header
        servers=servers(settings),
        openapi_tags=TAGS,
    )
    app.state.settings = settings
    app.state.verifier = TokenVerifier(
        secret=settings.jwt_secret, supabase_url=settings.supabase_url
    )
    app.state.catalog = choose_catalog(settings)
    app.state.directory = choose_directory(settings)
    app.state.profile_units = ProfileUnits(app.state.directory)
    app.state.resolve = resolve_with_the_event_loop  # webhook targets; tests put a fake here
    # The change feed's clock on the embedded store (a server's own clock judges it on MongoDB);
    # tests move it instead of sleeping through the settle window.
    app.state.clock = utc_now
    if not settings.embedded and not settings.supabase_catalog:
        # docker compose passes these through even when empty: say so rather than answer from
        # the bundled catalog unannounced.
        log.warning(
            "SUPABASE_URL or SUPABASE_SERVICE_ROLE_KEY is empty: the exercise catalog is the one"
            " bundled with the service and trainer-client links are kept in MongoDB"
        )
    install_problem_handlers(app)
    install_method_not_allowed(app)
    describe = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_units(
                document_request_ids(
                    document_idempotency(
                        document_examples(document_problems(document_preconditions(describe())))
                    )
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # The last added runs first: the rate limit sees (and labels) every /api answer, 413 and 415
    # included; idempotency keys only requests the routes will see; units, innermost, convert
    # what the routes read and answer (so a replay repeats the converted answer).
    app.add_middleware(Units)
    app.add_middleware(Idempotency)
    app.add_middleware(RequireJsonBodies)
    app.add_middleware(DeclaredBodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit, limit=settings.rate_limit, storage_uri=settings.rate_limit_storage_uri
    )
    if settings.cors_origins:
        # Outside the rate limit: a preflight is answered before the rate limit counts it, and
        # every answer (429 and 413 included) carries the CORS headers a browser needs to read
        # it. Tokens travel in Authorization, never in cookies, so credentials stay off.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            # Browsers may send the conditional, idempotency and request-id headers, and read
            # the answers' tags, replay marks and ids.
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                REQUEST_ID_HEADER,
            ],
            expose_headers=[
                "ETag",
                UNITS_HEADER,
                REQUEST_ID_HEADER,
                REPLAYED,
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
            max_age=600,
        )
    # Outermost of all: every answer carries X-Request-ID, and everything below logs with it.
    app.add_middleware(RequestContext)
    app.include_router(library_router)
    app.include_router(templates_router)
    app.include_router(exercises_router)
    app.include_router(directory_router)
    app.include_router(users_router)
    app.include_router(imports_router)  # before /api/routines/{id}
    app.include_router(user_routines_router)
    app.include_router(assignments_router)
    app.include_router(sessions_router)
    app.include_router(metrics_router)
    app.include_router(webhooks_router)
    app.include_router(changes_router)
    app.include_router(equipment_router)
    app.include_router(calendar_feeds_router)
    app.include_router(calendar_ics_router)
    app.include_router(groups_router)

    @app.get(
        "/health", tags=["Operations"], operation_id="getHealth", summary="The process is alive"
    )
    async def health() -> dict[str, str]:
        """Answers while the process runs; no token, no database call."""
        return {"status": "ok"}

    @app.get(
        "/ready", tags=["Operations"], operation_id="getReadiness", summary="The database answers"
    )
    async def ready(request: Request) -> dict[str, str]:
        """200 once the database answers a ping; 503 problem otherwise. No token."""
        await db.ping(request.app.state.client, settings)
        return {"status": "ready"}

    return app
