"""Which MongoDB driver errors mean the database cannot answer now (a 503 the caller may retry),
kept beside the driver rather than in the pure `peakhealth.errors`."""

from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
)

# Server codes that mean "not now, try again": the retryable-writes spec's list (not primary,
# node recovering or shutting down, host unreachable, network timeout) plus MaxTimeMSExpired.
_NOT_NOW_CODES = frozenset(
    {6, 7, 50, 89, 91, 134, 189, 262, 9001, 10058, 10107, 11600, 11602, 13435, 13436}
)
_NOT_NOW_LABELS = ("RetryableWriteError", "TransientTransactionError")


def database_unavailable(error: BaseException) -> str | None:
    """Why `error` means the database cannot answer now (a 503 the caller may retry), or None
    when it is another failure. Covers an unreachable or stepping-down primary, a shutting-down
    node, every timeout (timeoutMS, maxTimeMS, wtimeout, server selection) and write concern
    failures."""
    if not isinstance(error, PyMongoError):
        return None
    # NotPrimaryError, AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError among them.
    if isinstance(error, ConnectionFailure):
        return "the database cannot be reached"
    # A write concern failure means the primary may have applied the write but the replicas
    # did not confirm it (in time): the caller should check before repeating a create.
    if isinstance(error, WriteConcernError) or (
        isinstance(error, BulkWriteError)
        and error.details.get("writeConcernErrors")
        and not error.details.get("writeErrors")
    ):
        return "the database did not confirm the write in time; it may have been applied"
    if error.timeout:
        return "the database did not answer in time"
    if any(error.has_error_label(label) for label in _NOT_NOW_LABELS) or (
        isinstance(error, OperationFailure) and error.code in _NOT_NOW_CODES
    ):
        return "the database cannot answer now"
    return None
