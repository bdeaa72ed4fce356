import numpy as np
import pytest

from asr.audio import HOP, SAMPLE_RATE, load_audio
from asr.features import CmvnStats, FeatureCache, FeatureConfig, compute_features, normalize


@pytest.mark.parametrize("n", [400, 401, 560, 16000, 16037])
@pytest.mark.parametrize("cfg", [FeatureConfig(), FeatureConfig(kaldi=True),
                                 FeatureConfig(kind="mfcc", deltas=True), FeatureConfig(kind="mfcc", kaldi=True)])
def test_frame_count_is_ceil_of_samples_over_hop(n, cfg):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32) * 0.1
    f = compute_features(x, cfg)
    assert f.shape == (-(-n // HOP), cfg.dim)
    assert np.isfinite(f).all()


def test_frame_i_sees_samples_around_its_own_10ms():
    """A click in frame k's 10 ms shows up loudest in frame k (windows are centred)."""
    x = np.zeros(16000, dtype=np.float32)
    for k in (10, 37, 80):
        x[k * HOP + HOP // 2] = 1.0
    energy = compute_features(x).mean(1)
    for k in (10, 37, 80):
        assert np.argmax(energy[k - 3:k + 4]) == 3


def test_tone_peaks_in_the_right_mel_band():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    low = compute_features(np.sin(2 * np.pi * 300 * t).astype(np.float32))
    high = compute_features(np.sin(2 * np.pi * 3000 * t).astype(np.float32))
    assert np.argmax(low.mean(0)) < np.argmax(high.mean(0))


def test_kaldi_mode_close_to_builtin_in_shape_and_correlated(timit_root):
    a = load_audio(next(timit_root.rglob("*.WAV")))
    ours, kaldi = compute_features(a.samples), compute_features(a.samples, FeatureConfig(kaldi=True))
    assert ours.shape == kaldi.shape
    assert np.corrcoef(ours.mean(1), kaldi.mean(1))[0, 1] > 0.99


def test_cmvn_modes():
    rng = np.random.default_rng(0)
    feats = {"a1": rng.normal(3, 2, (50, 4)), "a2": rng.normal(3, 2, (70, 4)), "b1": rng.normal(-1, 5, (60, 4))}
    spk = {"a1": "A", "a2": "A", "b1": "B"}
    utt, _ = normalize(feats, "utterance")
    for f in utt.values():
        assert np.allclose(f.mean(0), 0, atol=1e-5) and np.allclose(f.std(0), 1, atol=1e-3)
    by_spk, _ = normalize(feats, "speaker", spk)
    a = np.concatenate([by_spk["a1"], by_spk["a2"]])
    assert np.allclose(a.mean(0), 0, atol=1e-5) and np.allclose(a.std(0), 1, atol=1e-3)
    glob, stats = normalize(feats, "global")
    allf = np.concatenate(list(glob.values()))
    assert np.allclose(allf.mean(0), 0, atol=1e-5)
    assert stats.count == 180
    again, _ = normalize({"x": feats["b1"]}, "global", global_stats=CmvnStats.from_dict(stats.to_dict()))
    assert np.allclose(again["x"], glob["b1"], atol=1e-5)


def test_cache_reuses_and_recomputes_when_audio_changes(tmp_path, monkeypatch):
    import soundfile as sf

    import asr.features as F

    wav = tmp_path / "a.wav"
    sf.write(wav, np.random.default_rng(0).standard_normal(8000) * 0.1, 16000)
    cache = FeatureCache(tmp_path / "cache", FeatureConfig())
    first = cache.features("u1", str(wav))
    calls = []
    real = F.compute_features
    monkeypatch.setattr(F, "compute_features", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert np.array_equal(cache.features("u1", str(wav)), first) and not calls
    sf.write(wav, np.random.default_rng(1).standard_normal(9600) * 0.1, 16000)
    assert cache.features("u1", str(wav)).shape[0] == 60 and calls
    assert not list((tmp_path / "cache").rglob("*.tmp"))
