"""The test suite: real requests against the real app and a real PostgreSQL."""
