"""Viterbi training on flite speech, whose exact phone times come free with the audio."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from asr.config import from_dict
from asr.corpus.flite import SENTENCES, make_flite_corpus
from asr.features import FeatureConfig
from asr.model import load_model
from asr.phones import UnitSet
from asr.train import TrainConfig, prepare_items, train

TINY = {"iterations": 1, "epochs_per_iteration": 2, "batch_size": 4,
        "model": {"hidden": 16, "layers": 1, "states_per_phone": 3},
        "bootstrap": {"iterations": 8, "context": 1, "hidden": 64}}


@pytest.fixture(scope="module")
def flite_corpus(tmp_path_factory, flite):
    return make_flite_corpus(tmp_path_factory.mktemp("flite"), SENTENCES[:12], ("slt", "rms"))


def folder_corpus(utts, root):
    """Copy utterances into the aligner's folder layout: <speaker>/<utt>.wav beside <utt>.lab."""
    for u in utts:
        d = root / u.speaker
        d.mkdir(parents=True, exist_ok=True)
        (d / (u.utt_id + ".wav")).write_bytes(open(u.audio, "rb").read())
        (d / (u.utt_id + ".lab")).write_text(u.text)
    return root


@pytest.fixture(scope="module")
def flite_items(flite_corpus):
    units = UnitSet(states_per_phone=3)
    items, _, errors = prepare_items(flite_corpus, FeatureConfig(), units, progress=False)
    assert not errors
    return items, units


def test_training_beats_the_uniform_start_by_a_wide_margin(flite_items, tmp_path):
    items, units = flite_items
    model = train(items, [], from_dict(TrainConfig, TINY), tmp_path, units, progress=False)
    hist = json.loads((tmp_path / "history.json").read_text())
    flat, final = hist[0]["boundary_within_20ms"], hist[-1]["boundary_within_20ms"]
    assert final > flat + 30, (flat, final)
    assert [h["stage"] for h in hist] == ["flat"] + ["mlp"] * 8 + ["blstm"]
    assert (tmp_path / "curves.png").stat().st_size > 10000
    loaded = load_model(tmp_path / "model.pt")
    assert loaded.units == units and loaded.log_priors.shape == (len(units),)
    lp = loaded.log_probs([items[0].feats])[0]
    assert lp.shape == (len(items[0].feats), len(units)) and np.allclose(np.exp(lp).sum(1), 1, atol=1e-4)
    assert torch.equal(loaded.net.output.weight, model.net.output.weight)


def test_resume_continues_exactly(flite_items, tmp_path, monkeypatch):
    items, units = flite_items
    cfg = from_dict(TrainConfig, {**TINY, "bootstrap": {**TINY["bootstrap"], "iterations": 2}})
    full = train(items, [], cfg, tmp_path / "full", units, progress=False)

    import asr.train as T

    real, calls = T.run_epoch, []

    def crash_after_first(*a, **k):
        if calls:
            raise KeyboardInterrupt  # killed during the second BiLSTM epoch
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(T, "run_epoch", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        train(items, [], cfg, tmp_path / "cut", units, progress=False)
    monkeypatch.setattr(T, "run_epoch", real)
    resumed = train(items, [], cfg, tmp_path / "cut", units, resume=True, progress=False)
    for (k, a), b in zip(full.net.state_dict().items(), resumed.net.state_dict().values()):
        assert torch.equal(a, b), k


def test_corrupt_checkpoint_says_so(flite_items, tmp_path):
    items, units = flite_items
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="checkpoint cannot be loaded"):
        train(items, [], from_dict(TrainConfig, TINY), tmp_path, units, resume=True, progress=False)


