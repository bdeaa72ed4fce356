"""Benchmark: feature extraction speed as x real time on one core, against the peer measured in the
same run (torchaudio.compliance.kaldi.fbank on the same audio, and librosa's melspectrogram).
Target: >= 300x real time for 40-bin fbank.

    python tools/bench_features.py [--shared ../shared/data]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch

from asr.audio import load_audio
from asr.features import FeatureConfig, compute_features


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("ASR_SHARED_DATA", "../shared/data"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    wavs = sorted((Path(args.shared) / "timit-sample").rglob("*.WAV"))
    if wavs:
        audio = [load_audio(w).samples for w in wavs]
    else:  # no corpus: one minute of noise in 3 s pieces
        audio = [np.random.default_rng(i).standard_normal(48000).astype(np.float32) * 0.1 for i in range(20)]
    seconds = sum(len(a) for a in audio) / 16000
    import librosa
    import torchaudio.compliance.kaldi as kaldi

    def ours(cfg):
        return lambda: [compute_features(a, cfg) for a in audio]

    def ta_fbank():
        return [kaldi.fbank(torch.from_numpy(a)[None] * 32768, num_mel_bins=40, dither=0.0) for a in audio]

    def librosa_mel():
        return [librosa.power_to_db(librosa.feature.melspectrogram(y=a, sr=16000, n_fft=512, hop_length=160,
                                                                   win_length=400, n_mels=40)) for a in audio]

    rows = [("asr fbank 40", ours(FeatureConfig())), ("asr mfcc 13 + deltas", ours(FeatureConfig(kind="mfcc", deltas=True))),
            ("asr fbank 40, kaldi mode", ours(FeatureConfig(kaldi=True))),
            ("peer: torchaudio kaldi.fbank", ta_fbank), ("peer: librosa melspectrogram", librosa_mel)]
    print(f"{seconds:.0f} s of audio ({len(audio)} files), one thread\n{'features':<32} {'x real time':>12}")
    results = {}
    for name, fn in rows:
        fn()
        t = time.perf_counter()
        fn()
        results[name] = seconds / (time.perf_counter() - t)
        print(f"{name:<32} {results[name]:12.0f}")
    print(f"\nratio asr fbank / torchaudio kaldi.fbank: {results['asr fbank 40'] / results['peer: torchaudio kaldi.fbank']:.2f}")


if __name__ == "__main__":
    main()
