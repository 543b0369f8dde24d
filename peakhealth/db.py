"""The database: embedded in-memory (mongomock-motor) or a real MongoDB (motor); Beanie and the
indexes of every collection are set up here at start-up."""

import logging
from typing import Any

import pymongo
from beanie import init_beanie
from motor.motor_asyncio import AsyncIOMotorClient

from peakhealth import indexes
from peakhealth.config import Settings
from peakhealth.errors import ServiceUnavailable
from peakhealth.identity.directory import TrainerClientLink
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import (
    UserRoutineDocument,
    give_inactive_routines_their_key,
)
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import (
    RoutineAssignment,
    backfill_ended_keys,
    pinned_versions,
)
from peakhealth.storage.changes import Tombstone
from peakhealth.storage.idempotency import IdempotencyKey
from peakhealth.storage.metrics import ClientMetric
from peakhealth.storage.webhooks import WebhookDelivery, WebhookLease, WebhookSubscription
from peakhealth.versioning.chains import PurgeGuard
from peakhealth.versioning.heads import ChainHead

log = logging.getLogger("peakhealth")

# The versioned documents (bulk purge walks them) and every collection Beanie manages.
DOCUMENTS: list[Any] = [SectionDocument, WorkoutDocument, TemplateRoutineDocument]
# Versions something else points to, which a purge must spare: the same guards the routes pass
# (a template version an assignment points to can be archived, never purged).
PURGE_GUARDS: dict[Any, PurgeGuard] = {TemplateRoutineDocument: pinned_versions}
MODELS: list[Any] = [
    *DOCUMENTS,
    ChainHead,
    TrainerClientLink,
    UserRoutineDocument,
    RoutineAssignment,
    WorkoutSession,
    IdempotencyKey,
    WebhookSubscription,
    WebhookDelivery,
    WebhookLease,
    Tombstone,
    ClientMetric,
]


def make_client(settings: Settings) -> Any:
    if settings.embedded:
        from peakhealth.embedded import EmbeddedClient

        return EmbeddedClient(interleave=settings.embedded_interleave)
    # The settings win over the same options in the URI (the driver's rule for keywords).
    return AsyncIOMotorClient(
        settings.mongodb_uri,
        timeoutMS=settings.mongodb_timeout_ms,
        serverSelectionTimeoutMS=settings.mongodb_server_selection_timeout_ms,
        connectTimeoutMS=settings.mongodb_connect_timeout_ms,
        tz_aware=True,
    )


async def open_database(settings: Settings) -> Any:
    """A client with Beanie initialised; indexes untouched. The first contact waits at most the
    server-selection timeout for a usable server."""
    client = make_client(settings)
    try:
        # With timeoutMS set, the driver selects servers within what remains of timeoutMS and
        # ignores serverSelectionTimeoutMS; a shorter deadline brings it back for this contact.
        with pymongo.timeout(settings.mongodb_server_selection_timeout_ms / 1000):
            await init_beanie(
                database=client[settings.mongodb_db], document_models=MODELS, skip_indexes=True
            )
    except BaseException:
        client.close()
        raise
    return client


async def connect(settings: Settings) -> Any:
    """A client with Beanie initialised and every missing index created (idempotent). Raises
    IndexesNotInOrder, naming what to drop, while an index is in the way of a declared one."""
    client = await open_database(settings)
    try:
        database = client[settings.mongodb_db]
        # Stored data the unique indexes need, before they are built.
        await backfill_ended_keys(database[RoutineAssignment.Settings.name])
        await give_inactive_routines_their_key(database)
        await indexes.ensure(MODELS, warn=log.warning)
    except BaseException:
        client.close()
        raise
    log.info("database ready: %s", "embedded in-memory store" if settings.embedded else "MongoDB")
    return client


async def ping(client: Any, settings: Settings) -> None:
    """Raise ServiceUnavailable when the database does not answer."""
    try:
        if settings.embedded:
            await client[settings.mongodb_db].list_collection_names()
        else:
            await client.admin.command("ping")
    except Exception as error:
        raise ServiceUnavailable("the database cannot be reached") from error
