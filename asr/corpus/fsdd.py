"""The Free Spoken Digit Dataset layout: ``{digit}_{speaker}_{index}.wav`` files, one spoken digit
each (8 kHz in the original; resampled on reading). The transcript is the digit's English word."""
from __future__ import annotations

import re
from pathlib import Path

from .utterance import CorpusError, Utterance

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NAME = re.compile(r"^([0-9])_([A-Za-z0-9]+)_([0-9]+)$")


def _audio_dir(path: Path) -> Path:
    """The folder holding the recordings: ``path`` itself or its ``recordings/`` (the dataset's git layout)."""
    return path / "recordings" if (path / "recordings").is_dir() else path


def is_fsdd_dir(path: str | Path) -> bool:
    """True when every ``.wav`` directly in the folder (or its ``recordings/``) is named ``{digit}_{speaker}_{n}``."""
    path = Path(path)
    if not path.is_dir():
        return False
    wavs = [p for p in _audio_dir(path).iterdir() if p.suffix.lower() == ".wav"]
    return bool(wavs) and all(_NAME.match(p.stem) for p in wavs)


def read_fsdd(path: str | Path, speakers: list[str] | None = None) -> list[Utterance]:
    """Every recording (optionally only ``speakers``'), utterance id ``{speaker}_{digit}_{n}``, text the digit word."""
    path = Path(path)
    if not is_fsdd_dir(path):
        raise CorpusError(f"{path}: not a Free Spoken Digit folder (expected files named "
                          "{digit}_{speaker}_{index}.wav, e.g. 7_jackson_32.wav)")
    utts = []
    for wav in sorted(_audio_dir(path).glob("*.wav")) + sorted(_audio_dir(path).glob("*.WAV")):
        digit, spk, n = _NAME.match(wav.stem).groups()
        if speakers is None or spk in speakers:
            utts.append(Utterance(f"{spk}_{digit}_{n}", spk, str(wav), DIGIT_WORDS[int(digit)], rel=wav.stem))
    if not utts:
        raise CorpusError(f"{path}: no recording of speakers {', '.join(speakers or [])}")
    return sorted(utts, key=lambda u: u.utt_id)


def fsdd_speakers(path: str | Path) -> list[str]:
    """The speakers present, sorted."""
    return sorted({u.speaker for u in read_fsdd(path)})
