"""The delivery worker: any instance may run it; the one holding the lease in MongoDB
(`webhook_leases`) delivers, and another takes over once that lease expires (its end judged by
the database's clock, `peakhealth.storage.leases`).

Each round (`run_once`): take or extend the lease; derive deliveries from the change source
after each subscription's cursor and store them before moving the cursor (a restart derives the
same changes again, and the unique (owner, subscription, event) index stores them once); read the
due deliveries; check the lease again; send them, bounded in number at once, in `sequence` order
per resource (a resource waits while an earlier delivery of it waits for a retry); log every
attempt on its delivery. A result lands only while the delivery is as the sender read it (same
attempt count, still pending), so a holder that stalled past its lease writes nothing over the
result of the one that took over; what it can still do is send once more what it had in hand,
which at-least-once delivery allows (receivers drop repeats by `webhook-id`)."""

import asyncio
import logging
import socket
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from peakhealth.identity.users import CurrentUser
from peakhealth.storage import webhooks as stored
from peakhealth.storage.webhooks import Attempt, WebhookDelivery
from peakhealth.timestamps import utc_now
from peakhealth.webhooks import rules
from peakhealth.webhooks.sender import Outcome, Sender
from peakhealth.webhooks.service import event_body
from peakhealth.webhooks.source import Change, ChangeSource

log = logging.getLogger("peakhealth.webhooks")

