"""asr-train: flat-start Viterbi training of a BiLSTM phone model on a corpus without timing."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import torch

from . import parser, setup_logging

log = logging.getLogger("asr.train")

EXAMPLE = """asr-train ../shared/data/timit-sample exp/blstm --config recipes/timit/conf/sample.yaml
  torchrun --nproc_per_node=2 -m asr.cli.train corpus/ exp/ddp   # two processes (DDP)"""


def build_parser():
    p = parser("asr-train", "Learn a BiLSTM phone model from untimed transcripts: flat start, then "
               "train / re-align iterations (Viterbi training). Writes model.pt, history.json, curves.png.", EXAMPLE)
    p.add_argument("corpus", help="TIMIT tree, Kaldi data dir, or folder of audio + .lab/.txt")
    p.add_argument("out_dir", help="experiment folder (checkpoints, logs, model.pt)")
    p.add_argument("--config", help="YAML file of TrainConfig keys (see README); flags below override it")
    p.add_argument("--dict", default=None, help="pronunciation dictionary for word transcripts (default: cmudict)")
    p.add_argument("--split", default="train", choices=["train", "all"],
                   help="TIMIT: train on the train split (default) or on every utterance")
    p.add_argument("--include-sa", action="store_true", help="TIMIT: keep the SA sentences")
    p.add_argument("--transcripts", choices=["phones", "words"], help="use phone labels (times ignored) or words")
    p.add_argument("--iterations", type=int)
    p.add_argument("--epochs", type=int, dest="epochs_per_iteration")
    p.add_argument("--mode", choices=["realign", "combined"])
    p.add_argument("--states-per-phone", type=int, choices=[1, 3])
    p.add_argument("--hidden", type=int)
    p.add_argument("--layers", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--resume", action="store_true", help="continue from out_dir/checkpoint.pt exactly")
    p.add_argument("--cache-dir", default=None, help="feature cache (default: OUT_DIR/feats)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..config import ConfigError, load_yaml
    from ..corpus import CorpusError, load_corpus
    from ..corpus.timit import find_timit_root, prepare_timit
    from ..lexicon import LexiconError, load_lexicon
    from ..phones import UnitSet
    from ..train import TrainConfig, init_distributed, prepare_items, train

    out = Path(args.out_dir)
    rank, world = init_distributed(args.device)
    setup_logging(out / "train.log" if rank == 0 else None)
    if args.threads:
        torch.set_num_threads(args.threads)
    overrides = {k: getattr(args, k) for k in ("transcripts", "iterations", "epochs_per_iteration", "mode",
                                               "batch_size", "lr", "seed")}
    overrides.update({"model.states_per_phone": args.states_per_phone, "model.hidden": args.hidden,
                      "model.layers": args.layers})
    try:
        config = load_yaml(TrainConfig, args.config, overrides)
        if find_timit_root(args.corpus) is not None:
            splits = prepare_timit(args.corpus, include_sa=args.include_sa)
            train_utts = splits["train"] if args.split == "train" else splits["train"] + splits["dev"] + splits["test"]
            dev_utts = splits["dev"] if args.split == "train" else []
        else:
            train_utts, dev_utts = load_corpus(args.corpus), []
        lexicon = load_lexicon(args.dict) if config.transcripts == "words" or any(not u.phones for u in train_utts) else None
    except (ConfigError, CorpusError, LexiconError) as e:
        print(f"asr-train: {e}", file=sys.stderr)
        return 2
    units = UnitSet(states_per_phone=config.model.states_per_phone)
    cache = args.cache_dir or out / "feats"
    items, cmvn, errors = prepare_items(train_utts, config.features, units, config.transcripts, lexicon, cache,
                                        progress=not args.no_progress and rank == 0, speeds=config.speed_perturb)
    dev_items, _, dev_errors = prepare_items(dev_utts, config.features, units, config.transcripts, lexicon, cache,
                                             cmvn if config.features.cmvn == "global" else None, progress=False)
    for e in errors + dev_errors:
        log.error("skipped %s", e)
    if not items:
        print("asr-train: no usable training utterance", file=sys.stderr)
        return 2
    log.info("training on %d utterances (%.1f min), dev %d; %d units; world size %d", len(items),
             sum(len(i.feats) for i in items) / 6000, len(dev_items), len(units), world)
    try:
        train(items, dev_items, config, out, units, cmvn, args.device, args.resume, progress=not args.no_progress,
              lexicon=lexicon)
    except RuntimeError as e:
        print(f"asr-train: {e}", file=sys.stderr)
        return 2
    if rank == 0:
        log.info("model written to %s", out / "model.pt")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
