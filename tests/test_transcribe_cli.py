"""asr-transcribe end to end: a small model trained on the packaged digit examples, every input kind,
every output format, bad files, re-runs, shards and workers; and the embedded default model."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asr.cli.train import main as train_main
from asr.cli.transcribe import default_model, gather_inputs
from asr.cli.transcribe import main as transcribe_main

EXAMPLES = Path(__file__).resolve().parent.parent / "asr" / "data" / "examples"
DIGITS_DICT = EXAMPLES.parent / "digits.dict"
TINY = """
features: {cmvn: utterance}
bootstrap: {iterations: 8, context: 1, hidden: 64}
iterations: 1
epochs_per_iteration: 12
batch_size: 2
model: {hidden: 32, layers: 1, dropout: 0.0}
transcripts: words
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digits_model")
    (out / "tiny.yaml").write_text(TINY)
    assert train_main([str(EXAMPLES), str(out), "--config", str(out / "tiny.yaml"), "--dict", str(DIGITS_DICT),
                       "--no-progress"]) == 0
    return out / "model.pt"


def run(args, capsys, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = transcribe_main([*map(str, args), "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(out: str) -> dict[str, str]:
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] if " " in line else "" for line in out.splitlines()}


def test_folder_of_training_examples_is_recognised(model, capsys):
    code, out, _ = run([EXAMPLES, "--model", model], capsys)
    assert code == 0
    got = lines_of(out)
    assert len(got) == 20
    right = sum(got[u] == ("zero one two three four five six seven eight nine".split()[int(u[0])]) for u in got)
    assert right >= 12, got  # its own training data, a 32-unit single-layer model; chance is 2 in 20


def test_every_input_kind_names_the_same_files(tmp_path, monkeypatch):
    wavs = sorted(EXAMPLES.glob("*.wav"))
    scp = tmp_path / "wav.scp"
    scp.write_text("".join(f"{w.stem} {w}\n" for w in wavs[:3]))
    by_folder, e1 = gather_inputs([str(EXAMPLES)])
    by_glob, e2 = gather_inputs([str(EXAMPLES / "*_jackson_*.wav")])
    by_scp, e3 = gather_inputs([str(scp)])
    by_stdin, e4 = gather_inputs(["-"], stdin=io.StringIO("\n".join(str(w) for w in wavs[:2]) + "\n"))
    assert not (e1 or e2 or e3 or e4)
    assert len(by_folder) == 20 and len(by_glob) == 10
    assert [u.utt_id for u in by_scp] == [w.stem for w in wavs[:3]]
    assert [u.audio for u in by_stdin] == [str(w) for w in wavs[:2]]
    (tmp_path / "empty").mkdir()
    _, errors = gather_inputs([str(tmp_path / "missing.wav"), str(tmp_path / "*.flac"), str(tmp_path / "empty")])
    assert [e.split(": ", 1)[1] for e in errors] == ["no such file or folder", "no file matches this pattern",
                                                     "no audio files (.wav, .flac, .sph, .ogg, .mp3) in this folder"]


def test_bad_files_are_reported_one_line_each_and_the_rest_done(model, tmp_path, capsys):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(os.urandom(3000))
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    good = EXAMPLES / "7_nicolas_0.wav"
    code, out, err = run([bad, good, empty, tmp_path / "gone.wav", "--model", model], capsys)
    assert code == 1
    assert list(lines_of(out)) == ["7_nicolas_0"]
    errs = [line for line in err.splitlines() if line.startswith("asr-transcribe:")]
    assert len(errs) == 3
    assert any(str(bad) in e for e in errs) and any(str(empty) in e for e in errs)
    assert "transcribed 1, failed 3" in err


def test_formats_ctm_and_json(model, capsys):
    wav = EXAMPLES / "4_jackson_0.wav"
    code, out, _ = run([wav, "--model", model, "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["utt_id"] == "4_jackson_0" and data["text"] == " ".join(w["word"] for w in data["words"])
    for w in data["words"]:
        assert 0 <= w["start"] < w["end"] <= data["duration"]
        assert round(w["start"] * 100, 6).is_integer()  # times are whole 10 ms frames
    code, out, _ = run([wav, "--model", model, "--format", "ctm"], capsys)
    fields = out.split()
    assert fields[:2] == ["4_jackson_0", "1"] and len(out.splitlines()) == len(data["words"])
    code, out, _ = run([wav, "--model", model, "--phones"], capsys)
    assert code == 0 and len(out.split()) > 2  # utt id and phones


def test_output_dir_rerun_does_only_what_is_missing(model, tmp_path, capsys):
    out_dir = tmp_path / "hyp"
    code, _, err = run([EXAMPLES, "--model", model, "--output-dir", out_dir], capsys)
    assert code == 0 and len(list(out_dir.glob("*.txt"))) == 20
    (out_dir / "3_nicolas_0.txt").unlink()
    before = (out_dir / "0_jackson_0.txt").stat().st_mtime_ns
    code, _, err = run([EXAMPLES, "--model", model, "--output-dir", out_dir], capsys)
    assert code == 0 and "transcribed 1, failed 0, already done 19" in err
    assert (out_dir / "3_nicolas_0.txt").read_text().startswith("3_nicolas_0 ")
    assert (out_dir / "0_jackson_0.txt").stat().st_mtime_ns == before
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]  # no temp files left


def test_shards_partition_and_workers_agree(model, tmp_path, capsys):
    _, whole, _ = run([EXAMPLES, "--model", model], capsys)
    parts = [lines_of(run([EXAMPLES, "--model", model, "--shard", f"{k}/3"], capsys)[1]) for k in (1, 2, 3)]
    assert sum(len(p) for p in parts) == 20
    assert {k: v for p in parts for k, v in p.items()} == lines_of(whole)
    code, par, _ = run([EXAMPLES, "--model", model, "-j", "2"], capsys)
    assert code == 0 and lines_of(par) == lines_of(whole)


def test_word_lm_from_text_and_bad_arpa(model, tmp_path, capsys):
    text = tmp_path / "lm.txt"
    text.write_text("seven\nseven\nthree\n")
    code, out, _ = run([EXAMPLES / "7_jackson_0.wav", "--model", model, "--lm", text], capsys)
    assert code == 0 and out.split()[1:] == ["seven"]
    arpa = tmp_path / "bad.arpa"
    arpa.write_text("\\data\\\nngram 1=1\n\\1-grams:\nx y z w\n")
    code, _, err = run([EXAMPLES / "7_jackson_0.wav", "--model", model, "--lm", arpa], capsys)
    assert code == 2 and "bad.arpa:4" in err


def test_usage_errors_exit_2(model, tmp_path, capsys):
    code, _, err = run([EXAMPLES, "--model", tmp_path / "none.pt"], capsys)
    assert code == 2 and "no such model file" in err
    cfg = tmp_path / "dec.yaml"
    cfg.write_text("beam: 20\nbeem: 3\n")
    code, _, err = run([EXAMPLES, "--model", model, "--config", cfg], capsys)
    assert code == 2 and "beem" in err


def test_embedded_model_prints_the_spoken_digit_with_no_flags():
    """Right after install: `asr-transcribe <example.wav>` with the shipped digits model."""
    assert default_model().is_file(), "the package must ship asr/data/models/digits.pt (recipes/digits)"
    wavs = sorted(EXAMPLES.glob("*.wav"))
    res = subprocess.run([sys.executable, "-m", "asr.cli.transcribe", *map(str, wavs), "--no-progress"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    got = lines_of(res.stdout)
    words = "zero one two three four five six seven eight nine".split()
    assert sum(got[w.stem] == words[int(w.stem[0])] for w in wavs) == 20, got
