"""asr-transcribe: decode audio files into dictionary words (or phones) with a trained model."""
from __future__ import annotations

import glob
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from . import parse_shard, parser, setup_logging

log = logging.getLogger("asr.transcribe")

EXAMPLE = """asr-transcribe recording.wav                      # the embedded digits model and dictionary
  asr-transcribe recordings/ --format ctm -o out.ctm
  asr-transcribe data/test/wav.scp --model exp/digits/model.pt --lm words.arpa -j 2
  find . -name '*.flac' | asr-transcribe - --model my.pt --dict my.dict --format json --output-dir hyp/
  asr-transcribe 'corpus/**/*.wav' --model timit.pt --phones"""

AUDIO_SUFFIXES = (".wav", ".flac", ".sph", ".ogg", ".mp3")
FORMATS = ("text", "ctm", "json")


def default_model() -> Path:
    """The digits model shipped in the package (trained by recipes/digits on the four FSDD speakers)."""
    return Path(__file__).resolve().parent.parent / "data" / "models" / "digits.pt"


def build_parser():
    p = parser("asr-transcribe", "Transcribe audio into dictionary words (only phone sequences that spell "
               "dictionary words come out) or, with --phones, into phones. Prints 'utt-id words' per file, "
               "or CTM / JSON lines.", EXAMPLE)
    p.add_argument("inputs", nargs="+", help="audio files, folders, globs, a Kaldi wav.scp or data dir, "
                   "or '-' for a list of paths on stdin")
    p.add_argument("--model", default=None, help="model.pt (default: the embedded digits model)")
    p.add_argument("--dict", default=None, help="decoding dictionary (default: the words the model was trained on)")
    p.add_argument("--lm", default=None, help="word bigram: an ARPA file, or a text file (one sentence per "
                   "line) to estimate one from; default: a flat word loop")
    p.add_argument("--config", help="YAML of decoder settings (keys: see DecodeConfig in the README)")
    p.add_argument("--beam", type=float, help="pruning beam (log units)")
    p.add_argument("--lm-scale", type=float, help="weight of the word LM")
    p.add_argument("--word-penalty", type=float, help="added per word (negative: fewer words)")
    p.add_argument("--prior-scale", type=float, help="scaled likelihoods: log posterior - this * log prior")
    p.add_argument("--phones", action="store_true", help="decode phones with the phone loop instead of words")
    p.add_argument("--format", default="text", choices=FORMATS, help="text (default), ctm or json (one object per line)")
    p.add_argument("-o", "--output", help="write all results to this file (atomically, at the end)")
    p.add_argument("--output-dir", help="one file per input (UTT.txt/.ctm/.json), written as each is done; "
                   "a re-run skips inputs already done")
    p.add_argument("--overwrite", action="store_true", help="with --output-dir: redo inputs already done")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--shard", default=None, help="K/N: transcribe only the K-th of N disjoint parts (1-based)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--no-progress", action="store_true")
    return p


def gather_inputs(specs: list[str], stdin=None) -> tuple[list, list[str]]:
    """Utterances from files, folders, globs, wav.scp / Kaldi dirs and stdin lists; plus one error per bad spec."""
    from ..corpus.kaldi_dir import is_kaldi_dir, read_kaldi_dir
    from ..corpus.utterance import CorpusError, Utterance

    paths: list[Path] = []
    utts: list[Utterance] = []
    errors: list[str] = []
    expanded: list[str] = []
    for spec in specs:
        if spec == "-":
            expanded.extend(line.strip() for line in (stdin or sys.stdin) if line.strip())
        else:
            expanded.append(spec)
    for spec in expanded:
        p = Path(spec)
        try:
            if p.name == "wav.scp" and p.is_file():
                utts.extend(read_kaldi_dir(p.parent))
            elif p.is_dir() and is_kaldi_dir(p):
                utts.extend(read_kaldi_dir(p))
            elif p.is_dir():
                found = sorted(f for f in p.rglob("*") if f.suffix.lower() in AUDIO_SUFFIXES and f.is_file())
                if not found:
                    errors.append(f"{p}: no audio files ({', '.join(AUDIO_SUFFIXES)}) in this folder")
                paths.extend(found)
            elif p.exists():
                paths.append(p)
            elif any(c in spec for c in "*?["):
                found = sorted(Path(f) for f in glob.glob(spec, recursive=True) if Path(f).is_file())
                if not found:
                    errors.append(f"{spec}: no file matches this pattern")
                paths.extend(found)
            else:
                errors.append(f"{p}: no such file or folder")
        except CorpusError as e:
            errors.append(str(e))
    seen: dict[str, int] = {}
    for p in paths:
        seen[p.stem] = seen.get(p.stem, 0) + 1
    for p in paths:
        utt_id = p.stem if seen[p.stem] == 1 else "-".join(p.with_suffix("").parts[-3:])
        utts.append(Utterance(utt_id, utt_id, str(p), rel=utt_id))
    return utts, errors


