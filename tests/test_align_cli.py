"""asr-align end to end on flite speech (folder layout: wav + .lab), trained on the corpus itself."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from asr.cli.align import main as align_main
from asr.corpus.flite import SENTENCES, make_flite_corpus
from asr.io.timit_labels import read_labels

TINY = """
bootstrap: {iterations: 8, context: 1, hidden: 64}
iterations: 1
epochs_per_iteration: 1
model: {hidden: 16, layers: 1}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, flite):
    base = tmp_path_factory.mktemp("aligncorpus")
    utts = make_flite_corpus(base / "synth", SENTENCES[:10], ("slt", "awb"))
    root = base / "corpus"
    for u in utts:
        d = root / u.speaker
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(u.audio, d / f"{u.utt_id}.wav")
        (d / f"{u.utt_id}.lab").write_text(u.text + "\n")
        shutil.copy(u.audio.replace(".wav", ".PHN"), d / f"{u.utt_id}.PHN")  # reference only
    cfg = base / "tiny.yaml"
    cfg.write_text(TINY)
    return root, cfg


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    root, cfg = corpus
    out = tmp_path_factory.mktemp("aligned")
    code = align_main([str(root), str(out), "--config", str(cfg), "--save-model", str(out / "m.pt"),
                       "--format", "textgrid,ctm,phn,json", "--plot", "slt-slt_s000", "--no-progress",
                       "--reference-dir", str(root)])
    return out, code


def test_trains_on_the_corpus_and_writes_every_format(trained, corpus):
    from praatio import textgrid

    out, code = trained
    root, _ = corpus
    assert code == 0
    tgs = sorted(out.rglob("*.TextGrid"))
    assert len(tgs) == 20
    tg = textgrid.openTextgrid(str(out / "slt" / "slt_s000.TextGrid"), includeEmptyIntervals=False)
    words = [e.label for e in tg.getTier("words").entries]
    assert words == (root / "slt" / "slt_s000.lab").read_text().split()
    phones = tg.getTier("phones").entries
    assert all(abs(e.start * 100 - round(e.start * 100)) < 1e-6 for e in phones)  # multiples of 10 ms
    assert (out / "slt" / "slt_s000.ctm").read_text().split()[4] == words[0]
    assert read_labels(out / "slt" / "slt_s000.WRD")[0].label == words[0]
    assert json.loads((out / "slt" / "slt_s000.json").read_text())["words"][0]["word"] == words[0]
    assert (out / "plots" / "slt-slt_s000.png").stat().st_size > 20000
    assert (out / "m.pt").exists()


def test_rerun_skips_and_model_mode_with_jobs_and_shards(trained, corpus, tmp_path, capsys):
    out, _ = trained
    root, _ = corpus
    assert align_main([str(root), str(out), "--model", str(out / "m.pt"), "--no-progress"]) == 0
    assert "already done 20" in capsys.readouterr().out
    parts = []
    for k in (1, 2):
        d = tmp_path / f"shard{k}"
        assert align_main([str(root), str(d), "--model", str(out / "m.pt"), "--shard", f"{k}/2", "-j", "2",
                           "--no-progress"]) == 0
        parts.append({p.name for p in d.rglob("*.TextGrid")})
    assert not parts[0] & parts[1] and len(parts[0] | parts[1]) == 20


def test_bad_inputs_go_to_errors_tsv_and_the_rest_is_aligned(trained, corpus, tmp_path):
    out, _ = trained
    root, _ = corpus
    bad = tmp_path / "bad"
    shutil.copytree(root / "slt", bad / "slt")
    (bad / "slt" / "slt_s001.wav").write_bytes(b"RIFF....garbage")
    (bad / "slt" / "slt_s002.lab").write_text("")
    (bad / "slt" / "slt_s003.lab").write_text("the " * 400)
    code = align_main([str(bad), str(tmp_path / "o"), "--model", str(out / "m.pt"), "--no-progress"])
    assert code == 1
    rows = (tmp_path / "o" / "errors.tsv").read_text().splitlines()[1:]
    reasons = {r.split("\t")[0]: r.split("\t")[2] for r in rows}
    assert set(reasons) == {"slt-slt_s001", "slt-slt_s002", "slt-slt_s003"}
    assert "unreadable" in reasons["slt-slt_s001"] and "empty" in reasons["slt-slt_s002"]
    assert "too long" in reasons["slt-slt_s003"]
    assert len(list((tmp_path / "o").rglob("*.TextGrid"))) == 7
    assert not list((tmp_path / "o").rglob("*.tmp"))


def test_oov_stops_before_work_or_skips(trained, corpus, tmp_path, capsys):
    out, _ = trained
    root, _ = corpus
    oov = tmp_path / "oov"
    shutil.copytree(root / "awb", oov / "awb")
    (oov / "awb" / "awb_s004.lab").write_text("the zzyzxq qwxvz")
    assert align_main([str(oov), str(tmp_path / "o1"), "--model", str(out / "m.pt"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "zzyzxq (1 utt): awb-awb_s004" in err and not list((tmp_path / "o1").rglob("*.TextGrid"))
    assert align_main([str(oov), str(tmp_path / "o2"), "--model", str(out / "m.pt"), "--oov", "skip",
                       "--no-progress"]) == 1
    assert "OOV words: zzyzxq qwxvz" in (tmp_path / "o2" / "errors.tsv").read_text()
    assert len(list((tmp_path / "o2").rglob("*.TextGrid"))) == 9


def test_single_file_mode(trained, corpus, tmp_path):
    out, _ = trained
    root, _ = corpus
    wav = root / "awb" / "awb_s000.wav"
    text = (root / "awb" / "awb_s000.lab").read_text().strip()
    x, sr = sf.read(wav)
    stereo = tmp_path / "stereo44k.wav"  # any rate and channel count
    import librosa

    y = librosa.resample(x, orig_sr=sr, target_sr=44100)
    sf.write(stereo, np.stack([y, y], 1), 44100)
    r = subprocess.run([sys.executable, "-m", "asr.cli.align", str(stereo), text, "-o", str(tmp_path / "x.TextGrid"),
                        "--model", str(out / "m.pt")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from praatio import textgrid

    tg = textgrid.openTextgrid(str(tmp_path / "x.TextGrid"), includeEmptyIntervals=False)
    assert [e.label for e in tg.getTier("words").entries] == text.split()
    h = subprocess.run([sys.executable, "-m", "asr.cli.align", "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "example:" in h.stdout