def test_cli_trains_from_words_and_ddp_matches_one_process(flite_corpus, tmp_path):
    """asr-train on the folder layout (word transcripts + cmudict), once plain and once under
    torchrun with two processes: both land close to each other."""
    corpus = folder_corpus(flite_corpus[:16], tmp_path / "corpus")
    args = [str(corpus), "--iterations", "1", "--epochs", "1", "--hidden", "16", "--layers", "1",
            "--no-progress", "--threads", "1"]
    one = subprocess.run([sys.executable, "-m", "asr.cli.train", args[0], str(tmp_path / "one"), *args[1:]],
                         capture_output=True, text=True)
    assert one.returncode == 0, one.stderr[-2000:]
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29517",
                          "-m", "asr.cli.train", args[0], str(tmp_path / "two"), *args[1:]],
                         capture_output=True, text=True)
    assert two.returncode == 0, two.stderr[-3000:]
    assert "world size 2" in two.stderr
    h1 = json.loads((tmp_path / "one" / "history.json").read_text())
    h2 = json.loads((tmp_path / "two" / "history.json").read_text())
    assert len(h1) == len(h2)
    assert load_model(tmp_path / "two" / "model.pt").units == load_model(tmp_path / "one" / "model.pt").units


def test_cli_help_and_bad_config(tmp_path):
    h = subprocess.run([sys.executable, "-m", "asr.cli.train", "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "example:" in h.stdout
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("iteratons: 2\n")
    r = subprocess.run([sys.executable, "-m", "asr.cli.train", str(tmp_path), str(tmp_path / "o"), "--config", str(cfg)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "unknown key iteratons" in r.stderr


def test_model_file_errors(tmp_path):
    from asr.model import ModelError

    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelError, match="not a readable model file"):
        load_model(junk)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(ModelError, match="foreign"):
        load_model(foreign)
    old = tmp_path / "old.pt"
    torch.save({"format": "asr-acoustic-model", "format_version": 0}, old)
    with pytest.raises(ModelError, match="format version 0 is not supported"):
        load_model(old)


def test_combined_mode_aligns_each_batch_inside_the_step(flite_items, tmp_path):
    items, units = flite_items
    cfg = from_dict(TrainConfig, {**TINY, "mode": "combined", "bootstrap": {"iterations": 0}})
    train(items, [], cfg, tmp_path, units, progress=False)
    hist = json.loads((tmp_path / "history.json").read_text())
    assert [h["stage"] for h in hist] == ["flat", "blstm"] and hist[1]["loss"] > 0


def test_silence_aware_flat_start_gives_edges_to_silence(flite_items):
    from asr.train import initial_alignment

    items, _ = flite_items
    it = items[0]
    uniform, silence = initial_alignment(it, "uniform"), initial_alignment(it, "silence")
    first_speech = int(np.argmax(it.targets.phone_of[silence] > 0))
    ref_speech = it.ref_phones[1].start * 100
    assert abs(first_speech - ref_speech) < abs(int(np.argmax(it.targets.phone_of[uniform] > 0)) - ref_speech)


def test_sigkill_mid_training_then_resume_ends_with_the_same_model(flite_corpus, tmp_path):
    """Kill asr-train with SIGKILL once it has checkpointed, resume, and compare with an uninterrupted run."""
    import signal
    import time

    corpus = folder_corpus(flite_corpus[:8], tmp_path / "corpus")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("bootstrap: {iterations: 6}\niterations: 2\nepochs_per_iteration: 2\n"
                   "model: {hidden: 16, layers: 1}\n")
    args = [str(corpus), "--config", str(cfg), "--no-progress", "--threads", "1"]
    cmd = [sys.executable, "-m", "asr.cli.train"]
    assert subprocess.run(cmd + [args[0], str(tmp_path / "full"), *args[1:]], capture_output=True).returncode == 0
    cut = tmp_path / "cut"
    proc = subprocess.Popen(cmd + [args[0], str(cut), *args[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (cut / "checkpoint.pt").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (cut / "model.pt").exists(), "the run finished before it could be killed"
    r = subprocess.run(cmd + [args[0], str(cut), *args[1:], "--resume"], capture_output=True, text=True)
    assert r.returncode == 0 and "resumed from" in r.stderr
    a, b = load_model(tmp_path / "full" / "model.pt"), load_model(cut / "model.pt")
    for (k, x), y in zip(a.net.state_dict().items(), b.net.state_dict().values()):
        assert torch.equal(x, y), k
