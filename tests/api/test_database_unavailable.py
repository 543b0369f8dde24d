"""Every "not available now" error of the database driver is a 503 `service-unavailable` problem
with Retry-After, on reads and writes alike; other database errors stay a 500. The errors are
injected into the embedded store, raised by each call as a failing server would raise them."""

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
    WTimeoutError,
)

from peakhealth.library.documents import SectionDocument
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES
from tests.support.plans import strength_section

WRITES = frozenset({"insert_one", "insert_many", "update_one", "find_one_and_update"})

OUTAGES: dict[str, Callable[[], PyMongoError]] = {
    "not primary": lambda: NotPrimaryError(
        "not primary", {"ok": 0, "code": 10107, "errmsg": "not primary"}
    ),
    "auto reconnect": lambda: AutoReconnect("connection reset by peer"),
    "network timeout": lambda: NetworkTimeout("timed out"),
    "server selection": lambda: ServerSelectionTimeoutError("no primary available"),
    "max time": lambda: ExecutionTimeout("operation exceeded time limit", 50),
    "wtimeout": lambda: WTimeoutError("waiting for replication timed out", 64, {"wtimeout": True}),
    "write concern": lambda: WriteConcernError("write concern unsatisfied", 100, {}),
    "bulk write concern": lambda: BulkWriteError(
        {"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "wtimeout"}]}
    ),
    "shutdown in progress": lambda: OperationFailure("shutdown in progress", 91),
    "interrupted at shutdown": lambda: OperationFailure("interrupted at shutdown", 11600),
    "retryable write label": lambda: PyMongoError(
        "stepped down", error_labels=["RetryableWriteError"]
    ),
    "transient transaction label": lambda: OperationFailure(
        "write conflict", 112, {"errorLabels": ["TransientTransactionError"]}
    ),
}


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["type"] == "urn:peakhealth:problem:service-unavailable"
    assert body["status"] == 503 and body["detail"].startswith("the database")
    assert body["instance"] == response.request.url.path


@pytest.mark.parametrize("outage", list(OUTAGES))
async def test_database_not_available_now_is_a_503_on_reads_and_writes(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, outage: str
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    store = app.state.client
    store.fail_with(OUTAGES[outage]())
    try:
        reads = [
            await client.get(SECTIONS, headers=trainer.headers),
            await client.get(f"{SECTIONS}/{section['id']}", headers=trainer.headers),
            await client.get(f"{TEMPLATES}?search=x", headers=trainer.headers),
        ]
        created = await client.post(SECTIONS, json=strength_section(), headers=trainer.headers)
        store.fail_with(OUTAGES[outage](), on=WRITES)  # reads answer, the write fails
        published = await client.put(
            f"{SECTIONS}/{section['id']}", json=strength_section("New"), headers=trainer.headers
        )
    finally:
        store.fail_with(None)
    for response in [*reads, created, published]:
        assert_unavailable(response)
    assert await SectionDocument.get_motor_collection().count_documents({}) == 1


async def test_other_database_errors_stay_a_500(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    app.state.client.fail_with(OperationFailure("unknown operator: $bogus", 2))
    try:
        response = await client.get(SECTIONS, headers=trainer.headers)
    finally:
        app.state.client.fail_with(None)
    assert response.status_code == 500
    assert "retry-after" not in response.headers
    assert response.json()["type"] == "urn:peakhealth:problem:internal-error"
