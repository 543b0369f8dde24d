"""A request body read whole by a middleware that must see it before the route (idempotency
fingerprints, unit conversion), then handed on to the route as if it came from the server."""

from starlette.types import Message, Receive


async def read_body(receive: Receive) -> bytes:
    """The whole request body (the body limit raises BodyTooLarge past it)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the route the body read already, then waits as the server does."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
