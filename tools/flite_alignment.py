"""Flat-start Viterbi training on flite speech (several voices, exact phone times from -psdur):
boundary agreement per iteration against the synthesiser's own times.

    python tools/flite_alignment.py --out exp/flite [--config recipes/timit/conf/sample.yaml]
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from asr.config import load_yaml
from asr.corpus.flite import SENTENCES, VOICES, make_flite_corpus
from asr.phones import UnitSet
from asr.train import TrainConfig, prepare_items, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="exp/flite")
    ap.add_argument("--config", default=None)
    ap.add_argument("--voices", default=",".join(VOICES))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(args.out)
    utts = make_flite_corpus(out / "corpus", SENTENCES, tuple(args.voices.split(",")))
    cfg = load_yaml(TrainConfig, args.config)
    units = UnitSet(states_per_phone=cfg.model.states_per_phone)
    items, cmvn, errors = prepare_items(utts, cfg.features, units, cache_dir=out / "feats", progress=False)
    print(f"{len(items)} utterances, {sum(len(i.feats) for i in items) / 6000:.1f} min, {len(errors)} errors")
    train(items, [], cfg, out / "train", units, cmvn, progress=False)
    hist = json.loads((out / "train" / "history.json").read_text())
    print(f"{'iteration':>9} {'stage':>6} {'within 20 ms':>12} {'mean ms':>8}")
    for h in hist:
        print(f"{h['iteration']:>9} {h['stage']:>6} {h['boundary_within_20ms']:12.1f} {h['boundary_mean_ms']:8.1f}")


if __name__ == "__main__":
    main()
