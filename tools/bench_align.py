"""Benchmark: our Viterbi forced aligner against torchaudio.functional.forced_align (C++), same sizes,
same run, one CPU thread. Prints a table and the ratio (ours / torchaudio; < 1 means we are faster).

    python tools/bench_align.py            # full table, including a 10-minute utterance
    python tools/bench_align.py --quick    # small sizes only
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch

from asr.align import viterbi_align


def _inputs(T: int, N: int, U: int = 144, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((1, T, U)).astype(np.float32))
    lp = torch.log_softmax(x, -1)
    tgt = rng.integers(1, U, size=N)
    tgt[1:][tgt[1:] == tgt[:-1]] = (tgt[1:][tgt[1:] == tgt[:-1]] % (U - 1)) + 1  # CTC needs no adjacent repeats here
    return lp, tgt


def _time(fn, repeat: int) -> float:
    fn()  # warm-up (numba compile, allocator)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    import numba
    import torchaudio.functional as F

    torch.set_num_threads(1)
    numba.set_num_threads(1)
    sizes = [(300, 40), (1000, 120), (3000, 400), (10000, 1200)] + ([] if args.quick else [(60000, 6000)])
    print(f"{'T x N':>14} {'ours ms':>10} {'torchaudio ms':>14} {'ratio':>7}")
    for T, N in sizes:
        lp, tgt = _inputs(T, N)
        tg = torch.from_numpy(tgt)[None].int()
        reps = 3 if T * N < 1e8 else 1
        ours = _time(lambda: viterbi_align(lp, [tgt]), reps)
        ta = _time(lambda: F.forced_align(lp, tg, blank=0), reps)
        print(f"{T:>6} x {N:<6} {ours * 1e3:10.1f} {ta * 1e3:14.1f} {ours / ta:7.2f}")
    # batched: B utterances at once vs B sequential torchaudio calls
    B, T, N = 32, 600, 80
    lps = [_inputs(T, N, seed=s) for s in range(B)]
    batch = torch.cat([lp for lp, _ in lps])
    tgts = [t for _, t in lps]
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    ours1 = _time(lambda: viterbi_align(batch, tgts), 3) / B
    numba.set_num_threads(1)
    ours_b = _time(lambda: viterbi_align(batch, tgts), 3) / B
    ta_b = _time(lambda: [F.forced_align(lp, torch.from_numpy(t)[None].int(), blank=0) for lp, t in lps], 3) / B
    print(f"\nbatched, {B} utterances of {T} x {N}, per utterance:")
    print(f"  ours, batched, 1 thread     {ours_b * 1e3:8.2f} ms   ratio {ours_b / ta_b:5.2f}")
    print(f"  ours, batched, all threads  {ours1 * 1e3:8.2f} ms   ratio {ours1 / ta_b:5.2f}")
    print(f"  torchaudio, one by one      {ta_b * 1e3:8.2f} ms")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
