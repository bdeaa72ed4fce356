#!/usr/bin/env python3
"""Stage 0 of the digits recipe: Kaldi data dirs for leave-one-speaker-out folds and for all speakers.

    python local/prepare_data.py FSDD_DIR DATA_DIR [--per-digit N] [--extra DIR]

Writes DATA_DIR/all, DATA_DIR/fold_<spk>/{train,test} (train: every other speaker; test: <spk>) and
DATA_DIR/lang/lexicon.txt (the ten digit words). ``--extra`` adds the recordings of another folder in
the same layout (e.g. synthetic speakers) to every training set, never to a test set.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from asr.corpus import CorpusError
from asr.corpus.fsdd import read_fsdd
from asr.corpus.kaldi_dir import write_kaldi_dir

DICT = Path(__file__).resolve().parents[3] / "asr" / "data" / "digits.dict"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("fsdd")
    p.add_argument("data")
    p.add_argument("--per-digit", type=int, default=0, help="keep the first N recordings per speaker and digit (0: all)")
    p.add_argument("--extra", help="folder of more training recordings ({digit}_{speaker}_{n}.wav)")
    args = p.parse_args()
    try:
        utts = read_fsdd(Path(args.fsdd).resolve())  # absolute paths in wav.scp: valid from any folder
        extra = read_fsdd(Path(args.extra).resolve()) if args.extra else []
    except CorpusError as e:
        print(f"prepare_data: {e}", file=sys.stderr)
        return 2
    if args.per_digit:
        kept, count = [], defaultdict(int)
        for u in sorted(utts, key=lambda u: (u.speaker, u.text, int(u.utt_id.rsplit("_", 1)[1]))):
            count[(u.speaker, u.text)] += 1
            if count[(u.speaker, u.text)] <= args.per_digit:
                kept.append(u)
        utts = kept
    speakers = sorted({u.speaker for u in utts})
    if len(speakers) < 2:
        print(f"prepare_data: {args.fsdd}: leave-one-speaker-out needs at least 2 speakers, found {speakers}",
              file=sys.stderr)
        return 2
    data = Path(args.data)
    write_kaldi_dir(utts + extra, data / "all")
    for spk in speakers:
        write_kaldi_dir([u for u in utts if u.speaker != spk] + extra, data / f"fold_{spk}" / "train")
        write_kaldi_dir([u for u in utts if u.speaker == spk], data / f"fold_{spk}" / "test")
    (data / "lang").mkdir(parents=True, exist_ok=True)
    shutil.copy(DICT, data / "lang" / "lexicon.txt")
    more = f" (+{len(extra)} extra training recordings)" if extra else ""
    print(f"{len(utts)} recordings, speakers {' '.join(speakers)}{more}: folds written to {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
