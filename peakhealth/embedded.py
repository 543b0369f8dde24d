"""The embedded store: mongomock-motor behind a thin proxy that counts every database call and,
in interleaving mode, yields to the event loop around each call as a server round trip does.

mongomock-motor runs each call synchronously, so concurrent requests never interleave on it and a
race cannot show in a test. With `interleave` on, every call sleeps a small random time before
and after it runs, so requests interleave between calls the way they do against a real server.
Each call itself stays atomic, like a single-document operation on MongoDB. `offline` makes every
call fail as an unreachable server does, for outage tests; `fail_with` makes calls raise a given
error (a stepping-down primary, a timeout, a write concern failure). `fail_call` and `hold_call`
make one chosen call fail or wait, counted from the moment they are armed (among the calls of
one collection and method, when named), for fault-injection tests and to order two requests'
round trips without sleeping."""

import asyncio
import random
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import bson
from bson.raw_bson import RawBSONDocument
from mongomock_motor import AsyncMongoMockClient
from pymongo import DeleteOne, UpdateOne
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DuplicateKeyError,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)
from pymongo.results import BulkWriteResult

# Collection methods that are one round trip each.
_CALLS = frozenset(
    {
        "bulk_write",
        "count_documents",
        "create_index",
        "create_indexes",
        "delete_many",
        "delete_one",
        "distinct",
        "drop",
        "drop_index",
        "drop_indexes",
        "estimated_document_count",
        "find_one",
        "find_one_and_delete",
        "find_one_and_replace",
        "find_one_and_update",
        "index_information",
        "insert_many",
        "insert_one",
        "replace_one",
        "update_many",
        "update_one",
    }
)
_CURSORS = frozenset({"find", "aggregate", "list_indexes"})
_INSERTS = frozenset({"insert_one", "insert_many"})
# Calls whose answer comes back after they ran (a cursor's rows are its answer: losing them is
# failing the read).
_ANSWERED = _CALLS | {"command"}


def _stored_as_a_server_would(documents: Any) -> Any:
    """A server decodes pre-encoded values (RawBSONDocument) into plain documents; mongomock
    would keep the wrapper object, which no query can look into. A value shared by several
    documents of one call (a workout's snapshot) is decoded once: mongomock copies every
    document it stores, so they never share it once stored."""
    seen: dict[int, Any] = {}

    def plain(value: RawBSONDocument) -> Any:
        if id(value) not in seen:
            seen[id(value)] = bson.decode(value.raw)
        return seen[id(value)]

    def decoded(document: Any) -> Any:
        if isinstance(document, dict) and any(
            isinstance(value, RawBSONDocument) for value in document.values()
        ):
            return {
                key: plain(value) if isinstance(value, RawBSONDocument) else value
                for key, value in document.items()
            }
        return document

    if isinstance(documents, list):
        return [decoded(document) for document in documents]
    return decoded(documents)


@dataclass
class Fault:
    """One armed fault: call number `at` (1 = the next call) fails, or waits for `go`.

    - `lost_answer`: the call runs, then raises NetworkTimeout, as a write whose answer a
      failover lost (a read's answer is simply lost: it fails before running).
    - `outage`: every call from `at` on fails too, until `EmbeddedClient.heal`.
    - `hold`: the call waits until `go` is set; `reached` is set when it starts waiting.
    - `collection`, `name`: only calls of that collection and method are counted."""

    at: int
    lost_answer: bool = False
    outage: bool = False
    hold: bool = False
    collection: str | None = None
    name: str | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)
    seen: int = 0  # calls counted since armed

    def release(self) -> None:
        self.go.set()


