"""Benchmarks of the service against floors measured in the same run (`scripts/bench`)."""
