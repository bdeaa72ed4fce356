import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from asr.align import _viterbi_torch, flat_start, position_spans, viterbi_align


def brute_force(lp, tgt, opt):
    """Best score over every stay/advance(/skip optional) path, by enumeration."""
    T, N = lp.shape[0], len(tgt)
    best = -np.inf

    def rec(t, n, acc):
        nonlocal best
        if t == T:
            if n == N - 1 or (N > 1 and opt[N - 1] and n == N - 2):
                best = max(best, acc)
            return
        for step in (0, 1, 2):
            m = n + step
            if m < N and (step < 2 or opt[n + 1]):
                rec(t + 1, m, acc + lp[t, tgt[m]])

    rec(1, 0, lp[0, tgt[0]])
    if N > 1 and opt[0]:
        rec(1, 1, lp[0, tgt[1]])
    return best


def path_score(lp, tgt, positions):
    return float(sum(lp[t, tgt[n]] for t, n in enumerate(positions)))


def valid_path(positions, n, opt):
    steps = np.diff(positions)
    ok_steps = all(s in (0, 1) or (s == 2 and opt[p + 1]) for p, s in zip(positions[:-1], steps))
    start_ok = positions[0] == 0 or (positions[0] == 1 and opt[0])
    end_ok = positions[-1] == n - 1 or (positions[-1] == n - 2 and opt[n - 1])
    return ok_steps and start_ok and end_ok


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 7), st.integers(1, 5), st.integers(2, 4), st.integers(0, 2**31 - 1), st.booleans())
def test_best_path_equals_brute_force(T, N, U, seed, with_optional):
    rng = np.random.default_rng(seed)
    lp = np.log(rng.dirichlet(np.ones(U), size=T)).astype(np.float32)
    tgt = rng.integers(0, U, size=N)
    opt = (rng.random(N) < 0.4) if with_optional else np.zeros(N, bool)
    best = brute_force(lp, tgt, opt)
    a = viterbi_align(lp[None], [tgt], optional=[opt])[0]
    if best == -np.inf:
        assert a.error is not None
        return
    assert a.error is None
    assert a.score == pytest.approx(best, abs=1e-4)
    assert len(a.positions) == T and valid_path(a.positions, N, opt)
    assert path_score(lp, tgt, a.positions) == pytest.approx(best, abs=1e-4)


def test_batched_equals_one_by_one_and_torch_path_agrees():
    rng = np.random.default_rng(7)
    B, T, U = 6, 40, 10
    lp = torch.log_softmax(torch.from_numpy(rng.standard_normal((B, T, U)).astype(np.float32) * 3), -1)
    lens = [40, 33, 25, 40, 12, 30]
    tgts = [rng.integers(0, U, size=n) for n in (9, 20, 3, 1, 12, 30)]
    opts = [rng.random(len(t)) < 0.3 for t in tgts]
    batch = viterbi_align(lp, tgts, lens, opts)
    for b in range(B):
        single = viterbi_align(lp[b:b + 1, :lens[b]], [tgts[b]], optional=[opts[b]])[0]
        assert np.array_equal(batch[b].positions, single.positions) and batch[b].score == pytest.approx(single.score)
    N = max(len(t) for t in tgts)
    tg = torch.zeros(B, N, dtype=torch.long)
    op = torch.zeros(B, N, dtype=torch.bool)
    for b, (t, o) in enumerate(zip(tgts, opts)):
        tg[b, :len(t)] = torch.from_numpy(t)
        op[b, :len(o)] = torch.from_numpy(o)
    pos, scores = _viterbi_torch(lp, tg, op, torch.tensor(lens), torch.tensor([len(t) for t in tgts]))
    for b in range(B):
        assert scores[b].item() == pytest.approx(batch[b].score, abs=1e-3)
        assert np.array_equal(pos[b, :lens[b]].numpy(), batch[b].positions)


