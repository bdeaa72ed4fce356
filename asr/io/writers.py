"""Alignment writers chosen by format name: Praat TextGrid (as MFA writes them), CTM, TIMIT
``.PHN``/``.WRD``, JSON. Every file is written atomically; silence is left out of the tiers, so it
shows as empty intervals."""
from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..phones import SILENCE
from ..segment import Segment
from .atomic import atomic_open
from .timit_labels import write_labels


@dataclass(frozen=True)
class AlignedUtterance:
    """What every writer receives: the utterance's timed words and phones, and its duration."""

    utt_id: str
    words: list[Segment]
    phones: list[Segment]
    duration: float


def _speech(segments: list[Segment]) -> list[Segment]:
    return [s for s in segments if s.label != SILENCE]


def write_textgrid(path: Path, utt: AlignedUtterance) -> None:
    """A TextGrid with a ``words`` and a ``phones`` interval tier (praatio, long format)."""
    from praatio import textgrid

    tg = textgrid.Textgrid()
    for name, segs in (("words", utt.words), ("phones", _speech(utt.phones))):
        entries = [(s.start, s.end, s.label) for s in segs]
        tg.addTier(textgrid.IntervalTier(name, entries, 0.0, utt.duration))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        tg.save(tmp, format="long_textgrid", includeBlankSpaces=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def format_ctm(utt: AlignedUtterance, tier: str = "words") -> str:
    """CTM lines ``utt 1 start duration label score`` (Kaldi/NIST), seconds with 2 decimals."""
    segs = utt.words if tier == "words" else _speech(utt.phones)
    return "".join(f"{utt.utt_id} 1 {s.start:.2f} {s.duration:.2f} {s.label} {s.score:.2f}\n" for s in segs)


def parse_ctm(text: str, path: str = "<ctm>") -> dict[str, list[Segment]]:
    """CTM lines ``utt channel start duration label [score]`` -> timed segments per utterance.

    Raises :class:`~asr.io.timit_labels.LabelError` naming the file and line for malformed input.
    """
    from .timit_labels import LabelError

    out: dict[str, list[Segment]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith(";;"):
            continue
        if len(parts) not in (5, 6):
            raise LabelError(f"{path}:{n}: expected 'utt channel start duration label [score]', got {line.strip()!r}")
        try:
            start, dur = float(parts[2]), float(parts[3])
            score = float(parts[5]) if len(parts) == 6 else 0.0
        except ValueError:
            raise LabelError(f"{path}:{n}: start, duration and score must be numbers, got {line.strip()!r}") from None
        if not (start >= 0 and dur > 0) or not all(map(math.isfinite, (start, dur, score))):
            raise LabelError(f"{path}:{n}: start must be >= 0 and duration > 0, got {line.strip()!r}")
        out.setdefault(parts[0], []).append(Segment(parts[4], start, round(start + dur, 6), score))
    return out


def write_ctm(path: Path, utt: AlignedUtterance) -> None:
    with atomic_open(path) as f:
        f.write(format_ctm(utt))


def write_phn(path: Path, utt: AlignedUtterance) -> None:
    """TIMIT ``.PHN`` and ``.WRD`` beside it (sample offsets at 16 kHz; silence as ``h#``/``pau``)."""
    phones = [Segment("h#" if s.label == SILENCE and (i == 0 or i == len(utt.phones) - 1) else
                      ("pau" if s.label == SILENCE else s.label), s.start, s.end)
              for i, s in enumerate(utt.phones)]
    write_labels(path.with_suffix(".PHN"), phones)
    write_labels(path.with_suffix(".WRD"), utt.words)


def write_json(path: Path, utt: AlignedUtterance) -> None:
    data = {"utt_id": utt.utt_id, "duration": utt.duration,
            "words": [{"word": s.label, "start": s.start, "end": s.end} for s in utt.words],
            "phones": [{"phone": s.label, "start": s.start, "end": s.end, "score": round(s.score, 3)}
                       for s in utt.phones]}
    with atomic_open(path) as f:
        json.dump(data, f, indent=1)


WRITERS: dict[str, tuple[str, Callable[[Path, AlignedUtterance], None]]] = {
    "textgrid": (".TextGrid", write_textgrid),
    "ctm": (".ctm", write_ctm),
    "phn": (".PHN", write_phn),
    "json": (".json", write_json),
}


def output_path(out_dir: Path, rel: str, fmt: str) -> Path:
    """Where format ``fmt`` of the utterance at ``rel`` (its path inside the corpus) goes."""
    return out_dir / (rel + WRITERS[fmt][0])


def write(out_dir: Path, rel: str, utt: AlignedUtterance, formats: list[str]) -> None:
    for fmt in formats:
        WRITERS[fmt][1](output_path(out_dir, rel, fmt), utt)


def read_textgrid_phones(path: str | Path) -> list[Segment]:
    """The ``phones`` tier of a TextGrid (empty intervals become silence)."""
    from praatio import textgrid

    tg = textgrid.openTextgrid(str(path), includeEmptyIntervals=True)
    tier = tg.getTier("phones")
    return [Segment(e.label or SILENCE, e.start, e.end) for e in tier.entries]
