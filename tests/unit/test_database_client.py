"""The real database client is built with the configured timeouts, so a stalled primary makes a
request fail (a 503) within them instead of holding it."""

from peakhealth import db
from peakhealth.config import Settings


def test_real_client_has_operation_selection_and_connect_timeouts() -> None:
    settings = Settings(
        mongodb_uri="mongodb://127.0.0.1:9/?timeoutMS=999999",
        supabase_jwt_secret="a-secret-that-is-long-enough-for-hs256",
        mongodb_timeout_ms=2500,
        mongodb_server_selection_timeout_ms=1500,
        mongodb_connect_timeout_ms=700,
    )
    client = db.make_client(settings)
    try:
        options = client.delegate.options
        assert options.timeout == 2.5  # the setting wins over the URI's option
        assert options.server_selection_timeout == 1.5
        assert options.pool_options.connect_timeout == 0.7
    finally:
        client.close()


def test_timeouts_have_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.mongodb_timeout_ms == 10_000
    assert settings.mongodb_server_selection_timeout_ms == 5_000
    assert settings.mongodb_connect_timeout_ms == 5_000
