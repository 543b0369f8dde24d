"""The chain lease's times are the database's: on a real MongoDB, `$$NOW` in the filter and in
a pipeline update (mongomock knows neither, and the embedded store's clock is this process's)."""

import pytest

from peakhealth.versioning import heads


def test_on_a_server_expiry_and_renewal_use_the_server_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heads, "_server_clock", lambda: True)
    assert heads._expired() == {"$expr": {"$lt": ["$leaseUntil", "$$NOW"]}}
    assert heads._lease_until() == [
        {"$set": {"leaseUntil": {"$add": ["$$NOW", int(heads.LEASE.total_seconds() * 1000)]}}}
    ]


def test_on_the_embedded_store_they_use_this_process_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heads, "_server_clock", lambda: False)
    assert "$lt" in heads._expired()["leaseUntil"]
    assert "$set" in heads._lease_until()
