"""Viterbi forced alignment of unit sequences to per-frame log-probabilities.

Topology (the lecture notes' "stay or advance"): the path starts on the first symbol at frame 0 and
ends on the last at frame T-1; at each frame it stays on its symbol or advances by exactly one, so
every symbol gets at least one frame. Adjacent identical symbols are distinct positions and are
never merged. A position may be marked *optional* (silence between words): the path may then jump
over it (advance by two), and may start after / end before an optional first / last position.

The recursion is a compiled kernel (numba, parallel over utterances) on CPU and a vectorised
frame loop in torch on GPU; both keep one byte of backpointer per (frame, position) cell, so a
10-minute utterance with 6,000 symbols needs 60,000 x 6,000 bytes = 360 MB.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

NEG_INF = -np.inf


def _viterbi_py(log_probs, targets, optional, t_lens, n_lens, bp, positions, scores):  # pragma: no cover
    """log_probs (B,T,U) f32; targets (B,N) i64; optional (B,N) bool; bp (B,T,N) u8 scratch;
    positions (B,T) i32 out (-1 padded); scores (B,) f64 out (-inf when no path)."""
    B = log_probs.shape[0]
    for b in numba.prange(B):
        T = t_lens[b]
        N = n_lens[b]
        prev = np.full(N, -np.inf)
        cur = np.full(N, -np.inf)
        prev[0] = log_probs[b, 0, targets[b, 0]]
        if N > 1 and optional[b, 0]:
            prev[1] = log_probs[b, 0, targets[b, 1]]
        for t in range(1, T):
            for n in range(N):
                best = prev[n]
                arg = 0
                if n >= 1 and prev[n - 1] > best:
                    best = prev[n - 1]
                    arg = 1
                if n >= 2 and optional[b, n - 1] and prev[n - 2] > best:
                    best = prev[n - 2]
                    arg = 2
                bp[b, t, n] = arg
                cur[n] = best + log_probs[b, t, targets[b, n]]
            for n in range(N):
                prev[n] = cur[n]
        end = N - 1
        if N > 1 and optional[b, N - 1] and prev[N - 2] > prev[N - 1]:
            end = N - 2
        scores[b] = prev[end]
        if prev[end] == -np.inf:
            continue
        n = end
        for t in range(T - 1, -1, -1):
            positions[b, t] = n
            if t > 0:
                n -= bp[b, t, n]


@numba.njit(cache=True)
def _viterbi_banded(log_probs, targets, optional, W, bp, positions):  # pragma: no cover
    """One utterance; at frame t only positions within W of the diagonal t*N/T are kept.
    bp (T, 2W+1) u8 scratch relative to each frame's lowest position; returns the path score."""
    T = log_probs.shape[0]
    N = len(targets)
    prev = np.full(N, -np.inf)
    cur = np.full(N, -np.inf)
    prev[0] = log_probs[0, targets[0]]
    if N > 1 and optional[0]:
        prev[1] = log_probs[0, targets[1]]
    plo, phi = 0, min(N - 1, W)
    for n in range(2, phi + 1):
        prev[n] = -np.inf
    for t in range(1, T):
        c = (t * N) // T
        lo, hi = max(0, c - W), min(N - 1, c + W)
        for n in range(lo, hi + 1):
            best = prev[n] if plo <= n <= phi else -np.inf
            arg = 0
            if n >= 1 and plo <= n - 1 <= phi and prev[n - 1] > best:
                best = prev[n - 1]
                arg = 1
            if n >= 2 and optional[n - 1] and plo <= n - 2 <= phi and prev[n - 2] > best:
                best = prev[n - 2]
                arg = 2
            bp[t, n - lo] = arg
            cur[n] = best + log_probs[t, targets[n]]
        for n in range(plo, phi + 1):
            prev[n] = -np.inf
        for n in range(lo, hi + 1):
            prev[n] = cur[n]
        plo, phi = lo, hi
    end = N - 1
    if N > 1 and optional[N - 1] and prev[N - 2] > prev[N - 1]:
        end = N - 2
    score = prev[end] if plo <= end <= phi else -np.inf
    if score == -np.inf:
        return score
    n = end
    for t in range(T - 1, -1, -1):
        positions[t] = n
        if t > 0:
            lo = max(0, (t * N) // T - W)
            n -= bp[t, n - lo]
    return score


def viterbi_align_banded(log_probs: np.ndarray, targets: np.ndarray, optional: np.ndarray | None = None,
                         band: int | None = None, max_bytes: int = 1 << 30) -> Alignment:
    """Forced alignment of one long utterance in bounded memory: at each frame only target positions
    within ``band`` of the diagonal are searched (default: as wide as ``max_bytes`` of backpointers
    allow, at least 500), so memory is T x (2 band + 1) bytes instead of T x N. The result equals
    :func:`viterbi_align`'s whenever the best path stays inside the band (always when band >= N);
    otherwise it is the best path inside the band, and an error when none exists."""
    lp = np.ascontiguousarray(np.asarray(log_probs, dtype=np.float32))
    tgt = np.ascontiguousarray(np.asarray(targets, dtype=np.int64))
    opt = np.zeros(len(tgt), np.bool_) if optional is None else np.ascontiguousarray(np.asarray(optional, bool))
    T, N = len(lp), len(tgt)
    empty = Alignment(np.zeros(0, np.int32), np.zeros(0, np.int64), float("-inf"))
    if N == 0:
        return Alignment(empty.positions, empty.units, empty.score, "empty target sequence")
    if min_frames(N, opt) > T:
        return Alignment(empty.positions, empty.units, empty.score,
                         f"transcript too long for the audio: {min_frames(N, opt)} symbols need at least as many "
                         f"frames, audio has {T}")
    W = band if band is not None else max(500, max_bytes // max(2 * T, 1))
    W = min(W, N)
    bp = np.empty((T, 2 * W + 1), dtype=np.uint8)
    positions = np.full(T, -1, dtype=np.int32)
    score = _viterbi_banded(lp, tgt, opt, W, bp, positions)
    if not np.isfinite(score):
        return Alignment(empty.positions, empty.units, empty.score,
                         f"no path within {W} positions of the diagonal (speech far from evenly spread; "
                         f"split the file or widen the band)")
    return Alignment(positions, tgt[positions], float(score))


# the same kernel compiled twice: parallel over utterances for batches, serial for one utterance
# (where starting the thread pool would cost more than the recursion)
_viterbi_kernel = numba.njit(parallel=True, cache=True)(_viterbi_py)
_viterbi_serial = numba.njit(cache=True)(_viterbi_py)


def _viterbi_torch(log_probs: torch.Tensor, targets: torch.Tensor, optional: torch.Tensor,
                   t_lens: torch.Tensor, n_lens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The same recursion vectorised over utterances and positions (a loop over frames), for GPU."""
    B, T, _ = log_probs.shape
    N = targets.shape[1]
    dev = log_probs.device
    ar = torch.arange(N, device=dev)
    valid = ar[None, :] < n_lens[:, None]
    emit = lambda t: torch.gather(log_probs[:, t], 1, targets).masked_fill(~valid, NEG_INF)  # noqa: E731
    prev = torch.full((B, N), NEG_INF, device=dev, dtype=log_probs.dtype)
    e0 = emit(0)
    prev[:, 0] = e0[:, 0]
    if N > 1:
        prev[:, 1] = torch.where(optional[:, 0], e0[:, 1], prev[:, 1])
    skip_ok = torch.zeros_like(optional)
    skip_ok[:, 2:] = optional[:, 1:-1]
    bp = torch.zeros((B, T, N), dtype=torch.uint8, device=dev)
    neg = torch.full((B, 1), NEG_INF, device=dev, dtype=log_probs.dtype)
    for t in range(1, T):
        adv1 = torch.cat([neg, prev[:, :-1]], 1)
        adv2 = torch.cat([neg, neg, prev[:, :-2]], 1).masked_fill(~skip_ok, NEG_INF)[:, :N]
        cand = torch.stack([prev, adv1, adv2], 0)
        best, arg = cand.max(0)
        active = (t < t_lens)[:, None]
        bp[:, t] = arg.to(torch.uint8)
        prev = torch.where(active, best + emit(t), prev)
    rows = torch.arange(B, device=dev)
    last = prev[rows, n_lens - 1]
    second = prev[rows, (n_lens - 2).clamp(min=0)]
    use_second = (n_lens > 1) & optional[rows, n_lens - 1] & (second > last)
    end = torch.where(use_second, n_lens - 2, n_lens - 1)
    scores = torch.where(use_second, second, last)
    positions = torch.full((B, T), -1, dtype=torch.int32)
    bp_cpu, t_cpu, end_cpu = bp.cpu().numpy(), t_lens.cpu().numpy(), end.cpu().numpy()
    pos = positions.numpy()
    _backtrace_all(bp_cpu, t_cpu, end_cpu, pos, np.isfinite(scores.cpu().numpy()))
    return positions, scores.double().cpu()


@numba.njit(parallel=True, cache=True)
def _backtrace_all(bp, t_lens, ends, positions, ok):  # pragma: no cover
    for b in numba.prange(bp.shape[0]):
        if not ok[b]:
            continue
        n = ends[b]
        for t in range(t_lens[b] - 1, -1, -1):
            positions[b, t] = n
            if t > 0:
                n -= bp[b, t, n]


@dataclass
class Alignment:
    """The best path of one utterance.

    positions: (T,) index into the target sequence per frame.
    units: (T,) unit id per frame.
    score: total log-probability of the path.
    error: why there is no path (e.g. transcript too long for the audio), else ``None``.
    """

    positions: np.ndarray
    units: np.ndarray
    score: float
    error: str | None = None

    def spans(self) -> list[tuple[int, int, int]]:
        """``(position, start_frame, end_frame)`` for every visited position, in order."""
        return position_spans(self.positions)


def position_spans(positions: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of equal position in a frame path: ``(position, start, end)`` with ``end`` exclusive."""
    if len(positions) == 0:
        return []
    change = np.flatnonzero(np.diff(positions)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(positions)]])
    return [(int(positions[s]), int(s), int(e)) for s, e in zip(starts, ends)]


def min_frames(n_symbols: int, optional: np.ndarray | None = None) -> int:
    """Fewest frames a path needs: one per non-optional symbol."""
    return n_symbols - (int(np.sum(optional[:n_symbols])) if optional is not None else 0)


def viterbi_align(log_probs: torch.Tensor | np.ndarray, targets: list[list[int]] | list[np.ndarray],
                  lengths: list[int] | np.ndarray | None = None,
                  optional: list[np.ndarray] | None = None, max_cells: int = 1 << 28) -> list[Alignment]:
    """Batched Viterbi forced alignment.

    Args:
        log_probs: (B, T, U) per-frame log-probabilities (padded beyond each ``lengths[b]``).
        targets: B unit sequences (variable length N_b); adjacent repeats are distinct positions.
        lengths: valid frames per utterance (default: all T).
        optional: per utterance, a bool array (N_b,) marking skippable positions (optional silence).
        max_cells: an utterance with more frames x symbols than this (a long recording: 20 minutes
            and 6,000 symbols is 7e8) is aligned alone by :func:`viterbi_align_banded` in bounded memory.
    Returns:
        One :class:`Alignment` per utterance. An utterance whose transcript needs more frames than
        it has gets ``error`` set (with both numbers) and empty paths; the rest of the batch goes on.
    """
    lp = log_probs if isinstance(log_probs, torch.Tensor) else torch.from_numpy(np.asarray(log_probs))
    if lp.dim() != 3:
        raise ValueError(f"log_probs must be (B, T, U), got shape {tuple(lp.shape)}")
    B, T, U = lp.shape
    if len(targets) != B:
        raise ValueError(f"{B} utterances of log_probs but {len(targets)} target sequences")
    t_lens = np.full(B, T, dtype=np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)
    n_lens = np.array([len(t) for t in targets], dtype=np.int64)
    N = max(int(n_lens.max(initial=0)), 1)
    tgt = np.zeros((B, N), dtype=np.int64)
    opt = np.zeros((B, N), dtype=np.bool_)
    errors: list[str | None] = [None] * B
    for b, seq in enumerate(targets):
        seq = np.asarray(seq, dtype=np.int64)
        tgt[b, :len(seq)] = seq
        if optional is not None and optional[b] is not None:
            opt[b, :len(seq)] = np.asarray(optional[b], dtype=bool)
        if len(seq) == 0:
            errors[b] = "empty target sequence"
        elif seq.min() < 0 or seq.max() >= U:
            errors[b] = f"target unit out of range 0..{U - 1}"
        elif min_frames(len(seq), opt[b]) > t_lens[b]:
            errors[b] = (f"transcript too long for the audio: {min_frames(len(seq), opt[b])} symbols "
                         f"need at least as many frames, audio has {t_lens[b]}")
    out: list[Alignment] = [Alignment(np.zeros(0, np.int32), np.zeros(0, np.int64), float("-inf"), e)
                            for e in errors]
    long = [b for b in range(B) if errors[b] is None and t_lens[b] * n_lens[b] > max_cells]
    for b in long:
        out[b] = viterbi_align_banded(lp[b, :t_lens[b]].detach().float().cpu().numpy(), tgt[b, :n_lens[b]],
                                      opt[b, :n_lens[b]], max_bytes=max_cells)
    ok = np.array([e is None and b not in long for b, e in enumerate(errors)])
    if not ok.any():
        return out
    idx = np.flatnonzero(ok)
    sub_t, sub_n = t_lens[idx], n_lens[idx]
    Nb = int(sub_n.max())
    sub_tgt, sub_opt = np.ascontiguousarray(tgt[idx, :Nb]), np.ascontiguousarray(opt[idx, :Nb])
    if lp.is_cuda:
        positions, scores = _viterbi_torch(lp[idx].float(), torch.from_numpy(sub_tgt).to(lp.device),
                                           torch.from_numpy(sub_opt).to(lp.device),
                                           torch.from_numpy(sub_t).to(lp.device), torch.from_numpy(sub_n).to(lp.device))
        positions, scores = positions.numpy(), scores.numpy()
    else:
        lp_np = np.ascontiguousarray(lp[idx].detach().float().numpy())
        tmax = int(sub_t.max())
        bp = np.empty((len(idx), tmax, Nb), dtype=np.uint8)
        positions = np.full((len(idx), tmax), -1, dtype=np.int32)
        scores = np.full(len(idx), -np.inf)
        kernel = _viterbi_kernel if len(idx) > 1 else _viterbi_serial
        kernel(lp_np, sub_tgt, sub_opt, sub_t, sub_n, bp, positions, scores)
    for k, b in enumerate(idx):
        if not np.isfinite(scores[k]):
            out[b] = Alignment(np.zeros(0, np.int32), np.zeros(0, np.int64), float("-inf"),
                               "no path with finite score (all paths pass an impossible frame)")
            continue
        pos = positions[k, :t_lens[b]].copy()
        out[b] = Alignment(pos, tgt[b][pos], float(scores[k]))
    return out


def pad_log_probs(log_probs: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """Stack per-utterance (T_i, U) arrays into a zero-padded (B, T_max, U) batch and the lengths."""
    lengths = [len(lp) for lp in log_probs]
    padded = np.zeros((len(log_probs), max(lengths), log_probs[0].shape[1]), dtype=np.float32)
    for k, lp in enumerate(log_probs):
        padded[k, :len(lp)] = lp
    return padded, lengths


def flat_start(n_frames: int, n_symbols: int) -> np.ndarray:
    """Uniform segmentation: position per frame, every symbol an (almost) equal share of the frames."""
    if n_symbols > n_frames:
        raise ValueError(f"{n_symbols} symbols cannot share {n_frames} frames")
    return (np.arange(n_frames) * n_symbols // n_frames).astype(np.int32)