class EmbeddedClient:
    """An AsyncMongoMockClient that counts calls by name and can interleave or fail them."""

    def __init__(self, *, interleave: bool = False, max_delay: float = 0.002) -> None:
        self._client: Any = AsyncMongoMockClient()
        self.interleave = interleave
        self.max_delay = max_delay
        self.offline = False
        self.calls: Counter[str] = Counter()
        self.fault: Fault | None = None
        self._answer_lost = False
        self._failure: tuple[BaseException, Collection[str] | None] | None = None

    def fail_with(self, error: BaseException | None, *, on: Collection[str] | None = None) -> None:
        """Make every call (or only the calls named in `on`, e.g. {"insert_one"}) raise `error`
        before it reaches the data, until `fail_with(None)`."""
        self._failure = None if error is None else (error, on)

    def fail_call(
        self,
        at: int,
        *,
        lost_answer: bool = False,
        outage: bool = False,
        collection: str | None = None,
        name: str | None = None,
    ) -> Fault:
        """Make call number `at` from now (1 = the next one; of that collection and method, when
        named) fail as a server does mid-sequence: AutoReconnect before it runs, or with
        `lost_answer` NetworkTimeout after it ran; with `outage`, every later call fails too
        until `heal`."""
        self.fault = Fault(
            at, lost_answer=lost_answer, outage=outage, collection=collection, name=name
        )
        return self.fault

    def hold_call(
        self, at: int, *, collection: str | None = None, name: str | None = None
    ) -> Fault:
        """Make call number `at` from now (of that collection and method, when named) wait,
        before it runs, until the returned fault's `release()`; `await fault.reached.wait()`
        returns once it waits (a stalled request)."""
        self.fault = Fault(at, hold=True, collection=collection, name=name)
        return self.fault

    def heal(self) -> None:
        self.fault = None

    async def _inject(self, name: str, collection: str | None) -> None:
        fault = self.fault
        if fault is None:
            return
        if (fault.name is not None and name != fault.name) or (
            fault.collection is not None and collection != fault.collection
        ):
            return
        fault.seen += 1
        if fault.seen < fault.at or (fault.seen > fault.at and not fault.outage):
            return
        if fault.hold:
            fault.reached.set()
            await fault.go.wait()
        elif fault.lost_answer and fault.seen == fault.at and name in _ANSWERED:
            self._answer_lost = True
        else:
            raise AutoReconnect(f"injected fault: {name} (call {fault.seen}) never ran")

    async def round_trip(self, name: str, collection: str | None = None) -> None:
        """What happens on the way to the server: counted, failed when offline, interleaved."""
        self.calls[name] += 1
        if self.offline:
            raise ServerSelectionTimeoutError("the embedded store is offline")
        if self._failure is not None:
            error, only = self._failure
            if only is None or name in only:
                raise error
        await self._inject(name, collection)
        if self.interleave:
            await asyncio.sleep(random.uniform(0, self.max_delay))

    async def way_back(self) -> None:
        if self._answer_lost:
            self._answer_lost = False
            raise NetworkTimeout("injected fault: the call ran, its answer was lost")
        if self.interleave:
            await asyncio.sleep(random.uniform(0, self.max_delay))

    def total_calls(self) -> int:
        return sum(self.calls.values())

    def __getitem__(self, name: str) -> "_Database":
        return _Database(self, self._client[name])

    def get_database(self, name: str, **kwargs: Any) -> "_Database":
        return _Database(self, self._client.get_database(name, **kwargs))

    def close(self) -> None:
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class _Database:
    def __init__(self, store: EmbeddedClient, database: Any) -> None:
        self._store = store
        self._database = database

    def __getitem__(self, name: str) -> "_Collection":
        return _Collection(self._store, self._database[name])

    def get_collection(self, name: str, **kwargs: Any) -> "_Collection":
        return _Collection(self._store, self._database.get_collection(name, **kwargs))

    async def command(self, *args: Any, **kwargs: Any) -> Any:
        await self._store.round_trip("command")
        result = await self._database.command(*args, **kwargs)
        await self._store.way_back()
        return result

    async def list_collection_names(self, *args: Any, **kwargs: Any) -> Any:
        await self._store.round_trip("list_collection_names")
        return await self._database.list_collection_names(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._database, name)


class _Collection:
    def __init__(self, store: EmbeddedClient, collection: Any) -> None:
        self._store = store
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._collection, name)
        if name in _CURSORS:

            def open_cursor(*args: Any, **kwargs: Any) -> _Cursor:
                return _Cursor(self._store, name, target(*args, **kwargs))

            return open_cursor
        if name in _CALLS:

            async def call(*args: Any, **kwargs: Any) -> Any:
                await self._store.round_trip(name, self._collection.name)
                if name in _INSERTS and args:
                    args = (_stored_as_a_server_would(args[0]), *args[1:])
                if name == "bulk_write":
                    result = await _bulk_write(self._collection, *args, **kwargs)
                else:
                    result = await target(*args, **kwargs)
                await self._store.way_back()
                return result

            return call
        return target


async def _bulk_write(collection: Any, operations: list[Any], ordered: bool = True) -> Any:
    """`bulk_write` of UpdateOne and DeleteOne operations, one by one: mongomock's own passes
    pymongo 4.20's operations arguments they no longer take. As on a server, a duplicate key
    fails its operation only, reported with its position in BulkWriteError (an unordered bulk
    goes on with the rest; an ordered one stops there)."""
    result: dict[str, Any] = {"nInserted": 0, "nUpserted": 0, "nMatched": 0, "nModified": 0}
    result |= {"nRemoved": 0, "upserted": [], "writeErrors": [], "writeConcernErrors": []}
    for index, operation in enumerate(operations):
        try:
            if isinstance(operation, UpdateOne):
                done = await collection.update_one(
                    operation._filter, operation._doc, upsert=operation._upsert
                )
                result["nMatched"] += done.matched_count
                result["nModified"] += done.modified_count
                if done.upserted_id is not None:
                    result["nUpserted"] += 1
                    result["upserted"].append({"index": index, "_id": done.upserted_id})
            elif isinstance(operation, DeleteOne):
                result["nRemoved"] += (await collection.delete_one(operation._filter)).deleted_count
            else:
                raise NotImplementedError(f"embedded bulk_write: {type(operation).__name__}")
        except DuplicateKeyError as error:
            result["writeErrors"].append({"index": index, "code": 11000, "errmsg": str(error)})
            if ordered:
                break
    if result["writeErrors"]:
        raise BulkWriteError(result)
    return BulkWriteResult(result, acknowledged=True)


class _Cursor:
    """A cursor whose first fetch is the round trip (results come in one batch)."""

    def __init__(self, store: EmbeddedClient, name: str, cursor: Any) -> None:
        self._store = store
        self._name = name
        self._cursor = cursor
        self._fetched = False

    async def _fetch(self) -> None:
        if not self._fetched:
            self._fetched = True
            await self._store.round_trip(self._name)

    async def to_list(self, *args: Any, **kwargs: Any) -> list[Any]:
        await self._fetch()
        rows: list[Any] = await self._cursor.to_list(*args, **kwargs)
        await self._store.way_back()
        return rows

    def __aiter__(self) -> "_Cursor":
        return self

    async def __anext__(self) -> Any:
        await self._fetch()
        return await self._cursor.__anext__()

    async def next(self) -> Any:
        return await self.__anext__()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._cursor, name)
        if callable(target) and name in {"sort", "skip", "limit", "batch_size", "hint"}:

            def chained(*args: Any, **kwargs: Any) -> _Cursor:
                target(*args, **kwargs)
                return self

            return chained
        return target
