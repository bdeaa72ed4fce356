"""Benchmark: corpus alignment speed with a trained model on this machine, as x real time, split into
features / network / Viterbi / writing; the Viterbi stage is also timed with torchaudio's
forced_align (C++) on the same log-probabilities, as the peer.

    python tools/bench_align_corpus.py MODEL CORPUS [--transcripts phones] [--threads 2]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from asr.aligner import segments_to_aligned, utterance_audio
from asr.align import pad_log_probs, viterbi_align
from asr.corpus import load_corpus
from asr.corpus.timit import find_timit_root, prepare_timit
from asr.features import compute_features, normalize
from asr.io.writers import write
from asr.lexicon import default_lexicon
from asr.model import load_model
from asr.transcript import phone_targets, word_targets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("corpus")
    ap.add_argument("--transcripts", choices=["words", "phones"], default="words")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.model)
    if find_timit_root(args.corpus):
        utts = [u for s in prepare_timit(args.corpus, include_sa=True).values() for u in s]
    else:
        utts = load_corpus(args.corpus)
    lex = default_lexicon() if args.transcripts == "words" else None
    t = {"features": 0.0, "network": 0.0, "viterbi": 0.0, "writing": 0.0}
    peer = 0.0
    audio_s = 0.0
    out = Path(tempfile.mkdtemp())
    import torchaudio.functional as F

    for i in range(0, len(utts), 8):
        chunk = utts[i:i + 8]
        t0 = time.perf_counter()
        feats = {u.utt_id: compute_features(utterance_audio(u), model.features) for u in chunk}
        normed, _ = normalize(feats, model.features.cmvn, None, model.cmvn)
        targets = {u.utt_id: (phone_targets(u.phone_labels, model.units) if args.transcripts == "phones"
                              else word_targets(u.text, lex, model.units)) for u in chunk}
        t1 = time.perf_counter()
        lps = [lp - model.log_priors for lp in model.log_probs([normed[u.utt_id] for u in chunk])]
        t2 = time.perf_counter()
        padded, lengths = pad_log_probs(lps)
        res = viterbi_align(padded, [targets[u.utt_id].units for u in chunk], lengths,
                            [targets[u.utt_id].optional for u in chunk])
        t3 = time.perf_counter()
        for u, a in zip(chunk, res):
            write(out, u.utt_id, segments_to_aligned(u.utt_id, a.positions, targets[u.utt_id]), ["textgrid"])
        t4 = time.perf_counter()
        for u, lp in zip(chunk, lps):  # peer: the same posteriors through torchaudio (blank column that never wins)
            x = torch.from_numpy(np.concatenate([np.full((len(lp), 1), -1e4, np.float32), lp], 1))[None]
            tg = torch.from_numpy(targets[u.utt_id].units + 1)[None].int()
            s = time.perf_counter()
            F.forced_align(x, tg, blank=0)
            peer += time.perf_counter() - s
        for k, dt in zip(t, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            t[k] += dt
        audio_s += sum(len(f) for f in feats.values()) / 100
    total = sum(t.values())
    print(f"{len(utts)} utterances, {audio_s:.0f} s of audio, {args.threads} threads")
    print(f"{'stage':<10} {'seconds':>8} {'share':>7} {'x real time':>12}")
    for k, v in t.items():
        print(f"{k:<10} {v:8.2f} {100 * v / total:6.1f}% {audio_s / v:12.0f}")
    print(f"{'total':<10} {total:8.2f} {100:6.1f}% {audio_s / total:12.1f}")
    print(f"\npeer, torchaudio forced_align on the same posteriors: {peer:.2f} s; ratio ours/peer {t['viterbi'] / peer:.2f}")


if __name__ == "__main__":
    main()
