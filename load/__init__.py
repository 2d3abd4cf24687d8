"""`make load`: a bounded load run on loopback, with mixed small uploads and downloads.

Starts its own in-memory Azurite and local host, runs many concurrent clients for a bounded number
of operations and seconds, reports throughput, latency, errors and the host's peak memory, then
verifies that nothing was lost and every one-time link was served exactly once.
"""
