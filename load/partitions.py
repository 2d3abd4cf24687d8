"""Storage requests per partition during the load, from the host's own meter (`/admin/meter`).

Azure Storage's targets are per partition (a table's PartitionKey, a blob) and per account, so
the report names, for each table and for blobs, how many partitions the run touched and the
busiest one with its requests per second (docs/scale.md compares them with the targets).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import httpx

from shared.storage.metering import MARK


async def start(http: httpx.AsyncClient) -> None:
    response = await http.post("/admin/meter")
    response.raise_for_status()


async def report(http: httpx.AsyncClient, seconds: float) -> str:
    """Stop counting; one line per table (and blobs) with its busiest partition."""
    response = await http.delete("/admin/meter")
    response.raise_for_status()
    per_resource: dict[str, Counter[str]] = defaultdict(Counter)
    total = 0
    for _, _, what, partition in response.json():
        if what.startswith(MARK):
            continue
        total += 1
        resource = what.partition(" ")[2]
        per_resource[resource][partition or "(query or batch)"] += 1
    lines = [
        f"storage requests: {total} ({total / seconds:.0f}/s); per resource, busiest partition:"
    ]
    for resource, counts in sorted(per_resource.items()):
        partition, busiest = counts.most_common(1)[0]
        lines.append(
            f"  {resource:<12} {sum(counts.values()):>7} requests over {len(counts):>6} partitions;"
            f" busiest {busiest} ({busiest / seconds:.1f}/s): {partition}"
        )
    return "\n".join(lines)
