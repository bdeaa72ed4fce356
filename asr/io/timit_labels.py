"""TIMIT ``.PHN`` / ``.WRD`` (``start end label``, times in samples) and ``.TXT`` files."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..segment import Segment
from .atomic import atomic_open


class LabelError(ValueError):
    """A malformed label file; the message names the file and the line."""


def parse_labels(text: str, path: str = "<labels>", sample_rate: int = 16000,
                 known: Iterable[str] | None = None) -> list[Segment]:
    """Parse ``start end label`` lines (sample offsets) into segments in seconds.

    Raises :class:`LabelError` (``file:line: reason``) for a malformed line, a label outside
    ``known``, an end before its start, or a segment starting before the previous one ends
    (unsorted or overlapping times).
    """
    known_set = set(known) if known is not None else None
    out: list[Segment] = []
    prev_end = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise LabelError(f"{path}:{lineno}: expected 'start end label', got {line.strip()!r}")
        try:
            start, end = int(parts[0]), int(parts[1])
        except ValueError:
            raise LabelError(f"{path}:{lineno}: times must be integer sample offsets, got {line.strip()!r}") from None
        label = parts[2]
        if known_set is not None and label not in known_set:
            raise LabelError(f"{path}:{lineno}: unknown label {label!r}")
        if start < 0 or end <= start:
            raise LabelError(f"{path}:{lineno}: end {end} is not after start {start}")
        if out and start < prev_end and known_set is not None:
            raise LabelError(f"{path}:{lineno}: starts at {start}, before the previous segment ends ({prev_end})")
        prev_end = max(prev_end, end)
        out.append(Segment(label, start / sample_rate, end / sample_rate))
    return out


def read_labels(path: str | Path, sample_rate: int = 16000, known: Iterable[str] | None = None) -> list[Segment]:
    """Read a ``.PHN`` (pass ``known`` = the phone set) or ``.WRD`` file."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise LabelError(f"{path}: not a text file") from None
    return parse_labels(text, str(path), sample_rate, known)


def format_labels(segments: Iterable[Segment], sample_rate: int = 16000) -> str:
    return "".join(f"{round(s.start * sample_rate)} {round(s.end * sample_rate)} {s.label}\n" for s in segments)


def write_labels(path: str | Path, segments: Iterable[Segment], sample_rate: int = 16000) -> None:
    """Write segments as ``start end label`` lines in samples, atomically."""
    with atomic_open(path) as f:
        f.write(format_labels(segments, sample_rate))


def read_txt(path: str | Path) -> str:
    """The words of a TIMIT ``.TXT`` file (``0 <nsamples> Words.``), without the two offsets."""
    text = Path(path).read_text(encoding="utf-8", errors="replace").strip()
    parts = text.split(None, 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return parts[2]
    return text
