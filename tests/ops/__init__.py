"""Settings, cleanup, rate limits, the local host and operations."""
