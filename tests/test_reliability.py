"""Interrupted and concurrent work, unwritable outputs, long recordings: nothing lost or half-written."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

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


def _audio_matrix(root: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Every awkward input the issue lists, as files: (expected to fail, expected to work)."""
    import soundfile as sf

    from asr.audio import load_audio

    seven = load_audio(EXAMPLES / "7_jackson_0.wav").samples
    rng = np.random.default_rng(0)
    bad, good = {}, {}

    def put(group, name, writer):
        path = root / f"{name}.wav"
        writer(path)
        (root / f"{name}.lab").write_text("seven\n")
        group[name] = path

    put(bad, "empty", lambda p: p.write_bytes(b""))
    put(bad, "zero_samples", lambda p: sf.write(p, np.zeros(0, np.float32), 16000))
    put(bad, "one_ms", lambda p: sf.write(p, seven[:16], 16000))
    put(bad, "random_bytes", lambda p: p.write_bytes(rng.bytes(8000)))
    put(bad, "nan_samples", lambda p: sf.write(p, np.where(np.arange(len(seven)) % 50 == 0, np.nan, seven)
                                               .astype(np.float32), 16000, subtype="FLOAT"))
    put(bad, "inf_samples", lambda p: sf.write(p, np.where(np.arange(len(seven)) == 9, np.inf, seven)
                                               .astype(np.float32), 16000, subtype="FLOAT"))
    sph = next((Path(__file__).resolve().parents[2] / "shared").rglob("*.WAV"), None)
    if sph is not None:
        put(bad, "truncated_sphere", lambda p: p.write_bytes(sph.read_bytes()[:300]))
    put(good, "silence", lambda p: sf.write(p, np.zeros(8000, np.float32), 16000))
    put(good, "clipped", lambda p: sf.write(p, np.clip(seven * 40, -1, 1), 16000))
    put(good, "stereo", lambda p: sf.write(p, np.stack([seven, 0.5 * seven], 1), 16000))
    for rate in (8000, 22050, 44100, 48000):
        import librosa

        put(good, f"rate_{rate}", lambda p, r=rate: sf.write(p, librosa.resample(seven, orig_sr=16000, target_sr=r), r))
    put(good, "pcm24", lambda p: sf.write(p, seven, 16000, subtype="PCM_24"))
    put(good, "float32", lambda p: sf.write(p, seven, 16000, subtype="FLOAT"))

    def lying_riff(p):
        sf.write(p, seven, 16000, subtype="PCM_16")
        data = bytearray(p.read_bytes())
        data[4:8] = (10 ** 8).to_bytes(4, "little")  # RIFF size far beyond the file
        data[40:44] = (10 ** 8).to_bytes(4, "little")  # data chunk size too
        p.write_bytes(bytes(data))

    put(good, "riff_sizes_lie", lying_riff)
    return bad, good


def test_bad_audio_matrix_through_both_tools(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad, good = _audio_matrix(corpus)
    # asr-transcribe: one line per bad file, every good file transcribed, exit 1
    res = subprocess.run([sys.executable, "-m", "asr.cli.transcribe", str(corpus), "--no-progress"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("asr-transcribe: ")]
    assert len(errors) == len(bad)
    for name, path in bad.items():
        assert sum(str(path) in e for e in errors) == 1, name
    done = {line.split()[0] for line in res.stdout.splitlines()}
    assert done == set(good)
    assert res.stdout.splitlines()[sorted(good).index("rate_48000")].split()[1:] == ["seven"]
    # asr-align with a model: errors.tsv names exactly the bad files, a TextGrid for every good one
    out = tmp_path / "aligned"
    from asr.cli.transcribe import default_model

    res = subprocess.run([sys.executable, "-m", "asr.cli.align", str(corpus), str(out), "--model",
                          str(default_model()), "--dict", str(EXAMPLES.parent / "digits.dict"), "--no-progress"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    rows = (out / "errors.tsv").read_text().splitlines()[1:]
    assert sorted(r.split("\t")[0] for r in rows) == sorted(bad)
    assert all(len(r.split("\t")) == 3 and r.split("\t")[2] for r in rows)
    assert sorted(p.stem for p in out.rglob("*.TextGrid")) == sorted(good)
    assert not [p for p in out.rglob(".*") if p.is_file()]
