#!/usr/bin/env python3
"""Synthetic digit speakers: the ten digit words said by flite's four voices at several speaking rates
and pitches, written in the Free Spoken Digit layout at 8 kHz ({digit}_flite{voice}_{n}.wav).

    python local/synth_digits.py OUT_DIR

More (if synthetic) speakers for the phone models than three real ones give; none of it comes from
the held-out speaker. Needs the flite program (apt-get install flite). Existing files are kept.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import librosa
import soundfile as sf

from asr.corpus.flite import VOICES
from asr.corpus.fsdd import DIGIT_WORDS

STRETCH = (0.8, 1.0, 1.25)         # duration_stretch: faster .. slower
PITCH = (None, 90.0, 130.0, 180.0)  # int_f0_target_mean in Hz (None: the voice's own)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if shutil.which("flite") is None:
        print("synth_digits: flite is not installed (apt-get install flite)", file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    made = 0
    with tempfile.TemporaryDirectory() as tmp:
        for voice in VOICES:
            for d, word in enumerate(DIGIT_WORDS):
                n = 0
                for stretch in STRETCH:
                    for pitch in PITCH:
                        wav = out / f"{d}_flite{voice.replace('16', '')}_{n}.wav"
                        n += 1
                        if wav.exists():
                            continue
                        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", word,
                               "-o", f"{tmp}/x.wav"]
                        if pitch:
                            cmd[3:3] = ["--setf", f"int_f0_target_mean={pitch}"]
                        subprocess.run(cmd, check=True, capture_output=True)
                        x, sr = sf.read(f"{tmp}/x.wav", dtype="float32")
                        sf.write(f"{tmp}/y.wav", librosa.resample(x, orig_sr=sr, target_sr=8000), 8000, subtype="PCM_16")
                        Path(f"{tmp}/y.wav").replace(wav)
                        made += 1
    print(f"{made} synthetic recordings written to {out} ({len(VOICES)} voices x {len(STRETCH) * len(PITCH)} variants x 10 digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