def test_planted_path_is_recovered():
    """Hide a known segmentation in noisy posteriors; the aligner finds it back exactly."""
    rng = np.random.default_rng(3)
    U, tgt = 12, np.array([0, 5, 3, 7, 5, 2, 9, 2])
    durations = rng.integers(2, 9, size=len(tgt))
    truth = np.repeat(np.arange(len(tgt)), durations)
    probs = rng.dirichlet(np.ones(U), size=len(truth)) * 0.4
    probs[np.arange(len(truth)), tgt[truth]] += 0.6
    lp = np.log(probs / probs.sum(1, keepdims=True)).astype(np.float32)
    a = viterbi_align(lp[None], [tgt])[0]
    assert np.array_equal(a.positions, truth)


def test_adjacent_repeats_are_distinct_positions():
    lp = np.log(np.full((1, 7, 3), 1 / 3, dtype=np.float32))
    a = viterbi_align(lp, [np.array([2, 2, 2])])[0]
    spans = position_spans(a.positions)
    assert [p for p, _, _ in spans] == [0, 1, 2] and all(e > s for _, s, e in spans)


def test_matches_torchaudio_forced_align_when_topologies_coincide():
    """With a blank that can never win and no adjacent repeats, CTC forced alignment is stay-or-advance."""
    import torchaudio.functional as F

    rng = np.random.default_rng(11)
    T, U = 60, 8
    tgt = np.array([1, 4, 2, 7, 3, 5, 1, 6])
    x = torch.from_numpy(rng.standard_normal((1, T, U)).astype(np.float32) * 2)
    x[:, :, 0] = -1e4  # blank
    lp = torch.log_softmax(x, -1)
    ta, _ = F.forced_align(lp, torch.from_numpy(tgt)[None].int(), blank=0)
    ours = viterbi_align(lp, [tgt])[0]
    assert np.array_equal(ours.units, ta[0].numpy())


def test_transcript_too_long_is_reported_and_the_batch_goes_on():
    lp = torch.log_softmax(torch.randn(2, 10, 5), -1)
    res = viterbi_align(lp, [np.arange(5), np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1])], [10, 10])
    assert res[0].error is None and len(res[0].positions) == 10
    assert "12 symbols" in res[1].error and "has 10" in res[1].error


def test_flat_start_is_uniform():
    pos = flat_start(10, 3)
    assert list(pos) == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError):
        flat_start(2, 3)


def test_banded_alignment_equals_the_full_one_and_bounds_memory():
    from asr.align import viterbi_align_banded

    rng = np.random.default_rng(3)
    for T, N in [(40, 15), (600, 150), (2500, 800)]:
        lp = np.log(rng.dirichlet(np.ones(20), size=T)).astype(np.float32)
        tg, opt = rng.integers(0, 20, N), rng.random(N) < 0.2
        full = viterbi_align(lp[None], [tg], None, [opt])[0]
        for band in (N, max(N // 5, 10)):
            b = viterbi_align_banded(lp, tg, opt, band=band)
            assert np.array_equal(b.positions, full.positions) and b.score == pytest.approx(full.score)
        # viterbi_align hands utterances above max_cells to the banded kernel by itself
        routed = viterbi_align(lp[None], [tg], None, [opt], max_cells=T * N - 1)[0]
        assert np.array_equal(routed.positions, full.positions)


def test_banded_alignment_keeps_to_its_band():
    from asr.align import viterbi_align_banded

    T, N, U = 200, 40, 41
    lp = np.full((T, U), -20.0, np.float32)
    # all the speech at the very end: the best path runs far from the diagonal
    lp[:160, 0] = 0.0
    for n in range(1, N):
        lp[160 + n - 1, n] = 0.0
    tg = np.arange(N)
    assert viterbi_align_banded(lp, tg, band=N).error is None
    narrow = viterbi_align_banded(lp, tg, band=3)  # the best path inside the band: a worse one
    assert narrow.error is None and narrow.score < viterbi_align_banded(lp, tg, band=N).score - 100
    assert np.abs(narrow.positions - np.arange(T) * N // T).max() <= 3
    lp[:, 1:] = -np.inf  # no path at all within the band (nor outside)
    assert "diagonal" in viterbi_align_banded(lp, tg, band=3).error
