"""Content negotiation on the Accept header."""

from __future__ import annotations


def _parse(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    kind = media.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for candidate, quality in ranges:
        specificity = (
            2
            if candidate == media
            else 1
            if candidate == f"{kind}/*"
            else 0
            if candidate == "*/*"
            else -1
        )
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1]


def best_offer(accept: str | None, offers: list[str]) -> str:
    """The offer the client prefers; ties and a missing header go to the first offer."""
    if not accept:
        return offers[0]
    ranges = _parse(accept)
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    return max(scored)[2]
