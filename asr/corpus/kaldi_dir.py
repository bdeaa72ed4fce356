"""Kaldi data directories: ``wav.scp``, ``text``, ``utt2spk``, ``spk2utt`` and optional ``segments``."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..io.atomic import atomic_open
from .utterance import CorpusError, Utterance


def is_kaldi_dir(path: str | Path) -> bool:
    return (Path(path) / "wav.scp").is_file()


def _read_table(path: Path, min_fields: int = 2) -> list[tuple[int, list[str]]]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1) if min_fields <= 2 else line.split()
        if len(parts) < min_fields:
            raise CorpusError(f"{path}:{lineno}: expected at least {min_fields} fields, got {line.strip()!r}")
        rows.append((lineno, parts))
    return rows


def read_kaldi_dir(path: str | Path) -> list[Utterance]:
    """Read a Kaldi data directory. Piped ``wav.scp`` entries (``cmd |``) are rejected by name."""
    d = Path(path)
    if not is_kaldi_dir(d):
        raise CorpusError(f"{d}: not a Kaldi data directory (no wav.scp)")
    recordings: dict[str, str] = {}
    for lineno, (rec, value) in _read_table(d / "wav.scp"):
        value = value.strip()
        if value.endswith("|"):
            raise CorpusError(f"{d / 'wav.scp'}:{lineno}: piped command entries are not supported; "
                              f"convert the audio to files first ({value[:60]!r})")
        p = Path(value)
        recordings[rec] = str(p if p.is_absolute() else (d / p))
    text = {p[0]: (p[1].strip() if len(p) > 1 else "") for _, p in _read_table(d / "text", 1)} \
        if (d / "text").is_file() else {}
    utt2spk = {u: s.strip() for _, (u, s) in _read_table(d / "utt2spk")} if (d / "utt2spk").is_file() else {}
    utts = []
    if (d / "segments").is_file():
        for lineno, parts in _read_table(d / "segments", 4):
            utt, rec, start, end = parts[:4]
            if rec not in recordings:
                raise CorpusError(f"{d / 'segments'}:{lineno}: recording {rec!r} is not in wav.scp")
            try:
                t0, t1 = float(start), float(end)
            except ValueError:
                raise CorpusError(f"{d / 'segments'}:{lineno}: start/end must be seconds, got {start!r} {end!r}") from None
            utts.append(Utterance(utt, utt2spk.get(utt, utt), recordings[rec], text.get(utt, ""),
                                  start=t0, end=t1 if t1 > 0 else None, rel=utt))
    else:
        for rec, audio in recordings.items():
            utts.append(Utterance(rec, utt2spk.get(rec, rec), audio, text.get(rec, ""), rel=rec))
    return sorted(utts, key=lambda u: u.utt_id)


def write_kaldi_dir(utts: list[Utterance], path: str | Path) -> None:
    """Write ``wav.scp``, ``text``, ``utt2spk``, ``spk2utt`` (and ``segments`` when any utterance
    is a part of a file), sorted as Kaldi's ``utils/validate_data_dir.sh`` wants."""
    d = Path(path)
    d.mkdir(parents=True, exist_ok=True)
    utts = sorted(utts, key=lambda u: u.utt_id)
    segmented = any(u.start or u.end is not None for u in utts)
    spk2utt: dict[str, list[str]] = defaultdict(list)
    for u in utts:
        spk2utt[u.speaker].append(u.utt_id)
    with atomic_open(d / "utt2spk") as f:
        f.writelines(f"{u.utt_id} {u.speaker}\n" for u in utts)
    with atomic_open(d / "spk2utt") as f:
        f.writelines(f"{s} {' '.join(us)}\n" for s, us in sorted(spk2utt.items()))
    with atomic_open(d / "text") as f:
        f.writelines(f"{u.utt_id} {u.text}".rstrip() + "\n" for u in utts)
    if segmented:
        recs = {}
        for u in utts:
            recs.setdefault(u.audio, f"{u.speaker}-{Path(u.audio).stem}" if u.audio not in recs else recs[u.audio])
        rec_of = {a: r for a, r in recs.items()}
        with atomic_open(d / "wav.scp") as f:
            f.writelines(f"{r} {a}\n" for a, r in sorted(rec_of.items(), key=lambda x: x[1]))
        with atomic_open(d / "segments") as f:
            f.writelines(f"{u.utt_id} {rec_of[u.audio]} {u.start:.3f} {u.end if u.end is not None else -1}\n"
                         for u in utts)
    else:
        with atomic_open(d / "wav.scp") as f:
            f.writelines(f"{u.utt_id} {u.audio}\n" for u in utts)
