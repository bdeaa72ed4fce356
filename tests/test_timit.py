import logging
import shutil

import numpy as np
import pytest
import soundfile as sf

from asr.audio import load_audio
from asr.corpus import load_corpus
from asr.corpus.timit import prepare_timit, speaker_list
from asr.io.timit_labels import LabelError, format_labels, parse_labels, read_labels
from asr.phones import TIMIT61


def test_sample_falls_back_to_its_own_folders_and_says_so(timit_root, caplog):
    with caplog.at_level(logging.WARNING):
        splits = prepare_timit(timit_root)
    assert "falling back" in caplog.text
    assert len(splits["train"]) == 64 and len(splits["test"]) == 32 and splits["dev"] == []
    assert not any(u.utt_id.split("_")[1].startswith("sa") for s in splits.values() for u in s)
    with_sa = prepare_timit(timit_root, include_sa=True)
    assert len(with_sa["train"]) + len(with_sa["test"]) == 120
    assert len({u.speaker for u in with_sa["train"]}) == 8 and len({u.speaker for u in with_sa["test"]}) == 4


def test_standard_speaker_lists_are_data():
    core, dev = speaker_list("core_test"), speaker_list("dev")
    assert len(core) == 24 and len(dev) == 50 and not set(core) & set(dev)
    assert "mdab0" in core and "faks0" in dev


def test_phn_parsing_matches_the_files(timit_root):
    splits = prepare_timit(timit_root, include_sa=True)
    utts = splits["train"] + splits["test"]
    total = sum(len(u.phones) for u in utts)
    lines = sum(len(p.read_text().split("\n")) - 1 for p in timit_root.rglob("*.PHN"))
    assert total == lines
    for u in utts:
        assert u.phones[0].label == "h#" and u.phones[-1].label == "h#"
        assert all(a.end == pytest.approx(b.start) for a, b in zip(u.phones, u.phones[1:]))
        n = len(load_audio(u.audio).samples)
        assert u.phones[-1].end * 16000 <= n + 1
        assert u.words and u.text.split()[0].lower() == u.words[0].label.lower()


def test_lower_case_riff_copy_reads_the_same(timit_root, tmp_path):
    src = timit_root / "TIMIT" / "TRAIN" / "DR1"
    spk = sorted(p for p in src.iterdir())[0]
    dst = tmp_path / "timit" / "train" / "dr1" / spk.name.lower()
    dst.mkdir(parents=True)
    for f in spk.iterdir():
        if f.suffix == ".WAV":
            sf.write(dst / f.with_suffix(".wav").name.lower(), load_audio(f).samples, 16000, subtype="PCM_16")
        else:
            shutil.copy(f, dst / f.name.lower())
    ours = prepare_timit(tmp_path)["train"]
    ref = [u for u in prepare_timit(timit_root)["train"] if u.speaker == spk.name.lower()]
    assert [u.utt_id for u in ours] == [u.utt_id for u in ref]
    assert [u.phones for u in ours] == [u.phones for u in ref]
    assert np.allclose(load_audio(ours[0].audio).samples, load_audio(ref[0].audio).samples, atol=1e-4)
    assert len(load_corpus(tmp_path)) == len(ours)


def test_label_errors_name_file_and_line(tmp_path):
    p = tmp_path / "x.PHN"
    p.write_text("0 100 h#\n100 200 zz\n")
    with pytest.raises(LabelError, match=r"x.PHN:2: unknown label 'zz'"):
        read_labels(p, known=TIMIT61)
    with pytest.raises(LabelError, match=r":2: .*before the previous"):
        parse_labels("0 100 h#\n50 200 s\n", known=TIMIT61)
    with pytest.raises(LabelError, match=r":1: times must be integer"):
        parse_labels("0 abc h#\n")
    with pytest.raises(LabelError, match=r":1: end 5 is not after start 10"):
        parse_labels("10 5 h#\n")
    with pytest.raises(LabelError, match=r":1: expected 'start end label'"):
        parse_labels("10 20\n")


def test_phn_round_trip():
    text = "0 2400 h#\n2400 3000 sh\n3000 5000 iy\n"
    assert format_labels(parse_labels(text, known=TIMIT61)) == text
