import numpy as np
import pytest
import soundfile as sf

from asr.corpus import CorpusError, Utterance, load_corpus
from asr.corpus.folder import read_folder
from asr.corpus.kaldi_dir import read_kaldi_dir, write_kaldi_dir


def _wav(path, seconds=0.5):
    sf.write(path, np.random.default_rng(0).standard_normal(int(16000 * seconds)) * 0.1, 16000)
    return str(path)


def test_kaldi_dir_round_trip(tmp_path):
    utts = [Utterance("spk1-u1", "spk1", _wav(tmp_path / "a.wav"), "hello world"),
            Utterance("spk1-u2", "spk1", _wav(tmp_path / "b.wav"), "good bye"),
            Utterance("spk2-u1", "spk2", _wav(tmp_path / "c.wav"), "yes")]
    write_kaldi_dir(utts, tmp_path / "data")
    assert (tmp_path / "data" / "spk2utt").read_text() == "spk1 spk1-u1 spk1-u2\nspk2 spk2-u1\n"
    back = read_kaldi_dir(tmp_path / "data")
    assert [(u.utt_id, u.speaker, u.audio, u.text) for u in back] == [(u.utt_id, u.speaker, u.audio, u.text) for u in utts]
    assert len(load_corpus(tmp_path / "data")) == 3


def test_kaldi_dir_segments_round_trip(tmp_path):
    rec = _wav(tmp_path / "long.wav", 3)
    utts = [Utterance("s-1", "s", rec, "one", start=0.0, end=1.2), Utterance("s-2", "s", rec, "two", start=1.2, end=2.9)]
    write_kaldi_dir(utts, tmp_path / "d")
    back = read_kaldi_dir(tmp_path / "d")
    assert [(u.utt_id, u.start, u.end, u.audio) for u in back] == [("s-1", 0.0, 1.2, rec), ("s-2", 1.2, 2.9, rec)]


def test_kaldi_dir_errors(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "wav.scp").write_text("u1 sph2pipe -f wav x.sph |\n")
    with pytest.raises(CorpusError, match=r"wav.scp:1: piped command"):
        read_kaldi_dir(d)
    (d / "wav.scp").write_text("u1 /x.wav\n")
    (d / "segments").write_text("s1 nope 0 1\n")
    with pytest.raises(CorpusError, match=r"segments:1: recording 'nope'"):
        read_kaldi_dir(d)


def test_folder_layout(tmp_path):
    (tmp_path / "spkA").mkdir()
    _wav(tmp_path / "spkA" / "one.wav")
    (tmp_path / "spkA" / "one.lab").write_text("Hello  there\n")
    _wav(tmp_path / "spkA" / "two.wav")
    (tmp_path / "spkA" / "two.txt").write_text("0 8000 Good day.\n")
    _wav(tmp_path / "spkA" / "orphan.wav")
    utts = read_folder(tmp_path)
    assert [(u.utt_id, u.speaker, u.text, u.rel) for u in utts] == [
        ("spkA-one", "spkA", "Hello there", "spkA/one"), ("spkA-two", "spkA", "Good day.", "spkA/two")]
    with pytest.raises(CorpusError, match="no audio file with a .lab/.txt"):
        read_folder(_empty(tmp_path))


def _empty(tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    _wav(d / "x.wav")
    return d
