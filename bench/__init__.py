"""`make bench`: throughput, memory, latency and cleanup figures of the API against Azurite."""
