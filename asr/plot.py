"""Pictures worth looking at: a spectrogram with phone and word boundaries."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE
from .io.atomic import atomic_open
from .phones import SILENCE
from .segment import Segment


def plot_alignment(samples: np.ndarray, phones: list[Segment], words: list[Segment], path: str | Path,
                   title: str = "", reference: list[Segment] | None = None) -> None:
    """Log spectrogram with phone (and, if given, reference) boundaries and labels, words on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dur = len(samples) / SAMPLE_RATE
    fig, ax = plt.subplots(figsize=(max(8, dur * 4), 4.5))
    ax.specgram(samples, NFFT=400, Fs=SAMPLE_RATE, noverlap=240, cmap="magma", scale="dB")
    ax.set_ylim(0, 8000)
    for s in phones:
        ax.axvline(s.start, color="cyan", lw=0.8)
        if s.label != SILENCE:
            ax.text((s.start + s.end) / 2, 7400, s.label, color="white", ha="center", fontsize=8)
    for s in reference or []:
        ax.axvline(s.start, color="lime", lw=0.8, ls="--", ymax=0.35)
    for w in words:
        ax.text((w.start + w.end) / 2, 8150, w.label, ha="center", fontsize=9, clip_on=False)
        ax.axvline(w.start, color="white", lw=1.5, ymin=0.9)
    ax.set_xlim(0, dur)
    ax.set_xlabel("time (s)" + ("   (cyan: aligned phones, green dashed: reference)" if reference else ""))
    ax.set_ylabel("Hz")
    if title:
        ax.set_title(title, pad=18)
    fig.tight_layout()
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png", dpi=100)
    plt.close(fig)
