"""The change feed (`GET /api/changes`, DOMAIN.md section 12), also the webhook worker's source."""
