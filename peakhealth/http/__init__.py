"""The HTTP edge: problem responses, pagination, shared dependencies."""
