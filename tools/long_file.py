"""A 20-minute recording through asr-align and asr-transcribe: peak memory (RSS) and speed, and how
close the results come to the truth it was built from.

The recording is Free Spoken Digit files laid end to end with short pauses (resampled to 16 kHz),
so the spoken words and their times are known. Each tool runs in its own process; its peak RSS is
read from the kernel (``ru_maxrss`` of the child). Target: under 4 GB each.

    python tools/long_file.py                      # 20 minutes, the embedded digits model
    python tools/long_file.py --minutes 5 --model exp/all/model.pt
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from asr.audio import load_audio
from asr.cli.transcribe import default_model
from asr.corpus.fsdd import read_fsdd

SHARED = Path(os.environ.get("ASR_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def build(minutes: float, fsdd: Path, out: Path, seed: int = 0) -> list[tuple[str, float, float]]:
    """Write the long recording; return its (word, start, end) list."""
    utts = read_fsdd(fsdd)
    rng = random.Random(seed)
    pieces, words, t = [], [], 0.0
    while t < minutes * 60:
        u = rng.choice(utts)
        x = load_audio(u.audio).samples
        gap = np.zeros(int(16000 * rng.uniform(0.1, 0.4)), np.float32)
        pieces += [x, gap]
        words.append((u.text, t, t + len(x) / 16000))
        t += (len(x) + len(gap)) / 16000
    sf.write(out, np.concatenate(pieces), 16000, subtype="PCM_16")
    return words


def run(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``cmd``; its own peak RSS in GB comes from wait4's resource usage of that child alone."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0), err.seek(0)
        res = subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), out.read(), err.read())
    return res, wall, usage.ru_maxrss / 1024 ** 2  # KiB -> GiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--model", default=str(default_model()))
    ap.add_argument("--fsdd", default=str(SHARED / "fsdd" / "recordings"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "long.wav"
        truth = build(args.minutes, Path(args.fsdd), wav)
        text = " ".join(w for w, _, _ in truth)
        print(f"{wav.name}: {args.minutes:.0f} min, {len(truth)} words, {wav.stat().st_size / 1e6:.0f} MB\n")
        print(f"{'tool':<16} {'wall s':>8} {'x real time':>12} {'peak RSS GB':>12}  result")
        res, wall, peak = run([sys.executable, "-m", "asr.cli.transcribe", str(wav), "--model", args.model,
                               "--format", "text"])
        hyp = res.stdout.split()[1:]
        from asr.metrics import error_rate

        wer = error_rate([text.split()], [hyp]).rate if res.returncode == 0 else float("nan")
        print(f"{'asr-transcribe':<16} {wall:>8.1f} {args.minutes * 60 / wall:>12.1f} {peak:>12.2f}  "
              f"exit {res.returncode}, WER {wer:.2f}% over {len(truth)} words")
        tg = Path(tmp) / "long.json"
        res, wall, peak2 = run([sys.executable, "-m", "asr.cli.align", str(wav), text, "-o", str(tg),
                                "--model", args.model])
        result = f"exit {res.returncode}"
        if res.returncode == 0:
            import json

            got = json.loads(tg.read_text())["words"]
            err = [abs(g["start"] - s) for g, (_, s, _) in zip(got, truth)]
            result += f", {len(got)} words; word starts within 50 ms of the truth: {np.mean(np.array(err) < 0.05):.1%}"
        else:
            result += ": " + res.stderr.strip().splitlines()[-1]
        print(f"{'asr-align':<16} {wall:>8.1f} {args.minutes * 60 / wall:>12.1f} {peak2:>12.2f}  {result}")


if __name__ == "__main__":
    main()
