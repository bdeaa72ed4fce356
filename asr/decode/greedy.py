"""The naive decoder: per-frame argmax, states collapsed to phones, adjacent repeats merged.

It cannot tell a long phone from the same phone said twice (``m m`` in "some more" comes out as one
``m``): that ambiguity is what the dictionary-constrained decoder resolves.
"""
from __future__ import annotations

import numpy as np

from ..audio import FRAME_SHIFT_S
from ..phones import UnitSet
from ..segment import Segment


def greedy_decode(log_probs: np.ndarray, units: UnitSet) -> list[Segment]:
    """Best unit per frame -> its phone -> runs of the same phone merged into one segment.

    Args:
        log_probs: (T, U) per-frame log-probabilities over ``units``.
    Returns:
        Timed phones (seconds); each segment's score is the sum of its frames' best log-probabilities.
    """
    if log_probs.ndim != 2 or log_probs.shape[1] != len(units):
        raise ValueError(f"log_probs must be (T, {len(units)}), got {log_probs.shape}")
    if len(log_probs) == 0:
        return []
    best = log_probs.argmax(1)
    phone = best // units.states_per_phone
    frame_score = log_probs[np.arange(len(best)), best]
    change = np.flatnonzero(np.diff(phone)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(phone)]])
    return [Segment(units.phones[phone[s]], round(s * FRAME_SHIFT_S, 6), round(e * FRAME_SHIFT_S, 6),
                    float(frame_score[s:e].sum())) for s, e in zip(starts, ends)]
