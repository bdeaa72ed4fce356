#!/usr/bin/env python3
"""Stage 0 of the TIMIT recipe: Kaldi data dirs for train / dev / test from a TIMIT tree.

    python local/prepare_data.py TIMIT_DIR DATA_DIR

Each DATA_DIR/<split>/ gets wav.scp, text (words), utt2spk, spk2utt, and text.phn: the phone
transcript folded 61 -> 48 (``q`` dropped), the reference that phone error rates are scored against
(after folding to 39). Splits: the standard dev (50 speakers) and core test (24 speakers) when the
corpus holds them, else TIMIT's own TRAIN/TEST folders (logged).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from asr.corpus import CorpusError
from asr.corpus.kaldi_dir import write_kaldi_dir
from asr.corpus.timit import prepare_timit
from asr.io.atomic import atomic_write_text
from asr.phones import fold


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        splits = prepare_timit(sys.argv[1])
    except CorpusError as e:
        print(f"prepare_data: {e}", file=sys.stderr)
        return 2
    data = Path(sys.argv[2])
    summary = []
    for name, utts in splits.items():
        if not utts:
            continue
        write_kaldi_dir(utts, data / name)
        atomic_write_text(data / name / "text.phn",
                          "".join(f"{u.utt_id} {' '.join(fold(u.phone_labels, '48'))}\n" for u in utts))
        summary.append(f"{name} {len(utts)} utts / {len({u.speaker for u in utts})} speakers")
    print("; ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
