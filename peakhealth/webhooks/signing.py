"""Standard Webhooks signing, by the `standardwebhooks` package (the convention's own Python
library): secrets are `whsec_` and base64 of random bytes, a signature is
`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, and several space-separated signatures may be
sent, which is how a rotated secret keeps working for a while."""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_BYTES = 32  # the convention asks for 24 to 64 random bytes


def new_secret() -> str:
    """A fresh signing secret, as shown once to the subscriber."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(signing_secrets: list[str], message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: one `v1,` signature per secret in force."""
    at = datetime.fromtimestamp(timestamp, UTC)
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in signing_secrets
    )
