"""Sending one attempt of one delivery with httpx: the target checked again (SSRF rules, fresh
resolution) and reached at the checked address, signed for this attempt's time, redirects never
followed (a 3xx is a failed attempt), the answer's body never read."""

import time
from dataclasses import dataclass

import httpx

from peakhealth.webhooks import signing
from peakhealth.webhooks.targets import Resolve, UnsafeTarget, check_target

USER_AGENT = "PeakHealth-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: `ok` for a 2xx answer."""

    ok: bool
    status: int | None
    duration_ms: float
    error: str | None = None


class Sender:
    """Posts deliveries; one pooled httpx client for the worker's lifetime."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        allow_private: bool,
        resolve: Resolve,
        concurrency: int = 50,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.allow_private = allow_private
        self.resolve = resolve
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=timeout_seconds,
            limits=httpx.Limits(max_connections=concurrency),
            transport=transport,
            trust_env=False,  # no proxy from the environment between the check and the target
        )

    async def send(
        self, url: str, *, message_id: str, body: str, secrets: list[str], timestamp: int
    ) -> Outcome:
        began = time.perf_counter()

        def took() -> float:
            return round((time.perf_counter() - began) * 1000, 1)

        try:
            target = await check_target(url, allow_private=self.allow_private, resolve=self.resolve)
        except UnsafeTarget as error:
            return Outcome(False, None, took(), f"refused: {error}")
        headers = {
            "host": target.host_header,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signing.signature(secrets, message_id, timestamp, body),
        }
        # The name, not the address, in TLS: SNI and the certificate check (httpcore's
        # `sni_hostname`), while the connection goes to the address checked above.
        extensions = {"sni_hostname": target.host} if target.host != target.address else {}
        try:
            async with self.client.stream(
                "POST",
                target.connect_url,
                content=body.encode(),
                headers=headers,
                extensions=extensions,
            ) as response:
                status = response.status_code
                redirect = response.headers.get("location")
        except httpx.TimeoutException:
            return Outcome(False, None, took(), f"no answer within {self.timeout_seconds:g} s")
        except httpx.HTTPError as error:
            return Outcome(False, None, took(), f"{type(error).__name__}: {error}"[:500])
        if 200 <= status < 300:
            return Outcome(True, status, took())
        if 300 <= status < 400:
            return Outcome(False, status, took(), f"redirect to {redirect!r} not followed"[:500])
        return Outcome(False, status, took(), f"answered {status}")

    async def aclose(self) -> None:
        await self.client.aclose()
