"""Interrupted and concurrent work, unwritable outputs, long recordings: nothing lost or half-written."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from asr.corpus.fsdd import DIGIT_WORDS

EXAMPLES = Path(__file__).resolve().parent.parent / "asr" / "data" / "examples"


def transcribe_cmd(inputs, out_dir, *extra):
    return [sys.executable, "-m", "asr.cli.transcribe", *map(str, inputs), "--output-dir", str(out_dir),
            "--no-progress", *extra]


def complete(out_dir: Path) -> dict[str, str]:
    """Every output file parsed; a partial file would fail the format check."""
    got = {}
    for f in out_dir.glob("*.txt"):
        text = f.read_text()
        assert text.endswith("\n") and text.split()[0] == f.stem, f
        assert set(text.split()[1:]) <= set(DIGIT_WORDS), f
        got[f.stem] = text
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")], "temporary files left behind"
    return got


def test_transcription_killed_mid_corpus_resumes_with_only_the_missing_files(fsdd_dir, tmp_path):
    wavs = sorted(fsdd_dir.glob("*_jackson_*.wav"))[:300]
    out = tmp_path / "hyp"
    proc = subprocess.Popen(transcribe_cmd(wavs, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*.txt"))) < 20:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first = complete(out)
    assert 20 <= len(first) < len(wavs)
    res = subprocess.run(transcribe_cmd(wavs, out), capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert f"already done {len(first)}" in res.stderr
    second = complete(out)
    assert len(second) == len(wavs)
    assert all(second[k] == v for k, v in first.items())  # nothing already written was touched


def test_two_runs_into_the_same_output_folder(tmp_path):
    out = tmp_path / "hyp"
    procs = [subprocess.Popen(transcribe_cmd([EXAMPLES], out, "--overwrite"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert len(complete(out)) == 20


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    res = subprocess.run(transcribe_cmd([EXAMPLES / "1_jackson_0.wav"], blocker / "out"), capture_output=True,
                         text=True, check=False)
    assert res.returncode == 2
    assert res.stderr.strip().endswith("output folder cannot be created or written (Not a directory)")
    assert str(blocker / "out") in res.stderr
    res = subprocess.run([sys.executable, "-m", "asr.cli.align", str(EXAMPLES), str(blocker / "out"),
                          "--no-progress"], capture_output=True, text=True, check=False)
    assert res.returncode == 2 and "output folder cannot be created or written" in res.stderr


def test_phones_inside_decoded_words_match_a_whole_utterance_alignment():
    """The long-file path (phones aligned word by word) equals forced alignment of the whole file."""
    from asr.align import viterbi_align
    from asr.lexicon import parse_lexicon
    from asr.phones import UnitSet
    from asr.decode import compile_graph, decode_words
    from asr.transcriber import phones_within_words
    from asr.transcript import phone_segments, pronunciation_targets

    units = UnitSet(states_per_phone=3)
    lex = parse_lexicon(["one w ah n", "two t uw", "nine n ay n"])
    rng = np.random.default_rng(0)
    seq = []
    for word in ["sil", "one", "sil", "nine", "two", "sil"]:
        phones = ["sil"] if word == "sil" else list(lex.lookup(word)[0])
        for p in phones:
            states = units.units([p])[:1] if p == "sil" else units.units([p])
            seq += [u for u in states for _ in range(int(rng.integers(2, 5)))]
    lp = np.log(np.full((len(seq), len(units)), 0.3 / len(units)))
    lp[np.arange(len(seq)), seq] = np.log(0.7)
    lp += rng.normal(0, 0.3, lp.shape)
    hyp = decode_words(lp, compile_graph(lex, units))
    assert hyp.text == "one nine two"
    words = [w.label for w in hyp.words]
    tg = pronunciation_targets(words, hyp.prons, units)
    a = viterbi_align(lp[None], [tg.units], None, [tg.optional])[0]
    whole = [(s.label, s.start, s.end) for s in phone_segments(a.positions, tg)]
    parts = [(s.label, s.start, s.end) for s in phones_within_words(lp, hyp.words, hyp.prons, units)]
    assert parts == whole
