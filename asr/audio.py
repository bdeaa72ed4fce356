"""Audio loading and the one home of frame/time constants.

Frame convention (used by features, alignment and every writer): frame ``i`` stands for the
10 ms interval ``[i * HOP, (i + 1) * HOP)`` samples, i.e. ``[i * 0.01, (i + 1) * 0.01)`` seconds.
Its 25 ms analysis window is centred on that interval: samples
``[i * HOP - (WIN - HOP) // 2, i * HOP - (WIN - HOP) // 2 + WIN)``, with the signal reflected at
the edges. An utterance of ``n`` samples has ``ceil(n / HOP)`` frames. A segment spanning frames
``[s, e)`` therefore starts at ``s * HOP / SAMPLE_RATE`` seconds and ends at ``e * HOP / SAMPLE_RATE``:
every reported time is an exact multiple of the hop.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
HOP = 160  # 10 ms
WIN = 400  # 25 ms
FRAME_SHIFT_S = HOP / SAMPLE_RATE
MIN_SAMPLES = WIN  # shorter audio cannot give one full analysis window


class AudioError(ValueError):
    """Audio that cannot be used; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] at ``sample_rate``; ``orig_rate`` is the file's own rate."""

    samples: np.ndarray
    sample_rate: int
    orig_rate: int
    path: str = ""

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def num_frames(n_samples: int, hop: int = HOP) -> int:
    """Number of frames for ``n_samples`` samples: ``ceil(n / hop)``."""
    return int(math.ceil(n_samples / hop))


def frame_to_time(frame: int | np.ndarray, hop: int = HOP, sample_rate: int = SAMPLE_RATE):
    """Start time in seconds of ``frame`` (also the end time of ``frame - 1``)."""
    return np.asarray(frame) * hop / sample_rate if isinstance(frame, np.ndarray) else frame * hop / sample_rate


def time_to_frame(seconds: float, hop: int = HOP, sample_rate: int = SAMPLE_RATE) -> int:
    """Nearest frame boundary to ``seconds``."""
    return int(round(seconds * sample_rate / hop))


def sample_to_frame(sample: int, hop: int = HOP) -> int:
    """Nearest frame boundary to a sample offset (TIMIT .PHN times are in samples)."""
    return int(round(sample / hop))


def _read_sphere(path: Path) -> tuple[np.ndarray, int]:
    """Read an uncompressed NIST SPHERE file (TIMIT's .WAV) without external tools."""
    with open(path, "rb") as f:
        head = f.read(1024)
        if not head.startswith(b"NIST_1A"):
            raise AudioError(path, "not a NIST SPHERE file")
        lines = head.split(b"\n")
        try:
            header_size = int(lines[1].strip())
        except (IndexError, ValueError):
            raise AudioError(path, "truncated or corrupt SPHERE header (no header size)") from None
        if len(head) < header_size and header_size <= 1024:
            raise AudioError(path, "truncated SPHERE header")
        if header_size > 1024:
            f.seek(0)
            head = f.read(header_size)
        if b"end_head" not in head:
            raise AudioError(path, "truncated SPHERE header (no end_head)")
        fields = {}
        for line in head.split(b"end_head")[0].split(b"\n")[2:]:
            parts = line.decode("ascii", "replace").split(None, 2)
            if len(parts) == 3:
                fields[parts[0]] = parts[2].strip()
        try:
            rate = int(fields["sample_rate"])
            width = int(fields.get("sample_n_bytes", "2"))
            channels = int(fields.get("channel_count", "1"))
        except (KeyError, ValueError):
            raise AudioError(path, "SPHERE header lacks sample_rate/sample_n_bytes") from None
        coding = fields.get("sample_coding", "pcm")
        if "shorten" in coding:
            raise AudioError(path, f"unsupported SPHERE sample coding {coding!r}")
        order = fields.get("sample_byte_format", "01")
        f.seek(header_size)
        raw = f.read()
    if width not in (1, 2, 4):
        raise AudioError(path, f"unsupported SPHERE sample width {width}")
    if "ulaw" in coding:
        data = np.frombuffer(raw, dtype=np.uint8).astype(np.float32)
        samples = _ulaw_decode(data)
    else:
        dtype = {1: "i1", 2: "i2", 4: "i4"}[width]
        endian = ">" if order == "10" else "<"
        usable = len(raw) - len(raw) % (width * channels)
        data = np.frombuffer(raw[:usable], dtype=endian + dtype)
        samples = data.astype(np.float32) / float(2 ** (8 * width - 1))
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _ulaw_decode(u: np.ndarray) -> np.ndarray:
    u = 255 - u
    sign = np.where(u >= 128, -1.0, 1.0)
    exponent = (u.astype(np.int32) >> 4) & 7
    mantissa = u.astype(np.int32) & 15
    mag = ((mantissa << 3) + 0x84) << exponent
    return (sign * (mag - 0x84) / 32768.0).astype(np.float32)


def load_audio(path: str | Path, sample_rate: int | None = SAMPLE_RATE, min_samples: int = MIN_SAMPLES) -> Audio:
    """Read RIFF wav, FLAC, NIST SPHERE (and whatever libsndfile reads), mix to mono, resample.

    Raises :class:`AudioError` naming the file for unreadable, empty, non-finite or too-short audio.
    ``sample_rate=None`` keeps the file's own rate.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(path, "no such file")
    if path.stat().st_size == 0:
        raise AudioError(path, "empty file")
    with open(path, "rb") as f:
        magic = f.read(7)
    if magic == b"NIST_1A":
        samples, rate = _read_sphere(path)
    else:
        import soundfile as sf  # imported here so that the math modules load without libsndfile

        try:
            data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        except Exception as e:  # libsndfile's messages are informative; keep them on one line
            raise AudioError(path, f"unreadable audio ({str(e).splitlines()[0]})") from None
        samples = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if samples.size == 0:
        raise AudioError(path, "no samples")
    if not np.all(np.isfinite(samples)):
        raise AudioError(path, "audio contains NaN or infinite samples")
    orig_rate = int(rate)
    if sample_rate is not None and orig_rate != sample_rate:
        import librosa

        samples = librosa.resample(samples, orig_sr=orig_rate, target_sr=sample_rate, res_type="soxr_hq")
        rate = sample_rate
    if len(samples) < min_samples * rate // SAMPLE_RATE:
        raise AudioError(path, f"too short ({len(samples) / rate * 1000:.1f} ms; need at least "
                               f"{min_samples / SAMPLE_RATE * 1000:.0f} ms)")
    return Audio(np.ascontiguousarray(samples, dtype=np.float32), int(rate), orig_rate, str(path))


def speed_perturb(samples: np.ndarray, factor: float, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Play ``samples`` ``factor`` times faster (pitch and formants scale too), as ``sox speed`` does in
    Kaldi's speed perturbation: a cheap stand-in for more speakers."""
    if factor == 1.0:
        return samples
    import librosa

    return librosa.resample(samples, orig_sr=sample_rate * factor, target_sr=sample_rate,
                            res_type="soxr_hq").astype(np.float32)