def format_result(tr, fmt: str) -> str:
    """One input's output text in ``fmt`` (ends with a newline unless empty)."""
    from ..io.writers import format_ctm

    r = tr.result
    if fmt == "text":
        return f"{tr.utt_id} {tr.text}".rstrip() + "\n"
    if fmt == "ctm":
        return format_ctm(r, "phones" if not r.words else "words")
    return json.dumps({"utt_id": tr.utt_id, "audio": tr.source, "duration": r.duration, "score": round(tr.score, 3),
                       "text": tr.text,
                       "words": [{"word": s.label, "start": s.start, "end": s.end, "score": round(s.score, 3)}
                                 for s in r.words],
                       "phones": [{"phone": s.label, "start": s.start, "end": s.end} for s in r.phones]}) + "\n"


_WORKER: dict = {}


def _make_transcriber(args):
    from ..config import load_yaml
    from ..lexicon import load_lexicon
    from ..model import load_model
    from ..transcriber import DecodeConfig, Transcriber

    overrides = {"beam": args.beam, "lm_scale": args.lm_scale, "word_penalty": args.word_penalty,
                 "prior_scale": args.prior_scale}
    config = load_yaml(DecodeConfig, args.config, overrides)
    model_path = args.model or default_model()
    model = load_model(model_path, args.device)
    lexicon = load_lexicon(args.dict) if args.dict else None
    return Transcriber(model, lexicon, load_lm(args.lm) if args.lm else None, config, args.phones, args.device)


def load_lm(path: str):
    """An ARPA file, or a bigram estimated from a text file (one sentence per line)."""
    from ..lexicon import normalize_text
    from ..lm import estimate_bigram_lm, read_arpa

    text = Path(path).read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith("\\data\\"):
        return read_arpa(path)
    return estimate_bigram_lm(normalize_text(line) for line in text.splitlines() if line.strip())


def _init_worker(args) -> None:
    import torch

    torch.set_num_threads(1)
    _WORKER["t"] = _make_transcriber(args)


def _work(utt):
    return _WORKER["t"].transcribe(utt)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    from ..config import ConfigError
    from ..io.atomic import atomic_write_text
    from ..lexicon import LexiconError
    from ..lm import LMError
    from ..model import ModelError

    t0 = time.time()
    try:
        k, n = parse_shard(args.shard)
        transcriber = _make_transcriber(args)
    except (ConfigError, LexiconError, LMError, ModelError, ValueError, OSError) as e:
        print(f"asr-transcribe: {e}", file=sys.stderr)
        return 2
    utts, failures = gather_inputs(args.inputs)
    utts = sorted(utts, key=lambda u: u.utt_id)[k - 1::n]
    for e in failures:
        print(f"asr-transcribe: {e}", file=sys.stderr)
    out_dir = Path(args.output_dir) if args.output_dir else None
    suffix = {"text": ".txt", "ctm": ".ctm", "json": ".json"}[args.format]
    done_before = 0
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
                pass
        except OSError as e:
            print(f"asr-transcribe: {out_dir}: output folder cannot be created or written ({e.strerror})",
                  file=sys.stderr)
            return 2
        if not args.overwrite:
            todo = [u for u in utts if not (out_dir / (u.utt_id + suffix)).exists()]
            done_before = len(utts) - len(todo)
            utts = todo
    if not utts and not done_before:
        print("asr-transcribe: nothing to transcribe", file=sys.stderr)
        return 2
    from tqdm import tqdm

    if args.jobs > 1 and len(utts) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(args,))
        results = pool.map(_work, utts, chunksize=max(1, len(utts) // (args.jobs * 8)))
    else:
        pool, results = None, map(transcriber.transcribe, utts)
    collected: list[str] = []
    n_ok, audio_s = 0, 0.0
    n_failed = len(failures)
    try:
        for tr in tqdm(results, total=len(utts), desc="transcribe", disable=args.no_progress or len(utts) < 2,
                       file=sys.stderr):
            if tr.error:
                n_failed += 1
                print(f"asr-transcribe: {tr.error}", file=sys.stderr)
                continue
            n_ok += 1
            audio_s += tr.result.duration
            text = format_result(tr, args.format)
            if out_dir is not None:
                try:
                    atomic_write_text(out_dir / (tr.utt_id + suffix), text)
                except OSError as e:
                    print(f"asr-transcribe: {out_dir / (tr.utt_id + suffix)}: cannot write ({e.strerror})", file=sys.stderr)
                    n_failed += 1
                    n_ok -= 1
            elif args.output:
                collected.append(text)
            else:
                sys.stdout.write(text)
                sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stderr.close()
        return 0
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if args.output:
        try:
            atomic_write_text(args.output, "".join(collected))
        except OSError as e:
            print(f"asr-transcribe: {args.output}: cannot write ({e.strerror})", file=sys.stderr)
            return 2
    wall = time.time() - t0
    if n_ok + n_failed + done_before > 1:
        print(f"transcribed {n_ok}, failed {n_failed}, already done {done_before}; {audio_s:.1f} s of audio "
              f"in {wall:.1f} s ({audio_s / max(wall, 1e-9):.1f}x real time)", file=sys.stderr)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
