import numpy as np
import pytest
import soundfile as sf

from asr.audio import HOP, SAMPLE_RATE, AudioError, frame_to_time, load_audio, num_frames, time_to_frame


def _sphere_count(path):
    head = open(path, "rb").read(1024).decode("ascii", "replace")
    return int(head.split("sample_count -i ")[1].split()[0])


def test_every_timit_sample_file_reads_with_its_header_length(timit_root):
    wavs = sorted(timit_root.rglob("*.WAV"))
    assert len(wavs) == 120
    for w in wavs:
        a = load_audio(w)
        assert a.sample_rate == a.orig_rate == 16000
        assert len(a.samples) == _sphere_count(w), w
        assert np.abs(a.samples).max() <= 1.0 and np.abs(a.samples).max() > 0.01


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT"])
def test_riff_subtypes_read_the_same_signal(tmp_path, subtype):
    t = np.arange(16000) / 16000
    x = 0.5 * np.sin(2 * np.pi * 440 * t)
    p = tmp_path / f"x_{subtype}.wav"
    sf.write(p, x, 16000, subtype=subtype)
    a = load_audio(p)
    assert np.allclose(a.samples, x, atol=1e-4)


def test_flac_stereo_mixed_and_resampled(tmp_path):
    t = np.arange(8000) / 8000
    left, right = np.sin(2 * np.pi * 300 * t), np.zeros_like(t)
    p = tmp_path / "s.flac"
    sf.write(p, np.stack([left, right], 1) * 0.4, 8000)
    a = load_audio(p)
    assert a.orig_rate == 8000 and a.sample_rate == SAMPLE_RATE
    assert abs(len(a.samples) - 16000) <= 1
    assert 0.15 < np.abs(a.samples).max() < 0.25  # mono mix halves the left channel
    spec = np.abs(np.fft.rfft(a.samples))
    assert abs(np.argmax(spec) * SAMPLE_RATE / len(a.samples) - 300) < 3


def test_riff_and_sphere_of_the_same_audio_agree(timit_root, tmp_path):
    w = next(timit_root.rglob("*.WAV"))
    a = load_audio(w)
    p = tmp_path / "x.wav"
    sf.write(p, a.samples, 16000, subtype="PCM_16")
    assert np.allclose(load_audio(p).samples, a.samples, atol=1 / 32768)


def test_bad_files_raise_one_error_naming_the_file(tmp_path, timit_root):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(np.random.default_rng(0).bytes(5000))
    short = tmp_path / "short.wav"
    sf.write(short, np.zeros(16), 16000)
    nan = tmp_path / "nan.wav"
    sf.write(nan, np.array([0.1, np.nan] * 1000, dtype=np.float32), 16000, subtype="FLOAT")
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(open(next(timit_root.rglob("*.WAV")), "rb").read()[:300])
    cases = {empty: "empty", junk: "unreadable", short: "too short", nan: "NaN", trunc: "truncated",
             tmp_path / "missing.wav": "no such file"}
    for path, reason in cases.items():
        with pytest.raises(AudioError) as e:
            load_audio(path)
        msg = str(e.value)
        assert str(path) in msg and reason in msg and "\n" not in msg


def test_frame_conventions():
    assert num_frames(16000) == 100 and num_frames(16001) == 101 and num_frames(160) == 1
    assert frame_to_time(37) == pytest.approx(0.37)
    assert time_to_frame(0.374) == 37 and time_to_frame(0.376) == 38
    assert HOP / SAMPLE_RATE == 0.01
