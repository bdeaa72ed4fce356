#!/usr/bin/env python3
"""Stage 1 of the TIMIT recipe: features of every utterance into the cache that asr-train reads.

    python local/compute_features.py CONFIG CACHE_DIR DATA_DIR...

CMVN is applied when the features are used (per utterance or speaker, as the config says), so the
cache holds raw features; it is keyed by the feature settings, and entries are written atomically.
"""
from __future__ import annotations

import sys

from tqdm import tqdm

from asr.audio import AudioError
from asr.config import load_yaml
from asr.corpus.kaldi_dir import read_kaldi_dir
from asr.features import FeatureCache
from asr.train import TrainConfig


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    config = load_yaml(TrainConfig, sys.argv[1])
    cache = FeatureCache(sys.argv[2], config.features)
    done = failed = frames = 0
    for data in sys.argv[3:]:
        for u in tqdm(read_kaldi_dir(data), desc=data, file=sys.stderr, mininterval=5):
            try:
                frames += len(cache.features(u.utt_id, u.audio))
                done += 1
            except AudioError as e:
                print(f"compute_features: {e}", file=sys.stderr)
                failed += 1
    print(f"{done} utterances ({frames / 360000:.2f} h), {failed} failed; {config.features.kind} "
          f"{config.features.dim}-dim features cached in {cache.dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
