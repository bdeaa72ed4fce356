"""Synthetic speech with exact phone times: ``flite -psdur`` prints each phone's end time.

Used by tests and by the flite benchmark of the training loop: a free, exactly aligned corpus.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..io.atomic import atomic_write_text
from ..io.timit_labels import read_labels, write_labels
from ..segment import Segment
from .utterance import CorpusError, Utterance

VOICES = ("slt", "rms", "awb", "kal16")  # 16 kHz voices
_FLITE_TO_TIMIT = {"pau": "pau", "axr": "er"}

SENTENCES = (
    "she had your dark suit in greasy wash water all year",
    "don't ask me to carry an oily rag like that",
    "the birch canoe slid on the smooth planks",
    "glue the sheet to the dark blue background",
    "it's easy to tell the depth of a well",
    "these days a chicken leg is a rare dish",
    "rice is often served in round bowls",
    "the juice of lemons makes fine punch",
    "the box was thrown beside the parked truck",
    "the hogs were fed chopped corn and garbage",
    "four hours of steady work faced us",
    "a large size in stockings is hard to sell",
    "the boy was there when the sun rose",
    "a rod is used to catch pink salmon",
    "the source of the huge river is the clear spring",
    "kick the ball straight and follow through",
)


def synthesize(text: str, wav: Path, voice: str = "slt") -> list[Segment]:
    """Synthesise ``text`` into ``wav``; returns the exact timed phones (TIMIT-style labels)."""
    if shutil.which("flite") is None:
        raise CorpusError("flite is not installed (apt-get install flite)")
    res = subprocess.run(["flite", "-voice", voice, "-psdur", "-t", text, "-o", str(wav)],
                         check=True, capture_output=True, text=True)
    import soundfile as sf

    duration = sf.info(str(wav)).duration
    segs, start = [], 0.0
    for tok in res.stdout.split():
        if ":" not in tok:
            continue
        ph, end_s = tok.rsplit(":", 1)
        end = min(float(end_s), duration)
        if end > start:
            segs.append(Segment(_FLITE_TO_TIMIT.get(ph, ph), start, end))
            start = end
    return segs


def make_flite_corpus(out_dir: str | Path, sentences=SENTENCES, voices=VOICES) -> list[Utterance]:
    """Synthesise every sentence with every voice into ``out_dir/<voice>/<n>.wav`` with ``.PHN`` and
    ``.TXT`` beside it; existing files are reused."""
    out = Path(out_dir)
    utts = []
    for voice in voices:
        (out / voice).mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(sentences):
            wav = out / voice / f"s{i:03d}.wav"
            phn = wav.with_suffix(".PHN")
            if not (wav.exists() and phn.exists()):
                segs = synthesize(text, wav, voice)
                write_labels(phn, segs)
                atomic_write_text(wav.with_suffix(".TXT"), text + "\n")
            phones = tuple(read_labels(phn))
            utts.append(Utterance(f"{voice}_s{i:03d}", voice, str(wav), text, phones, rel=f"{voice}/s{i:03d}"))
    return utts
