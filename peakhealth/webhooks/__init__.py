"""Webhooks: subscriptions, signed deliveries derived from the stored changes, the worker that
sends them under a lease, and the SSRF rules every target URL passes (README, "Webhooks")."""
