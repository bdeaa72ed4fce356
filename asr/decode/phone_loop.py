"""Phone-loop decoder: Viterbi over every phone, with a phone bigram, LM weight and insertion penalty
(the standard way TIMIT phone error rates are measured).

Each phone is a left-to-right chain of ``S`` states (stay or advance one state per frame); leaving a
phone's last state enters any phone's first state, scored ``lm_weight * log P(next | phone) +
insertion_penalty``. Two identical adjacent phones are therefore two passes through the chain.
"""
from __future__ import annotations

from typing import Iterable

import numba
import numpy as np

from ..audio import FRAME_SHIFT_S
from ..phones import UnitSet
from ..segment import Segment


def estimate_bigram(sequences: Iterable[list[str]], phones: tuple[str, ...], add_k: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Add-k smoothed phone bigram from phone sequences.

    Returns ``(log_start (P,), log_bigram (P, P))`` with ``log_bigram[a, b] = log P(b | a)``.
    """
    idx = {p: i for i, p in enumerate(phones)}
    P = len(phones)
    start = np.full(P, add_k)
    big = np.full((P, P), add_k)
    for seq in sequences:
        ids = [idx[p] for p in seq if p in idx]
        if not ids:
            continue
        start[ids[0]] += 1
        for a, b in zip(ids, ids[1:]):
            big[a, b] += 1
    return np.log(start / start.sum()), np.log(big / big.sum(1, keepdims=True))


@numba.njit(cache=True)
def _phone_loop(scores, S, log_start, trans):  # pragma: no cover
    """scores (T, P*S) emission scores; trans (P, P) weighted transition scores. Returns unit path."""
    T, U = scores.shape
    P = U // S
    delta = np.full(U, -np.inf)
    for p in range(P):
        delta[p * S] = log_start[p] + scores[0, p * S]
    bp = np.zeros((T, U), dtype=np.int32)  # predecessor unit
    new = np.empty(U)
    for t in range(1, T):
        # best phone-exit into each phone's first state
        for q in range(P):
            best, arg = -np.inf, 0
            for p in range(P):
                v = delta[p * S + S - 1] + trans[p, q]
                if v > best:
                    best, arg = v, p * S + S - 1
            u = q * S
            if delta[u] >= best:
                new[u], bp[t, u] = delta[u], u
            else:
                new[u], bp[t, u] = best, arg
            for s in range(1, S):
                u = q * S + s
                if delta[u] >= delta[u - 1]:
                    new[u], bp[t, u] = delta[u], u
                else:
                    new[u], bp[t, u] = delta[u - 1], u - 1
        for u in range(U):
            delta[u] = new[u] + scores[t, u]
    # end in any phone's last state
    best, u = -np.inf, S - 1
    for p in range(P):
        if delta[p * S + S - 1] > best:
            best, u = delta[p * S + S - 1], p * S + S - 1
    path = np.empty(T, dtype=np.int32)
    for t in range(T - 1, -1, -1):
        path[t] = u
        u = bp[t, u]
    return path, best


def phone_loop_decode(log_probs: np.ndarray, units: UnitSet, log_start: np.ndarray, log_bigram: np.ndarray,
                      lm_weight: float = 1.0, insertion_penalty: float = 0.0,
                      log_priors: np.ndarray | None = None, prior_scale: float = 1.0) -> list[Segment]:
    """Best phone sequence with times under the phone loop.

    Args:
        log_probs: (T, U) log-posteriors over ``units``.
        log_start, log_bigram: from :func:`estimate_bigram` over ``units.phones``.
        lm_weight: scale of the bigram; insertion_penalty: added per phone (negative discourages).
        log_priors: (U,) unit priors; the decoder then uses scaled likelihoods ``lp - prior_scale * prior``.
    """
    P, S = len(units.phones), units.states_per_phone
    if log_probs.ndim != 2 or log_probs.shape[1] != P * S:
        raise ValueError(f"log_probs must be (T, {P * S}), got {log_probs.shape}")
    if log_bigram.shape != (P, P) or log_start.shape != (P,):
        raise ValueError(f"bigram must be ({P}, {P}) with start ({P},)")
    if len(log_probs) < S:
        return []
    scores = log_probs.astype(np.float64)
    if log_priors is not None:
        scores = scores - prior_scale * log_priors[None, :]
    trans = lm_weight * log_bigram + insertion_penalty
    path, _ = _phone_loop(np.ascontiguousarray(scores), S, lm_weight * log_start + insertion_penalty,
                          np.ascontiguousarray(trans))
    # a new phone starts wherever the path enters a first state from elsewhere
    enter = np.flatnonzero((path % S == 0) & np.concatenate([[True], path[1:] != path[:-1]]))
    ends = np.concatenate([enter[1:], [len(path)]])
    return [Segment(units.phones[path[s] // S], round(s * FRAME_SHIFT_S, 6), round(e * FRAME_SHIFT_S, 6))
            for s, e in zip(enter, ends)]
