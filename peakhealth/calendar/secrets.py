"""Feed secrets: random, of one fixed length, kept only as their SHA-256 (pure).

A secret carries 256 random bits, so a fast hash suffices (nothing to guess from a leaked
hash); the stored hash is compared with `hmac.compare_digest`, in time independent of where
the two differ. A secret of any other length is hashed and looked up all the same, so its
answer (404) comes no sooner than an unknown one's."""

import hashlib
import hmac
import secrets

SECRET_BYTES = 32
SECRET_LENGTH = 43  # URL-safe base64 of 32 bytes, unpadded


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(stored: str, offered: str) -> bool:
    return hmac.compare_digest(stored.encode(), offered.encode())
