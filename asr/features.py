"""Log-mel filterbank and MFCC features, CMVN, and an on-disk feature cache.

Frames follow the convention in :mod:`asr.audio`: ``ceil(n / HOP)`` frames, frame ``i`` standing for
samples ``[i * HOP, (i + 1) * HOP)`` with its 25 ms window centred on them.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .audio import HOP, SAMPLE_RATE, WIN, num_frames
from .config import check_choice
from .io.atomic import atomic_open, atomic_write_text

N_FFT = 512
PREEMPHASIS = 0.97


@dataclass(frozen=True)
class FeatureConfig:
    """How features are computed (saved with every model).

    kind: ``fbank`` (log-mel) or ``mfcc``.
    num_mel_bins: mel bands (40 by default).
    num_ceps: cepstra kept for ``mfcc``.
    deltas: append first and second differences (window 2, as in Kaldi's add-deltas).
    kaldi: compute with ``torchaudio.compliance.kaldi`` (Kaldi-compatible numbers) instead of the
        built-in path; both give the same frame count and timing.
    cmvn: ``utterance``, ``speaker``, ``global`` (statistics saved with the model) or ``none``.
    high_freq: upper edge of the mel filterbank in Hz (0: 8000, the Nyquist frequency of 16 kHz). Set
        3800 for 8 kHz recordings (telephone, Free Spoken Digits): upsampled, they have no energy above
        4 kHz, and bands there would only carry the recording's noise floor into the features.
    """

    kind: str = "fbank"
    num_mel_bins: int = 40
    num_ceps: int = 13
    deltas: bool = False
    kaldi: bool = False
    cmvn: str = "utterance"
    high_freq: float = 0.0

    def __post_init__(self):
        check_choice("kind", self.kind, ("fbank", "mfcc"))
        if not 0 <= self.high_freq <= SAMPLE_RATE / 2:
            raise ValueError(f"high_freq must be between 0 and {SAMPLE_RATE // 2} Hz, got {self.high_freq}")
        check_choice("cmvn", self.cmvn, ("utterance", "speaker", "global", "none"))

    @property
    def dim(self) -> int:
        base = self.num_ceps if self.kind == "mfcc" else self.num_mel_bins
        return base * (3 if self.deltas else 1)


def _pad(samples: np.ndarray) -> np.ndarray:
    """Reflect-pad so that snip-edges framing yields ``ceil(n / HOP)`` centred windows."""
    n = len(samples)
    t = num_frames(n)
    left = (WIN - HOP) // 2
    right = (t - 1) * HOP + WIN - left - n
    mode = "reflect" if n > max(left, right) else "edge"
    return np.pad(samples, (left, max(right, 0)), mode=mode)


@lru_cache(maxsize=8)
def _mel_matrix(num_mel_bins: int, sample_rate: int, high_freq: float = 0.0) -> torch.Tensor:
    import librosa

    mel = librosa.filters.mel(sr=sample_rate, n_fft=N_FFT, n_mels=num_mel_bins, fmin=20.0,
                              fmax=high_freq or sample_rate / 2, htk=True, norm=None)
    return torch.from_numpy(mel.T.astype(np.float32))  # (N_FFT//2+1, M)


@lru_cache(maxsize=8)
def _dct_matrix(num_mel_bins: int, num_ceps: int) -> torch.Tensor:
    n = np.arange(num_mel_bins)
    k = np.arange(num_ceps)[:, None]
    dct = np.cos(np.pi / num_mel_bins * (n + 0.5) * k) * np.sqrt(2.0 / num_mel_bins)
    dct[0] /= np.sqrt(2.0)
    return torch.from_numpy(dct.T.astype(np.float32))  # (M, C)


@lru_cache(maxsize=2)
def _window() -> torch.Tensor:
    return torch.hann_window(WIN, periodic=False) ** 0.85  # Kaldi's "povey" window


def add_deltas(feats: np.ndarray, window: int = 2) -> np.ndarray:
    """Append first and second order regression deltas: (T, D) -> (T, 3D)."""
    def delta(x: np.ndarray) -> np.ndarray:
        padded = np.pad(x, ((window, window), (0, 0)), mode="edge")
        num = sum(k * (padded[window + k:len(x) + window + k] - padded[window - k:len(x) + window - k])
                  for k in range(1, window + 1))
        return num / (2 * sum(k * k for k in range(1, window + 1)))

    d1 = delta(feats)
    return np.concatenate([feats, d1, delta(d1)], axis=1).astype(np.float32)


def compute_features(samples: np.ndarray, config: FeatureConfig = FeatureConfig(),
                     sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Features of mono float samples: array (T, config.dim), ``T = ceil(len(samples) / HOP)``."""
    if sample_rate != SAMPLE_RATE:
        raise ValueError(f"features expect {SAMPLE_RATE} Hz audio, got {sample_rate} Hz (resample first)")
    padded = torch.from_numpy(_pad(np.asarray(samples, dtype=np.float32)))
    if config.kaldi:
        import torchaudio.compliance.kaldi as kaldi

        wav = padded[None] * 32768.0
        if config.kind == "fbank":
            feats = kaldi.fbank(wav, num_mel_bins=config.num_mel_bins, dither=0.0, snip_edges=True,
                                sample_frequency=sample_rate, energy_floor=0.0, high_freq=config.high_freq)
        else:
            feats = kaldi.mfcc(wav, num_mel_bins=config.num_mel_bins, num_ceps=config.num_ceps, dither=0.0,
                               snip_edges=True, sample_frequency=sample_rate, energy_floor=0.0,
                               high_freq=config.high_freq)
        out = feats.numpy()
    else:
        frames = padded.unfold(0, WIN, HOP)  # (T, WIN)
        frames = frames - frames.mean(dim=1, keepdim=True)
        frames = torch.cat([frames[:, :1] * (1 - PREEMPHASIS), frames[:, 1:] - PREEMPHASIS * frames[:, :-1]], 1)
        spec = torch.fft.rfft(frames * _window(), n=N_FFT).abs().pow_(2)
        logmel = torch.log(torch.clamp(spec @ _mel_matrix(config.num_mel_bins, sample_rate, config.high_freq), min=1e-10))
        out = (logmel @ _dct_matrix(config.num_mel_bins, config.num_ceps) if config.kind == "mfcc" else logmel).numpy()
    if config.deltas:
        out = add_deltas(out)
    return np.ascontiguousarray(out, dtype=np.float32)


# --------------------------------------------------------------------------------------- CMVN
@dataclass
class CmvnStats:
    """Accumulated first and second order statistics of feature frames."""

    count: int = 0
    sum: np.ndarray | None = None
    sumsq: np.ndarray | None = None

    def add(self, feats: np.ndarray) -> "CmvnStats":
        f = feats.astype(np.float64)
        self.sum = f.sum(0) if self.sum is None else self.sum + f.sum(0)
        self.sumsq = (f * f).sum(0) if self.sumsq is None else self.sumsq + (f * f).sum(0)
        self.count += len(f)
        return self

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.count:
            raise ValueError("CMVN statistics are empty")
        mean = self.sum / self.count
        var = np.maximum(self.sumsq / self.count - mean * mean, 1e-8)
        return mean.astype(np.float32), np.sqrt(var).astype(np.float32)

    def to_dict(self) -> dict:
        return {"count": self.count, "sum": self.sum.tolist(), "sumsq": self.sumsq.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "CmvnStats":
        return cls(int(d["count"]), np.asarray(d["sum"]), np.asarray(d["sumsq"]))


def apply_cmvn(feats: np.ndarray, stats: CmvnStats) -> np.ndarray:
    """Normalise ``feats`` (T, D) to zero mean and unit variance under ``stats``."""
    mean, std = stats.mean_std()
    return ((feats - mean) / std).astype(np.float32)


def normalize(feats: dict[str, np.ndarray], mode: str, utt2spk: dict[str, str] | None = None,
              global_stats: CmvnStats | None = None) -> tuple[dict[str, np.ndarray], CmvnStats | None]:
    """Apply CMVN in ``mode`` to a dict of utterance features.

    Returns the normalised features and, for ``global``, the statistics (to save with the model;
    pass them back as ``global_stats`` at test time).
    """
    check_choice("cmvn", mode, ("utterance", "speaker", "global", "none"))
    if mode == "none":
        return dict(feats), None
    if mode == "utterance":
        return {u: apply_cmvn(f, CmvnStats().add(f)) for u, f in feats.items()}, None
    if mode == "speaker":
        utt2spk = utt2spk or {}
        per_spk: dict[str, CmvnStats] = {}
        for u, f in feats.items():
            per_spk.setdefault(utt2spk.get(u, u), CmvnStats()).add(f)
        return {u: apply_cmvn(f, per_spk[utt2spk.get(u, u)]) for u, f in feats.items()}, None
    if global_stats is None:
        global_stats = CmvnStats()
        for f in feats.values():
            global_stats.add(f)
    return {u: apply_cmvn(f, global_stats) for u, f in feats.items()}, global_stats


# --------------------------------------------------------------------------------------- cache
class FeatureCache:
    """Features on disk: ``<root>/<config-hash>/<utt-id>.npy`` plus ``config.json``.

    Each entry is keyed by the utterance id, and stores, beside the array, the audio file's path,
    size and mtime in ``<utt-id>.json``; a changed audio file is recomputed. Entries are written to
    a temporary file in the same folder and renamed, so an interrupted run leaves no partial entry.
    Features are cached before CMVN (normalisation is cheap and depends on the data set).
    """

    def __init__(self, root: str | Path, config: FeatureConfig):
        digest = hashlib.sha1(json.dumps(asdict(config), sort_keys=True).encode()).hexdigest()[:10]
        self.dir = Path(root) / digest
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        cfg_file = self.dir / "config.json"
        if not cfg_file.exists():
            atomic_write_text(cfg_file, json.dumps(asdict(config), indent=1))

    @staticmethod
    def _stamp(audio_path: str) -> dict:
        st = os.stat(audio_path)
        return {"path": str(audio_path), "size": st.st_size, "mtime": st.st_mtime}

    def get(self, utt_id: str, audio_path: str) -> np.ndarray | None:
        arr, meta = self.dir / f"{utt_id}.npy", self.dir / f"{utt_id}.json"
        if not (arr.exists() and meta.exists()):
            return None
        try:
            if json.loads(meta.read_text()) != self._stamp(audio_path):
                return None
            return np.load(arr)
        except (ValueError, OSError, json.JSONDecodeError):
            return None

    def put(self, utt_id: str, audio_path: str, feats: np.ndarray) -> None:
        with atomic_open(self.dir / f"{utt_id}.npy", "wb") as f:
            np.save(f, feats)
        atomic_write_text(self.dir / f"{utt_id}.json", json.dumps(self._stamp(audio_path)))

    def features(self, utt_id: str, audio_path: str, speed: float = 1.0) -> np.ndarray:
        """Cached features of ``audio_path`` (played ``speed`` times faster), computed when missing or stale."""
        feats = self.get(utt_id, audio_path)
        if feats is None:
            from .audio import load_audio, speed_perturb

            feats = compute_features(speed_perturb(load_audio(audio_path).samples, speed), self.config)
            self.put(utt_id, audio_path, feats)
        return feats


__all__ = ["FeatureConfig", "compute_features", "add_deltas", "CmvnStats", "apply_cmvn", "normalize",
           "FeatureCache"]