LEASE_NAME = "deliveries"
LEASE = timedelta(seconds=30)
BATCH = 1000  # deliveries read per round
CHANGES_PER_ROUND = 100  # changes read per subscription per round


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class DeliveryWorker:
    """Sends webhook deliveries while it holds the lease; `run_once` is one round."""

    def __init__(
        self,
        *,
        sender: Sender,
        source: ChangeSource,
        retry_seconds: Sequence[int],
        concurrency: int = 50,
        clock: Callable[[], datetime] = utc_now,
        holder: str | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.sender = sender
        self.source = source
        self.retry_seconds = list(retry_seconds)
        self.concurrency = concurrency
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{PydanticObjectId()}"
        self.lease = lease
        self.token = PydanticObjectId()  # this worker's lease token: fences its writes
        self._wake = asyncio.Event()

    async def holds_lease(self) -> bool:
        """Take or extend the lease; True while it is this worker's."""
        return await stored.take_lease(
            LEASE_NAME, token=self.token, holder=self.holder, duration=self.lease
        )

    async def run_once(self) -> int:
        """One round; how many attempts it made (0 without the lease or anything due)."""
        if not await self.holds_lease():
            return 0
        await self._derive()
        now = self.clock()
        due = await stored.due_deliveries(now, BATCH)
        if not due:
            return 0
        groups: dict[tuple[Any, Any, str], list[dict[str, Any]]] = defaultdict(list)
        for row in sorted(due, key=lambda row: row["sequence"]):
            groups[(row["ownerId"], row["subscriptionId"], row["resourceKey"])].append(row)
        waiting = await stored.waiting_before(
            {key: rows[0]["sequence"] for key, rows in groups.items()}
        )
        subscriptions = await stored.subscriptions_by_id(
            list({row["subscriptionId"] for row in due})
        )
        limit = asyncio.Semaphore(self.concurrency)
        outcomes: dict[Any, list[tuple[datetime, bool]]] = defaultdict(list)

        async def send_in_order(rows: list[dict[str, Any]]) -> int:
            made = 0
            for row in rows:
                async with limit:
                    # Before every send: a holder that stalled past its lease stops here
                    # once another holds it, and a long round keeps the lease alive.
                    if not await self.holds_lease():
                        return made
                    ok = await self._attempt(
                        row, subscriptions.get(row["subscriptionId"]), outcomes
                    )
                made += 1
                if not ok:
                    break  # the rest of this resource waits for the retry
            return made

        made = await asyncio.gather(
            *(send_in_order(rows) for key, rows in groups.items() if key not in waiting)
        )
        await self._keep_outcomes(outcomes)
        return sum(made)

    async def _attempt(
        self,
        row: dict[str, Any],
        subscription: dict[str, Any] | None,
        outcomes: dict[Any, list[tuple[datetime, bool]]],
    ) -> bool:
        now = self.clock()
        attempts_made = int(row["attempt"]) + 1
        if subscription is None or not subscription.get("enabled"):
            # Not retried: a disabled subscription is re-enabled from now on.
            outcome = Outcome(False, None, 0.0, "the subscription is disabled or deleted")
            next_at = None
        else:
            secrets = [
                item["secret"]
                for item in subscription["secrets"]
                if item.get("expiresAt") is None or _utc(item["expiresAt"]) > now
            ]
            outcome = await self.sender.send(
                subscription["url"],
                message_id=row["eventId"],
                body=row["body"],
                secrets=secrets,
                timestamp=int(now.timestamp()),
            )
            next_at = None if outcome.ok else rules.retry_at(attempts_made, self.retry_seconds, now)
            outcomes[subscription["_id"]].append((now, outcome.ok))
        status: stored.DeliveryStatus = (
            "delivered" if outcome.ok else "pending" if next_at is not None else "failed"
        )
        landed = await stored.record_attempt(
            row["_id"],
            attempts_before=int(row["attempt"]),
            attempt=Attempt(
                attempt=attempts_made,
                at=now,
                responseStatus=outcome.status,
                durationMs=outcome.duration_ms,
                error=outcome.error,
            ),
            status=status,
            next_attempt_at=next_at,
        )
        log.info(
            "webhook delivery %s attempt %d: %s%s in %.1f ms%s",
            row["_id"],
            attempts_made,
            status,
            f" ({outcome.status})" if outcome.status is not None else "",
            outcome.duration_ms,
            f": {outcome.error}" if outcome.error else "",
            extra={
                "delivery": str(row["_id"]),
                "attempt": attempts_made,
                "status": status,
                "responseStatus": outcome.status,
                "durationMs": outcome.duration_ms,
                "landed": landed,
            },
        )
        return outcome.ok

    async def _keep_outcomes(self, outcomes: dict[Any, list[tuple[datetime, bool]]]) -> None:
        """Per subscription: a success ends its run of failures; a failure starts one; a run
        of failures `rules.FAILING_LIMIT` long disables it."""
        for subscription_id, results in outcomes.items():
            results.sort(key=lambda result: result[0])
            if results[-1][1]:
                await stored.record_outcome(subscription_id, succeeded=True, at=results[-1][0])
                continue
            trailing = len(results)
            while trailing > 0 and not results[trailing - 1][1]:
                trailing -= 1
            first_failure, now = results[trailing][0], results[-1][0]
            if trailing > 0:  # succeeded earlier in this round: the run starts after that
                await stored.record_outcome(subscription_id, succeeded=True, at=first_failure)
            await stored.record_outcome(subscription_id, succeeded=False, at=first_failure)
            if await stored.disable_if_failing_since(
                subscription_id,
                now - rules.FAILING_LIMIT,
                at=now,
                reason="every delivery failed for 24 hours",
            ):
                log.warning(
                    "webhook subscription %s disabled: failing for 24 hours", subscription_id
                )

    async def _derive(self) -> None:
        """Store the deliveries of each live subscription's new changes, then keep its cursor."""
        for subscription in await stored.enabled_subscriptions():
            reader = CurrentUser(subscription["ownerId"], role=subscription["ownerRole"])
            cursor = subscription.get("cursor")
            changes, after = await self.source.changes_after(reader, cursor, CHANGES_PER_ROUND)
            wanted = [
                change
                for change in changes
                if rules.event_type(
                    change.resourceType, revision=change.revision, deleted=change.deleted
                )
                in subscription["events"]
            ]
            if wanted:
                first = await stored.take_sequences(subscription["_id"], len(wanted))
                await stored.store_deliveries(
                    [
                        self._delivery_of(subscription, change, first + index)
                        for index, change in enumerate(wanted)
                    ]
                )
            if after != cursor:
                await stored.keep_cursor(subscription["_id"], cursor, after)

    def _delivery_of(
        self, subscription: dict[str, Any], change: Change, sequence: int
    ) -> WebhookDelivery:
        kind = rules.event_type(
            change.resourceType, revision=change.revision, deleted=change.deleted
        )
        # The same change gives the same id on every derivation (the unique index drops repeats).
        event_id = f"{change.resourceType}_{change.id}_{change.revision}" + (
            "_deleted" if change.deleted else ""
        )
        data = change.data if change.data is not None else {"id": change.id}
        now = self.clock()
        return WebhookDelivery(
            ownerId=subscription["ownerId"],
            subscriptionId=subscription["_id"],
            eventId=event_id,
            type=kind,
            resourceKey=f"{change.resourceType}:{change.id}",
            sequence=sequence,
            body=event_body(event_id, kind, _utc(change.changedAt), data),
            nextAttemptAt=now,
            createdAt=now,
            updatedAt=now,
        )

    def wake(self) -> None:
        """Start the next round now (a delivery was just queued)."""
        self._wake.set()

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        """Rounds until cancelled; between rounds that found nothing to send, waits
        `idle_seconds` or until woken."""
        try:
            while True:
                try:
                    made = await self.run_once()
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database away, for example: try again next round
                    log.exception("webhook delivery round failed")
                    made = 0
                if made == 0:
                    self._wake.clear()
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), idle_seconds)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Give the lease back so another instance takes over at once."""
        try:
            await stored.release_lease(LEASE_NAME, self.token)
        except Exception:  # the database is away: the lease expires by itself
            log.warning("webhook worker could not release its lease", exc_info=True)
