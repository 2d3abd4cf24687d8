"""Running the service: cleanup, health, rate limits, logs and telemetry."""
