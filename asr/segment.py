"""The one timed-label type used by alignment, decoding, metrics and every writer."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A label over ``[start, end)`` seconds, with an optional score (log-domain)."""

    label: str
    start: float
    end: float
    score: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start
