"""Webhook targets without real DNS: every name resolves to one public address."""

PUBLIC = "93.184.215.14"


async def public_dns(host: str, port: int) -> list[str]:
    """A resolver for `app.state.resolve` or a `Sender`: any name is a public address."""
    return [PUBLIC]
